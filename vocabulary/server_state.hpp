// Where a process server is in its life (S8, S10, S16): in server_state events and server views.
#pragma once

#include "vocabulary/names.hpp"

// The table of server states: identifier, name, meaning.
#define DBGSIM_SERVER_STATES(X)                                                   \
  X(listening, "listening", "accepting connections and serving sessions")        \
  X(shutting_down, "shutting_down", "EndProcessServer arrived: ending its sessions (S8)") \
  X(ended, "ended", "ended on request; it no longer listens (S8, S16)")           \
  X(crashed, "crashed", "died with all its state (S10)")

namespace dbgsim {

/// A server's state.
DBGSIM_NAMED_ENUM(server_state, DBGSIM_SERVER_STATES);

}  // namespace dbgsim
