#!/usr/bin/env bash
# scripts/mutant-scenarios counts a scenario for mutant M only if its failure names one of M's
# rules, and fails when the library fails with no mutant. Fed a fake dbgsim whose outputs are
# chosen per mutant, it must accept an oracle violation of the mutant's rule and a failed
# expectation attributed to it (by the step's own comment, or by the file's `# Rules:` header),
# and refuse a violation of another rule, an expectation attributed to other rules, and a red
# clean run.
set -uo pipefail
script=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/lib"
cat >"$tmp/lib/s06-x.yaml" <<'YAML'
# Demonstrates: something.
# Rules: S6 (disconnect), S7,
# S9 (timeouts).
name: x
steps:
  - at: 0ms
    connect: { engine: eng, options: "tcp:server=srv,port=5005", as: h }
    expect: S_OK
  - at: 1s
    detach: { engine: eng, pid: 4242 }   # lost, no longer a target (S22)
    expect: E_INVALIDARG
YAML
cat >"$tmp/dbgsim" <<EOF2
#!/usr/bin/env bash
if [ "\$1" = list ]; then
  printf 'oracle-own\tS6\td\noracle-other\tS6\td\nexpect-header\tS9\td\nexpect-step\tS20,S22\td\nexpect-step-other\tS6\td\nclean-red\tS6\td\n'
  exit 0
fi
m=none
while [ \$# -gt 0 ]; do [ "\$1" = --mutant ] && m=\$2; shift; done
[ -f "$tmp/clean-red" ] && [ "\$m" = none ] && { echo "FAIL  x  [$tmp/lib/s06-x.yaml]  sim 1s"; echo "    S6 at 1.000s: boom"; exit 1; }
[ "\$m" = none ] && { echo "1 scenarios, 1 passed, 0 failed"; exit 0; }
echo "FAIL  x  [$tmp/lib/s06-x.yaml]  sim 1.000s  wall 0.001s"
case \$m in
  oracle-own|clean-red) echo "    S6 at 1.000s: the handle outlived its disconnect" ;;
  oracle-other) echo "    S7 at 1.000s: lease" ;;
  expect-header) echo "    $tmp/lib/s06-x.yaml:6: step 1 (connect at 0.000s), judged at 0.1s: expected S_OK, got E_FAIL" ;;
  expect-step|expect-step-other) echo "    $tmp/lib/s06-x.yaml:9: step 2 (detach at 1.000s), judged at 1.0s: expected E_INVALIDARG, got S_OK" ;;
esac
echo "    replay: dbgsim run x"
exit 1
EOF2
chmod +x "$tmp/dbgsim"
bad=0
expect() {
  local want=$1 m=$2
  bash "$script" --dbgsim "$tmp/dbgsim" --scenarios "$tmp/lib" "$m" >"$tmp/out" 2>&1
  local got=$?
  if [ "$got" != "$want" ]; then
    echo "FAIL: mutant $m: mutant-scenarios exited $got, wanted $want:"; cat "$tmp/out"; bad=1
  fi
}
expect 0 oracle-own
expect 1 oracle-other
expect 0 expect-header       # S9 from the header
expect 0 expect-step         # S22 from the step's comment
expect 1 expect-step-other   # the step names S22 only; the header's S6 does not apply
touch "$tmp/clean-red"
expect 1 clean-red
[ $bad = 0 ] && echo "mutant-scenarios: every fake output judged as it should be"
exit $bad
