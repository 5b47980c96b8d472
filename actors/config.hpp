// What an engine and a process server are created with. Kept apart from the reference cores
// (engine_core.hpp, server_core.hpp) so that another implementation of either side (see
// actors/seam.hpp) receives the same configuration without depending on the reference code.
#pragma once

#include "protocol/message.hpp"
#include "protocol/transport.hpp"
#include "vocabulary/disconnect_mode.hpp"
#include "vocabulary/mutant.hpp"
#include "vocabulary/timing.hpp"

#include <string>

namespace dbgsim {

/// Everything an engine is created with.
struct engine_config {
  std::string name;             ///< Unique among engines and servers of a world.
  std::string machine;          ///< The machine it runs on (handle 0, S12).
  timing times;                 ///< The world's timing parameters (docs/semantics.md).
  disconnect_mode mode = disconnect_mode::async;  ///< How DisconnectProcessServer waits (S6).
  bool detach_on_exit = false;  ///< DEBUG_PROCESS_DETACH_ON_EXIT at start (S21).
  std::uint16_t protocol_version = protocol::protocol_version;  ///< Presented by its connects (S4).
  mutant bug = mutant::none;    ///< The planted bug to switch on, if the engine has it.
};

/// Everything a process server is created with (the same for each of its incarnations).
struct server_config {
  std::string name;                    ///< Unique among engines and servers of a world.
  std::string machine;                 ///< The machine it runs on.
  protocol::transport_options listen;  ///< Parsed `dbgsrv -t` string (server side).
  timing times;                        ///< The world's timing parameters (docs/semantics.md).
  mutant bug = mutant::none;           ///< The planted bug to switch on, if the server has it.
};

}  // namespace dbgsim
