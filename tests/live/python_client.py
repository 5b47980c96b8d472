#!/usr/bin/env python3
"""A client of the dbgsim wire protocol written from docs/protocol.md alone, with the standard
library only, and the test that drives `dbgsim serve` with it: connect, list processes, attach,
disconnect, and a silent session reaped by the lease while one that sends keepalives is not (S7);
the exit policy (S21) and the shutting-down notice of SIGINT (S8).

Usage: python_client.py DBGSIM   (exit 0: passed; 1: failed, with the reason on stderr)
"""
import os
import re
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

# --- docs/protocol.md, "Frame layout" ---------------------------------------------------------

MAGIC = 0x53474244          # "DBGS" as a little-endian u32
FRAME_VERSION = 1
HEADER = struct.Struct("<IBBHQII")  # magic, version, flags, type, session, incarnation, length
MAX_PAYLOAD = 65536

# CRC-32C: reflected polynomial 0x82F63B78, initial value and final XOR 0xFFFFFFFF.
_CRC_TABLE = []
for _n in range(256):
    _c = _n
    for _ in range(8):
        _c = (_c >> 1) ^ 0x82F63B78 if _c & 1 else _c >> 1
    _CRC_TABLE.append(_c)


def crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc = _CRC_TABLE[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


assert crc32c(b"123456789") == 0xE3069283, "the check value of docs/protocol.md"

# --- docs/protocol.md, "Messages" -------------------------------------------------------------

CONNECT_REQUEST, CONNECT_ACCEPTED, CONNECT_REFUSED = 0x01, 0x02, 0x03
DISCONNECT_REQUEST, DISCONNECT_ACK = 0x10, 0x11
KEEPALIVE, KEEPALIVE_ACK = 0x14, 0x15
LIST_PROCESSES_REQUEST, LIST_PROCESSES_REPLY = 0x20, 0x21
DESCRIBE_PROCESS_REQUEST, DESCRIBE_PROCESS_REPLY = 0x22, 0x23
ATTACH_REQUEST, ATTACH_REPLY = 0x30, 0x31
DETACH_REQUEST, DETACH_REPLY = 0x34, 0x35
UNKNOWN_SESSION = 0x41
SERVER_SHUTTING_DOWN = 0x50

S_OK = 0x00000000
E_FAIL = 0x80004005


def string(s):
    b = s.encode("utf-8")
    return struct.pack("<I", len(b)) + b


def encode(msg_type, session, incarnation, payload):
    header = HEADER.pack(MAGIC, FRAME_VERSION, 0, msg_type, session, incarnation, len(payload))
    body = header + payload
    return body + struct.pack("<I", crc32c(body))


class Frame:
    def __init__(self, msg_type, session, incarnation, payload):
        self.type, self.session, self.incarnation, self.payload = (
            msg_type, session, incarnation, payload)

    def u32(self, at):
        return struct.unpack_from("<I", self.payload, at)[0]

    def u64(self, at):
        return struct.unpack_from("<Q", self.payload, at)[0]

    def string(self, at):
        n = self.u32(at)
        return self.payload[at + 4:at + 4 + n].decode("utf-8"), at + 4 + n


class ProtocolError(Exception):
    pass


class Client:
    """One connection to a process server; a session once connect() is accepted."""

    def __init__(self, port, host="127.0.0.1", timeout=5.0):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.buf = b""
        self.session = 0
        self.incarnation = 0
        self.call_id = 0
        self.notices = []

    def next_id(self):
        self.call_id += 1
        return self.call_id

    def send(self, msg_type, payload):
        self.sock.sendall(encode(msg_type, self.session, self.incarnation, payload))

    def read_frame(self):
        while True:
            if len(self.buf) >= HEADER.size:
                magic, version, flags, msg_type, session, inc, length = HEADER.unpack_from(self.buf)
                if magic != MAGIC or version != FRAME_VERSION or flags != 0 or length > MAX_PAYLOAD:
                    raise ProtocolError("bad header %r" % self.buf[:HEADER.size])
                size = HEADER.size + length + 4
                if len(self.buf) >= size:
                    body, crc = self.buf[:size - 4], struct.unpack_from("<I", self.buf, size - 4)[0]
                    if crc32c(body) != crc:
                        raise ProtocolError("bad crc")
                    self.buf = self.buf[size:]
                    return Frame(msg_type, session, inc, body[HEADER.size:])
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ProtocolError("the server closed the connection")
            self.buf += chunk

    def reply(self):
        """The next frame that is not a notice (server_shutting_down is kept in notices)."""
        while True:
            f = self.read_frame()
            if f.type == SERVER_SHUTTING_DOWN:
                self.notices.append(f)
                continue
            return f

    def connect(self, password, name="python"):
        cid = self.next_id()
        self.send(CONNECT_REQUEST, struct.pack("<IH", cid, 1) + string(name) + string(password))
        f = self.reply()
        if f.type == CONNECT_ACCEPTED:
            assert f.u32(0) == cid
            self.session, self.incarnation = f.u64(4), f.u32(12)
            assert (self.session, self.incarnation) == (f.session, f.incarnation)
            return S_OK
        if f.type == CONNECT_REFUSED:
            return f.u32(4)
        raise ProtocolError("connect answered with type 0x%02x" % f.type)

    def call(self, msg_type, payload_after_id):
        cid = self.next_id()
        self.send(msg_type, struct.pack("<I", cid) + payload_after_id)
        f = self.reply()
        if f.type != UNKNOWN_SESSION and f.u32(0) != cid:
            raise ProtocolError("reply to call %d carries call id %d" % (cid, f.u32(0)))
        return f

    def list_processes(self, most=100):
        f = self.call(LIST_PROCESSES_REQUEST, struct.pack("<I", most))
        if f.type != LIST_PROCESSES_REPLY:
            return f.type, None
        n = f.u32(8)
        return f.u32(4), [f.u32(12 + 4 * i) for i in range(n)]

    def describe(self, pid):
        f = self.call(DESCRIBE_PROCESS_REQUEST, struct.pack("<I", pid))
        exe, at = f.string(8)
        description, _ = f.string(at)
        return f.u32(4), exe, description

    def attach(self, pid, options=0):
        f = self.call(ATTACH_REQUEST, struct.pack("<II", pid, options))
        return f.u32(4) if f.type == ATTACH_REPLY else f.type

    def detach(self, pid):
        f = self.call(DETACH_REQUEST, struct.pack("<I", pid))
        return f.u32(4) if f.type == DETACH_REPLY else f.type

    def keepalive(self):
        return self.call(KEEPALIVE, b"").type

    def disconnect(self):
        return self.call(DISCONNECT_REQUEST, b"").type

    def close(self):
        self.sock.close()


# --- The test ---------------------------------------------------------------------------------

LEASE_S = 1.0
PROCESSES = """name: python client's server
defaults: { lease: 1s, shutdown_grace: 5s }
machines:
  - name: target
    processes:
      - { pid: 4242, exe: notepad.exe, description: "Notepad" }
      - { pid: 4343, exe: calc.exe, description: "Calculator" }
      - { pid: 4444, exe: cmd.exe }
"""


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def wait_for(pred, limit, what):
    end = time.monotonic() + limit
    while time.monotonic() < end:
        if pred():
            return
        time.sleep(0.02)
    raise AssertionError("timed out waiting for " + what)


def main(dbgsim):
    work = tempfile.mkdtemp(prefix="dbgsim-python-")
    procs = os.path.join(work, "procs.yaml")
    port_file = os.path.join(work, "port")
    trace = os.path.join(work, "trace.jsonl")
    log_path = os.path.join(work, "stderr")
    with open(procs, "w") as f:
        f.write(PROCESSES)
    log = open(log_path, "w")
    server = subprocess.Popen(
        [dbgsim, "serve", "tcp:port=5005,password=s3cret", "--port", "0", "--port-file",
         port_file, "--processes", procs, "--trace", trace], stderr=log)
    try:
        wait_for(lambda: os.path.exists(port_file), 20, "the port file")
        port = int(open(port_file).read())
        stderr = lambda: open(log_path).read()

        # A wrong password is refused with E_FAIL; the right one opens a session.
        a = Client(port)
        check(a.connect("wrong") == E_FAIL, "a wrong password is refused with E_FAIL")
        check(a.connect("s3cret") == S_OK, "the right password opens a session")
        hr, pids = a.list_processes()
        check(hr == S_OK and pids == [4242, 4343, 4444], "list_processes: %r" % (pids,))
        check(a.describe(4343) == (S_OK, "calc.exe", "Calculator"), "describe_process")
        check(a.attach(4242) == S_OK, "attach")
        check(a.attach(4242) != S_OK, "a second attach of the same process is refused")
        check(a.detach(4242) == S_OK, "detach")
        check(a.disconnect() == DISCONNECT_ACK, "disconnect is acknowledged")
        a.close()

        # B attaches and goes silent; C sends keepalives over the same time (the near miss).
        b = Client(port)
        check(b.connect("s3cret") == S_OK, "B's session")
        check(b.attach(4343) == S_OK, "B attaches 4343 without DETACH_ON_EXIT")
        c = Client(port)
        check(c.connect("s3cret") == S_OK, "C's session")
        end = time.monotonic() + 2.5 * LEASE_S
        while time.monotonic() < end:
            check(c.keepalive() == KEEPALIVE_ACK, "C's keepalive is acknowledged")
            time.sleep(LEASE_S / 4)
        # S7: B's silent session was reaped by the lease; its next request is an unknown session.
        check(b.keepalive() == UNKNOWN_SESSION, "B's session outlived its lease")
        # S21: the process it had attached was killed with it.
        hr, pids = c.list_processes()
        check(hr == S_OK and pids == [4242, 4444], "after B's lease: %r" % (pids,))
        wait_for(lambda: "ended (lease)" in stderr(), 5, "the log of B's lease")
        log_text = stderr()
        check("session 1 from 127.0.0.1:" in log_text and "ended (disconnect)" in log_text,
              "A's session start and end are logged:\n" + log_text)
        check("session 2 from 127.0.0.1:" in log_text, "B's session is logged:\n" + log_text)
        check("session 3 from 127.0.0.1:" in log_text, "C's session is logged:\n" + log_text)
        check(re.search(r"session 2 from \S+ ended \(lease\)", log_text) and
              not re.search(r"session 3 from \S+ ended", log_text),
              "B's session and not C's is reaped:\n" + log_text)

        # SIGINT: C gets the shutting-down notice (S8), disconnects, and the server exits 0.
        server.send_signal(signal.SIGINT)
        f = c.read_frame()
        check(f.type == SERVER_SHUTTING_DOWN, "SIGINT sends server_shutting_down (got 0x%02x)"
              % f.type)
        check(c.disconnect() == DISCONNECT_ACK, "a disconnect while shutting down")
        rc = server.wait(timeout=10)
        check(rc == 0, "dbgsim serve exits 0 after SIGINT, not %d" % rc)
        lines = open(trace).read().splitlines()
        check(any('"ev":"session_end"' in l and '"reason":"lease"' in l for l in lines),
              "the trace records the lease's session_end")
        print("python client: passed (%d trace lines)" % len(lines))
        return 0
    except (AssertionError, ProtocolError, OSError) as e:
        sys.stderr.write("python client: FAILED: %s\n--- dbgsim serve's stderr:\n%s" %
                         (e, open(log_path).read()))
        return 1
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
