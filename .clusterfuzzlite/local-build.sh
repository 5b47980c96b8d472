#!/usr/bin/env bash
# Runs .clusterfuzzlite/build.sh on this machine as OSS-Fuzz would in its image: clang-14 with
# AddressSanitizer, UndefinedBehaviorSanitizer and libFuzzer, $OUT and $WORK in a directory of
# your choice (default build/oss-fuzz), then checks $OUT has every target with its seed corpus
# zip, and runs each target over its seed corpus once.
# usage: .clusterfuzzlite/local-build.sh [DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=$(realpath -m "${1:-$root/build/oss-fuzz}")
export SRC=$dir/src WORK=$dir/work OUT=$dir/out
export DBGSIM_SRC=$root
export CXX=clang++-14 CC=clang-14
export CXXFLAGS="-O1 -gline-tables-only -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all -fsanitize=fuzzer-no-link"
export LIB_FUZZING_ENGINE=-fsanitize=fuzzer
mkdir -p "$SRC" "$WORK" "$OUT"
bash "$root/.clusterfuzzlite/build.sh"

status=0
for src in "$root"/fuzz/*_fuzzer.cpp; do
  t=$(basename "$src" .cpp)
  if [ ! -x "$OUT/$t" ]; then
    echo "missing: $OUT/$t"; status=1; continue
  fi
  extra=""
  [ -f "$OUT/$t.dict" ] && extra="-dict=$OUT/$t.dict"
  corpus=$WORK/check-$t
  rm -rf "$corpus"; mkdir -p "$corpus"
  if [ -f "$OUT/${t}_seed_corpus.zip" ]; then
    unzip -q -o "$OUT/${t}_seed_corpus.zip" -d "$corpus"
  fi
  # -runs=0 executes every corpus input once and stops.
  if "$OUT/$t" $extra -runs=0 "$corpus" >"$WORK/check-$t.log" 2>&1; then
    echo "ok: $t ($(ls "$corpus" | wc -l) seeds, $(ls "$OUT" | grep -c "^$t") files in \$OUT)"
  else
    echo "FAILED: $t (see $WORK/check-$t.log)"; status=1
  fi
done
ls -l "$OUT"
exit $status
