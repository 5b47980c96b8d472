// live/runtime: the real clock speaks simulated units through time_scale, timers fire after their
// simulated duration (and not before), and recorded events are stamped and reach the JSONL trace,
// the oracle and listeners.
#include "live/runtime.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace dbgsim::live {
namespace {

using namespace std::chrono_literals;

TEST(Runtime, NowIsRealTimeDividedByTheScale) {
  runtime rt(0.1);
  const auto t0 = std::chrono::steady_clock::now();
  rt.run_until([] { return false; }, 100ms);
  const auto real = std::chrono::steady_clock::now() - t0;
  const auto sim = rt.now();
  // 100 ms real at scale 0.1 is a simulated second; the bound leaves room for a loaded machine.
  EXPECT_GE(sim, std::chrono::duration_cast<sim_time>(real * 10) - 20ms);
  EXPECT_GE(sim, 1s);
  EXPECT_LT(sim, 5s);
}

TEST(Runtime, RealIsTheSimulatedDurationTimesTheScale) {
  runtime fast(0.05);
  EXPECT_EQ(fast.real(60s), std::chrono::duration_cast<real_duration>(3s));
  runtime one(1.0);
  EXPECT_EQ(one.real(5s), std::chrono::duration_cast<real_duration>(5s));
}

TEST(Runtime, ATimerFiresAfterItsScaledDurationAndNotBefore) {
  runtime rt(0.01);
  sim_time fired_at{-1};
  rt.start_timer(10s, [&] { fired_at = rt.now(); });  // 100 ms real
  rt.run_until([] { return false; }, 50ms);
  EXPECT_EQ(fired_at, sim_time{-1}) << "fired after half its time";
  ASSERT_TRUE(rt.run_until([&] { return fired_at >= sim_time{0}; }, 2s));
  EXPECT_GE(fired_at, 10s);
  EXPECT_LT(fired_at, 60s);
}

TEST(Runtime, TimersFireInTheOrderOfTheirDueTimes) {
  runtime rt(0.001);
  std::vector<int> order;
  rt.start_timer(30s, [&] { order.push_back(3); });
  rt.start_timer(10s, [&] { order.push_back(1); });
  rt.start_timer(20s, [&] { order.push_back(2); });
  ASSERT_TRUE(rt.run_until([&] { return order.size() == 3; }, 2s));
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
}

TEST(Runtime, EventsAreStampedAndReachTraceOracleAndListeners) {
  runtime rt(1.0);
  std::ostringstream trace;
  rt.trace_to(trace);
  rt.check_with(timing{});
  rt.keep_events(true);
  int heard = 0;
  rt.on_event([&](const event& e) {
    ++heard;
    EXPECT_EQ(e.actor, "srv");
  });
  rt.run_until([] { return false; }, 20ms);
  event e;
  e.kind = event_kind::server_state;
  e.actor = "srv";
  e.what = server_state::listening;
  e.incarnation = 1;
  rt.record(e);
  ASSERT_EQ(rt.events().size(), 1u);
  EXPECT_GE(rt.events()[0].t, 20ms);
  EXPECT_EQ(heard, 1);
  EXPECT_EQ(trace.str(), to_json_line(rt.events()[0]) + "\n");
  EXPECT_NE(trace.str().find("\"ev\":\"server_state\""), std::string::npos);
  ASSERT_NE(rt.checker(), nullptr);
  EXPECT_TRUE(rt.checker()->violations().empty());
}

TEST(Runtime, NoEventsAreKeptUnlessAsked) {
  runtime rt;
  event e;
  e.kind = event_kind::timer;
  rt.record(e);
  EXPECT_TRUE(rt.events().empty());
  EXPECT_EQ(rt.checker(), nullptr);
}

TEST(Runtime, FrameNumbersCount) {
  runtime rt;
  EXPECT_EQ(rt.next_frame_id(), 1u);
  EXPECT_EQ(rt.next_frame_id(), 2u);
}

}  // namespace
}  // namespace dbgsim::live
