#!/usr/bin/env bash
# Hostile input to the command (issue "Hostile input"): each case must end in bounded time with
# the expected exit code and a message naming what is wrong, never a crash (134), a hang or a
# silent success. Usage: tests/hostile/cli.sh DBGSIM SOURCE_DIR
set -u
dbgsim=$(readlink -f "$1")
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0 passed=0

# expect NAME RC FRAGMENT -- COMMAND...: runs COMMAND (at most 20 s) and checks its exit code and
# that stderr contains FRAGMENT.
expect() {
  local name=$1 want=$2 fragment=$3
  shift 4
  local err="$tmp/stderr" rc
  timeout 20 "$@" >"$tmp/stdout" 2>"$err" </dev/null
  rc=$?
  if [ "$rc" -ne "$want" ] || { [ -n "$fragment" ] && ! grep -qF -- "$fragment" "$err"; }; then
    echo "FAIL $name: exit $rc (want $want), stderr: $(head -c 300 "$err")"
    failed=$((failed + 1))
  else
    passed=$((passed + 1))
  fi
}

mkfifo "$tmp/fifo"
scenario="$src/scenarios/s06-disconnect-during-partition.yaml"

# Inputs that are not regular files are refused before they are opened (a FIFO would block).
expect "check FIFO" 2 "is a FIFO, not a regular file" -- "$dbgsim" check "$tmp/fifo"
expect "run FIFO" 2 "is a FIFO, not a regular file" -- "$dbgsim" run "$tmp/fifo"
expect "decode FIFO" 2 "is a FIFO, not a regular file" -- "$dbgsim" decode "$tmp/fifo"
expect "repro FIFO" 2 "is a FIFO, not a regular file" -- "$dbgsim" repro "$tmp/fifo"
expect "repro directory" 2 "is a directory, not a regular file" -- "$dbgsim" repro "$src"
expect "decode directory" 2 "is a directory, not a regular file" -- "$dbgsim" decode "$src/docs"
expect "repro /dev/zero" 2 "is a character device" -- "$dbgsim" repro /dev/zero
ln -s "$tmp/loop" "$tmp/loop"
expect "decode symlink loop" 2 "Too many levels of symbolic links" -- "$dbgsim" decode "$tmp/loop"
expect "decode missing" 2 "No such file or directory" -- "$dbgsim" decode "$tmp/missing"

# Outputs that cannot be written are errors naming the path and the reason.
expect "options to a full stdout" 2 "standard output: cannot write: No space left on device" -- \
  sh -c "\"$dbgsim\" options tcp:port=1 >/dev/full"
expect "decode to a full stdout" 2 "No space left on device" -- \
  sh -c "\"$dbgsim\" decode \"$src/scenarios/examples/handshake.bin\" >/dev/full"
expect "run --trace to a full device" 2 "/dev/full: cannot write: No space left on device" -- \
  "$dbgsim" run "$scenario" --quiet --trace /dev/full
expect "run --junit into a missing folder" 2 "$tmp/no/such/x.xml: cannot write: No such file" -- \
  "$dbgsim" run "$scenario" --quiet --junit "$tmp/no/such/x.xml"
expect "run --chart to a full device" 2 "cannot write" -- \
  "$dbgsim" run "$scenario" --quiet --chart /dev/full
expect "repro -o into a missing folder" 2 "cannot write" -- \
  "$dbgsim" repro "$src/fuzz/corpus/disconnect_fuzzer/$(ls "$src/fuzz/corpus/disconnect_fuzzer" | head -1)" \
  -o "$tmp/no/such/x.yaml"

# Invalid UTF-8 in an option value is printed, not a crash (nlohmann-json refuses to dump it).
expect "options with invalid UTF-8" 0 "" -- "$dbgsim" options --client "$(printf 'tcp:server=a\xff,port=1')"

# Arguments: a misspelt command and seeds that would wrap round are refused with what is wrong.
expect "unknown command" 2 "unknown command 'bogus'; the commands are run, check" -- "$dbgsim" bogus
for bad in -1 18446744073709551616 99999999999999999999999 "" 1x; do
  expect "run --seed '$bad'" 2 "--seed wants a whole number" -- "$dbgsim" run "$scenario" --seed "$bad"
done
expect "run --seed 2^64-1" 0 "" -- "$dbgsim" run "$scenario" --quiet --seed 18446744073709551615

# A scenario name with a CR and an ANSI escape is printed escaped: on a terminal it could
# otherwise overprint its own FAIL line with a forged PASS.
sed -e 's/^name: .*/name: "x\\rPASS \\e[2K"/' -e 's/expect: S_OK/expect: E_FAIL/' "$scenario" >"$tmp/--evil.yaml"
timeout 20 "$dbgsim" run -- "$tmp/--evil.yaml" >"$tmp/out" 2>&1
if grep -q $'\r' "$tmp/out" || grep -q $'\e' "$tmp/out" || ! grep -qF 'x\x0dPASS \x1b[2K' "$tmp/out"; then
  echo "FAIL control characters reach the terminal: $(od -c "$tmp/out" | head -3)"
  failed=$((failed + 1))
else
  passed=$((passed + 1))
fi
# The replay line of a file whose name begins with `--` works as printed.
replay=$(sed -n 's/^    replay: //p' "$tmp/out" | head -1)
if [ -z "$replay" ] || ! (cd "$tmp" && eval "\"$dbgsim\" ${replay#dbgsim }" >/dev/null 2>&1; [ $? -eq 1 ]); then
  echo "FAIL the replay line does not replay: $replay"
  failed=$((failed + 1))
else
  passed=$((passed + 1))
fi

# Near misses: the same commands with good inputs and outputs succeed.
expect "decode a regular file" 0 "" -- "$dbgsim" decode "$src/scenarios/examples/handshake.bin"
expect "run with writable outputs" 0 "" -- \
  "$dbgsim" run "$scenario" --quiet --trace "$tmp/t.jsonl" --junit "$tmp/j.xml" --chart "$tmp/c.svg"
[ -s "$tmp/t.jsonl" ] && [ -s "$tmp/j.xml" ] && [ -s "$tmp/c.svg" ] ||
  { echo "FAIL run with writable outputs: a file is missing or empty"; failed=$((failed + 1)); }

echo "hostile cli: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
