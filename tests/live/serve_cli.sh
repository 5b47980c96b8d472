#!/usr/bin/env bash
# `dbgsim serve` from the outside (docs/live.md): bad options, a bad or ambiguous processes file
# and a port in use are exit 2 with a message saying where; SIGTERM and SIGINT end it with exit
# 0; each refusal has its near miss that starts.
# Usage: serve_cli.sh DBGSIM
set -u
dbgsim=$1
work=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done; rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

cat > "$work/procs.yaml" <<'YAML'
name: serve cli
machines:
  - name: target
    processes:
      - { pid: 4242, exe: notepad.exe }
YAML
cat > "$work/two.yaml" <<'YAML'
name: two machines
machines:
  - name: alpha
    processes: [{ pid: 1, exe: a.exe }]
  - name: beta
    processes: [{ pid: 2, exe: b.exe }]
YAML
printf 'name: bad\nmachines:\n  - name: target\n    processes:\n      - { pid: x, exe: a.exe }\n' \
  > "$work/bad.yaml"

# expect_refusal NAME PATTERN ARGS...: exit 2 within 10 s, stderr matching PATTERN.
expect_refusal() {
  local name=$1 pattern=$2
  shift 2
  timeout 10 "$dbgsim" serve "$@" 2> "$work/err" > /dev/null
  local rc=$?
  [ "$rc" = 2 ] || fail "$name: exit $rc, not 2 ($(cat "$work/err"))"
  grep -Eq -- "$pattern" "$work/err" || fail "$name: stderr lacks /$pattern/: $(cat "$work/err")"
}

# start NAME ARGS...: starts a server in the background with a port file; sets $port and $pid.
start() {
  local name=$1
  shift
  rm -f "$work/port"
  "$dbgsim" serve "$@" --port-file "$work/port" --processes "$work/procs.yaml" \
    2> "$work/$name.err" &
  pid=$!
  pids+=("$pid")
  for _ in $(seq 200); do
    [ -s "$work/port" ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  port=$(cat "$work/port" 2>/dev/null)
  [ -n "$port" ] || fail "$name: no port file ($(cat "$work/$name.err"))"
}

# stop_with SIGNAL NAME: the server ends with exit 0 within 10 s, saying why.
stop_with() {
  local sig=$1 name=$2
  kill "-$sig" "$pid"
  local rc=124
  for _ in $(seq 200); do
    if ! kill -0 "$pid" 2>/dev/null; then wait "$pid"; rc=$?; break; fi
    sleep 0.05
  done
  [ "$rc" = 0 ] || fail "$name: exit $rc after $sig, not 0"
  grep -q "$sig: ending the server" "$work/$name.err" || fail "$name: no $sig line"
}

expect_refusal "bad options" "error at byte 9 of the options" "tcp:port=abc" --processes "$work/procs.yaml"
expect_refusal "npipe" "only tcp" "npipe:pipe=dbg" --processes "$work/procs.yaml"
expect_refusal "clicon" "reverse connection" "tcp:port=5005,clicon=eng" --processes "$work/procs.yaml"
expect_refusal "bad processes file" "bad.yaml:5:[0-9]+: " "tcp:port=5005" --processes "$work/bad.yaml"
expect_refusal "no such file" "nowhere.yaml" "tcp:port=5005" --processes "$work/nowhere.yaml"
expect_refusal "two machines" "alpha, beta: say which with --machine" "tcp:port=5005" --processes "$work/two.yaml"
expect_refusal "no such machine" "no machine 'gamma'" "tcp:port=5005" --processes "$work/two.yaml" --machine gamma
expect_refusal "bad bind address" "not an IP address" "tcp:port=5005" --processes "$work/procs.yaml" --bind nowhere

# A port in use: the second server is refused, naming port and address; near miss: once the
# first has ended (SIGTERM), the same port serves.
start first "tcp:port=5005,password=s3cret" --port 0
first_port=$port
grep -q "listening on 127.0.0.1:$first_port" "$work/first.err" || fail "first: no listening line"
expect_refusal "port in use" "^serve: port $first_port on 127.0.0.1 is in use$" \
  "tcp:port=$first_port" --processes "$work/procs.yaml"
stop_with TERM first
start again "tcp:port=$first_port,password=s3cret"
[ "$port" = "$first_port" ] || fail "again: listened on $port, not $first_port"
stop_with INT again

# --machine picks one of several.
rm -f "$work/port"
"$dbgsim" serve "tcp:port=5005" --port 0 --port-file "$work/port" --processes "$work/two.yaml" \
  --machine beta 2> "$work/beta.err" &
pid=$!
pids+=("$pid")
for _ in $(seq 200); do [ -s "$work/port" ] && break; sleep 0.05; done
[ -s "$work/port" ] || fail "--machine beta: did not start ($(cat "$work/beta.err"))"
kill -TERM "$pid"; wait "$pid" || fail "--machine beta: nonzero exit"

if [ "$failures" = 0 ]; then echo "serve_cli: passed"; else exit 1; fi
