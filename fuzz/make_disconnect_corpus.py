#!/usr/bin/env python3
"""Writes the seed corpus of disconnect_fuzzer (fuzz/corpus/disconnect_fuzzer/), one file per
hand-written situation on the disconnect path, in the byte layout of fuzz/disconnect_input.hpp.
Run once after changing the layout: python3 fuzz/make_disconnect_corpus.py"""
import os
import sys

# Action codes: indices into `ops` of fuzz/disconnect_input.cpp.
OPS = ["connect", "disconnect", "end_server", "list", "find", "describe", "attach", "create",
       "detach", "terminate", "detach_all", "terminate_all", "end_session", "process_options",
       "partition", "heal", "reset", "half_open", "set_link", "crash_server", "restart_server",
       "crash_engine", "exit_process"]
# Delay nibbles: index into `delays`.
DELAY = {0: 0, 1: 4, 2: 5, 5: 6, 10: 7, 20: 8, 50: 9, 100: 10, 200: 11, 300: 12, 500: 13,
         800: 14, 1000: 15}
# Arguments.
PID = {4242: 0, 4343: 1, 5252: 2, 9999: 3, "p-last": 4, "p-prev": 5}
H_LAST, H_PREV, H_ZERO, H_NEVER, H_ALL_ONES = 0, 1, 10, 11, 12
BOTH, TO_SRV, TO_ENG = 0, 2, 4     # ends: direction bits 1-2
NO_PW, WRONG_PW, BAD_PORT, MALFORMED = 2, 4, 8, 16  # connect variants
# Link profiles (nibbles).
CLEAN, LAT1, LAT5, LAT20J, LOSSY, DUP50, DUP100, REORDER, LOSSDUP, SLOW, JITTERY, BLACKHOLE, MIXED = range(13)


def header(engines=1, servers=1, pw1=True, pw2=False, shared=False, sync=0, doe=0, seed=0, links=None):
    shape = (engines - 1) | (servers - 1) << 2 | pw1 << 3 | pw2 << 4 | shared << 5
    out = [shape, sync | doe << 4, seed]
    lk = [0] * 8
    for (e, s), (to_srv, to_eng) in (links or {}).items():
        lk[e * 2 + s] = to_srv | to_eng << 4
    return bytes(out + lk)


def step(delay_ms, op, a=0, b=0, engine=0):
    return bytes([DELAY[delay_ms] | engine << 4, OPS.index(op), a, b])


def seeds():
    s = {}
    s["connect-disconnect-reconnect"] = header() + step(0, "connect") + step(20, "disconnect", H_LAST) + \
        step(20, "connect") + step(20, "list", H_LAST)
    s["disconnect-races-calls"] = header(links={(0, 0): (LAT1, LAT1)}) + step(0, "connect") + step(20, "list", H_LAST) + \
        step(0, "attach", H_LAST, PID[4242]) + step(0, "disconnect", H_LAST) + step(0, "list", H_LAST) + \
        step(5, "describe", H_LAST, PID[4343])
    s["partition-around-disconnect"] = header() + step(0, "connect") + step(20, "partition", BOTH) + \
        step(10, "disconnect", H_LAST) + step(10, "list", H_LAST) + step(100, "heal", BOTH)
    s["one-way-partition-sync"] = header(sync=1) + step(0, "connect") + step(20, "partition", TO_ENG) + \
        step(10, "list", H_LAST) + step(0, "disconnect", H_LAST) + step(300, "heal", TO_ENG)
    s["target-outlives-handle"] = header() + step(0, "connect") + step(20, "attach", H_LAST, PID[4242]) + \
        step(20, "disconnect", H_LAST) + step(200, "detach", 0, PID[4242]) + step(200, "list", H_LAST)
    s["created-target-outlives-handle"] = header() + step(0, "connect") + step(20, "create", H_LAST) + \
        step(20, "disconnect", H_LAST) + step(100, "terminate", 0, PID["p-last"])
    s["reset-with-attached"] = header() + step(0, "connect") + step(20, "attach", H_LAST, PID[4343]) + \
        step(20, "reset") + step(200, "list", H_LAST) + step(0, "disconnect", H_LAST)
    s["half-open-server-gone"] = header(doe=1) + step(0, "connect") + step(20, "attach", H_LAST, PID[4242]) + \
        step(20, "half_open", 0) + step(100, "list", H_LAST) + step(1000, "disconnect", H_LAST)
    s["half-open-engine-gone"] = header() + step(0, "connect") + step(20, "attach", H_LAST, PID[4242]) + \
        step(20, "half_open", 2) + step(1000, "disconnect", H_LAST)
    s["server-crash-restart"] = header(engines=2) + step(0, "connect") + step(20, "attach", H_LAST, PID[4242]) + \
        step(20, "crash_server") + step(10, "restart_server") + step(10, "connect", engine=1) + \
        step(200, "list", H_PREV) + step(50, "disconnect", H_PREV)
    s["duplicated-frames"] = header(links={(0, 0): (DUP100, DUP100)}) + step(0, "connect") + \
        step(20, "attach", H_LAST, PID[4242]) + step(20, "disconnect", H_LAST) + step(20, "detach", 0, PID[4242])
    s["reordered-frames"] = header(links={(0, 0): (REORDER, REORDER)}) + step(0, "connect") + \
        step(50, "list", H_LAST) + step(0, "find", H_LAST, 0) + step(0, "disconnect", H_LAST)
    s["wrong-and-no-password"] = header() + step(0, "connect", NO_PW) + step(20, "connect", WRONG_PW) + \
        step(20, "connect") + step(20, "disconnect", H_LAST)
    s["late-connect-reply"] = header(links={(0, 0): (SLOW, SLOW)}) + step(0, "connect") + step(1000, "list", H_LAST)
    s["foreign-handle"] = header(engines=2) + step(0, "connect") + step(20, "connect", engine=1) + \
        step(20, "disconnect", H_PREV, engine=1) + step(20, "list", H_PREV, engine=1) + step(20, "disconnect", H_PREV)
    s["engine-crash"] = header(engines=2) + step(0, "connect") + step(20, "attach", H_LAST, PID[4242]) + \
        step(20, "crash_engine") + step(20, "connect", engine=1)
    s["detach-on-exit-during-partition"] = header() + step(0, "connect") + step(20, "attach", H_LAST, PID[4242]) + \
        step(20, "partition", BOTH) + step(10, "process_options", 1) + step(1000, "heal", BOTH) + step(100, "reset")
    s["end-server-two-engines"] = header(engines=2) + step(0, "connect") + step(0, "connect", engine=1) + \
        step(20, "attach", H_LAST, PID[4343], engine=1) + step(20, "end_server", H_PREV) + \
        step(20, "list", H_LAST, engine=1) + step(100, "disconnect", H_PREV) + step(0, "disconnect", H_LAST, engine=1)
    s["stale-and-literal-handles"] = header() + step(0, "connect") + step(20, "disconnect", H_LAST) + \
        step(0, "disconnect", H_LAST) + step(5, "list", H_LAST) + step(0, "disconnect", H_ZERO) + \
        step(0, "end_server", H_NEVER) + step(0, "list", H_ZERO) + step(0, "attach", H_ALL_ONES, PID[4242])
    s["lossy-jittery-many-calls"] = header(links={(0, 0): (MIXED, LOSSDUP)}) + step(0, "connect") + \
        step(50, "list", H_LAST) + step(0, "find", H_LAST, 4) + step(0, "attach", H_LAST, PID["p-last"]) + \
        step(50, "create", H_LAST) + step(20, "disconnect", H_LAST) + step(200, "terminate_all")
    s["two-servers-one-machine"] = header(servers=2, pw2=True, shared=True) + step(0, "connect") + \
        step(0, "connect", 1) + step(20, "attach", H_LAST, PID[5252]) + step(20, "crash_server", 0) + \
        step(20, "disconnect", H_LAST) + step(20, "list", H_PREV)
    s["end-session-in-partition"] = header(engines=2, doe=2) + step(0, "connect") + step(0, "connect", engine=1) + \
        step(20, "attach", H_PREV, PID[4242]) + step(0, "attach", H_LAST, PID[4343], engine=1) + \
        step(20, "partition", BOTH, engine=1) + step(10, "end_session", 1) + step(0, "end_session", 0, engine=1) + \
        step(500, "heal", BOTH, engine=1)
    s["target-exits"] = header() + step(0, "connect") + step(20, "attach", H_LAST, PID[4242]) + \
        step(20, "disconnect", H_LAST) + step(20, "exit_process", 0, PID[4242]) + step(200, "connect")
    s["set-link-mid-run"] = header(engines=2, sync=3) + step(0, "connect") + step(0, "connect", engine=1) + \
        step(20, "set_link", BOTH, BLACKHOLE) + step(0, "disconnect", H_PREV) + \
        step(100, "set_link", BOTH, CLEAN) + step(0, "disconnect", H_LAST, engine=1)
    s["bad-options-and-local"] = header() + step(0, "connect", BAD_PORT) + step(0, "connect", MALFORMED) + \
        step(20, "list", H_ZERO) + step(0, "detach", 0, PID[9999]) + step(0, "detach_all") + step(0, "terminate", 0, PID[4242])
    return s


def main():
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "disconnect_fuzzer")
    os.makedirs(out, exist_ok=True)
    for name, data in seeds().items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
    print(f"{len(seeds())} seeds written to {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
