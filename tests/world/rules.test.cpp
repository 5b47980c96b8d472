// Each rule of docs/semantics.md exercised through the World API, without faults and under the
// fault that matters for it. Every test ends by settling the world and asking the oracle.
#include "fixture.hpp"

#include "protocol/hresult.hpp"

#include <algorithm>

namespace dbgsim::testing {
namespace {

using namespace protocol;

TEST(Rules, S1_HandlesAreNonzeroHighBitAndNeverReused) {
  world w(small_topology(1), 1, env_options());
  std::vector<std::uint64_t> seen;
  for (int i = 0; i < 5; ++i) {
    auto h = connect(w);
    ASSERT_NE(h, 0u);
    EXPECT_GT(h, 0xFFFFFFFFull) << "S1: high bits must be in use";
    EXPECT_EQ(std::count(seen.begin(), seen.end(), h), 0) << "S1: never reused";
    seen.push_back(h);
    EXPECT_EQ(run_call(w, "eng", api::disconnect{h}).hr, S_OK);
  }
  w.crash_server("srv");
  w.restart_server("srv");
  auto h = connect(w);
  ASSERT_NE(h, 0u) << "S1: the connect after the restart must give a handle to judge";
  EXPECT_GT(h, 0xFFFFFFFFull) << "S1: high bits after a restart too";
  EXPECT_EQ(std::count(seen.begin(), seen.end(), h), 0) << "S1: not even after a restart";
  expect_clean(w);
}

TEST(Rules, S2_MalformedOptionsFailAtOnceWithoutTraffic) {
  world w(small_topology(1), 1, env_options());
  auto before = w.now();
  auto n = w.call("eng", api::connect{"tcp:server=srv,port=notaport"});
  auto r = w.result_of("eng", n);
  ASSERT_TRUE(r) << "S2: at once";
  EXPECT_EQ(r->hr, E_INVALIDARG);
  EXPECT_EQ(w.now(), before);
  EXPECT_EQ(count(w, event_kind::frame_sent), 0u);
  expect_clean(w);
}

TEST(Rules, S3_NoListenerGivesServerUnavailableAfterOneRoundTrip) {
  link_params lp;
  lp.latency = 20ms;
  world w(small_topology(1, lp), 1, env_options());
  auto start = w.now();
  auto r = run_call(w, "eng", api::connect{"tcp:server=srv,port=6000"});
  EXPECT_EQ(r.hr, RPC_S_SERVER_UNAVAILABLE);
  EXPECT_LE(w.now() - start, 60ms);
  expect_clean(w);
}

TEST(Rules, S3_NoAnswerTimesOutAfterTheConnectTimeout) {
  world w(small_topology(1), 1, env_options());
  w.partition("eng", "srv");
  auto start = w.now();
  auto r = run_call(w, "eng", api::connect{connect_options});
  EXPECT_EQ(r.hr, ERROR_SEM_TIMEOUT);
  EXPECT_GE(w.now() - start, 30s);
  expect_clean(w);
}

TEST(Rules, S3_ConnectReplyAfterTheTimeoutIsDropped) {
  link_params slow;
  slow.latency = 20s;  // The reply arrives 40 s after the connect: 10 s too late.
  world w(small_topology(1, slow), 1, env_options());
  auto r = run_call(w, "eng", api::connect{connect_options});
  EXPECT_EQ(r.hr, ERROR_SEM_TIMEOUT);
  w.run_for(20s);
  EXPECT_TRUE(w.inspect_engine("eng").live_handles.empty());
  expect_clean(w);
}

TEST(Rules, S4_WrongPasswordIsRefusedWithEFailAndNoSession) {
  world w(small_topology(1), 1, env_options());
  auto r = run_call(w, "eng", api::connect{"tcp:server=srv,port=5005,password=wrong"});
  EXPECT_EQ(r.hr, E_FAIL);
  auto none = run_call(w, "eng", api::connect{"tcp:server=srv,port=5005"});
  EXPECT_EQ(none.hr, E_FAIL);
  EXPECT_TRUE(w.inspect_server("srv").sessions.empty());
  expect_clean(w);
}

TEST(Rules, S5_InvalidHandlesGiveInvalidArgAndSendNothing) {
  world w(small_topology(2), 1, env_options());
  // eng's own handle stays live and has the same low 32 bits as eng2's, so an engine that
  // compares handles loosely (foreign-handle) takes eng2's handle for its own (S5).
  auto own = connect(w, "eng");
  auto h2 = connect(w, "eng2");
  ASSERT_NE(own, 0u);
  ASSERT_NE(h2, 0u);
  ASSERT_NE(own, h2);
  ASSERT_EQ(own & 0xFFFFFFFFull, h2 & 0xFFFFFFFFull) << "the test needs look-alike handles";
  auto dead = connect(w, "eng");
  ASSERT_NE(dead, 0u);
  ASSERT_EQ(run_call(w, "eng", api::disconnect{dead}).hr, S_OK);
  auto sent = count(w, event_kind::frame_sent);
  {
    auto n = w.call("eng", api::list_processes{h2, 16});
    auto r = w.result_of("eng", n);
    ASSERT_TRUE(r) << "S5: another engine's handle fails at once";
    EXPECT_EQ(r->hr, E_INVALIDARG) << "S5: eng2's handle on eng";
  }
  for (std::uint64_t bad : {std::uint64_t{0}, std::uint64_t{12345}, dead, h2}) {
    auto n = w.call("eng", api::disconnect{bad});
    auto r = w.result_of("eng", n);
    ASSERT_TRUE(r) << "S5: at once";
    EXPECT_EQ(r->hr, E_INVALIDARG) << std::hex << bad;
  }
  EXPECT_EQ(count(w, event_kind::frame_sent), sent) << "S5: sends nothing";
  EXPECT_EQ(w.inspect_engine("eng").live_handles.size(), 1u) << "S5: eng's own handle untouched";
  EXPECT_EQ(w.inspect_engine("eng2").live_handles.size(), 1u) << "S11: eng2 untouched";
  expect_clean(w);
}

TEST(Rules, S6_DisconnectDuringAPartitionKillsTheHandleAtOnce) {
  world w(small_topology(1), 1, env_options());
  auto h = connect(w);
  w.partition("eng", "srv");
  w.partition("srv", "eng");
  auto list = w.call("eng", api::list_processes{h, 16});
  w.run_for(100ms);
  ASSERT_FALSE(w.result_of("eng", list)) << "the call waits on the partitioned link";
  auto n = w.call("eng", api::disconnect{h});
  ASSERT_TRUE(w.result_of("eng", n)) << "S6: async mode returns at once";
  EXPECT_EQ(w.result_of("eng", n)->hr, S_OK);
  ASSERT_TRUE(w.result_of("eng", list)) << "S6: the call in flight ends with the disconnect";
  EXPECT_EQ(w.result_of("eng", list)->hr, ERROR_OPERATION_ABORTED) << "S6, not a timeout (S9)";
  EXPECT_EQ(run_call(w, "eng", api::list_processes{h, 16}).hr, E_INVALIDARG);
  w.run_for(10s);  // The server's lease reaps the session it never heard end (S7).
  EXPECT_TRUE(w.inspect_server("srv").sessions.empty());
  expect_clean(w);
}

TEST(Rules, S6_DisconnectAbortsCallsInFlight) {
  link_params lp;
  lp.latency = 100ms;
  world w(small_topology(1, lp), 1, env_options());
  auto h = connect(w);
  auto list = w.call("eng", api::list_processes{h, 16});
  w.run_for(10ms);
  ASSERT_FALSE(w.result_of("eng", list)) << "the call must still be in flight";
  const auto before = w.now();
  auto d = w.call("eng", api::disconnect{h});
  ASSERT_TRUE(w.result_of("eng", d)) << "S6: async mode returns at once";
  EXPECT_EQ(w.result_of("eng", d)->hr, S_OK);
  // S6: the handle's call in flight completes at the same simulated instant, aborted.
  ASSERT_TRUE(w.result_of("eng", list)) << "S6: the call in flight ends with the disconnect";
  EXPECT_EQ(w.result_of("eng", list)->hr, ERROR_OPERATION_ABORTED);
  EXPECT_EQ(w.result_of("eng", list)->hr, hresult_from_win32(995));
  EXPECT_EQ(w.now(), before);
  w.run_for(1s);
  expect_clean(w);
}

TEST(Rules, S6_SyncDisconnectWaitsForTheAckOrTimesOut) {
  auto topo = small_topology(1);
  topo.engines[0].mode = disconnect_mode::sync;
  world w(topo, 1, env_options());
  auto h = connect(w);
  EXPECT_EQ(run_call(w, "eng", api::disconnect{h}).hr, S_OK);
  auto h2 = connect(w);
  w.partition("srv", "eng");
  auto list = w.call("eng", api::list_processes{h2, 16});
  w.run_for(100ms);
  auto start = w.now();
  EXPECT_EQ(run_call(w, "eng", api::disconnect{h2}).hr, ERROR_SEM_TIMEOUT);
  EXPECT_GE(w.now() - start, 5s);
  ASSERT_TRUE(w.result_of("eng", list));
  EXPECT_EQ(w.result_of("eng", list)->hr, ERROR_OPERATION_ABORTED)
      << "S6: a sync disconnect also aborts the handle's calls in flight";
  EXPECT_EQ(run_call(w, "eng", api::disconnect{h2}).hr, E_INVALIDARG) << "S6: dead either way";
  expect_clean(w);
}

TEST(Rules, S7_SessionsEndOnDisconnectLeaseResetAndCrash) {
  world w(small_topology(3), 1, env_options());
  auto h = connect(w, "eng");
  ASSERT_NE(h, 0u);
  ASSERT_NE(connect(w, "eng2"), 0u);
  ASSERT_NE(connect(w, "eng3"), 0u);
  EXPECT_EQ(w.inspect_server("srv").sessions.size(), 3u);
  run_call(w, "eng", api::disconnect{h});
  w.run_for(1s);
  EXPECT_EQ(w.inspect_server("srv").sessions.size(), 2u) << "S7: disconnect frame";
  w.reset("eng3", "srv");
  EXPECT_EQ(w.inspect_server("srv").sessions.size(), 1u) << "S7: a reset ends the session at once";
  EXPECT_EQ(count(w, event_kind::session_end, "reset"), 1u);
  w.crash_engine("eng2", crash_how::machine);  // Silent: only the lease finds it.
  w.run_for(6s);
  EXPECT_TRUE(w.inspect_server("srv").sessions.empty()) << "S7: lease expiry after an engine crash";
  EXPECT_EQ(count(w, event_kind::session_end, "lease"), 1u);
  // A server crash ends every session it had: the restarted incarnation has none.
  ASSERT_NE(connect(w, "eng"), 0u);
  EXPECT_EQ(w.inspect_server("srv").sessions.size(), 1u);
  w.crash_server("srv");
  w.restart_server("srv");
  EXPECT_TRUE(w.inspect_server("srv").sessions.empty()) << "S7: a server crash ends its sessions";
  expect_clean(w);
}

TEST(Rules, S7_DuplicatedDisconnectFramesAreAcknowledgedHarmlessly) {
  link_params dup;
  dup.duplicate = 1.0;
  auto topo = small_topology(1, dup);
  topo.engines[0].mode = disconnect_mode::sync;
  world w(topo, 1, env_options());
  auto h = connect(w);
  ASSERT_NE(h, 0u);
  EXPECT_EQ(run_call(w, "eng", api::disconnect{h}).hr, S_OK);
  w.run_for(1s);
  EXPECT_GE(count(w, event_kind::frame_sent, "disconnect_ack"), 2u);
  EXPECT_TRUE(w.inspect_server("srv").sessions.empty());
  // Duplicated keepalives do not stretch a lease: a crashed engine's session still ends
  // once its lease runs out (S7).
  ASSERT_NE(connect(w), 0u);
  w.crash_engine("eng", crash_how::machine);
  w.run_for(6s);
  EXPECT_TRUE(w.inspect_server("srv").sessions.empty()) << "S7: the lease ends it";
  EXPECT_EQ(count(w, event_kind::session_end, "lease"), 1u);
  expect_clean(w);
}

TEST(Rules, S8_EndServerWithAnotherEngineConnected) {
  world w(small_topology(2), 1, env_options());
  auto h1 = connect(w, "eng");
  auto h2 = connect(w, "eng2");
  EXPECT_EQ(run_call(w, "eng", api::end_server{h1}).hr, S_OK);
  w.run_for(100ms);
  EXPECT_EQ(run_call(w, "eng2", api::list_processes{h2, 16}).hr, RPC_E_DISCONNECTED);
  EXPECT_EQ(run_call(w, "eng", api::list_processes{h1, 16}).hr, RPC_E_DISCONNECTED);
  EXPECT_EQ(run_call(w, "eng", api::connect{connect_options}).hr, RPC_S_SERVER_UNAVAILABLE);
  EXPECT_EQ(run_call(w, "eng", api::disconnect{h1}).hr, S_OK) << "S8: handle live until disconnected";
  EXPECT_EQ(run_call(w, "eng", api::end_server{0}).hr, E_INVALIDARG);
  w.run_for(11s);
  EXPECT_EQ(w.inspect_server("srv").state, server_state::ended);
  expect_clean(w);
}

TEST(Rules, S9_SilentServerTimesOutAndTheHandleStaysLive) {
  world w(small_topology(1), 1, env_options());
  auto h = connect(w);
  w.partition("srv", "eng");
  auto start = w.now();
  EXPECT_EQ(run_call(w, "eng", api::list_processes{h, 16}).hr, ERROR_SEM_TIMEOUT);
  EXPECT_LE(w.now() - start, 5s + 10ms);
  EXPECT_EQ(w.inspect_engine("eng").live_handles.size(), 1u);
  expect_clean(w);
}

TEST(Rules, S9_SlowServerGivesExactlyTheTimeoutHResultAtTheRpcTimeout) {
  world w(small_topology(1), 1, env_options());
  auto h = connect(w);
  ASSERT_NE(h, 0u);
  link_params slow;
  slow.latency = 8s;  // The reply takes 8 s: past the 5 s rpc timeout.
  w.set_link("srv", "eng", slow);
  const auto start = w.now();
  auto n = w.call("eng", api::list_processes{h, 16});
  while (!w.result_of("eng", n) && w.now() - start < 20s)
    w.run_for(1ms);
  ASSERT_TRUE(w.result_of("eng", n));
  EXPECT_EQ(w.result_of("eng", n)->hr, ERROR_SEM_TIMEOUT) << "S9: the timeout's own HRESULT";
  EXPECT_EQ(w.result_of("eng", n)->hr.value, 0x80070079u);
  EXPECT_GE(w.now() - start, 5s);
  EXPECT_LE(w.now() - start, 5s + 2ms) << "S9: at the rpc timeout";
  EXPECT_EQ(w.inspect_engine("eng").live_handles.size(), 1u) << "S9: the handle stays live";
  w.set_link("srv", "eng", {});
  expect_clean(w);
}

TEST(Rules, S10_ServerCrashBetweenTwoCallsGivesDisconnected) {
  world w(small_topology(2), 1, env_options());
  auto h = connect(w);
  EXPECT_EQ(run_call(w, "eng", api::list_processes{h, 16}).hr, S_OK);
  w.crash_server("srv", crash_how::machine);  // Old frames reach the new incarnation.
  w.restart_server("srv");
  EXPECT_EQ(w.inspect_server("srv").incarnation, 2u);
  // eng2 takes the new incarnation's first session, whose id the old session had: a server
  // that served frames of the old incarnation would answer eng's next call for it (S10).
  ASSERT_NE(connect(w, "eng2"), 0u);
  ASSERT_EQ(w.inspect_server("srv").sessions.size(), 1u);
  EXPECT_EQ(run_call(w, "eng", api::list_processes{h, 16}).hr, RPC_E_DISCONNECTED)
      << "S10: a frame of the old incarnation is never served";
  EXPECT_GE(count(w, event_kind::frame_dropped, "stale_incarnation"), 1u)
      << "S10: the server dropped the stale frame";
  EXPECT_EQ(run_call(w, "eng", api::disconnect{h}).hr, S_OK);
  EXPECT_NE(connect(w), 0u) << "S18: a retry works";
  expect_clean(w);
}

TEST(Rules, S11_TwoEnginesOnOneServerAreIsolated) {
  // eng's link delivers every frame twice: its duplicated connect still makes one session.
  auto topo = small_topology(2);
  topo.links[0].a_to_b.duplicate = 1.0;
  world w(topo, 1, env_options());
  auto h1 = connect(w, "eng");
  auto h2 = connect(w, "eng2");
  EXPECT_NE(h1, h2);
  EXPECT_EQ(run_call(w, "eng2", api::disconnect{h1}).hr, E_INVALIDARG);
  EXPECT_EQ(run_call(w, "eng", api::disconnect{h1}).hr, S_OK);
  EXPECT_EQ(run_call(w, "eng2", api::list_processes{h2, 16}).hr, S_OK);
  w.run_for(1s);
  EXPECT_EQ(w.inspect_server("srv").sessions.size(), 1u);
  expect_clean(w);
}

TEST(Rules, S12_HandleZeroIsTheEnginesOwnMachine) {
  auto topo = small_topology(1);
  topo.machines.push_back({"eng", {{8, "cdb.exe", "Debugger", {}}}});
  world w(topo, 1, env_options());
  auto n = w.call("eng", api::list_processes{0, 16});
  ASSERT_TRUE(w.result_of("eng", n)) << "S12: answered at once from the local process table";
  auto r = *w.result_of("eng", n);
  EXPECT_EQ(r.hr, S_OK);
  EXPECT_EQ(r.pids, std::vector<std::uint32_t>{8});
  EXPECT_EQ(run_call(w, "eng", api::attach{0, 8}).hr, S_OK);
  EXPECT_EQ(run_call(w, "eng", api::disconnect{0}).hr, E_INVALIDARG);
  EXPECT_EQ(run_call(w, "eng", api::end_server{0}).hr, E_INVALIDARG);
  EXPECT_EQ(run_call(w, "eng", api::detach{8}).hr, S_OK);
  expect_clean(w);
}

TEST(Rules, S12_HandleZeroCallsAreAnsweredAtOnceWithoutTraffic) {
  auto topo = small_topology(1);
  topo.machines.push_back({"eng", {{8, "cdb.exe", "Debugger", {}}}});
  world w(topo, 1, env_options());
  const auto before = w.now();
  const auto frames = count(w, event_kind::frame_sent);
  auto list = w.call("eng", api::list_processes{0, 16});
  auto r = w.result_of("eng", list);
  ASSERT_TRUE(r) << "S12: a handle-0 call is answered in the same simulated instant";
  EXPECT_EQ(r->hr, S_OK);
  EXPECT_EQ(r->pids, std::vector<std::uint32_t>{8});
  auto find = w.call("eng", api::find_process{0, "cdb.exe", true});
  ASSERT_TRUE(w.result_of("eng", find)) << "S12: at once";
  EXPECT_EQ(w.result_of("eng", find)->pid, 8u);
  auto attach = w.call("eng", api::attach{0, 8});
  ASSERT_TRUE(w.result_of("eng", attach)) << "S12: at once";
  EXPECT_EQ(w.result_of("eng", attach)->hr, S_OK);
  EXPECT_EQ(w.now(), before) << "S12: no simulated time passes";
  EXPECT_EQ(count(w, event_kind::frame_sent), frames) << "S12: no frame";
  EXPECT_EQ(run_call(w, "eng", api::detach{8}).hr, S_OK);
  expect_clean(w);
}

TEST(Rules, S13_StartAndWaitForProcessServerEnd) {
  world w(small_topology(1), 1, env_options());
  EXPECT_EQ(run_call(w, "eng", api::start_server{"tcp:port=7000"}).hr, S_OK);
  EXPECT_EQ(run_call(w, "eng", api::wait_server_end{100}).hr, S_FALSE);
  auto h = connect(w, "eng", "tcp:server=eng,port=7000");
  ASSERT_NE(h, 0u);
  EXPECT_EQ(run_call(w, "eng", api::end_server{h}).hr, S_OK);
  EXPECT_EQ(run_call(w, "eng", api::disconnect{h}).hr, S_OK);
  EXPECT_EQ(run_call(w, "eng", api::wait_server_end{20000}).hr, S_OK);
  EXPECT_EQ(run_call(w, "eng", api::wait_server_end{0}).hr, S_OK);
  expect_clean(w);
}

TEST(Rules, S14_NoSessionWithoutThePassword) {
  world w(small_topology(1), 1, env_options());
  EXPECT_EQ(run_call(w, "eng", api::connect{"tcp:server=srv,port=5005,password=S3CRET"}).hr, E_FAIL);
  EXPECT_EQ(count(w, event_kind::session_open), 0u) << "S14: passwords are case-sensitive";
  EXPECT_EQ(run_call(w, "eng", api::connect{"tcp:server=srv,port=5005"}).hr, E_FAIL)
      << "S14: no password presented is no password";
  EXPECT_EQ(count(w, event_kind::session_open), 0u) << "S14: no session without the password";
  EXPECT_TRUE(w.inspect_server("srv").sessions.empty());
  EXPECT_NE(connect(w), 0u) << "S14: the right password gets in";
  expect_clean(w);
}

TEST(Rules, S4_VersionMismatchIsRefusedAndOpensNoSession) {
  auto topo = small_topology(1);
  topo.engines[0].protocol_version = static_cast<std::uint16_t>(protocol::protocol_version + 1);
  world w(topo, 1, env_options());
  auto r = run_call(w, "eng", api::connect{connect_options});
  EXPECT_EQ(r.hr, RPC_E_VERSION_MISMATCH) << "S4: another remoting version is refused";
  EXPECT_EQ(count(w, event_kind::session_open), 0u) << "S4: no session";
  EXPECT_TRUE(w.inspect_server("srv").sessions.empty());
  EXPECT_TRUE(w.inspect_engine("eng").live_handles.empty()) << "S4: no handle";
  expect_clean(w);
}

TEST(Rules, S15_EveryCallCompletesUnderLossAndJitter) {
  link_params lp;
  lp.latency = 20ms;
  lp.jitter = 30ms;
  lp.loss = 0.3;
  world w(small_topology(2, lp), 7, env_options());
  for (int i = 0; i < 10; ++i) {
    auto h = connect(w, i % 2 ? "eng" : "eng2");
    if (h != 0) {
      run_call(w, i % 2 ? "eng" : "eng2", api::list_processes{h, 16});
      run_call(w, i % 2 ? "eng" : "eng2", api::disconnect{h});
    }
  }
  EXPECT_EQ(w.calls_in_flight(), 0u);
  expect_clean(w);
}

TEST(Rules, S16_ReverseConnectionServesOneClient) {
  auto topo = small_topology(2);
  topo.servers[0].listen = "tcp:clicon=eng,port=5005";
  world w(topo, 1, env_options());
  auto h = connect(w, "eng", "tcp:server=srv,port=5005");
  ASSERT_NE(h, 0u);
  EXPECT_EQ(run_call(w, "eng2", api::connect{"tcp:server=srv,port=5005"}).hr,
            RPC_S_SERVER_UNAVAILABLE);
  run_call(w, "eng", api::disconnect{h});
  w.run_for(1s);
  EXPECT_EQ(w.inspect_server("srv").state, server_state::ended);
  expect_clean(w);
}

TEST(Rules, S17_SmallBufferGivesSFalseAndFindByName) {
  world w(small_topology(1), 1, env_options());
  auto h = connect(w);
  auto r = run_call(w, "eng", api::list_processes{h, 1});
  EXPECT_EQ(r.hr, S_FALSE);
  EXPECT_EQ(r.pids.size(), 1u);
  EXPECT_EQ(r.total, 2u);
  EXPECT_EQ(run_call(w, "eng", api::find_process{h, "notepad.exe", true}).pid, 4242u);
  EXPECT_EQ(run_call(w, "eng", api::find_process{h, "nope.exe", true}).hr, E_NOINTERFACE);
  expect_clean(w);
}

TEST(Rules, S18_AfterFailuresTheEngineCanConnectAttachAndDetach) {
  world w(small_topology(1), 1, env_options());
  w.partition("eng", "srv");
  EXPECT_EQ(run_call(w, "eng", api::connect{connect_options}).hr, ERROR_SEM_TIMEOUT);
  w.heal("eng", "srv");
  auto h = connect(w);
  ASSERT_NE(h, 0u);
  EXPECT_EQ(run_call(w, "eng", api::attach{h, 4242}).hr, S_OK);
  EXPECT_EQ(run_call(w, "eng", api::detach{4242}).hr, S_OK);
  expect_clean(w);
}

TEST(Rules, S19_ResetEndsSessionsAndFailsCallsInFlight) {
  link_params lp;
  lp.latency = 50ms;
  world w(small_topology(1, lp), 1, env_options());
  auto h = connect(w);
  auto list = w.call("eng", api::list_processes{h, 16});
  w.run_for(10ms);
  w.reset("eng", "srv");
  ASSERT_TRUE(w.result_of("eng", list));
  EXPECT_EQ(w.result_of("eng", list)->hr, RPC_S_CALL_FAILED);
  EXPECT_TRUE(w.inspect_server("srv").sessions.empty());
  EXPECT_EQ(run_call(w, "eng", api::list_processes{h, 16}).hr, RPC_E_DISCONNECTED);
  EXPECT_EQ(run_call(w, "eng", api::disconnect{h}).hr, S_OK);
  expect_clean(w);
}

TEST(Rules, S19_EveryCallInFlightAtAResetFailsWithCallFailedAtOnce) {
  link_params lp;
  lp.latency = 50ms;
  world w(small_topology(1, lp), 1, env_options());
  auto h1 = connect(w);
  auto h2 = connect(w);
  ASSERT_NE(h1, 0u);
  ASSERT_NE(h2, 0u);
  auto a = w.call("eng", api::list_processes{h1, 16});
  auto b = w.call("eng", api::find_process{h2, "notepad.exe", true});
  w.run_for(10ms);
  ASSERT_FALSE(w.result_of("eng", a));
  ASSERT_FALSE(w.result_of("eng", b));
  const auto at = w.now();
  w.reset("eng", "srv");
  for (auto n : {a, b}) {
    ASSERT_TRUE(w.result_of("eng", n)) << "S19: completes at the reset";
    EXPECT_EQ(w.result_of("eng", n)->hr, RPC_S_CALL_FAILED) << "S19: call " << n;
  }
  EXPECT_EQ(w.now(), at);
  EXPECT_TRUE(w.inspect_server("srv").sessions.empty()) << "S19: both sessions end at once";
  expect_clean(w);
}

TEST(Rules, S19_HalfOpenIsFoundOnlyByLeases) {
  world w(small_topology(1), 1, env_options());
  auto h = connect(w);
  w.half_open("eng", "srv", true);
  EXPECT_EQ(w.inspect_engine("eng").sessions.size(), 1u) << "S19: the engine was told nothing";
  EXPECT_TRUE(w.inspect_server("srv").sessions.empty()) << "S19: the gone server end forgot it";
  w.run_for(7s);
  EXPECT_EQ(run_call(w, "eng", api::list_processes{h, 16}).hr, RPC_E_DISCONNECTED);
  expect_clean(w);
}

TEST(Rules, S20_TargetOutlivesItsHandle) {
  world w(small_topology(1), 1, env_options());
  auto h = connect(w);
  ASSERT_EQ(run_call(w, "eng", api::attach{h, 4242}).hr, S_OK);
  EXPECT_EQ(run_call(w, "eng", api::disconnect{h}).hr, S_OK);
  w.run_for(20s);  // Keepalives keep the session alive well past its lease.
  EXPECT_EQ(w.inspect_server("srv").sessions.size(), 1u) << "S20: the target holds the session";
  EXPECT_EQ(run_call(w, "eng", api::detach{4242}).hr, S_OK);
  w.run_for(1s);
  EXPECT_TRUE(w.inspect_server("srv").sessions.empty()) << "S20: released after the last target";
  EXPECT_EQ(run_call(w, "eng", api::detach{4242}).hr, E_INVALIDARG);
  expect_clean(w);
}

void lease_expires_under_partition(bool detach_on_exit) {
  auto topo = small_topology(1);
  topo.engines[0].detach_on_exit = detach_on_exit;
  world w(topo, 1, env_options());
  auto h = connect(w);
  ASSERT_EQ(run_call(w, "eng", api::attach{h, 4242}).hr, S_OK);
  EXPECT_EQ(run_call(w, "eng", api::disconnect{h}).hr, S_OK);
  w.partition("eng", "srv");
  w.partition("srv", "eng");
  w.run_for(10s);
  EXPECT_TRUE(w.inspect_server("srv").sessions.empty()) << "S7: the lease expired";
  EXPECT_TRUE(w.inspect_engine("eng").sessions.empty()) << "S22: the target is lost";
  EXPECT_EQ(count(w, event_kind::target_lost), 1u);
  EXPECT_EQ(count(w, event_kind::process_killed), detach_on_exit ? 0u : 1u) << "S21";
  EXPECT_EQ(count(w, event_kind::process_detached), detach_on_exit ? 1u : 0u) << "S21";
  EXPECT_EQ(run_call(w, "eng", api::detach{4242}).hr, E_INVALIDARG) << "S22";
  expect_clean(w);
}

TEST(Rules, S21_LeaseExpiryUnderPartitionKillsByDefault) { lease_expires_under_partition(false); }

TEST(Rules, S21_LeaseExpiryUnderPartitionDetachesWithDetachOnExit) {
  lease_expires_under_partition(true);
}

TEST(Rules, S21_AChangeHiddenByAPartitionDoesNotReachTheServer) {
  world w(small_topology(1), 1, env_options());
  auto h = connect(w);
  ASSERT_EQ(run_call(w, "eng", api::attach{h, 4242}).hr, S_OK);
  w.partition("eng", "srv");
  EXPECT_EQ(run_call(w, "eng", api::process_options{true}).hr, S_OK);
  w.run_for(10s);
  EXPECT_EQ(count(w, event_kind::process_killed), 1u) << "S21: the server used the old value";
  expect_clean(w);
}

TEST(Rules, S21_DetachAllAndTerminateAll) {
  world w(small_topology(1), 1, env_options());
  auto h = connect(w);
  ASSERT_EQ(run_call(w, "eng", api::attach{h, 4242}).hr, S_OK);
  ASSERT_EQ(run_call(w, "eng", api::attach{h, 4343}).hr, S_OK);
  EXPECT_EQ(run_call(w, "eng", api::detach_all{}).hr, S_OK);
  EXPECT_EQ(count(w, event_kind::process_detached), 2u);
  ASSERT_EQ(run_call(w, "eng", api::attach{h, 4242}).hr, S_OK);
  EXPECT_EQ(run_call(w, "eng", api::terminate_all{}).hr, S_OK);
  EXPECT_EQ(count(w, event_kind::process_killed), 1u);
  // What is still attached when the session ends goes by the exit policy (kill by default).
  ASSERT_EQ(run_call(w, "eng", api::attach{h, 4343}).hr, S_OK);
  w.reset("eng", "srv");
  EXPECT_EQ(count(w, event_kind::process_killed), 2u) << "S21: killed when the session ends";
  EXPECT_TRUE(w.inspect_server("srv").sessions.empty());
  expect_clean(w);
}

TEST(Rules, S22_TargetsAreLostOnReset) {
  world w(small_topology(1), 1, env_options());
  auto h = connect(w);
  ASSERT_EQ(run_call(w, "eng", api::attach{h, 4242}).hr, S_OK);
  w.reset("eng", "srv");
  EXPECT_EQ(count(w, event_kind::target_lost), 1u);
  EXPECT_EQ(run_call(w, "eng", api::terminate{4242}).hr, E_INVALIDARG);
  expect_clean(w);
}

}  // namespace
}  // namespace dbgsim::testing
