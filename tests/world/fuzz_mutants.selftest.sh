#!/usr/bin/env bash
# scripts/fuzz-mutants counts a finding only for one of the mutant's rules and fails when the seeds
# already fail with no mutant. Driven with a fake fuzzer (DBGSIM_FUZZER, --no-build) whose
# findings are chosen per mutant, it must accept a finding of the mutant's rule and refuse a
# finding of another rule, no finding, and a red clean replay.
set -uo pipefail
script=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/fuzzer" <<EOF2
#!/usr/bin/env bash
if [ "\$DBGSIM_MUTANT" = list ]; then printf 'own\tS6\nsecond-rule\tS6,S20\nother\tS6,S20\nnothing\tS9\n'; exit 0; fi
for a in "\$@"; do
  case \$a in
    -runs=0) [ -f "$tmp/red" ] && { echo "disconnect_fuzzer: S7 violated at 1us: x"; exit 1; }; exit 0 ;;
    -artifact_prefix=*) p=\${a#-artifact_prefix=} ;;
  esac
done
case \$DBGSIM_MUTANT in
  own) echo "disconnect_fuzzer: S6 violated at 1us: x"; touch "\${p}crash-1" ;;
  second-rule) echo "disconnect_fuzzer: S20 violated at 1us: x"; touch "\${p}crash-1" ;;
  other) echo "disconnect_fuzzer: S1 violated at 1us: x"; touch "\${p}crash-1" ;;
esac
echo "stat::number_of_executed_units: 5"
echo "stat::average_exec_per_sec: 9"
EOF2
chmod +x "$tmp/fuzzer"
bad=0
expect() {
  local want=$1 m=$2
  DBGSIM_FUZZER="$tmp/fuzzer" bash "$script" --no-build --time 1 --mutant "$m" >"$tmp/out" 2>&1
  local got=$?
  if [ "$got" != "$want" ]; then
    echo "FAIL: mutant $m: fuzz-mutants exited $got, wanted $want:"; cat "$tmp/out"; bad=1
  fi
}
expect 0 own
expect 0 second-rule
expect 1 other
expect 1 nothing
touch "$tmp/red"
expect 1 own
[ $bad = 0 ] && echo "fuzz-mutants: every fake finding judged as it should be"
exit $bad
