// What a program runner needs of the place its programs run: a clock, actions at an instant, the
// trace, and the engines' calls. It is the runner's only seam: a simulated world
// (scenario/player.cpp) and the live runtime on real sockets (live/live_player.cpp) are its two
// implementations, so the same programs, the same IDebugClient and the same hand-over run in
// both (docs/clients.md, "How programs run"; docs/live.md, "Client programs live").
#pragma once

#include "vocabulary/api.hpp"
#include "vocabulary/event.hpp"
#include "vocabulary/timing.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace dbgsim {

/// A world a program runner can run programs in.
class program_host {
public:
  virtual ~program_host() = default;

  /// The current time, in the scenario's units.
  virtual sim_time now() const = 0;

  /// Runs `action` when time reaches `t` (at once, in turn, when `t` has passed); actions due at
  /// one instant run in the order scheduled. Returns an id for cancel().
  virtual std::uint64_t at(sim_time t, std::function<void()> action) = 0;

  /// Forgets an action not yet run; an unknown or spent id does nothing.
  virtual void cancel(std::uint64_t action) = 0;

  /// Records an event the runner makes (a program's start and end, a call its API answered
  /// itself) at now().
  virtual void note(event e) = 0;

  /// Issues `c` on `engine` for the program called `program`; returns the call's number. The
  /// result goes to program_runner::completed(), unless the call completed before this returned:
  /// then result_of() has it.
  virtual std::uint64_t call(const std::string& engine, api::call c, const std::string& program) = 0;

  /// The result of call `n` of `engine` if it has completed.
  virtual std::optional<api::result> result_of(const std::string& engine, std::uint64_t n) = 0;

  /// Every process `engine` holds as a target, locally or through its sessions.
  virtual std::vector<std::uint32_t> targets_of(const std::string& engine) const = 0;
};

}  // namespace dbgsim
