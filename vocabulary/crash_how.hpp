// How a server or an engine crashes (`how:` of crash_server and crash_engine): a plain setting of
// a fault, declared once for the world, scenario files, the trace (the `fault` event's detail),
// the property suite and live mode, so that none of those pulls in CAF.
#pragma once

#include "vocabulary/names.hpp"

// The table of crash kinds (rules S3, S10, S19): identifier, name in scenario files and traces,
// meaning. Why two: a real kernel resets every socket of a process that dies, while a machine
// that is off (power loss, a hung kernel) sends nothing at all.
#define DBGSIM_CRASH_KINDS(X)                                                                    \
  X(process, "process",                                                                          \
    "the process dies on a machine that stays up: its kernel resets every connection it had and " \
    "refuses connects to its endpoint (the default)")                                            \
  X(machine, "machine",                                                                          \
    "the machine stops answering: its connections go silent and connects to its endpoint go "    \
    "unanswered")

namespace dbgsim {

/// How a crash happens: the process alone (loud, its connections reset) or its whole machine
/// (silent).
DBGSIM_NAMED_ENUM(crash_how, DBGSIM_CRASH_KINDS);

}  // namespace dbgsim
