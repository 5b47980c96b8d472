// The world's delayed messages (world/delayed_messages.hpp) must arrive in CAF's clock's order,
// the earliest due first and, among messages due at one time, the one sent first: the traces of
// every world depend on it (docs/semantics.md, determinism). An actor that uses CAF's own
// delayed_send still gets its message in a world (docs/world.md, "The seam").
#include "actors/environment.hpp"
#include "actors/messages.hpp"
#include "fixture.hpp"
#include "world/delayed_messages.hpp"
#include "world/system_pool.hpp"

#include <caf/all.hpp>

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace dbgsim::testing {
namespace {

using namespace std::chrono_literals;

/// An actor that writes down what reaches it: "t<id>" for a timer, "m<n>" for an integer.
caf::behavior recorder(caf::event_based_actor*, std::shared_ptr<std::vector<std::string>> seen) {
  return {
      [seen](timer_atom, std::uint64_t id) { seen->push_back("t" + std::to_string(id)); },
      [seen](int n) { seen->push_back("m" + std::to_string(n)); },
  };
}

caf::mailbox_element_ptr message(int n) {
  return caf::make_mailbox_element(nullptr, caf::make_message_id(), {}, n);
}

/// A pooled system with one recorder actor, which quits when the test ends.
struct recording {
  system_lease lease;
  std::shared_ptr<std::vector<std::string>> seen = std::make_shared<std::vector<std::string>>();
  caf::actor a = lease.system().spawn(recorder, seen);
  caf::strong_actor_ptr to = caf::actor_cast<caf::strong_actor_ptr>(a);

  /// Ships `q`'s next message and runs the recorder on it.
  void ship_next(delayed_messages& q) {
    q.ship_next();
    lease.scheduler().run();
  }

  ~recording() {
    caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
    lease.scheduler().run();
  }
};

TEST(DelayedMessages, ArriveByDueTimeAndThenBySendingOrder) {
  recording r;
  const auto& to = r.to;
  delayed_messages q;
  q.add(30ms, to, message(1));
  q.add_timer(10ms, to, 2);
  q.add(10ms, to, message(3));  // Due with timer 2, sent after it: arrives after it.
  q.add_timer(20ms, to, 4);
  q.add(10ms, to, message(5));
  q.add_timer(0ms, to, 6);
  EXPECT_EQ(q.size(), 6u);
  std::vector<sim_time> dues;
  while (!q.empty()) {
    dues.push_back(q.next_due());
    r.ship_next(q);
  }
  EXPECT_EQ(*r.seen, (std::vector<std::string>{"t6", "t2", "m3", "m5", "t4", "m1"}));
  EXPECT_EQ(dues, (std::vector<sim_time>{0ms, 10ms, 10ms, 10ms, 20ms, 30ms}));
  EXPECT_EQ(q.next_due(), sim_time::max());
}

TEST(DelayedMessages, ManyDueAtOneTimeKeepTheirSendingOrder) {
  // A heap does not keep equal keys in order by itself: the sequence number must. 1,000 entries
  // fill four of the heap's blocks.
  recording r;
  const auto& to = r.to;
  delayed_messages q;
  std::vector<std::string> expected;
  for (int i = 0; i < 1000; ++i) {
    q.add(sim_time{(i * 7) % 3}, to, message(i));
  }
  for (int due = 0; due < 3; ++due)
    for (int i = 0; i < 1000; ++i)
      if ((i * 7) % 3 == due)
        expected.push_back("m" + std::to_string(i));
  while (!q.empty()) {
    r.ship_next(q);
  }
  EXPECT_EQ(*r.seen, expected);
}

TEST(DelayedMessages, AddsAndShipsInterleavedFollowTheOrderOfAnOrderedMap) {
  // The order CAF's clock keeps (a multimap by due time, equal keys in insertion order) is the
  // model; a fixed linear congruential sequence picks the steps, so the test is the same on
  // every run.
  recording r;
  const auto& to = r.to;
  delayed_messages q;
  std::multimap<sim_time, int> model;
  std::vector<std::string> expected;
  std::uint32_t x = 12345;
  auto next = [&x] {
    x = x * 1103515245u + 12345u;
    return (x >> 16) & 0x7fff;
  };
  for (int n = 0; n < 5000; ++n) {
    if (next() % 3 != 0 || model.empty()) {
      const sim_time due{next() % 40};
      q.add(due, to, message(n));
      model.emplace(due, n);
    } else {
      ASSERT_EQ(q.next_due(), model.begin()->first);
      expected.push_back("m" + std::to_string(model.begin()->second));
      model.erase(model.begin());
      r.ship_next(q);
    }
  }
  while (!model.empty()) {
    expected.push_back("m" + std::to_string(model.begin()->second));
    model.erase(model.begin());
    r.ship_next(q);
  }
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(*r.seen, expected);
}

TEST(DelayedMessages, OneToAnActorThatQuitIsDroppedAndClearReleasesTheActors) {
  system_lease lease;
  auto seen = std::make_shared<std::vector<std::string>>();
  auto a = lease.system().spawn(recorder, seen);
  caf::weak_actor_ptr weak = caf::actor_cast<caf::weak_actor_ptr>(a);
  delayed_messages q;
  q.add_timer(1ms, caf::actor_cast<caf::strong_actor_ptr>(a), 1);
  q.add_timer(2ms, caf::actor_cast<caf::strong_actor_ptr>(a), 2);
  caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  lease.scheduler().run();
  q.ship_next();  // To an actor that quit: dropped, nothing runs.
  lease.scheduler().run();
  EXPECT_TRUE(seen->empty());
  a = nullptr;
  EXPECT_NE(caf::actor_cast<caf::strong_actor_ptr>(weak), nullptr);  // The pending one holds it.
  q.clear();
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(caf::actor_cast<caf::strong_actor_ptr>(weak), nullptr);
}

/// A server that does nothing but set one timer with CAF's delayed_send, 5 ms after it starts,
/// and record a `timer` event (its `call`: the timer's id) when it fires.
server_handle::behavior_type caf_timer_server(server_handle::pointer self, environment* env,
                                              std::string name) {
  self->delayed_send(self, sim_time{5000}, timer_atom::value, std::uint64_t{7});
  return {
      [](accept_atom, const route&) {},
      [](const packet&) {},
      [](reset_atom, const route&) {},
      [env, name](timer_atom, std::uint64_t id) {
        event e;
        e.kind = event_kind::timer;
        e.actor = name;
        e.call = id;
        env->record(std::move(e));
      },
      [](exited_atom, std::uint32_t) {},
      [](crash_atom) {},
  };
}

TEST(DelayedMessages, AnActorUsingCafsDelayedSendGetsItsMessageInAWorld) {
  world_options o;
  o.make_server = [](caf::actor_system& sys, environment* env, const server_config& c,
                     std::uint32_t) -> server_handle {
    return sys.spawn(caf_timer_server, env, c.name);
  };
  world w(small_topology(1), 1, o);
  w.run_until(4ms);
  EXPECT_EQ(count(w, event_kind::timer), 0u);
  w.run_until(10ms);
  ASSERT_EQ(count(w, event_kind::timer), 1u);
  for (const auto& e : w.events())
    if (e.kind == event_kind::timer) {
      EXPECT_EQ(e.t, 5ms);
      EXPECT_EQ(e.call, 7u);
    }
}

}  // namespace
}  // namespace dbgsim::testing
