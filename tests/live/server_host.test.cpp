// live/server_host: the reference server core on a real socket on 127.0.0.1 port 0: sessions,
// the process table, leases, resets, the end and the crash, the port in use and the connection
// cap, each with its near miss.
#include "tests/live/server_harness.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace dbgsim::live {
namespace {

using namespace std::chrono_literals;
using testing::server_fixture;
using testing::test_client;

timing short_lease() {
  timing t;
  t.lease = 300ms;
  t.shutdown_grace = 2s;
  return t;
}

TEST(ServerHost, ServesASessionOnARealSocket) {
  server_fixture srv;
  test_client c(srv.port());
  auto accepted = c.connect();
  ASSERT_TRUE(accepted);
  ASSERT_TRUE(std::holds_alternative<protocol::connect_accepted>(accepted->body));
  EXPECT_EQ(c.list(), (std::vector<std::uint32_t>{4242, 4343, 4444}));
  auto attach = c.call(protocol::attach_request{c.next_id(), 4343, 0});
  ASSERT_TRUE(attach);
  EXPECT_EQ(std::get<protocol::attach_reply>(attach->body).hr, protocol::S_OK);
  auto view = srv.inspect();
  ASSERT_EQ(view.sessions.size(), 1u);
  EXPECT_EQ(view.sessions[0].attached, (std::vector<std::uint32_t>{4343}));
  // The route names the engine by the peer's address and port.
  EXPECT_EQ(view.sessions[0].engine.rfind("127.0.0.1:", 0), 0u);
  auto detach = c.call(protocol::detach_request{c.next_id(), 4343});
  EXPECT_EQ(std::get<protocol::detach_reply>(detach->body).hr, protocol::S_OK);
  auto bye = c.call(protocol::disconnect_request{c.next_id()});
  ASSERT_TRUE(bye);
  EXPECT_TRUE(std::holds_alternative<protocol::disconnect_ack>(bye->body));
  EXPECT_TRUE(srv.inspect().sessions.empty());
  EXPECT_NE(srv.target().find(4343), nullptr);  // Detached, not killed.
}

TEST(ServerHost, AWrongPasswordIsRefused) {
  server_fixture srv;
  test_client c(srv.port());
  auto r = c.connect("wrong");
  ASSERT_TRUE(r);
  ASSERT_TRUE(std::holds_alternative<protocol::connect_refused>(r->body));
  EXPECT_EQ(std::get<protocol::connect_refused>(r->body).hr, protocol::E_FAIL);
  EXPECT_TRUE(srv.inspect().sessions.empty());
}

TEST(ServerHost, CreateAndTerminateChangeTheProcessTable) {
  server_fixture srv;
  test_client c(srv.port());
  ASSERT_TRUE(c.connect());
  auto made = c.call(protocol::create_process_request{c.next_id(), "winver.exe /x", 0});
  const auto pid = std::get<protocol::create_process_reply>(made->body).pid;
  ASSERT_NE(srv.target().find(pid), nullptr);
  auto killed = c.call(protocol::terminate_process_request{c.next_id(), pid});
  EXPECT_EQ(std::get<protocol::terminate_process_reply>(killed->body).hr, protocol::S_OK);
  EXPECT_EQ(srv.on_runtime([&] { return srv.target().find(pid) == nullptr; }), true);
}

TEST(ServerHost, AResetEndsTheSessionAndItsAttachmentsFollowTheExitPolicy) {
  // S19: a reset ends the sessions on it at once; S21: without DETACH_ON_EXIT, attached
  // processes are killed.
  server_fixture srv;
  test_client c(srv.port());
  ASSERT_TRUE(c.connect());
  c.call(protocol::attach_request{c.next_id(), 4242, 0});
  c.peer().reset();
  for (int i = 0; i < 200 && !srv.inspect().sessions.empty(); ++i)
    std::this_thread::sleep_for(5ms);
  EXPECT_TRUE(srv.inspect().sessions.empty());
  EXPECT_TRUE(srv.on_runtime([&] { return srv.target().find(4242) == nullptr; }));
}

TEST(ServerHost, ASilentSessionIsReapedByTheLease) {
  // S7: a session silent for a lease ends; the client then hears unknown_session.
  server_fixture srv(short_lease());
  test_client c(srv.port());
  ASSERT_TRUE(c.connect());
  c.call(protocol::attach_request{c.next_id(), 4444, protocol::process_detach_on_exit});
  std::this_thread::sleep_for(600ms);
  EXPECT_TRUE(srv.inspect().sessions.empty());
  auto r = c.call(protocol::keepalive{c.next_id()});
  ASSERT_TRUE(r);
  EXPECT_TRUE(std::holds_alternative<protocol::unknown_session>(r->body));
  // S21: DETACH_ON_EXIT: the process lives on, detached.
  EXPECT_TRUE(srv.on_runtime([&] {
    auto* p = srv.target().find(4444);
    return p != nullptr && !p->attached;
  }));
}

TEST(ServerHost, KeepalivesKeepTheSessionPastManyLeases) {
  // Near miss of the above: the same silence, but with keepalives every 100 ms.
  server_fixture srv(short_lease());
  test_client c(srv.port());
  ASSERT_TRUE(c.connect());
  for (int i = 0; i < 10; ++i) {
    std::this_thread::sleep_for(100ms);
    auto r = c.call(protocol::keepalive{c.next_id()});
    ASSERT_TRUE(r);
    ASSERT_TRUE(std::holds_alternative<protocol::keepalive_ack>(r->body)) << "at keepalive " << i;
  }
  EXPECT_EQ(srv.inspect().sessions.size(), 1u);
}

TEST(ServerHost, EndSendsShuttingDownNoticesThenStopsListening) {
  // S8: EndProcessServer's path: every session gets server_shutting_down, the server ends when
  // they have gone, and then nothing listens.
  server_fixture srv(short_lease());
  test_client a(srv.port());
  test_client b(srv.port());
  ASSERT_TRUE(a.connect());
  ASSERT_TRUE(b.connect());
  srv.on_runtime([&] { srv.host().end(); });
  for (auto* c : {&a, &b}) {
    auto f = c->peer().read_frame();
    ASSERT_TRUE(f);
    EXPECT_TRUE(std::holds_alternative<protocol::server_shutting_down>(f->body));
  }
  EXPECT_EQ(srv.inspect().state, server_state::shutting_down);
  // Nothing else came for the end's own request: no stray end_server_ack.
  auto bye_a = a.call(protocol::disconnect_request{a.next_id()});
  EXPECT_TRUE(std::holds_alternative<protocol::disconnect_ack>(bye_a->body));
  auto bye_b = b.call(protocol::disconnect_request{b.next_id()});
  EXPECT_TRUE(std::holds_alternative<protocol::disconnect_ack>(bye_b->body));
  for (int i = 0; i < 200 && srv.inspect().state != server_state::ended; ++i)
    std::this_thread::sleep_for(5ms);
  EXPECT_EQ(srv.inspect().state, server_state::ended);
  EXPECT_EQ(a.peer().read_to_end(), asio::error::eof);
  asio::io_context io;
  asio::ip::tcp::socket s(io);
  std::error_code ec;
  s.connect({testing::loopback(), srv.port()}, ec);
  EXPECT_EQ(ec, asio::error::connection_refused);
  EXPECT_TRUE(srv.on_runtime([&] { return !srv.host().running(); }));
}

TEST(ServerHost, EndWithNoSessionStopsAtOnce) {
  server_fixture srv;
  bool told = false;
  srv.on_runtime([&] {
    srv.host().on_ended([&] { told = true; });
    srv.host().end();
  });
  EXPECT_TRUE(told);
  asio::io_context io;
  asio::ip::tcp::socket s(io);
  std::error_code ec;
  s.connect({testing::loopback(), srv.port()}, ec);
  EXPECT_EQ(ec, asio::error::connection_refused);
}

TEST(ServerHost, ACrashResetsEveryConnection) {
  server_fixture srv;
  test_client c(srv.port());
  ASSERT_TRUE(c.connect());
  srv.on_runtime([&] { srv.host().crash(); });
  EXPECT_EQ(c.peer().read_to_end(), asio::error::connection_reset);
  EXPECT_EQ(srv.inspect().state, server_state::crashed);
}

TEST(ServerHost, APortInUseIsRefusedWithItsNumber) {
  runtime rt;
  machine m = testing::test_machine();
  server_host_options o;
  o.port = 0;
  auto first = std::make_unique<server_host>(rt, testing::test_config(), m, o);
  o.port = first->port();
  try {
    server_host second(rt, testing::test_config(), m, o);
    FAIL() << "a second server listened on the same port";
  } catch (const listen_error& e) {
    EXPECT_EQ(std::string(e.what()),
              "port " + std::to_string(*o.port) + " on 127.0.0.1 is in use");
  }
  // Near miss: once the first has gone, the port is free for the next incarnation.
  first.reset();
  o.incarnation = 2;
  server_host again(rt, testing::test_config(), m, o);
  EXPECT_EQ(again.port(), *o.port);
  EXPECT_EQ(again.inspect().incarnation, 2u);
}

TEST(ServerHost, APortRangeTakesTheFirstFreePort) {
  runtime rt;
  machine m = testing::test_machine();
  server_host_options o;
  o.port = 0;
  server_host first(rt, testing::test_config(), m, o);
  auto config = testing::test_config();
  config.listen.port = first.port();
  config.listen.port_high = static_cast<std::uint16_t>(first.port() + 1);
  server_host_options ranged;
  try {
    server_host second(rt, config, m, ranged);
    EXPECT_EQ(second.port(), first.port() + 1);
  } catch (const listen_error& e) {
    // The next port may be someone else's on a busy machine; the message must then say both.
    EXPECT_NE(std::string(e.what()).find("are in use"), std::string::npos) << e.what();
  }
}

TEST(ServerHost, ConnectionsBeyondTheCapAreRefusedAndTheOthersServed) {
  server_host_options o;
  o.max_connections = 2;
  server_fixture srv({}, o);
  test_client a(srv.port());
  test_client b(srv.port());
  ASSERT_TRUE(a.connect());
  ASSERT_TRUE(b.connect());
  testing::raw_peer third(srv.port());
  EXPECT_EQ(third.read_to_end(), asio::error::connection_reset);
  EXPECT_EQ(srv.on_runtime([&] { return srv.host().counts().refused; }), 1u);
  EXPECT_TRUE(a.list());
  EXPECT_TRUE(b.list());
  // Near miss: once one leaves, a new connection is served.
  a.peer().close();
  for (int i = 0; i < 200 && srv.on_runtime([&] { return srv.host().connections(); }) > 1; ++i)
    std::this_thread::sleep_for(5ms);
  test_client d(srv.port());
  ASSERT_TRUE(d.connect());
  EXPECT_TRUE(d.list());
}

TEST(ServerHost, EnginesNamedByClientNameCountTheirOwnConnections) {
  // So that a trace of live engines and servers pairs both ends by engine and connection id,
  // as a world's does; the default (above) names them by address.
  server_host_options o;
  o.naming = engine_naming::client_name;
  server_fixture srv({}, o);
  test_client a(srv.port());
  test_client b(srv.port());
  ASSERT_TRUE(a.connect());
  ASSERT_TRUE(b.connect());
  auto v = srv.inspect();
  ASSERT_EQ(v.sessions.size(), 2u);
  EXPECT_EQ(v.sessions[0].engine, "test");
  EXPECT_EQ(v.sessions[0].conn, 1u);
  EXPECT_EQ(v.sessions[1].engine, "test");
  EXPECT_EQ(v.sessions[1].conn, 2u);
  // A connection whose first frame is no connect_request is named by its address.
  testing::raw_peer odd(srv.port());
  odd.write(protocol::frame{0, 0, protocol::keepalive{1}});
  auto reply = odd.read_frame();
  ASSERT_TRUE(reply);
  EXPECT_TRUE(std::holds_alternative<protocol::unknown_session>(reply->body));
  // And a reset still reaches the core through the route it was given (S19).
  a.peer().reset();
  for (int i = 0; i < 200 && srv.inspect().sessions.size() != 1; ++i)
    std::this_thread::sleep_for(5ms);
  ASSERT_EQ(srv.inspect().sessions.size(), 1u);
  EXPECT_EQ(srv.inspect().sessions[0].conn, 2u);
}

TEST(ServerHost, SeveralHostsShareOneRuntime) {
  runtime rt;
  machine m = testing::test_machine();
  server_host_options o;
  o.port = 0;
  auto c1 = testing::test_config();
  auto c2 = testing::test_config();
  c2.name = "srv2";
  server_host one(rt, c1, m, o);
  server_host two(rt, c2, m, o);
  EXPECT_NE(one.port(), two.port());
  EXPECT_EQ(one.name(), "srv");
  EXPECT_EQ(two.name(), "srv2");
}

TEST(ServerHost, TheTraceOfASessionPassesTheOracle) {
  server_fixture srv;
  srv.on_runtime([&] {
    srv.rt().check_with(timing{});
    srv.rt().keep_events(true);
  });
  test_client c(srv.port());
  ASSERT_TRUE(c.connect());
  c.list();
  c.call(protocol::disconnect_request{c.next_id()});
  auto kinds = srv.on_runtime([&] {
    std::vector<event_kind> k;
    for (const auto& e : srv.rt().events())
      k.push_back(e.kind);
    return k;
  });
  EXPECT_NE(std::find(kinds.begin(), kinds.end(), event_kind::session_open), kinds.end());
  EXPECT_NE(std::find(kinds.begin(), kinds.end(), event_kind::session_end), kinds.end());
  EXPECT_NE(std::find(kinds.begin(), kinds.end(), event_kind::frame_sent), kinds.end());
  auto violations = srv.on_runtime([&] { return srv.rt().checker()->violations(); });
  for (const auto& v : violations)
    ADD_FAILURE() << v.rule << ": " << v.message;
}

}  // namespace
}  // namespace dbgsim::live
