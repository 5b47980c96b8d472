// The thread's pool of CAF actor systems on the test_coordinator, lent to one world at a time.
//
// Why: a fresh actor_system_config and actor_system for every world cost about a tenth of a
// small world's run (and some 350 µs per fuzz input under ASan). A system a world has finished
// with is as good as a fresh one once it is clean: no live actor, no pending job, no pending
// timeout in its clock, and the clock back at the time a fresh system starts at. Nothing else a
// world can observe carries over: CAF's actor ids keep growing, but no trace and no ordering of
// the world depends on an actor's id or address.
//
// The pool is thread_local: a world is driven on one thread, and two worlds alive at once on
// that thread (nested, or side by side in a test) each hold their own system, since
// test_coordinator::run() runs every actor of its system.
#pragma once

#include <caf/actor_system.hpp>
#include <caf/detail/test_actor_clock.hpp>
#include <caf/scheduler/test_coordinator.hpp>

#include <cstddef>
#include <memory>

namespace dbgsim {

/// A world's hold on one test_coordinator actor system from its thread's pool.
class system_lease {
public:
  /// Takes a free system from this thread's pool, or makes one when none is free.
  system_lease();
  /// Gives the system back clean (see reclaim) or, when it cannot be made clean, destroys it.
  ~system_lease();
  system_lease(const system_lease&) = delete;
  system_lease& operator=(const system_lease&) = delete;

  /// The actor system.
  caf::actor_system& system() const;
  /// Its scheduler, which runs jobs only when asked.
  caf::scheduler::test_coordinator& scheduler() const;
  /// Its clock, which moves only when told.
  caf::detail::test_actor_clock& clock() const;

  /// One actor system on the test_coordinator, with the config it was made from.
  struct pooled;

private:
  std::unique_ptr<pooled> held_;
};

/// How many free systems this thread's pool holds (for tests of the pool).
std::size_t idle_systems();

}  // namespace dbgsim
