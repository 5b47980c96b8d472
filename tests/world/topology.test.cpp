// validate(topology) is the one check of a topology: the world refuses in code exactly what the
// loader refuses in a file, with the same words.
#include "scenario_files/loader.hpp"
#include "world/topology.hpp"
#include "world/world.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace dbgsim {
namespace {

using namespace std::chrono_literals;

// A machine named like a server that runs on another machine: `srv` would mean two places.
topology machine_named_like_a_server_elsewhere() {
  topology t;
  t.machines.push_back({"srv", {}});
  t.servers.push_back({"srv", "box", "tcp:port=1", 0ms});
  return t;
}

TEST(Topology, TheWorldRefusesWhatTheLoaderRefuses) {
  const auto problem = validate(machine_named_like_a_server_elsewhere());
  ASSERT_TRUE(problem.has_value());
  const auto text = text_of(*problem, "");
  EXPECT_NE(text.find("has the name of the server `srv`, which runs on machine `box`"),
            std::string::npos)
      << text;
  try {
    world w(machine_named_like_a_server_elsewhere(), 1);
    ADD_FAILURE() << "the world built a topology the loader refuses";
  } catch (const topology_error& e) {
    EXPECT_EQ(std::string(e.what()), text);
  }
  try {
    load_scenario("name: t\nmachines:\n  - name: srv\nservers:\n  - name: srv\n    machine: box\n"
                  "    listen: \"tcp:port=1\"\n",
                  "t.yaml");
    ADD_FAILURE() << "the loader accepted it";
  } catch (const scenario_error& e) {
    EXPECT_EQ(e.message(), text);
  }
}

TEST(Topology, AValidTopologyHasNoProblem) {
  auto t = machine_named_like_a_server_elsewhere();
  t.machines[0].name = "box";
  EXPECT_FALSE(validate(t).has_value());
  EXPECT_EQ(machine_named_in(t, "srv"), "box");
  EXPECT_EQ(machine_named_in(t, "elsewhere"), "elsewhere");
}

TEST(Topology, ClashesNameTheFirstEntry) {
  topology t;
  t.servers.push_back({"x", "", "tcp:port=1", 0ms});
  t.engines.push_back({"x", "", disconnect_mode::async, false});
  const auto problem = validate(t);
  ASSERT_TRUE(problem.has_value());
  ASSERT_TRUE(problem->first.has_value());
  EXPECT_EQ(problem->first->what, topology_place::part::server);
  EXPECT_EQ(problem->where.what, topology_place::part::engine);
  EXPECT_EQ(text_of(*problem, " at line 3"),
            "the name `x` is already taken by the server at line 3 (engines and servers share one "
            "namespace)");
}

}  // namespace
}  // namespace dbgsim
