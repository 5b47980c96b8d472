// How an engine's DisconnectProcessServer waits: a plain setting of an engine (topology, scenario
// files, the property suite), kept apart from the engine so that none of those pulls in CAF.
#pragma once

#include <cstdint>

namespace dbgsim {

/// How DisconnectProcessServer waits (rule S6).
enum class disconnect_mode : std::uint8_t {
  async,  ///< Returns S_OK without waiting for the server's ack (the default).
  sync,   ///< Waits for the ack up to the rpc timeout.
};

}  // namespace dbgsim
