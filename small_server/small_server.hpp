// The small server: a deliberately small process server written against the seam alone
// (actors/seam.hpp, actors/environment.hpp, actors/actor_io.hpp, protocol/, vocabulary/), to
// show that a world takes any server with that interface. It offers connect with a password (S4,
// S14), disconnect and duplicated disconnects (S7), keepalives and lease expiry (S7), listing
// (S17) and describing processes, EndProcessServer with the shutdown of S8, resets (S19),
// crashes and incarnations (S10). Every other request is answered with error_reply E_NOTIMPL; it attaches no process, so
// S20/S21 have nothing to judge, and it has no reverse connections (S16) and no planted bugs.
#pragma once

#include "actors/environment.hpp"
#include "actors/seam.hpp"

#include <cstdint>

namespace dbgsim {

/// The behaviour of a small server living in `env`, as incarnation `incarnation`.
server_handle::behavior_type small_server_actor(server_handle::pointer self, environment* env,
                                                server_config config, std::uint32_t incarnation);

/// The factory for world_options::make_server that spawns small servers.
server_factory small_server();

}  // namespace dbgsim
