#!/usr/bin/env bash
# `dbgsim run` and `dbgsim sweep` from the outside: exit codes, what a FAIL prints, one output
# file per scenario, JUnit, --check-determinism, and that sweep shards split a seed range exactly
# and that --jobs does not change the output; a client's failures grouped by finding; the exit
# codes of prop --client and repro --client.
#   run_sweep_cli.sh DBGSIM SOURCE_DIR
set -uo pipefail
dbgsim=$1
src=$2
lib="$src/scenarios"
source "$(dirname "${BASH_SOURCE[0]}")/../checks.sh"

one="$lib/s06-disconnect-during-partition.yaml"
two="$lib/s20-attached-target-outlives-its-handle.yaml"

# S6: a passing scenario, then the same under release-on-ack: FAIL with rule, step and replay.
expect_rc 0 "run passing scenario" -- "$dbgsim" run "$one"
grep -q '^PASS  disconnect during a partition' "$tmp/out" || fail "no PASS line"
# The wall time in a unit that shows it: a run of under a millisecond printed "wall 0.000s".
# Three significant digits at most ("2.27ms", "675µs"), never three decimals of a second.
grep -Eq '  wall [0-9]{1,3}(\.[0-9]{1,2})?(µs|ms|s)$' "$tmp/out" ||
  fail "no wall time in a unit that shows it: $(cat "$tmp/out")"
expect_rc 1 "run under a mutant" -- "$dbgsim" run "$one" --mutant release-on-ack
grep -q '^FAIL ' "$tmp/out" || fail "no FAIL line"
grep -q 'S6 at ' "$tmp/out" || fail "the oracle rule is not printed"
grep -q "s06-disconnect-during-partition.yaml:[0-9]*: step [0-9]* (check at" "$tmp/out" ||
  fail "the failing step's FILE:LINE is not printed"
grep -qF "replay: dbgsim run --seed 7 --mutant release-on-ack -- $one" "$tmp/out" ||
  fail "no exact replay command"

# Bad input: exit 2.
expect_rc 2 "unknown mutant" -- "$dbgsim" run "$one" --mutant no-such-bug
grep -q 'valid names: none, reuse-handles' "$tmp/err" || fail "unknown mutant does not list names"
expect_rc 2 "missing file" -- "$dbgsim" run "$tmp/missing.yaml"
printf 'name: broken\nsteps:\n  - at: soon\n    heal: { between: [a, b] }\n' >"$tmp/broken.yaml"
expect_rc 2 "malformed scenario" -- "$dbgsim" run "$tmp/broken.yaml"
grep -q "broken.yaml:[0-9]*:[0-9]*: " "$tmp/err" || fail "no FILE:LINE:COL for a malformed file"

# Several scenarios: one trace/chart/perfetto file each, named after the file stem; JUnit.
expect_rc 0 "outputs" -- "$dbgsim" run "$one" "$two" --quiet --trace "$tmp/t.jsonl" \
  --chart "$tmp/c.svg" --perfetto "$tmp/p.json" --junit "$tmp/j.xml"
for stem in s06-disconnect-during-partition s20-attached-target-outlives-its-handle; do
  [ -s "$tmp/t.$stem.jsonl" ] || fail "no trace for $stem"
  [ -s "$tmp/p.$stem.json" ] || fail "no perfetto file for $stem"
  grep -q '<svg' "$tmp/c.$stem.svg" || fail "no chart for $stem"
done
grep -q '"ev":"handle_born"' "$tmp/t.s06-disconnect-during-partition.jsonl" || fail "trace lacks events"
grep -q '<testsuite name="dbgsim run" tests="2" failures="0"' "$tmp/j.xml" || fail "JUnit summary"
expect_rc 1 "junit failure" -- "$dbgsim" run "$one" --mutant reuse-handles --junit "$tmp/j2.xml"
grep -q '<failure message="S1 at ' "$tmp/j2.xml" || fail "JUnit failure message"

# Determinism: the same trace twice, and --check-determinism passes.
"$dbgsim" run "$two" --trace "$tmp/a.jsonl" >/dev/null
"$dbgsim" run "$two" --trace "$tmp/b.jsonl" >/dev/null
cmp -s "$tmp/a.jsonl" "$tmp/b.jsonl" || fail "two runs gave different traces"
expect_rc 0 "check-determinism" -- "$dbgsim" run "$one" "$two" --check-determinism

# Sweep: shards partition A..B exactly; --jobs does not change the output; last line.
lossy="$lib/s15-every-call-completes-under-loss.yaml"
: >"$tmp/seeds"
for i in 1 2 3; do
  "$dbgsim" sweep "$lossy" --seeds 3..40 --shard "$i/3" --verbose >"$tmp/shard$i" ||
    fail "shard $i failed"
  sed -n 's/^seed \([0-9]*\): .*/\1/p' "$tmp/shard$i" >>"$tmp/seeds"
  tail -n1 "$tmp/shard$i" | grep -Eq '^[0-9]+ runs, 0 failed$' || fail "shard $i last line"
done
[ "$(sort -n "$tmp/seeds" | paste -sd' ')" = "$(seq 3 40 | paste -sd' ')" ] ||
  fail "shards do not partition 3..40: $(sort -n "$tmp/seeds" | paste -sd' ')"
[ "$(tail -n1 "$tmp/shard1")" = "13 runs, 0 failed" ] || fail "shard 1/3 of 3..40 runs 13 seeds"
# --shard auto: the scheduler's environment gives exactly the shard I/N would (shard 2 of 3: a
# Slurm array 0-2 at task 1, one 5-9 in steps of 2 at task 7, a Kubernetes Indexed Job at index
# 1), says which it read on stderr, and refuses what it cannot read with exit 2 naming it.
slurm() { env -u JOB_COMPLETION_INDEX SLURM_ARRAY_TASK_ID=$1 SLURM_ARRAY_TASK_MIN=$2 \
  SLURM_ARRAY_TASK_STEP=$3 SLURM_ARRAY_TASK_COUNT=$4 "${@:5}"; }
noenv() { env -u SLURM_ARRAY_TASK_ID -u JOB_COMPLETION_INDEX "$@"; }
slurm 1 0 1 3 "$dbgsim" sweep "$lossy" --seeds 3..40 --shard auto --verbose >"$tmp/auto1" 2>"$tmp/auto1.err"
cmp -s "$tmp/auto1" "$tmp/shard2" || fail "Slurm task 1 of 0-2 is not shard 2/3"
grep -q "shard 2/3 from Slurm job array (SLURM_ARRAY_TASK_ID=1" "$tmp/auto1.err" ||
  fail "--shard auto does not say what it read: $(cat "$tmp/auto1.err")"
slurm 7 5 2 3 "$dbgsim" sweep "$lossy" --seeds 3..40 --shard auto --verbose >"$tmp/auto2" 2>/dev/null
cmp -s "$tmp/auto2" "$tmp/shard2" || fail "Slurm task 7 of 5-9:2 is not shard 2/3"
noenv JOB_COMPLETION_INDEX=1 "$dbgsim" sweep "$lossy" --seeds 3..40 --shard auto --shards 3 \
  --verbose >"$tmp/auto3" 2>"$tmp/auto3.err"
cmp -s "$tmp/auto3" "$tmp/shard2" || fail "Kubernetes index 1 of 3 is not shard 2/3"
grep -q "from Kubernetes Indexed Job (JOB_COMPLETION_INDEX=1" "$tmp/auto3.err" || fail "no Kubernetes source"
expect_rc 2 "--shard auto with no scheduler" -- noenv "$dbgsim" sweep "$lossy" --seeds 1..5 --shard auto
grep -q "no scheduler's shard in the environment" "$tmp/err" || fail "no-scheduler message: $(cat "$tmp/err")"
expect_rc 2 "--shard auto, Kubernetes without --shards" -- noenv JOB_COMPLETION_INDEX=0 \
  "$dbgsim" sweep "$lossy" --seeds 1..5 --shard auto
grep -q "pass --shards N" "$tmp/err" || fail "Kubernetes without a count: $(cat "$tmp/err")"
expect_rc 2 "--shard auto, index past --shards" -- noenv JOB_COMPLETION_INDEX=3 \
  "$dbgsim" sweep "$lossy" --seeds 1..5 --shard auto --shards 3
expect_rc 2 "--shard auto, Slurm task not in the array" -- slurm 6 5 2 3 \
  "$dbgsim" sweep "$lossy" --seeds 1..5 --shard auto
expect_rc 2 "--shard auto, a Slurm count that is no number" -- slurm 1 0 1 x \
  "$dbgsim" sweep "$lossy" --seeds 1..5 --shard auto
grep -q "SLURM_ARRAY_TASK_COUNT='x' is not a whole number" "$tmp/err" || fail "bad variable not named"
expect_rc 2 "--shards without --shard auto" -- "$dbgsim" sweep "$lossy" --seeds 1..5 --shard 1/3 --shards 3
"$dbgsim" sweep "$lossy" --seeds 1..40 --swarm --verbose --mutant keep-attached >"$tmp/j1"
"$dbgsim" sweep "$lossy" --seeds 1..40 --swarm --verbose --mutant keep-attached --jobs 3 >"$tmp/j3"
cmp -s "$tmp/j1" "$tmp/j3" || fail "--jobs 3 changed the output"
expect_rc 1 "sweep under a mutant" -- "$dbgsim" sweep "$two" --seeds 1..5 \
  --mutant target-leaks-session --out "$tmp/repro"
[ "$(tail -n1 "$tmp/out")" = "5 runs, 5 failed" ] || fail "sweep last line: $(tail -n1 "$tmp/out")"
grep -q '^FAIL S20: 5 seeds, first seed 1$' "$tmp/out" || fail "sweep groups by signature"
expect_rc 1 "reproducer replays" -- "$dbgsim" run "$tmp/repro/s20-attached-target-outlives-its-handle.seed1.yaml" \
  --mutant target-leaks-session
grep -q 'S20 at ' "$tmp/out" || fail "the reproducer does not fail the same way"
expect_rc 2 "bad seeds" -- "$dbgsim" sweep "$lossy" --seeds 9..1

# A client in a sweep: failures group by the first unexpected finding. The scenario's ghidra_agent
# leaks its handle (C1) whenever its calls get through a link that loses a frame in two, and
# fails (C7) when they do not; it declares no findings, so every seed fails, in two groups.
leaky="$src/tests/scenario/clients/leaks-under-some-seeds.yaml"
expect_rc 1 "sweep of a leaking client" -- "$dbgsim" sweep "$leaky" --seeds 1..200 --swarm
[ "$(tail -n1 "$tmp/out")" = "200 runs, 200 failed" ] || fail "client sweep last line: $(tail -n1 "$tmp/out")"
grep -Eq '^FAIL C1 leaked-handle: [0-9]+ seeds, first seed [0-9]+$' "$tmp/out" ||
  fail "the client sweep has no group C1 leaked-handle"
grep -Eq '^FAIL C7 program-failed: [0-9]+ seeds, first seed [0-9]+$' "$tmp/out" ||
  fail "the client sweep has no group C7 program-failed (the seed does not decide the finding)"

# prop --client: bad input is exit 2 with a did-you-mean; a failure writes a reproducer that
# replays failing on the finding not allowed.
expect_rc 2 "prop: unknown client" -- "$dbgsim" prop --client ghidra_agnet
grep -q 'did you mean `ghidra_agent`' "$tmp/err" || fail "prop --client: no did-you-mean"
expect_rc 2 "prop: unknown finding" -- "$dbgsim" prop --client ghidra_agent --allow leaked-handel
grep -q 'did you mean `leaked-handle`' "$tmp/err" || fail "prop --allow: no did-you-mean"
expect_rc 2 "prop: --allow without --client" -- "$dbgsim" prop --allow leaked-handle
expect_rc 2 "prop: --client with --mutant" -- "$dbgsim" prop --client ghidra_agent --mutant reuse-handles
expect_rc 2 "prop: too many faults" -- "$dbgsim" prop --client ghidra_agent --max-size 17
expect_rc 2 "prop: no cases" -- "$dbgsim" prop --client ghidra_agent --cases 0
mkdir -p "$tmp/prop"
expect_rc 1 "prop: ghidra_agent leaks" -- "$dbgsim" prop --client ghidra_agent --cases 20 \
  --out "$tmp/prop" --quiet
grep -q '^findings: C1 leaked-handle; not allowed: C1 leaked-handle$' "$tmp/out" ||
  fail "prop --client: no findings line for the leak"
grep -q '(replays to a failure: C1 leaked-handle' "$tmp/out" || fail "prop --client: no replay"
expect_rc 1 "prop reproducer replays" -- "$dbgsim" run "$tmp/prop/prop-client-ghidra_agent-1.yaml"
grep -q 'C1 leaked-handle' "$tmp/out" || fail "the prop --client reproducer does not fail on C1"

# repro --client: a seed of the corpus runs cleanly (exit 1: not a finding); an input whose
# partition outlasts ghidra_agent's connect is one (C7), and the file replays failing on it.
expect_rc 1 "repro --client of a clean seed" -- "$dbgsim" repro --client \
  "$src/fuzz/corpus/client_fuzzer/ghidra-plain" -o "$tmp/clean.yaml"
expect_rc 0 "run of a clean seed's scenario" -- "$dbgsim" run "$tmp/clean.yaml"
printf '\000\000\000\000\001\000\000' >"$tmp/partitioned"  # partition srv both ways at 0 s
expect_rc 0 "repro --client of a finding" -- "$dbgsim" repro --client "$tmp/partitioned" \
  -o "$tmp/partitioned.yaml"
grep -q 'replays C7 program-failed' "$tmp/out" || fail "repro --client does not name C7"
expect_rc 1 "repro --client file replays" -- "$dbgsim" run "$tmp/partitioned.yaml"
grep -q 'C7 program-failed' "$tmp/out" || fail "the repro --client file does not fail on C7"
grep -q 'findings: \[leaked-handle\]\|findings: \[\]' "$tmp/partitioned.yaml" ||
  fail "the repro --client file does not declare allowed and found"
expect_rc 2 "repro --client with --mutant" -- "$dbgsim" repro --client "$tmp/partitioned" \
  --mutant reuse-handles

finish 'run/sweep'
