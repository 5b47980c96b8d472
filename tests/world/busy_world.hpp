// A busy little world shared by the determinism tests: jitter, loss and duplication on every
// frame, calls racing a disconnect, a partition opening and healing, a reset and a server crash.
// In two halves, so that a test may interleave two such worlds on one thread.
#pragma once

#include "fixture.hpp"

namespace dbgsim::testing {

/// The links of the busy world: every frame jittered, some lost, some duplicated.
inline link_params noisy() {
  link_params lp;
  lp.latency = 5ms;
  lp.jitter = 20ms;
  lp.loss = 0.05;
  lp.duplicate = 0.1;
  return lp;
}

/// The first half: connects, calls racing a disconnect and a partition.
inline void start_busy(world& w) {
  const auto h1 = connect(w, "eng");
  const auto h2 = connect(w, "eng2");
  w.call("eng", api::list_processes{h1, 8});
  w.call("eng", api::attach{h1, 4242});
  w.call("eng2", api::list_processes{h2, 8});
  w.run_for(12ms);
  w.call("eng", api::disconnect{h1});
  w.partition("eng2", "srv");
  w.call("eng2", api::disconnect{h2});
}

/// The second half: heal, reset, a server crash and restart, a new session, then settle.
inline void finish_busy(world& w) {
  w.run_for(3s);
  w.heal("eng2", "srv");
  w.reset("eng", "srv");
  w.crash_server("srv");
  w.restart_server("srv");
  connect(w, "eng");
  w.settle();
}

}  // namespace dbgsim::testing
