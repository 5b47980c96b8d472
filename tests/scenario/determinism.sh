#!/usr/bin/env bash
# Determinism that can fail (docs/semantics.md, determinism): for every library scenario, the
# seeded swarm variant (extra faults and link noise chosen from the seed, so the random source is
# drawn from) is played in two SEPARATE processes per seed and the two traces must be byte for
# byte the same. So that the check could tell a frozen or ignored seed from a good one, the
# traces of two different seeds must differ for most scenarios, and a swarm variant must draw
# at least one random fault on some scenario.
#
#   determinism.sh SWARM_TRACE SCENARIO_DIR [SEEDS...]   (default seeds: 11 12)
set -uo pipefail
[ $# -ge 2 ] || { echo "usage: $0 SWARM_TRACE SCENARIO_DIR [SEEDS...]" >&2; exit 2; }
tool=$1 dir=$2
shift 2
seeds=("$@")
[ ${#seeds[@]} -gt 0 ] || seeds=(11 12)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bad=0 files=0 seed_matters=0 noisy=0
for f in "$dir"/*.yaml; do
  [ -f "$f" ] || continue
  files=$((files + 1))
  name=$(basename "$f" .yaml)
  for seed in "${seeds[@]}"; do
    if ! "$tool" "$f" "$seed" >"$tmp/$name.$seed.a" 2>"$tmp/err"; then
      echo "FAIL $name seed $seed: cannot run: $(cat "$tmp/err")"; bad=1; continue
    fi
    "$tool" "$f" "$seed" >"$tmp/$name.$seed.b" 2>"$tmp/err"
    if ! cmp -s "$tmp/$name.$seed.a" "$tmp/$name.$seed.b"; then
      echo "FAIL $name seed $seed: two processes gave different traces; first difference:"
      diff "$tmp/$name.$seed.a" "$tmp/$name.$seed.b" | head -6
      bad=1
    fi
    grep -q '^# swarm: ' "$tmp/$name.$seed.a" && noisy=$((noisy + 1))
  done
  if [ ${#seeds[@]} -ge 2 ] && ! cmp -s "$tmp/$name.${seeds[0]}.a" "$tmp/$name.${seeds[1]}.a"; then
    seed_matters=$((seed_matters + 1))
  fi
done
if [ "$files" -eq 0 ]; then
  echo "FAIL: no scenario in $dir"; exit 1
fi
echo "$files scenarios, seeds ${seeds[*]}: $noisy swarm runs drew extra faults; seed changed the trace of $seed_matters"
if [ "$noisy" -eq 0 ]; then
  echo "FAIL: no swarm variant drew any fault: the check exercises no randomness"; bad=1
fi
if [ ${#seeds[@]} -ge 2 ] && [ $((seed_matters * 2)) -lt "$files" ]; then
  echo "FAIL: another seed changed the trace of only $seed_matters of $files scenarios"; bad=1
fi
exit $bad
