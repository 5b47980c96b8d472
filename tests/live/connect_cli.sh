#!/usr/bin/env bash
# `dbgsim connect` against `dbgsim serve` on loopback: results printed one line each, exit 1 for
# a refused or failed call, exit 2 naming a bad CALL and its position.
set -u
dbgsim=$1
src=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'kill "$server" 2>/dev/null; rm -rf "$tmp"' EXIT
fail() { echo "FAIL $*"; exit 1; }
timeout 60 "$dbgsim" serve "tcp:port=5005,password=s3cret" --port 0 \
  --processes "$src/scenarios/s19-reset-ends-sessions-at-once.yaml" >"$tmp/serve" 2>&1 &
server=$!
for _ in $(seq 100); do grep -q "listening on" "$tmp/serve" && break; sleep 0.05; done
port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$tmp/serve" | head -1)
[ -n "$port" ] || fail "serve did not say its port: $(cat "$tmp/serve")"
out=$(timeout 30 "$dbgsim" connect "tcp:server=127.0.0.1,port=$port,password=s3cret" \
  list_processes attach:4242 detach:4242 disconnect); rc=$?
[ $rc -eq 0 ] || fail "connect exit $rc: $out"
echo "$out" | grep -q "^list_processes: S_OK (0x00000000) pids=\[4242, 4343\] total=2$" || fail "list: $out"
echo "$out" | grep -q "^attach:4242: S_OK" || fail "attach: $out"
echo "$out" | grep -q "^disconnect: S_OK" || fail "disconnect: $out"
out=$(timeout 30 "$dbgsim" connect "tcp:server=127.0.0.1,port=$port,password=wrong" 2>&1); rc=$?
[ $rc -eq 1 ] || fail "a wrong password: exit $rc"
echo "$out" | grep -q "E_FAIL (0x80004005)" || fail "a wrong password: $out"
out=$(timeout 30 "$dbgsim" connect "tcp:server=127.0.0.1,port=$port" list_processes atach:1 2>&1); rc=$?
[ $rc -eq 2 ] || fail "a bad CALL: exit $rc"
echo "$out" | grep -q "CALL 2 'atach:1': unknown call 'atach'" || fail "a bad CALL: $out"
kill "$server"; wait "$server" 2>/dev/null
out=$(timeout 30 "$dbgsim" connect "tcp:server=127.0.0.1,port=$port" list_processes 2>&1); rc=$?
[ $rc -eq 1 ] || fail "nothing listening: exit $rc"
echo "$out" | grep -q "RPC_S_SERVER_UNAVAILABLE (0x800706ba)" || fail "nothing listening: $out"
echo "connect cli: passed"
