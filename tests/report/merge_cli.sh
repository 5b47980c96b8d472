#!/usr/bin/env bash
# `dbgsim sweep --results` and `dbgsim merge`: three shards merged print the same summary and
# groups (and JUnit, timings aside) as one unsharded sweep of the same range; so do two seed
# ranges side by side; missing shards or seeds, overlapping shards, shards of different sweeps
# and malformed results files are exit 2 naming the file and the field.
#   merge_cli.sh DBGSIM SOURCE_DIR
set -uo pipefail
dbgsim=$1
src=$2
source "$(dirname "${BASH_SOURCE[0]}")/../checks.sh"
# The results without their timings (wall time and worker count differ from run to run).
untimed() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d.pop("timings"); print(json.dumps(d, indent=1, sort_keys=True))' "$1"; }
# A JUnit report without its time attributes.
untimed_junit() { sed -E 's/ time="[0-9.]+"//g' "$1"; }

lossy="$src/scenarios/s15-every-call-completes-under-loss.yaml"
# Under this mutant a client scenario fails three ways within 60 seeds (S7 and two client findings).
picker="$src/scenarios/c-count-then-fill-misses-a-new-process.yaml"
sweep=("$dbgsim" sweep "$picker" --swarm --mutant no-lease-expiry)

# One process for 1..60, then three shards of it (with different --jobs), then two halves.
expect_rc 1 "unsharded sweep" -- "${sweep[@]}" --seeds 1..60 --results "$tmp/all.json" --junit "$tmp/all.xml"
cp "$tmp/out" "$tmp/all.txt"
[ "$(grep -c '^FAIL ' "$tmp/all.txt")" -ge 2 ] || fail "the sweep should find two groups or more: $(cat "$tmp/all.txt")"
for i in 1 2 3; do
  expect_rc 1 "shard $i" -- "${sweep[@]}" --seeds 1..60 --shard "$i/3" --jobs "$i" --results "$tmp/s$i.json"
  cp "$tmp/out" "$tmp/s$i.txt"
done
# The shards differ from the whole (else the comparison below could not fail).
cmp -s "$tmp/s1.txt" "$tmp/all.txt" && fail "shard 1 printed what the whole sweep did"
expect_rc 1 "merge of three shards" -- "$dbgsim" merge "$tmp/s1.json" "$tmp/s2.json" "$tmp/s3.json" \
  --results "$tmp/m.json" --junit "$tmp/m.xml"
cmp -s "$tmp/out" "$tmp/all.txt" || { fail "merge summary differs from the unsharded sweep"; diff "$tmp/all.txt" "$tmp/out" >&2; }
[ "$(untimed "$tmp/m.json")" = "$(untimed "$tmp/all.json")" ] || fail "merged groups differ from the unsharded sweep's"
[ "$(untimed_junit "$tmp/m.xml")" = "$(untimed_junit "$tmp/all.xml")" ] || fail "merged JUnit differs"
grep -q '<testsuite name="dbgsim sweep" tests="[0-9]*" failures="[1-9]' "$tmp/all.xml" || fail "sweep JUnit has no failures"
# The order of the files does not matter; nor does merging a merge.
expect_rc 1 "merge in another order" -- "$dbgsim" merge "$tmp/s3.json" "$tmp/s1.json" "$tmp/s2.json"
cmp -s "$tmp/out" "$tmp/all.txt" || fail "merge depends on the order of its files"
expect_rc 1 "merge of a merge" -- "$dbgsim" merge "$tmp/m.json"
cmp -s "$tmp/out" "$tmp/all.txt" || fail "merging the merged result changes it"
# Two seed ranges side by side are one sweep too.
"${sweep[@]}" --seeds 1..25 --results "$tmp/lo.json" >/dev/null
"${sweep[@]}" --seeds 26..60 --results "$tmp/hi.json" >/dev/null
expect_rc 1 "merge of two ranges" -- "$dbgsim" merge "$tmp/hi.json" "$tmp/lo.json"
cmp -s "$tmp/out" "$tmp/all.txt" || fail "two ranges merged differ from the unsharded sweep"
# A passing sweep merges to exit 0.
"$dbgsim" sweep "$lossy" --seeds 1..9 --shard 1/2 --results "$tmp/p1.json" >/dev/null
"$dbgsim" sweep "$lossy" --seeds 1..9 --shard 2/2 --results "$tmp/p2.json" >/dev/null
expect_rc 0 "merge of passing shards" -- "$dbgsim" merge "$tmp/p1.json" "$tmp/p2.json"
[ "$(cat "$tmp/out")" = "9 runs, 0 failed" ] || fail "passing merge: $(cat "$tmp/out")"

# Coverage: a missing shard, missing seeds, overlapping shards; each names what it found.
expect_rc 2 "missing shard" -- "$dbgsim" merge "$tmp/s1.json" "$tmp/s3.json"
grep -q 'missing shard 2/3 of seeds 1..60' "$tmp/err" || fail "missing shard not named: $(cat "$tmp/err")"
"${sweep[@]}" --seeds 36..60 --results "$tmp/hi2.json" >/dev/null
expect_rc 2 "missing seeds" -- "$dbgsim" merge "$tmp/lo.json" "$tmp/hi2.json"
grep -q 'missing seeds 26..35 of 1..60 (10 seeds no file ran)' "$tmp/err" || fail "missing seeds not named: $(cat "$tmp/err")"
cp "$tmp/s2.json" "$tmp/again.json"
expect_rc 2 "overlapping shards" -- "$dbgsim" merge "$tmp/s1.json" "$tmp/s2.json" "$tmp/s3.json" "$tmp/again.json"
grep -q "s2.json (seeds 1..60 shard 2/3) and .*again.json (seeds 1..60 shard 2/3) overlap: both ran seed 2" "$tmp/err" ||
  fail "overlap not named: $(cat "$tmp/err")"
expect_rc 2 "range overlapping shards" -- "$dbgsim" merge "$tmp/s1.json" "$tmp/s2.json" "$tmp/s3.json" "$tmp/lo.json"
grep -q "lo.json (seeds 1..25 shard 1/1) overlap: both ran seed 1$" "$tmp/err" || fail "range overlap: $(cat "$tmp/err")"
"$dbgsim" sweep "$picker" --swarm --seeds 1..60 --shard 2/3 --results "$tmp/other.json" >/dev/null
expect_rc 2 "shards of different sweeps" -- "$dbgsim" merge "$tmp/s1.json" "$tmp/other.json" "$tmp/s3.json"
grep -q 'other.json: options.mutant is "none", not "no-lease-expiry" as in .*s1.json' "$tmp/err" ||
  fail "different sweeps not named: $(cat "$tmp/err")"

# Malformed files: FILE, then the byte or the field, exit 2. Each edit is a near miss of s1.json,
# which merges as it is (re-indented too: the layout is not the format).
edit() {  # edit NAME PYTHON-STATEMENT-ON-d
  python3 -c "import json,sys; d=json.load(open(sys.argv[1])); $2; json.dump(d, open(sys.argv[3], 'w'))" \
    "$tmp/s1.json" "" "$tmp/$1.json"
}
edit same 'pass'
expect_rc 1 "a re-indented results file" -- "$dbgsim" merge "$tmp/same.json" "$tmp/s2.json" "$tmp/s3.json"
cmp -s "$tmp/out" "$tmp/all.txt" || fail "a re-indented file merges differently"
bad() {  # bad NAME EXPECTED-MESSAGE PYTHON-EDIT
  edit "$1" "$3"
  expect_rc 2 "malformed: $1" -- "$dbgsim" merge "$tmp/$1.json" "$tmp/s2.json" "$tmp/s3.json"
  grep -qF "dbgsim merge: $tmp/$1.json: $2" "$tmp/err" || fail "malformed $1: $(cat "$tmp/err")"
}
bad count-text 'groups[0].count: wants a whole number, not "3"' 'd["groups"][0]["count"]="3"'
bad count-zero 'groups[0].count: is 0' 'd["groups"][0]["count"]=0'
bad count-sum 'groups: count' 'd["groups"][0]["count"]+=1'
bad no-runs 'runs: is missing' 'del d["runs"]'
bad runs-off 'runs: is 21, but seeds 1..60 shard 1/3 are 20 seeds' 'd["runs"]=21'
bad unknown 'shards: is not a field of the format' 'd["shards"]=3'
bad shard-index 'shard.index: is 4, not in 1..3' 'd["shard"]["index"]=4'
bad negative 'seeds.first: wants a whole number, not -1' 'd["seeds"]["first"]=-1'
bad seed-elsewhere 'groups[0].first_seed: is 2, which this shard did not run' 'd["groups"][0]["first_seed"]=2'
bad format 'format: wants "dbgsim-sweep-results"' 'd["format"]="dbgsim-sweep-result"'
bad version 'version: wants 1' 'd["version"]=2'
bad swarm 'options.swarm: wants true or false, not "yes"' 'd["options"]["swarm"]="yes"'
bad mutant 'options.mutant: "keep-attachd" is no mutant' 'd["options"]["mutant"]="keep-attachd"'
head -c 100 "$tmp/s1.json" >"$tmp/cut.json"
expect_rc 2 "truncated file" -- "$dbgsim" merge "$tmp/cut.json"
grep -q "cut.json: byte 10[01]: not JSON" "$tmp/err" || fail "truncated: $(cat "$tmp/err")"
expect_rc 2 "missing file" -- "$dbgsim" merge "$tmp/nothing.json"
grep -q "nothing.json" "$tmp/err" || fail "missing file not named: $(cat "$tmp/err")"
expect_rc 2 "no files" -- "$dbgsim" merge
# Shards of a huge count: the missing ones are named without a table of them.
edit huge 'd["shard"]["count"]=10**15; d["runs"]=1; d["failed"]=0; d["groups"]=[]'
expect_rc 2 "a shard of 10^15" -- "$dbgsim" merge "$tmp/huge.json"
grep -q "missing shards 2/1000000000000000, .* and 999999999999991 more of seeds 1..60" "$tmp/err" ||
  fail "huge shard count: $(cat "$tmp/err")"
# Output paths are checked before anything runs.
expect_rc 2 "sweep --results into no folder" -- "${sweep[@]}" --seeds 1..3 --results "$tmp/no/such/r.json"
grep -q "no/such/r.json" "$tmp/err" || fail "unwritable --results not named: $(cat "$tmp/err")"
[ -s "$tmp/out" ] && fail "sweep ran although --results cannot be written"
expect_rc 2 "merge --report into no folder" -- "$dbgsim" merge "$tmp/m.json" --report "$tmp/no/such/r.html"

finish 'merge'
