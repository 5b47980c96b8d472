// The process-server actor: server_core behind CAF messages, one actor per incarnation.
#pragma once

#include "actors/environment.hpp"
#include "actors/seam.hpp"
#include "actors/server_core.hpp"

#include <cstdint>

namespace dbgsim {

/// The behaviour of a server actor living in `env`, as incarnation `incarnation`, with the
/// interface server_handle (actors/seam.hpp).
server_handle::behavior_type server_actor(server_handle::pointer self, environment* env,
                                          server_config config, std::uint32_t incarnation);

/// The factory that spawns the reference server: what a world uses unless told otherwise.
server_factory reference_server();

}  // namespace dbgsim
