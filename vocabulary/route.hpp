// Where a frame travels: one connection between an engine and a server's endpoint.
#pragma once

#include "vocabulary/symbol.hpp"

#include <cstdint>

namespace dbgsim {

/// One transport connection. An engine opens one per ConnectProcessServer; frames in both
/// directions carry the same route, so a server answers on the route a frame came in on.
struct route {
  symbol engine;               ///< The engine end (the engine's name).
  std::uint64_t conn = 0;      ///< The connection id, unique within that engine (1, 2, ...).
  symbol server_machine;       ///< The machine the engine connected to (`server=`).
  symbol endpoint;             ///< Where on that machine: protocol::endpoint_of ("tcp:5005").
  friend bool operator==(const route&, const route&) = default;
  friend auto operator<=>(const route&, const route&) = default;
};

}  // namespace dbgsim
