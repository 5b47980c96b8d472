#!/usr/bin/env bash
# The prop_mutant.* judge (scripts/check-prop-mutant --judge) accepts only exit 1 with a `rules:`
# line naming one of the mutant's rules: fed fake `dbgsim prop` outputs, it must accept the good
# ones and refuse a miss (exit 0), an error (exit 2), exit 1 without a rules line, and exit 1 for
# another rule.
set -uo pipefail
check=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bad=0
# expect WANT RULES STATUS TEXT
expect() {
  printf '%b' "$4" >"$tmp/out"
  "$check" --judge "$2" "$3" "$tmp/out" >/dev/null
  local got=$?
  if [ "$got" != "$1" ]; then
    echo "FAIL: rules=$2 exit=$3 output=$(printf '%q' "$4"): judge gave $got, wanted $1"
    bad=1
  fi
}
found='prop: handle lifecycle, 1000 cases\nfailed after 12 cases, shrunk\nrules: S6\nreproducer: x.yaml (replays)\n'
expect 0 S6 1 "$found"
expect 0 S6,S20 1 "${found/S6/S20}"
expect 0 S20 1 'rules: S6, S20\n'
expect 1 S6 0 'prop: 1000 cases passed\n'
expect 1 S6 2 "$found"
expect 1 S6 1 'failed, shrunk\nreproducer: x.yaml\n'
expect 1 S6 1 'rules: S7\n'
expect 1 S6 1 'rules: S60\n'
expect 1 S1 1 'rules: S10\n'
expect 1 S6 1 'rules:\n'
[ $bad = 0 ] && echo "check-prop-mutant judge: every fake output judged as it should be"
exit $bad
