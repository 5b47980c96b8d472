// A world built in code by a project that only has the installed package: an engine connects to
// a password-protected server, the link is cut both ways, the engine disconnects, and once the
// world has settled nothing is left on either end (docs/semantics.md S6, S7).
#include <dbgsim/world/world.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace {

using namespace dbgsim;
using namespace std::chrono_literals;

/// Issues `c` on `engine` and runs the world until it completes, or until `limit` has passed.
std::optional<api::result> call_and_wait(world& w, const std::string& engine, api::call c,
                                         sim_time limit = 60s) {
  const auto n = w.call(engine, std::move(c));
  const auto until = w.now() + limit;
  while (!w.result_of(engine, n) && w.now() < until)
    w.run_for(10ms);
  return w.result_of(engine, n);
}

/// The engine `eng` on its own machine, and the server `srv` on `target` behind a password.
topology two_machines() {
  topology t;
  t.machines.push_back({"target", {{4242, "notepad.exe", "Notepad", {}}}});
  t.servers.push_back({"srv", "target", "tcp:port=5005,password=s3cret", 0ms});
  t.engines.push_back({"eng", "workstation", disconnect_mode::async, false});
  link_params lp;
  lp.latency = 20ms;
  lp.jitter = 5ms;
  t.links.push_back({"eng", "target", lp, lp});
  return t;
}

TEST(Embedding, DisconnectDuringPartitionLeavesNothingBehind) {
  world w(two_machines(), /*seed=*/7);

  const auto connected =
      call_and_wait(w, "eng", api::connect{"tcp:server=target,port=5005,password=s3cret"});
  ASSERT_TRUE(connected.has_value()) << "connect never completed";
  ASSERT_EQ(connected->hr, protocol::S_OK) << protocol::to_string(connected->hr);
  const std::uint64_t handle = connected->handle;
  ASSERT_NE(handle, 0u);
  ASSERT_EQ(w.inspect_engine("eng").live_handles, std::vector<std::uint64_t>{handle});
  ASSERT_EQ(w.inspect_server("srv").sessions.size(), 1u);

  w.partition("eng", "target");
  w.partition("target", "eng");
  const auto disconnected = call_and_wait(w, "eng", api::disconnect{handle});
  ASSERT_TRUE(disconnected.has_value()) << "disconnect never completed";
  EXPECT_EQ(disconnected->hr, protocol::S_OK) << protocol::to_string(disconnected->hr);
  EXPECT_TRUE(w.inspect_engine("eng").live_handles.empty());
  // The disconnect frame was lost in the partition, so only the lease can end the session.
  EXPECT_EQ(w.inspect_server("srv").sessions.size(), 1u);

  w.settle();
  const auto server = w.inspect_server("srv");
  EXPECT_TRUE(server.sessions.empty()) << server.sessions.size() << " session(s) left";
  EXPECT_EQ(server.state, server_state::listening);
  EXPECT_TRUE(w.inspect_engine("eng").sessions.empty());
  for (const auto& v : w.violations())
    ADD_FAILURE() << v.rule << " at " << v.t.count() << "us: " << v.message;
  EXPECT_TRUE(w.violations().empty());
}

}  // namespace
