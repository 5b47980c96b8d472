// The thread's pool of actor systems (world/system_pool.hpp) must not weaken determinism:
// same scenario + seed -> byte-identical trace (docs/semantics.md, determinism), whether a world
// is the first on its thread or comes after a thousand others there, some of which threw
// mid-run; and two worlds alive at once on one thread never share a system.
#include "busy_world.hpp"
#include "world/system_pool.hpp"

#include <caf/all.hpp>

#include <sstream>
#include <thread>

namespace dbgsim::testing {
namespace {

/// What a run shows of a world: its trace, and the steps it took (the run budget counts them,
/// so a timer left over from an earlier world would show here even where no event does).
struct outcome {
  std::string trace;
  std::uint64_t steps = 0;
  bool operator==(const outcome&) const = default;
};

outcome outcome_of(const world& w) {
  std::ostringstream out;
  w.write_trace(out);
  return {out.str(), w.steps_taken()};
}

/// A budget the busy world stays well within, so that it counts its steps (as a scenario run does).
world_options counting() {
  world_options o;
  o.max_steps = 1000000;
  return o;
}

outcome busy_world(std::uint64_t seed) {
  world w(small_topology(2, noisy()), seed, counting());
  start_busy(w);
  finish_busy(w);
  return outcome_of(w);
}

/// One of a thousand different worlds, each left with live sessions and pending timers; some
/// throw: an invalid topology before anything is spawned, a run budget used up mid-run, an
/// exception out of a world action.
void other_world(int i) {
  if (i % 50 == 7) {
    topology t;
    t.machines.push_back({"srv", {}});
    t.servers.push_back({"srv", "box", "tcp:port=1", 0ms});
    EXPECT_THROW(world(t, 1), topology_error);
    return;
  }
  world_options o;
  if (i % 10 == 3)
    o.max_steps = 5 + i % 7;
  world w(small_topology(1 + i % 3, i % 2 == 0 ? noisy() : link_params{}), 1000 + i, o);
  try {
    connect(w, "eng");
    w.call("eng", api::list_processes{1, 4});
    if (i % 10 == 5) {
      w.at(w.now() + 1ms, [](world&) { throw std::runtime_error("a program timed out"); });
      w.run_for(1s);
      ADD_FAILURE() << "the action did not throw";
    }
    if (i % 10 == 3) {
      w.run_for(60s);  // Keepalives and leases: far more steps than the budget.
      ADD_FAILURE() << "the run budget was not used up";
    }
    w.run_for(std::chrono::milliseconds(50 + i % 200));
  } catch (const run_budget_exceeded&) {
    EXPECT_EQ(i % 10, 3);
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(i % 10, 5) << e.what();
  }
}

/// Runs `f` on a thread of its own, whose pool starts empty.
template <class F>
void on_fresh_thread(F f) {
  std::thread t(f);
  t.join();
}

TEST(SystemPool, AWorldAfterAThousandOthersGivesItsFreshThreadTrace) {
  outcome fresh;
  on_fresh_thread([&] { fresh = busy_world(42); });
  outcome reused;
  std::size_t idle_after_others = 0;
  on_fresh_thread([&] {
    for (int i = 0; i < 1000; ++i)
      other_world(i);
    idle_after_others = idle_systems();
    reused = busy_world(42);
  });
  // The others gave their systems back, so the world ran on a used one.
  EXPECT_EQ(idle_after_others, 1u);
  EXPECT_FALSE(fresh.trace.empty());
  EXPECT_GT(fresh.steps, 0u);
  EXPECT_EQ(fresh.steps, reused.steps);
  EXPECT_TRUE(fresh.trace == reused.trace) << "the trace differs after 1000 worlds";
}

TEST(SystemPool, TwoWorldsAliveAtOnceGiveTheirSoloTraces) {
  const auto solo_a = busy_world(7);
  const auto solo_b = busy_world(8);
  ASSERT_NE(solo_a.trace, solo_b.trace);  // Otherwise a mix-up could not show.
  outcome a, b;
  on_fresh_thread([&] {
    {
      world wa(small_topology(2, noisy()), 7, counting());
      world wb(small_topology(2, noisy()), 8, counting());
      // Interleaved: were the two on one test_coordinator, running one would run the other.
      start_busy(wa);
      start_busy(wb);
      finish_busy(wa);
      finish_busy(wb);
      a = outcome_of(wa);
      b = outcome_of(wb);
    }
    EXPECT_EQ(idle_systems(), 2u);  // Each had a system of its own, and gave it back.
  });
  EXPECT_EQ(a, solo_a);
  EXPECT_EQ(b, solo_b);
}

TEST(SystemPool, AWorldThatThrowsInItsConstructorGivesItsSystemBack) {
  on_fresh_thread([] {
    topology t;
    t.machines.push_back({"srv", {}});
    t.servers.push_back({"srv", "box", "tcp:port=1", 0ms});
    EXPECT_THROW(world(t, 1), topology_error);
    EXPECT_EQ(idle_systems(), 1u);
  });
}

// An actor that arms a timer far in the future and is then killed: the system it leaves must be
// given back as a fresh one is.
TEST(SystemPool, ASystemComesBackWithoutJobsOrTimersAndWithItsClockAtTheStart) {
  on_fresh_thread([] {
    caf::actor_clock::time_point start;
    const caf::actor_system* first = nullptr;
    {
      system_lease lease;
      first = &lease.system();
      start = lease.clock().current_time;
      // With an argument: CAF 0.17's spawn of a function without one reads a null tuple (UBSan).
      auto a = lease.system().spawn(
          [](caf::event_based_actor* self, caf::timespan after) -> caf::behavior {
            self->delayed_send(self, after, caf::atom("tick"));
            return {[](caf::atom_value) {}};
          },
          caf::timespan{std::chrono::hours(1)});
      lease.scheduler().run();
      lease.clock().current_time += std::chrono::minutes(5);
      ASSERT_TRUE(lease.clock().has_pending_timeout());
      caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
      lease.scheduler().run();
    }
    ASSERT_EQ(idle_systems(), 1u);
    system_lease again;
    EXPECT_EQ(&again.system(), first);  // The pool lent the same system again.
    EXPECT_FALSE(again.clock().has_pending_timeout());
    EXPECT_FALSE(again.scheduler().has_job());
    EXPECT_EQ(again.clock().current_time, start);
    EXPECT_EQ(again.system().registry().running(), 0u);
  });
}

}  // namespace
}  // namespace dbgsim::testing
