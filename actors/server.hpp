// The process-server actor: server_core behind CAF messages, one actor per incarnation.
#pragma once

#include "actors/environment.hpp"
#include "actors/server_core.hpp"

#include <caf/event_based_actor.hpp>

#include <cstdint>

namespace dbgsim {

/// The behaviour of a server actor living in `env`, as incarnation `incarnation`.
/// Understands: packet; (reset_atom, route); (timer_atom, u64); (exited_atom, u32 pid);
/// (crash_atom).
caf::behavior server_actor(caf::event_based_actor* self, environment* env, server_config config,
                           std::uint32_t incarnation);

}  // namespace dbgsim
