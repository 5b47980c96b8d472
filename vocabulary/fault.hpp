// The faults a world can inject: one name each in the world's API, scenario files, the property
// suite, the fuzzers and the trace (`fault` events).
#pragma once

#include "vocabulary/names.hpp"

// The table of faults: identifier, name, what it does.
#define DBGSIM_FAULTS(X)                                                                          \
  X(partition, "partition", "cuts one direction (or both) of a link; frames in flight are cut too") \
  X(heal, "heal", "restores one direction (or both) of a link")                                   \
  X(reset, "reset", "resets every connection on a link: both ends told at once (S19)")            \
  X(half_open, "half_open", "one end of every connection on a link silently forgets it (S19)")    \
  X(set_link, "set_link", "new latency, jitter, loss and duplication for one direction")          \
  X(crash_server, "crash_server", "a server loses all state and stops listening")                 \
  X(restart_server, "restart_server", "a crashed or ended server starts with a new incarnation (S10)") \
  X(crash_engine, "crash_engine", "an engine loses all state; its calls in flight end with E_ABORT") \
  X(exit_process, "exit_process", "a process exits on its own")

namespace dbgsim {

/// One kind of fault.
DBGSIM_NAMED_ENUM(fault_kind, DBGSIM_FAULTS);

}  // namespace dbgsim
