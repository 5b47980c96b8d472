// The small server (small_server/) in a world built with its factory: what it offers follows the
// rules, what it does not offer fails cleanly with E_NOTIMPL, and the oracle finds nothing.
#include "fixture.hpp"

#include "protocol/hresult.hpp"
#include "small_server/small_server.hpp"

namespace dbgsim::testing {
namespace {

using namespace protocol;

world_options small_options() {
  world_options o;
  o.make_server = small_server();
  return o;
}

TEST(SmallServer, S4_WrongPasswordIsRefusedWithEFailAndNoSession) {
  world w(small_topology(1), 1, small_options());
  for (auto* pw : {"wrong", "S3CRET"}) {
    auto r = run_call(w, "eng", api::connect{std::string("tcp:server=srv,port=5005,password=") + pw});
    EXPECT_EQ(r.hr, E_FAIL) << "S4: password " << pw;
  }
  EXPECT_EQ(run_call(w, "eng", api::connect{"tcp:server=srv,port=5005"}).hr, E_FAIL)
      << "S4: no password presented";
  EXPECT_TRUE(w.inspect_server("srv").sessions.empty()) << "S4, S14: no session kept";
  EXPECT_EQ(count(w, event_kind::session_open), 0u);
  auto h = connect(w);
  EXPECT_NE(h, 0u) << "S4: the right password gets in";
  EXPECT_EQ(w.inspect_server("srv").sessions.size(), 1u);
  expect_clean(w);
}

TEST(SmallServer, S7_ASilentEnginesSessionIsReapedByTheLease) {
  world w(small_topology(1), 1, small_options());
  ASSERT_NE(connect(w), 0u);
  w.run_for(8s);
  EXPECT_EQ(w.inspect_server("srv").sessions.size(), 1u) << "S7: keepalives keep it";
  w.crash_engine("eng", crash_how::machine);  // It falls silent: no keepalive, no disconnect.
  w.run_for(4s);
  EXPECT_EQ(w.inspect_server("srv").sessions.size(), 1u) << "S7: not before a lease of silence";
  w.run_for(2s);
  EXPECT_TRUE(w.inspect_server("srv").sessions.empty()) << "S7: reaped by the lease";
  EXPECT_EQ(count(w, event_kind::session_end, "lease"), 1u);
  expect_clean(w);
}

TEST(SmallServer, S17_ListsAndDescribesAndRefusesWhatItDoesNotOffer) {
  world w(small_topology(1), 1, small_options());
  auto h = connect(w);
  auto all = run_call(w, "eng", api::list_processes{h, 16});
  EXPECT_EQ(all.hr, S_OK);
  EXPECT_EQ(all.pids, (std::vector<std::uint32_t>{4242, 4343}));
  auto one = run_call(w, "eng", api::list_processes{h, 1});
  EXPECT_EQ(one.hr, S_FALSE) << "S17: a buffer too small";
  EXPECT_EQ(one.total, 2u);
  auto d = run_call(w, "eng", api::describe_process{h, 4343});
  EXPECT_EQ(d.hr, S_OK);
  EXPECT_EQ(d.exe, "calc.exe");
  EXPECT_EQ(run_call(w, "eng", api::describe_process{h, 1}).hr, E_INVALIDARG);
  EXPECT_EQ(run_call(w, "eng", api::attach{h, 4242}).hr, E_NOTIMPL);
  EXPECT_EQ(run_call(w, "eng", api::find_process{h, "calc.exe", false}).hr, E_NOTIMPL);
  EXPECT_TRUE(w.inspect_engine("eng").sessions.front().targets.empty());
  EXPECT_EQ(run_call(w, "eng", api::disconnect{h}).hr, S_OK);
  expect_clean(w);
}

TEST(SmallServer, S8_EndServerWithAnotherEngineConnected) {
  world w(small_topology(2), 1, small_options());
  auto h1 = connect(w, "eng");
  auto h2 = connect(w, "eng2");
  EXPECT_EQ(run_call(w, "eng", api::end_server{h1}).hr, S_OK);
  EXPECT_EQ(run_call(w, "eng2", api::end_server{h2}).hr, RPC_E_DISCONNECTED)
      << "S8: a second EndProcessServer";
  EXPECT_EQ(run_call(w, "eng", api::list_processes{h1, 16}).hr, RPC_E_DISCONNECTED);
  EXPECT_EQ(run_call(w, "eng", api::connect{connect_options}).hr, RPC_S_SERVER_UNAVAILABLE);
  EXPECT_EQ(run_call(w, "eng", api::disconnect{h1}).hr, S_OK);
  w.run_for(11s);
  EXPECT_EQ(w.inspect_server("srv").state, server_state::ended) << "S8: within the grace period";
  expect_clean(w);
}

TEST(SmallServer, S10_ACrashAndRestartGivesANewIncarnation) {
  world w(small_topology(1), 1, small_options());
  auto h = connect(w);
  w.crash_server("srv", crash_how::machine);
  w.restart_server("srv");
  EXPECT_EQ(w.inspect_server("srv").incarnation, 2u);
  EXPECT_EQ(run_call(w, "eng", api::list_processes{h, 16}).hr, RPC_E_DISCONNECTED)
      << "S10: the old session is unknown to the new incarnation";
  EXPECT_EQ(run_call(w, "eng", api::disconnect{h}).hr, S_OK);
  EXPECT_NE(connect(w), 0u) << "S18: a retry works";
  expect_clean(w);
}

TEST(SmallServer, S19_AResetEndsItsSessionsAtOnce) {
  world w(small_topology(1), 1, small_options());
  auto h = connect(w);
  w.reset("eng", "srv");
  EXPECT_TRUE(w.inspect_server("srv").sessions.empty()) << "S19: at once";
  EXPECT_EQ(count(w, event_kind::session_end, "reset"), 1u);
  EXPECT_EQ(run_call(w, "eng", api::list_processes{h, 16}).hr, RPC_E_DISCONNECTED);
  expect_clean(w);
}

}  // namespace
}  // namespace dbgsim::testing
