#!/bin/bash -eu
# Builds every fuzz target for OSS-Fuzz / ClusterFuzzLite. The infrastructure sets $SRC, $WORK,
# $OUT, $CXX, $CXXFLAGS (sanitizer and coverage flags) and $LIB_FUZZING_ENGINE (how a target
# links its engine); this script builds with them and puts into $OUT, per target NAME_fuzzer:
# the binary, NAME_fuzzer_seed_corpus.zip (fuzz/corpus/NAME_fuzzer), NAME_fuzzer.dict and
# NAME_fuzzer.options when fuzz/ has them. .clusterfuzzlite/local-build.sh runs it on this
# machine with clang-14, to check it without Docker.
src=${DBGSIM_SRC:-$SRC/dbgsim}
build=$WORK/dbgsim-build

cmake -S "$src" -B "$build" -G Ninja \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_COMPILER="$CXX" \
  -DCMAKE_CXX_FLAGS="$CXXFLAGS" \
  -DDBGSIM_FUZZ=ON \
  -DDBGSIM_FUZZ_ENGINE="$LIB_FUZZING_ENGINE" \
  -DDBGSIM_TESTS=OFF \
  -DDBGSIM_BENCH=OFF
targets=$(cd "$src/fuzz" && ls *_fuzzer.cpp | sed 's/\.cpp$//')
cmake --build "$build" --parallel "${DBGSIM_JOBS:-$(nproc)}" --target $targets

for t in $targets; do
  cp "$build/fuzz/$t" "$OUT/"
  if [ -d "$src/fuzz/corpus/$t" ]; then
    rm -f "$OUT/${t}_seed_corpus.zip"
    (cd "$src/fuzz/corpus/$t" && zip -q -j "$OUT/${t}_seed_corpus.zip" ./*)
  fi
  for ext in dict options; do
    if [ -f "$src/fuzz/$t.$ext" ]; then
      cp "$src/fuzz/$t.$ext" "$OUT/"
    fi
  done
done
