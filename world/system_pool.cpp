#include "world/system_pool.hpp"

#include <caf/actor_system_config.hpp>
#include <caf/atom.hpp>
#include <caf/logger.hpp>

#include <utility>
#include <vector>

namespace dbgsim {

struct system_lease::pooled {
  pooled()
      : system(configured(cfg)),
        sched(dynamic_cast<caf::scheduler::test_coordinator&>(system.scheduler())),
        clock(sched.clock()),
        fresh_time(clock.current_time),
        fresh_running(system.registry().running()) {}

  static caf::actor_system_config& configured(caf::actor_system_config& c) {
    c.set("scheduler.policy", caf::atom("testing"));
    c.set("logger.verbosity", caf::atom("quiet"));
    return c;
  }

  /// Makes the system as a fresh one is; false when it cannot (an actor of its last world is
  /// still alive), and the system must not be lent again.
  bool reclaim() {
    sched.run();
    // A live actor would run in the next world (and could rearm its timers for ever below).
    if (system.registry().running() != fresh_running)
      return false;
    // Dead actors' delayed messages and timeouts: delivered to a dead actor, each is dropped (a
    // request to one answers its sender, dead too, with an error). Left in the clock, they would
    // be the next world's timers: steps it takes that its run budget counts.
    while (clock.has_pending_timeout()) {
      clock.trigger_timeouts();
      sched.run();
    }
    // Simulated time starts from the same origin in every world.
    clock.current_time = fresh_time;
    return sched.jobs.empty() && !clock.has_pending_timeout();
  }

  caf::actor_system_config cfg;  // Before the system, which keeps a reference to it.
  caf::actor_system system;
  caf::scheduler::test_coordinator& sched;
  caf::detail::test_actor_clock& clock;
  caf::actor_clock::time_point fresh_time;  ///< Where a fresh system's clock starts.
  std::size_t fresh_running;                ///< The live actors of a fresh system (none).
};

namespace {

/// At most this many free systems stay in a thread's pool; a test with many worlds alive at
/// once does not keep them all after.
constexpr std::size_t max_idle = 4;

/// The free systems of one thread. Destroyed at the thread's exit (or at process exit for the
/// main thread, before any static object, so CAF's own state is still there), when every world
/// of the thread is gone: an actor_system's destructor waits for live actors, and these have none.
struct pool {
  std::vector<std::unique_ptr<system_lease::pooled>> idle;
  ~pool();
};

/// Set once this thread's pool is destroyed: a world destroyed after it (one in a thread_local
/// of its own) destroys its system instead of giving it back.
thread_local bool pool_gone = false;

pool::~pool() {
  pool_gone = true;
  // Newest first, the reverse of their making, as members would be.
  while (!idle.empty())
    idle.pop_back();
}

pool& this_threads_pool() {
  // CAF keeps the thread's current logger in a thread_local of its own, which an actor_system's
  // destructor resets. Touched before the pool is made, it is destroyed after the pool
  // (thread_locals go in the reverse order of their making), so that the systems the pool
  // destroys at thread exit still find it; the other way round, the reset releases the logger
  // a second time.
  caf::logger::current_logger();
  thread_local pool p;
  return p;
}

}  // namespace

system_lease::system_lease() {
  if (!pool_gone) {
    auto& p = this_threads_pool();
    if (!p.idle.empty()) {
      held_ = std::move(p.idle.back());
      p.idle.pop_back();
      return;
    }
  }
  held_ = std::make_unique<pooled>();
}

system_lease::~system_lease() {
  if (!held_->reclaim() || pool_gone)
    return;  // held_ destroys the system.
  auto& p = this_threads_pool();
  if (p.idle.size() < max_idle)
    p.idle.push_back(std::move(held_));
}

caf::actor_system& system_lease::system() const { return held_->system; }

caf::scheduler::test_coordinator& system_lease::scheduler() const { return held_->sched; }

caf::detail::test_actor_clock& system_lease::clock() const { return held_->clock; }

std::size_t idle_systems() { return pool_gone ? 0 : this_threads_pool().idle.size(); }

}  // namespace dbgsim
