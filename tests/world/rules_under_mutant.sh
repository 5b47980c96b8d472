#!/usr/bin/env bash
# One cell of the rules-test matrix (docs/semantics.md, "Checked by"): the named rules test
# Rules.TEST must pass with no planted bug and FAIL, as a test, with the planted bug MUTANT, one of
# whose rules the test's name (Sn_...) names. Registered per (test, mutant) pair by
# tests/mutant_tests.cmake.in from `world_tests --gtest_list_tests` and `dbgsim list mutants`.
#
#   rules_under_mutant.sh WORLD_TESTS TEST MUTANT
#
# Exit 0: passes clean and fails under MUTANT. 1 otherwise (the clean run failed, the test did not
# run, it passed under the mutant, or it ended other than by a test failure, e.g. a crash).
set -uo pipefail
[ $# -eq 3 ] || { echo "usage: $0 WORLD_TESTS TEST MUTANT" >&2; exit 2; }
bin=$1 test=$2 mutant=$3
out=$(mktemp)
trap 'rm -f "$out"' EXIT

DBGSIM_MUTANT= "$bin" --gtest_filter="Rules.$test" >"$out" 2>&1
rc=$?
if [ $rc -ne 0 ] || ! grep -q "^\[       OK \] Rules\.$test " "$out"; then
  echo "Rules.$test does not pass with no mutant (exit $rc); a red clean run proves nothing:"
  cat "$out"
  exit 1
fi

DBGSIM_MUTANT=$mutant "$bin" --gtest_filter="Rules.$test" >"$out" 2>&1
rc=$?
if ! grep -q "^\[ RUN      \] Rules\.$test$" "$out"; then
  echo "Rules.$test did not run under $mutant (exit $rc):"
  cat "$out"
  exit 1
fi
if [ $rc -eq 0 ]; then
  echo "MISSED: Rules.$test passes under mutant $mutant, which breaks its rule"
  exit 1
fi
if [ $rc -ne 1 ] || ! grep -q "^\[  FAILED  \] Rules\.$test " "$out"; then
  echo "Rules.$test ended under $mutant with exit $rc, not as a failed test:"
  cat "$out"
  exit 1
fi
echo "caught: Rules.$test fails under $mutant:"
grep -E 'Failure|Expected|S[0-9]+:' "$out" | head -8
exit 0
