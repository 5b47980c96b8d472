// The live engine against the live reference server on loopback: calls, refusals, resets.
#include "live/engine_calls.hpp"
#include "live/engine_host.hpp"
#include "live/proxy.hpp"
#include "live/server_host.hpp"
#include "tests/live/server_harness.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <optional>

namespace dbgsim::live {
namespace {

using namespace std::chrono_literals;
using tcp = asio::ip::tcp;

class engine_host_test : public ::testing::Test {
protected:
  engine_host_test() : target(testing::test_machine()), local("local") {
    server_host_options so;
    so.port = 0;
    srv.emplace(rt, testing::test_config(), target, so);
    to = tcp::endpoint(asio::ip::address_v4::loopback(), srv->port());
  }

  engine_host& engine() {
    if (!eng) {
      engine_config c;
      c.name = "eng";
      c.machine = "local";
      engine_host_options o;
      o.where = [this](const route&) { return std::optional(to); };
      o.on_connected = [this](const route&, std::uint16_t port) { last_port = port; };
      eng.emplace(rt, c, local, o);
    }
    return *eng;
  }

  // Issues `text` and runs until it completes (at most 5 s).
  api::result call(const std::string& text) {
    auto c = parse_call_spec(text, handle);
    EXPECT_TRUE(std::holds_alternative<api::call>(c)) << text;
    std::optional<api::result> got;
    engine().call(std::get<api::call>(c), [&](const api::result& r) { got = r; });
    EXPECT_TRUE(rt.run_until([&] { return got.has_value(); }, 5s)) << text << " did not complete";
    if (got && got->handle != 0)
      handle = got->handle;
    return got.value_or(api::status(protocol::E_UNEXPECTED));
  }

  runtime rt;
  machine target, local;
  std::optional<server_host> srv;
  tcp::endpoint to;
  std::optional<engine_host> eng;
  std::uint64_t handle = 0;
  std::uint16_t last_port = 0;
};

TEST_F(engine_host_test, connects_lists_attaches_and_disconnects) {
  EXPECT_EQ(call("connect:tcp:server=127.0.0.1,port=5005,password=s3cret").hr, protocol::S_OK);
  EXPECT_NE(handle, 0u);
  EXPECT_NE(last_port, 0u);
  const auto list = call("list_processes");
  EXPECT_EQ(list.hr, protocol::S_OK);
  EXPECT_EQ(list.pids, (std::vector<std::uint32_t>{4242, 4343, 4444}));
  EXPECT_EQ(call("attach:4242").hr, protocol::S_OK);
  EXPECT_EQ(engine().inspect().sessions.size(), 1u);
  EXPECT_EQ(call("detach:4242").hr, protocol::S_OK);
  EXPECT_EQ(call("disconnect").hr, protocol::S_OK);
  EXPECT_TRUE(engine().inspect().live_handles.empty());
}

TEST_F(engine_host_test, a_wrong_password_is_refused_by_the_server) {
  EXPECT_EQ(call("connect:tcp:server=127.0.0.1,port=5005,password=wrong").hr, protocol::E_FAIL);
  EXPECT_TRUE(engine().inspect().live_handles.empty());
}

TEST_F(engine_host_test, nothing_listening_is_server_unavailable) {
  srv.reset();  // Its port is free now: nothing listens there.
  rt.run_for(20ms);
  EXPECT_EQ(call("connect:tcp:server=127.0.0.1,port=5005").hr, protocol::RPC_S_SERVER_UNAVAILABLE);
}

TEST_F(engine_host_test, a_refusal_beyond_a_proxy_is_server_unavailable) {
  srv.reset();
  rt.run_for(20ms);
  proxy p(rt.context(), to, 1, 1.0);
  p.on_refused([this](std::uint16_t port) { engine().refused(port); });
  to = tcp::endpoint(asio::ip::address_v4::loopback(), p.port());
  EXPECT_EQ(call("connect:tcp:server=127.0.0.1,port=5005").hr, protocol::RPC_S_SERVER_UNAVAILABLE);
  EXPECT_EQ(p.counts().refused, 1u);
}

TEST_F(engine_host_test, a_reset_through_the_proxy_ends_the_session_at_once) {
  proxy p(rt.context(), to, 1, 1.0);
  to = tcp::endpoint(asio::ip::address_v4::loopback(), p.port());
  ASSERT_EQ(call("connect:tcp:server=127.0.0.1,port=5005,password=s3cret").hr, protocol::S_OK);
  p.reset();
  // S19: both ends hear of it at once; the handle stays live and its calls fail at once.
  ASSERT_TRUE(rt.run_until([&] { return engine().inspect().sessions.empty(); }, 2s));
  ASSERT_TRUE(rt.run_until([&] { return srv->inspect().sessions.empty(); }, 2s));
  EXPECT_EQ(engine().inspect().live_handles.size(), 1u);
  EXPECT_EQ(call("list_processes").hr, protocol::RPC_E_DISCONNECTED);
  EXPECT_EQ(call("disconnect").hr, protocol::S_OK);
}

TEST_F(engine_host_test, a_crashed_engine_aborts_later_calls) {
  ASSERT_EQ(call("connect:tcp:server=127.0.0.1,port=5005,password=s3cret").hr, protocol::S_OK);
  engine().crash();
  EXPECT_EQ(call("list_processes").hr, protocol::E_ABORT);
}

TEST(engine_calls, parses_each_call_and_names_what_is_wrong) {
  EXPECT_TRUE(std::holds_alternative<api::call>(parse_call_spec("attach:4242", 1)));
  EXPECT_EQ(std::get<api::attach>(std::get<api::call>(parse_call_spec("attach:4242", 7))).handle, 7u);
  EXPECT_EQ(std::get<api::list_processes>(std::get<api::call>(parse_call_spec("list_processes:3", 1))).max, 3u);
  auto bad = parse_call_spec("atach:12", 1);
  ASSERT_TRUE(std::holds_alternative<call_spec_error>(bad));
  EXPECT_NE(std::get<call_spec_error>(bad).message.find("unknown call 'atach'"), std::string::npos);
  EXPECT_TRUE(std::holds_alternative<call_spec_error>(parse_call_spec("attach:x", 1)));
  EXPECT_TRUE(std::holds_alternative<call_spec_error>(parse_call_spec("disconnect:1", 1)));
  EXPECT_TRUE(std::holds_alternative<call_spec_error>(parse_call_spec("connect", 1)));
}

TEST(engine_calls, a_result_line_names_the_hresult_and_what_came_back) {
  api::result r;
  r.pids = {4242, 4343};
  r.total = 2;
  EXPECT_EQ(result_line("list_processes", r), "list_processes: S_OK (0x00000000) pids=[4242, 4343] total=2");
  EXPECT_EQ(result_line("connect:x", api::status(protocol::RPC_S_SERVER_UNAVAILABLE)),
            "connect:x: RPC_S_SERVER_UNAVAILABLE (0x800706ba)");
}

}  // namespace
}  // namespace dbgsim::live
