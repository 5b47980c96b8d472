// The two kinds of crash (docs/semantics.md, S3, S7, S10, S19): a process crash, whose kernel
// resets every connection the process had and refuses connects to a dead server's endpoint, and
// a machine crash, which sends nothing. Each test of one kind has its near miss in the other
// kind of the same setup, so that a world that made both kinds alike fails one of the pair.
#include "fixture.hpp"

#include <gtest/gtest.h>

namespace dbgsim::testing {
namespace {

using namespace protocol;

/// The detail of the last fault event of kind `k` ("" if none): the trace says which crash.
std::string fault_detail(const world& w, fault_kind k) {
  std::string out;
  for (const auto& e : w.events())
    if (e.kind == event_kind::fault && e.is(k))
      out = e.detail;
  return out;
}

bool has_pid(const world& w, const std::string& machine, std::uint32_t pid) {
  for (const auto& p : w.processes_on(machine))
    if (p.pid == pid)
      return true;
  return false;
}

link_params slow() {
  link_params lp;
  lp.latency = 50ms;
  return lp;
}

TEST(Crash, S19_ServerProcessCrashResetsItsConnections) {
  world w(small_topology(2, slow()), 1);
  auto h = connect(w);
  ASSERT_NE(h, 0u);
  ASSERT_EQ(run_call(w, "eng", api::attach{h, 4242}).hr, S_OK);
  auto list = w.call("eng", api::list_processes{h, 16});
  w.run_for(10ms);
  ASSERT_FALSE(w.result_of("eng", list));
  w.crash_server("srv");
  EXPECT_EQ(fault_detail(w, fault_kind::crash_server), "process");
  ASSERT_TRUE(w.result_of("eng", list)) << "S19: a call in flight completes at the crash";
  EXPECT_EQ(w.result_of("eng", list)->hr, RPC_S_CALL_FAILED);
  EXPECT_TRUE(w.inspect_engine("eng").sessions.empty()) << "S19: the engine lost it at once";
  EXPECT_EQ(count(w, event_kind::target_lost, "reset"), 1u) << "S22: its target is lost at once";
  EXPECT_EQ(w.inspect_engine("eng").live_handles.size(), 1u) << "S19: the handle stays live";
  EXPECT_EQ(run_call(w, "eng", api::list_processes{h, 16}).hr, RPC_E_DISCONNECTED);
  EXPECT_EQ(run_call(w, "eng2", api::connect{connect_options}).hr, RPC_S_SERVER_UNAVAILABLE)
      << "S3: a dead process's port refuses";
  const auto frames = count(w, event_kind::frame_sent);
  EXPECT_EQ(run_call(w, "eng", api::disconnect{h}).hr, S_OK);
  EXPECT_EQ(count(w, event_kind::frame_sent), frames) << "S19: disconnect sends no frame";
  EXPECT_FALSE(has_pid(w, "srv", 4242)) << "S21: killed at the crash";
  expect_clean(w);
}

TEST(Crash, S19_ServerMachineCrashIsFoundOnlyByTimeouts) {
  // The near miss of the test above: the same setup, but the machine stops answering.
  world w(small_topology(2, slow()), 1);
  auto h = connect(w);
  ASSERT_NE(h, 0u);
  auto list = w.call("eng", api::list_processes{h, 16});
  w.run_for(10ms);
  w.crash_server("srv", crash_how::machine);
  EXPECT_EQ(fault_detail(w, fault_kind::crash_server), "machine");
  EXPECT_FALSE(w.result_of("eng", list)) << "S19: nothing was sent, so nothing is known yet";
  EXPECT_EQ(w.inspect_engine("eng").sessions.size(), 1u);
  w.run_for(6s);
  ASSERT_TRUE(w.result_of("eng", list));
  EXPECT_EQ(w.result_of("eng", list)->hr, ERROR_SEM_TIMEOUT) << "S9: the rpc timeout found it";
  EXPECT_EQ(count(w, event_kind::session_released, "reset"), 0u);
  expect_clean(w);
}

TEST(Crash, S3_ConnectsToAMachineCrashedServerGoUnansweredUntilItRestarts) {
  world w(small_topology(2), 1);
  w.crash_server("srv", crash_how::machine);
  const auto before = w.now();
  EXPECT_EQ(run_call(w, "eng", api::connect{connect_options}).hr, ERROR_SEM_TIMEOUT)
      << "S3: silence, not a refusal";
  EXPECT_GE(w.now() - before, 30s) << "S3: at the connect timeout";
  EXPECT_EQ(count(w, event_kind::connect_refused), 0u);
  EXPECT_GE(count(w, event_kind::frame_dropped, "machine_down"), 1u);
  // Near miss: once it restarts, its endpoint answers again.
  w.restart_server("srv");
  EXPECT_NE(connect(w, "eng2"), 0u) << "S10: the new incarnation accepts";
  // And a process crash of it is a refusal again, at once (S3).
  w.crash_server("srv");
  EXPECT_EQ(run_call(w, "eng", api::connect{connect_options}).hr, RPC_S_SERVER_UNAVAILABLE);
  expect_clean(w);
}

TEST(Crash, S10_MachineCrashLetsOldFramesReachTheNewIncarnation) {
  // Incarnations matter only where old frames survive a crash: a machine crash. After a
  // process crash the engine was told at once, and its frames never reach the new server.
  for (auto how : {crash_how::machine, crash_how::process}) {
    world w(small_topology(1), 1);
    auto h = connect(w);
    ASSERT_NE(h, 0u);
    w.crash_server("srv", how);
    w.restart_server("srv");
    EXPECT_EQ(run_call(w, "eng", api::list_processes{h, 16}).hr, RPC_E_DISCONNECTED);
    const auto unknown = count(w, event_kind::session_released, "unknown_session");
    const auto reset = count(w, event_kind::session_released, "reset");
    if (how == crash_how::machine) {
      EXPECT_EQ(unknown, 1u) << "S10: answered unknown-session by the new incarnation";
      EXPECT_EQ(reset, 0u);
    } else {
      EXPECT_EQ(unknown, 0u);
      EXPECT_EQ(reset, 1u) << "S19: lost to the crash's reset";
    }
    expect_clean(w);
  }
}

TEST(Crash, S19_EngineProcessCrashEndsItsSessionsAtOnce) {
  world w(small_topology(2, slow()), 1);
  auto h = connect(w);
  auto h2 = connect(w, "eng2");
  ASSERT_NE(h, 0u);
  ASSERT_NE(h2, 0u);
  ASSERT_EQ(run_call(w, "eng", api::attach{h, 4242}).hr, S_OK);
  ASSERT_EQ(w.inspect_server("srv").sessions.size(), 2u);
  w.crash_engine("eng");
  EXPECT_EQ(fault_detail(w, fault_kind::crash_engine), "process");
  EXPECT_EQ(w.inspect_server("srv").sessions.size(), 1u)
      << "S19: the server ended the crashed engine's session at once, before any lease";
  EXPECT_EQ(count(w, event_kind::session_end, "reset"), 1u);
  EXPECT_FALSE(has_pid(w, "srv", 4242)) << "S21: killed as its session ended";
  EXPECT_EQ(run_call(w, "eng2", api::list_processes{h2, 16}).hr, S_OK) << "S11: eng2 untouched";
  expect_clean(w);
}

TEST(Crash, S7_EngineMachineCrashIsFoundByTheLease) {
  // The near miss of the test above: the engine's machine stops answering.
  world w(small_topology(1, slow()), 1);
  auto h = connect(w);
  ASSERT_NE(h, 0u);
  ASSERT_EQ(run_call(w, "eng", api::attach{h, 4242}).hr, S_OK);
  w.crash_engine("eng", crash_how::machine);
  EXPECT_EQ(fault_detail(w, fault_kind::crash_engine), "machine");
  EXPECT_EQ(w.inspect_server("srv").sessions.size(), 1u) << "S7: nothing told the server";
  EXPECT_TRUE(has_pid(w, "srv", 4242));
  w.run_for(3s);
  EXPECT_EQ(w.inspect_server("srv").sessions.size(), 1u) << "S7: within the lease";
  w.run_for(4s);
  EXPECT_TRUE(w.inspect_server("srv").sessions.empty()) << "S7: the lease reaped it";
  EXPECT_EQ(count(w, event_kind::session_end, "lease"), 1u);
  EXPECT_FALSE(has_pid(w, "srv", 4242)) << "S21: killed at the lease's expiry";
  expect_clean(w);
}

TEST(Crash, SameSeedSameTraceForBothKinds) {
  for (auto how : {crash_how::process, crash_how::machine}) {
    auto run = [how] {
      link_params lp;
      lp.latency = 20ms;
      lp.jitter = 10ms;
      lp.loss = 0.05;
      world w(small_topology(2, lp), 99);
      auto h = connect(w);
      connect(w, "eng2");
      w.call("eng", api::list_processes{h, 16});
      w.run_for(5ms);
      w.crash_server("srv", how);
      w.crash_engine("eng2", how);
      w.run_for(1s);
      w.restart_server("srv");
      w.settle();
      std::ostringstream out;
      w.write_trace(out);
      return out.str();
    };
    EXPECT_EQ(run(), run()) << name_of(how);
  }
}

}  // namespace
}  // namespace dbgsim::testing
