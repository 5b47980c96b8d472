// The engine actor: engine_core behind CAF messages. Its API calls are request messages
// `(call_atom, call number, api::call)` answered with an api::result (rule S15: always).
#pragma once

#include "actors/engine_core.hpp"
#include "actors/environment.hpp"
#include "actors/seam.hpp"

namespace dbgsim {

/// Spawns nothing itself: the behaviour of an engine actor living in `env`, with the interface
/// engine_handle (actors/seam.hpp).
engine_handle::behavior_type engine_actor(engine_handle::pointer self, environment* env,
                                          engine_config config);

/// The factory that spawns the reference engine: what a world uses unless told otherwise.
engine_factory reference_engine();

}  // namespace dbgsim
