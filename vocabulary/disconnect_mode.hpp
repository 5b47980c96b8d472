// How an engine's DisconnectProcessServer waits: a plain setting of an engine (topology, scenario
// files, the property suite), kept apart from the engine so that none of those pulls in CAF.
#pragma once

#include "vocabulary/names.hpp"

// The table of disconnect modes (rule S6): identifier, name in scenario files, meaning.
#define DBGSIM_DISCONNECT_MODES(X)                                                  \
  X(async, "async", "returns S_OK without waiting for the server's ack (the default)") \
  X(sync, "sync", "waits for the ack up to the rpc timeout")

namespace dbgsim {

/// How DisconnectProcessServer waits (rule S6).
DBGSIM_NAMED_ENUM(disconnect_mode, DBGSIM_DISCONNECT_MODES);

}  // namespace dbgsim
