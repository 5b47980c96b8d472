#!/usr/bin/env python3
"""Writes the seed corpus of client_fuzzer (fuzz/corpus/client_fuzzer/), a few inputs per
fuzzable program, in the byte layout of fuzz/client_input.hpp. Each seed runs its program cleanly
(no finding outside its allowed set), so the corpus replay in ctest fails only on a regression.
Run after changing the layout or the table: python3 fuzz/make_client_corpus.py"""
import os
import sys

# Programs: their index in fuzz_clients() (fuzz/client_input.cpp), in its order.
PROGRAMS = ["ghidra_agent", "careful_client"]
# Fault codes: indices into `ops` of fuzz/client_input.cpp.
OPS = ["advance", "partition", "heal", "reset", "half_open", "set_link", "crash_server",
       "restart_server", "exit_process"]
# Delay nibbles: index into `delays`, by milliseconds.
DELAY = {0: 0, 1: 2, 10: 3, 50: 4, 100: 5, 250: 6, 500: 7, 1000: 8, 1500: 9, 2000: 10,
         3000: 11, 4000: 12, 5000: 13, 7000: 14, 10000: 15}
SRV, SRV2 = 0, 1
BOTH, TO_SRV, TO_ENG = 0, 2, 4     # a: the way, bits 1-2
SERVER_GONE, ENGINE_GONE = 0, 2    # a: half_open's end, bit 1
# Link profiles (client_link_profiles() in scenario/client_world.cpp).
HEALTHY, LAT5, JITTERY, LOSSY, DUPLICATING, LOSSDUP, SLOW, BLACKHOLE = range(8)


def header(program, srv2=False, eng2=False, link=HEALTHY, seed=0):
    return bytes([PROGRAMS.index(program), srv2 | eng2 << 1 | link << 2, seed])


def fault(delay_ms, op, a=0, b=0):
    return bytes([DELAY[delay_ms], OPS.index(op), a, b])


def seeds():
    s = {}
    # ghidra_agent connects, creates notepad.exe, waits 1 s and returns holding its handle
    # (leaked-handle, allowed). Faults that come after it returned, or that hit what it does not
    # use, leave it as it is.
    g = "ghidra_agent"
    s["ghidra-plain"] = header(g)
    s["ghidra-faults-after-it-returned"] = header(g, seed=7) + fault(5000, "reset") + \
        fault(1000, "partition", BOTH) + fault(2000, "heal", BOTH) + \
        fault(500, "crash_server") + fault(3000, "restart_server")
    s["ghidra-second-server-takes-the-faults"] = header(g, srv2=True, eng2=True, seed=3) + \
        fault(0, "partition", SRV2 | BOTH) + fault(10, "reset", SRV2) + \
        fault(100, "half_open", SRV2 | ENGINE_GONE) + fault(500, "crash_server", SRV2)
    s["ghidra-duplicating-link"] = header(g, link=DUPLICATING, seed=11) + \
        fault(250, "exit_process", SRV, 1) + fault(2000, "set_link", SRV | BOTH, JITTERY) + \
        fault(1000, "advance")
    s["ghidra-server-forgets-after-it-returned"] = header(g, eng2=True, seed=5) + \
        fault(3000, "half_open", SRV | SERVER_GONE) + fault(4000, "exit_process", SRV, 0)
    # careful_client debugs notepad.exe for 5 s, recovering from what the faults do to its session
    # (no finding allowed).
    c = "careful_client"
    s["careful-plain"] = header(c)
    s["careful-reset-while-attached"] = header(c, seed=2) + fault(500, "reset")
    s["careful-partition-and-heal"] = header(c, seed=4) + fault(250, "partition", BOTH) + \
        fault(7000, "heal", BOTH)
    s["careful-server-crash-and-restart"] = header(c, eng2=True, seed=6) + \
        fault(1000, "crash_server") + fault(2000, "restart_server")
    s["careful-half-open-both-ends"] = header(c, link=JITTERY, seed=8) + \
        fault(500, "half_open", SRV | SERVER_GONE) + fault(3000, "half_open", SRV | ENGINE_GONE)
    s["careful-lossy-link-and-exit"] = header(c, link=LOSSDUP, seed=9) + \
        fault(1500, "exit_process", SRV, 0) + fault(2000, "set_link", SRV | BOTH, HEALTHY)
    return s


def main():
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "client_fuzzer")
    os.makedirs(out, exist_ok=True)
    for name, data in seeds().items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
    print(f"{len(seeds())} seeds written to {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
