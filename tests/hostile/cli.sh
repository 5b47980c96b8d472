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

# Sanitized builds (DBGSIM_SANITIZE set by ctest) run about four times slower, and ASan reserves
# terabytes of address space for its shadow, so a memory cap is ASan's RSS limit, not ulimit -v.
sanitized=${DBGSIM_SANITIZE:-}
slow=1
[ -n "$sanitized" ] && slow=4
# in_memory MB COMMAND...: runs COMMAND with its memory capped at MB megabytes.
in_memory() {
  local mb=$1
  shift
  if [ -n "$sanitized" ]; then
    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}hard_rss_limit_mb=$mb:quarantine_size_mb=16" "$@"
  else
    (ulimit -v $((mb * 1000)); "$@")
  fi
}

# expect NAME RC FRAGMENT -- COMMAND...: runs COMMAND (at most 60 s: the longest, the default run
# budget used up, takes about 10 s alone and has taken 23 s beside a parallel build; a hang is
# still caught) and checks its exit code and that stderr contains FRAGMENT.
expect() {
  local name=$1 want=$2 fragment=$3
  shift 4
  local err="$tmp/stderr" rc
  timeout $((60 * slow)) "$@" >"$tmp/stdout" 2>"$err" </dev/null
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

# A string's side comes from its keys when no flag says (a client's server= is no error), and a
# mistake in a client string is reported as the client's, with the side it was read as.
expect "options reads a client string" 0 "" -- "$dbgsim" options "tcp:server=target,port=5005"
grep -q '"side":"client"' "$tmp/stdout" || { echo "FAIL options side: $(cat "$tmp/stdout")"; failed=$((failed + 1)); }
expect "options client string with a bad port" 2 "(read as the client side:" -- \
  "$dbgsim" options "tcp:server=target,port=99999"
expect "options --server on a client string" 2 "it is client-only" -- \
  "$dbgsim" options --server "tcp:server=target,port=5005"
expect "options --client with --server" 2 "--client excludes --server" -- \
  "$dbgsim" options --client --server "tcp:port=1"

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

# A run budget: a 1 us keepalive under a long lease would run for hours; it stops with an error
# naming the file and the budget (exit 2), in seconds.
cat >"$tmp/keepalive.yaml" <<'YAML'
name: keepalive storm
defaults: { keepalive: 1us, lease: 1000000s }
servers: [ { name: srv, machine: t, listen: "tcp:port=1" } ]
engines: [ { name: eng, machine: w } ]
steps:
  - at: 0ms
    connect: { engine: eng, options: "tcp:server=t,port=1", as: h }
YAML
# The default budget (2,000,000 + 1,000 per step) takes a sanitized build minutes to use up; the
# same stop on a budget of 100,000 shows it there.
if [ -z "$sanitized" ]; then
  expect "run budget" 2 "keepalive.yaml: cannot run: the run budget of 2001000 steps is used up" -- \
    "$dbgsim" run "$tmp/keepalive.yaml"
else
  expect "run budget" 2 "keepalive.yaml: cannot run: the run budget of 100000 steps is used up" -- \
    "$dbgsim" run "$tmp/keepalive.yaml" --max-steps 100000
fi
expect "run --max-steps" 2 "the run budget of 10 steps is used up" -- \
  "$dbgsim" run "$scenario" --max-steps 10
expect "run --max-steps -1" 2 "max-steps" -- "$dbgsim" run "$scenario" --max-steps -1
expect "sweep budget" 2 "seed 1: cannot run: the run budget of 1000 steps" -- \
  "$dbgsim" sweep "$tmp/keepalive.yaml" --seeds 1..4 --max-steps 1000
expect "sweep -j2 budget" 2 "the run budget of 1000 steps" -- \
  "$dbgsim" sweep "$tmp/keepalive.yaml" --seeds 1..4 -j2 --max-steps 1000

# Sweep: --out is checked before anything runs; a worker that is killed is an error (exit 2).
: >"$tmp/plainfile"
expect "sweep --out a file" 2 "--out $tmp/plainfile: cannot create the folder" -- \
  "$dbgsim" sweep "$scenario" --seeds 1..100000000 --out "$tmp/plainfile"
"$dbgsim" sweep "$scenario" --seeds 1..100000000 -j2 >"$tmp/sweep.out" 2>"$tmp/sweep.err" &
sweep_pid=$!
sleep 2
worker=$(ps -o pid= --ppid "$sweep_pid" | head -1 | tr -d ' ')
[ -n "$worker" ] && kill -KILL "$worker"
timeout 20 tail --pid="$sweep_pid" -f /dev/null
kill "$sweep_pid" 2>/dev/null  # Only if it is still running (the test then fails).
wait "$sweep_pid"
rc=$?
if [ "$rc" -ne 2 ] || ! grep -q "was killed by signal 9" "$tmp/sweep.err"; then
  echo "FAIL sweep with a killed worker: exit $rc (want 2), stderr: $(head -c 300 "$tmp/sweep.err")"
  failed=$((failed + 1))
else
  passed=$((passed + 1))
fi
# A sweep of 10^8 seeds streams them: memory stays flat (the seed vector alone was 800 MB).
in_memory 400 timeout 5 "$dbgsim" sweep "$scenario" --seeds 1..100000000 >/dev/null 2>&1
rc=$?
if [ "$rc" -ne 124 ]; then
  echo "FAIL sweep of 10^8 seeds under 400 MB: exit $rc (want 124, still running at 5 s)"
  failed=$((failed + 1))
else
  passed=$((passed + 1))
fi

# YAML nesting: 4 MiB of `[` is refused at once, with the place, without the memory.
head -c 4194000 /dev/zero | tr '\0' '[' >"$tmp/deep.yaml"
in_memory 300 timeout $((20 * slow)) "$dbgsim" check "$tmp/deep.yaml" >/dev/null 2>"$tmp/deep.err"
rc=$?
if [ "$rc" -ne 2 ] || ! grep -qF "deep.yaml:1:401: nested too deeply" "$tmp/deep.err"; then
  echo "FAIL 4 MiB of [: exit $rc (want 2), stderr: $(head -c 300 "$tmp/deep.err")"
  failed=$((failed + 1))
else
  passed=$((passed + 1))
fi
{
  echo "name: x"
  echo "description:"
  indent=""
  for _ in $(seq 400); do indent="$indent "; echo "${indent}k:"; done
  echo "${indent} k: v"
} >"$tmp/block401.yaml"
expect "block nesting 401" 2 "nested too deeply: more than 400 levels" -- "$dbgsim" check "$tmp/block401.yaml"
{
  printf 'name: x\ndescription: '
  head -c 399 /dev/zero | tr '\0' '['
  head -c 399 /dev/zero | tr '\0' ']'
  echo
} >"$tmp/flow399.yaml"
expect "flow nesting 399" 2 "\`description\`: expected a string, found a list" -- "$dbgsim" check "$tmp/flow399.yaml"

# Names: printable ASCII without spaces; anything else is refused at its place.
for ch in '\xc2\xa0' '\xe2\x80\xa8' '\xe2\x80\x8b' '\xe2\x80\xae' '\xef\xbb\xbf' '\xe3\x80\x80' \
          '\xc2\x85' '\\x01' '\\t' '\xd0\xb0' '\xff'; do
  printf 'name: x\nservers:\n  - name: "s%b"\n    listen: "tcp:port=1"\n' "$ch" >"$tmp/name.yaml"
  expect "server name with $ch" 2 "name.yaml:3:11: server \`name\`: the name" -- "$dbgsim" check "$tmp/name.yaml"
done
printf 'name: x\nservers:\n  - name: s\xe2\x80\xaex\n    listen: "tcp:port=1"\n' >"$tmp/name.yaml"
expect "bidi override named" 2 "has U+202E (an invisible format character) at byte 2" -- \
  "$dbgsim" check "$tmp/name.yaml"

# Protocol limits at load: strings over 4096 bytes, more than 8192 processes on a machine.
long=$(head -c 4097 /dev/zero | tr '\0' 'a')
printf 'name: x\nmachines:\n  - name: m\n    processes:\n      - { pid: 4, exe: %s }\n' "$long" >"$tmp/exe.yaml"
expect "exe over 4096 bytes" 2 "exe.yaml:5:24: process \`exe\`: 4097 bytes is too long" -- \
  "$dbgsim" check "$tmp/exe.yaml"
printf 'name: x\nengines: [ { name: e } ]\nsteps:\n  - at: 0ms\n    create_process: { engine: e, handle: 0, command_line: %s }\n' \
  "$long" >"$tmp/cmd.yaml"
expect "command line over 4096 bytes" 2 "command_line\`: 4097 bytes is too long" -- \
  "$dbgsim" check "$tmp/cmd.yaml"
{
  printf 'name: x\nmachines:\n  - name: m\n    processes:\n'
  seq 4 4 32772 | sed 's/.*/      - { pid: &, exe: a }/'
} >"$tmp/procs.yaml"
expect "8193 processes" 2 "procs.yaml:8197:9: machine \`m\`: more than 8192 processes" -- \
  "$dbgsim" check "$tmp/procs.yaml"

# Cost stays near linear: 20,000 start_server steps at one instant (server_at scanned every
# server: 31 s; indexed: about 4 s).
{
  printf 'name: many servers\nengines: [ { name: eng, machine: ws } ]\nsteps:\n'
  seq 6000 25999 | sed 's/.*/  - at: 0ms\n    start_server: { engine: eng, options: "tcp:port=&" }/'
} >"$tmp/servers.yaml"
expect "20000 start_server steps in 15 s" 0 "" -- timeout $((15 * slow)) "$dbgsim" run --quiet "$tmp/servers.yaml"

# XML 1.0: control characters, U+FFFE/U+FFFF and invalid UTF-8 from a file reach the SVG chart
# and the JUnit report replaced (U+FFFD) or escaped, so both stay well-formed.
printf 'name: "bad \\x01 \\uFFFE \\uFFFF \\r cr & <tag> \\x7f"\ndescription: "\xff\xfe"\nmachines:\n  - name: m\n    processes:\n      - { pid: 8, exe: "a\\x02\xc0\xafb.exe", description: "\xed\xa0\x80" }\nservers: [ { name: srv, machine: m, listen: "tcp:port=1" } ]\nengines: [ { name: eng } ]\nsteps:\n  - at: 0ms\n    connect: { engine: eng, options: "tcp:server=m,port=1", as: h }\n    expect: E_FAIL\n  - at: 1ms\n    find_process: { engine: eng, handle: h, exe: "x\\x03\xff" }\n' >"$tmp/xml.yaml"
expect "run with hostile text to XML" 1 "" -- \
  "$dbgsim" run "$tmp/xml.yaml" --junit "$tmp/x.xml" --chart "$tmp/x.svg"
for f in x.xml x.svg; do
  if ! xmllint --noout "$tmp/$f" 2>"$tmp/xmllint.err"; then
    echo "FAIL $f is not well-formed XML: $(head -c 300 "$tmp/xmllint.err")"
    failed=$((failed + 1))
  else
    passed=$((passed + 1))
  fi
done

# Traces of two scenarios with one file stem in different folders do not overwrite each other:
# the names are STEM-1, STEM-2 in the order the files run.
mkdir -p "$tmp/a" "$tmp/b" "$tmp/traces"
cp "$scenario" "$tmp/a/x.yaml"
sed 's/^seed: 7/seed: 8/' "$scenario" >"$tmp/b/x.yaml"
expect "run two x.yaml with --trace" 0 "" -- \
  "$dbgsim" run "$tmp/a/x.yaml" "$tmp/b/x.yaml" --quiet --trace "$tmp/traces/t.jsonl"
if [ ! -s "$tmp/traces/t.x-1.jsonl" ] || [ ! -s "$tmp/traces/t.x-2.jsonl" ] ||
   cmp -s "$tmp/traces/t.x-1.jsonl" "$tmp/traces/t.x-2.jsonl"; then
  echo "FAIL traces of a/x.yaml and b/x.yaml: $(ls "$tmp/traces")"
  failed=$((failed + 1))
else
  passed=$((passed + 1))
fi

# `run DIR` names what it cannot read instead of silently leaving it out.
mkdir -p "$tmp/dir"
cp "$scenario" "$tmp/dir/good.yaml"
ln -s "$tmp/dir/missing" "$tmp/dir/dangling.yaml"
ln -s "$tmp/dir/loop.yaml" "$tmp/dir/loop.yaml"
mkfifo "$tmp/dir/pipe.yaml"
expect "run DIR with a dangling link" 2 "dir/dangling.yaml: a dangling symbolic link" -- "$dbgsim" run "$tmp/dir"
expect "run DIR with a link loop" 2 "dir/loop.yaml: Too many levels of symbolic links" -- "$dbgsim" run "$tmp/dir"
expect "run DIR with a FIFO" 2 "dir/pipe.yaml: a FIFO" -- "$dbgsim" run "$tmp/dir"
expect "run a link loop" 2 "loop.yaml: Too many levels of symbolic links" -- "$dbgsim" run "$tmp/dir/loop.yaml"
expect "decode DIR says what to do" 2 "is a directory, not a regular file; give one file in it" -- \
  "$dbgsim" decode "$tmp/dir"

# Bytes YAML cannot hold are named as they are, at their place.
printf 'name: a\0b\n' >"$tmp/nul.yaml"
expect "NUL byte" 2 "nul.yaml:1:8: the control character 0x00 (NUL)" -- "$dbgsim" check "$tmp/nul.yaml"
printf 'name: x\rseed: 1\r' >"$tmp/cr.yaml"
expect "CR-only line ends" 2 "cr.yaml:1:8: a CR line end without LF" -- "$dbgsim" check "$tmp/cr.yaml"
printf '\r\r\r' >"$tmp/cr.yaml"
expect "CR-only file" 2 "cr.yaml:1:1: a CR line end without LF" -- "$dbgsim" check "$tmp/cr.yaml"

# Client programs and client libraries (docs/clients.md): what is not a client library, and
# clients that do not load, are refused with the path or FILE:LINE:COL, exit 2.
expect "client-lib missing" 2 "--client-lib $tmp/none.so: no such file" -- \
  "$dbgsim" run "$scenario" --client-lib "$tmp/none.so"
printf 'not an ELF file\n' >"$tmp/text.so"
expect "client-lib not a library" 2 "text.so: cannot be loaded" -- \
  "$dbgsim" run "$scenario" --client-lib "$tmp/text.so"
expect "client-lib a directory" 2 ": no such file" -- "$dbgsim" check "$scenario" --client-lib "$tmp/dir"
expect "client-lib /dev/zero" 2 "/dev/zero: no such file" -- "$dbgsim" sweep "$scenario" --seeds 1..2 --client-lib /dev/zero
base='name: c
engines:
  - name: eng
clients:
'
printf '%s  - { name: a, engine: eng, program: ghidra_agnet }\n' "$base" >"$tmp/c1.yaml"
expect "unknown program" 2 "c1.yaml:5:38: client \`program\`: no client program is called \`ghidra_agnet\`; did you mean \`ghidra_agent\`?" -- \
  "$dbgsim" check "$tmp/c1.yaml"
printf '%s  - { name: a, engine: eng, program: ghidra_agent, expect: { findings: [leaky] } }\n' "$base" >"$tmp/c2.yaml"
expect "unknown finding" 2 "c2.yaml:5:73: client \`expect\` \`findings\` (a finding): expected" -- \
  "$dbgsim" check "$tmp/c2.yaml"
{ printf '%s  - { name: a, engine: eng, program: ghidra_agent, args: [' "$base"
  for i in $(seq 65); do printf 'x%s, ' "$i"; done; printf 'y] }\n'; } >"$tmp/c3.yaml"
expect "too many args" 2 "c3.yaml:5:58: client \`args\`: 66 arguments; at most 64" -- "$dbgsim" check "$tmp/c3.yaml"
{ printf '%s' "$base"; for i in $(seq 257); do printf '  - { name: c%s, engine: eng, program: ghidra_agent }\n' "$i"; done; } >"$tmp/c4.yaml"
expect "too many clients" 2 "at most 256 are allowed" -- "$dbgsim" check "$tmp/c4.yaml"
# Near miss: a client that loads and shows what it declares runs and passes.
expect "a client that loads" 0 "" -- "$dbgsim" run "$src/fuzz/corpus/scenario_fuzzer/clients-ghidra-agent" -q

# Near misses: the same commands with good inputs and outputs succeed.
expect "decode a regular file" 0 "" -- "$dbgsim" decode "$src/scenarios/examples/handshake.bin"
expect "run with writable outputs" 0 "" -- \
  "$dbgsim" run "$scenario" --quiet --trace "$tmp/t.jsonl" --junit "$tmp/j.xml" --chart "$tmp/c.svg"
[ -s "$tmp/t.jsonl" ] && [ -s "$tmp/j.xml" ] && [ -s "$tmp/c.svg" ] ||
  { echo "FAIL run with writable outputs: a file is missing or empty"; failed=$((failed + 1)); }

echo "hostile cli: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
