// The engine actor: engine_core behind CAF messages. Its API calls are request messages
// `(call_atom, call number, api::call)` answered with an api::result (rule S15: always).
#pragma once

#include "actors/engine_core.hpp"
#include "actors/environment.hpp"

#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>

namespace dbgsim {

/// Spawns nothing itself: the behaviour of an engine actor living in `env`.
/// Understands: (call_atom, u64, api::call) → api::result; packet; (reset_atom, route);
/// (refused_atom, route); (timer_atom, u64); (exited_atom, u32 pid); (srv_end_atom, string);
/// (crash_atom).
caf::behavior engine_actor(caf::event_based_actor* self, environment* env, engine_config config);

}  // namespace dbgsim
