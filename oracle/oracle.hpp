// The oracle: checks the rules of docs/semantics.md on a world's trace as it grows, and reports
// each violation with its rule, its simulated time and the events involved. It reads events
// only (actors/event.hpp's schema), so it judges any engine or server put into a world.
#pragma once

#include "vocabulary/event.hpp"
#include "vocabulary/timing.hpp"

#include <memory>
#include <string>
#include <vector>

namespace dbgsim {

/// One broken rule.
struct violation {
  std::string rule;            ///< "S6".
  sim_time t{0};               ///< When the oracle saw it broken.
  std::string message;         ///< What was wrong, in a sentence.
  std::vector<event> events;   ///< The events involved, oldest first.
};

/// Checks docs/semantics.md on a stream of events.
class oracle {
public:
  /// `times` are the world's timing parameters (bounds for S7, S8, S15).
  explicit oracle(timing times);
  ~oracle();
  oracle(oracle&&) noexcept;
  oracle& operator=(oracle&&) noexcept;

  /// Checks one more event; events arrive in trace order, times never decrease.
  void observe(const event& e);

  /// Checks what can only be judged at the end of a run, at time `now`. `settled` says the
  /// network has been healed and quiet for longer than every lease and grace period, so that
  /// sessions, handles and attachments must have converged (S7, S15, S20, S21, S22).
  void finish(sim_time now, bool settled);

  /// Every violation found so far, in the order found.
  const std::vector<violation>& violations() const;

private:
  struct state;
  std::unique_ptr<state> st_;
};

}  // namespace dbgsim
