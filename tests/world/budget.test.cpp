// The run budget (world_options::max_steps, run_options::max_steps): a run that would take far
// more steps than its file is long stops with run_budget_exceeded instead of running for hours.
#include "scenario/player.hpp"
#include "scenario_files/loader.hpp"
#include "world/world.hpp"

#include <gtest/gtest.h>

#include <string>

namespace dbgsim {
namespace {

const std::string keepalive_storm =
    "name: keepalive storm\n"
    "defaults: { keepalive: 1us, lease: 1000000s }\n"
    "servers: [ { name: srv, machine: t, listen: \"tcp:port=1\" } ]\n"
    "engines: [ { name: eng, machine: w } ]\n"
    "steps:\n"
    "  - at: 0ms\n"
    "    connect: { engine: eng, options: \"tcp:server=t,port=1\", as: h }\n";

TEST(RunBudget, ALongRunStopsAtItsBudget) {
  const auto s = load_scenario(keepalive_storm);
  run_options o;
  o.max_steps = 5000;
  try {
    run_scenario(s, o);
    FAIL() << "ran to the end";
  } catch (const run_budget_exceeded& e) {
    EXPECT_EQ(e.budget, 5000u);
    EXPECT_GT(e.at.count(), 0);
    EXPECT_NE(std::string(e.what()).find("the run budget of 5000 steps is used up"),
              std::string::npos);
  }
}

TEST(RunBudget, TheDefaultGrowsWithTheScenario) {
  auto s = load_scenario(keepalive_storm);
  EXPECT_EQ(default_budget(s), default_base_steps + default_steps_per_step);
}

TEST(RunBudget, AWorldStepsWithinItsBudget) {
  topology t;
  t.servers.push_back({"srv", "t", "tcp:port=1"});
  world_options o;
  o.max_steps = 3;
  world w(t, 1, o);
  w.at(sim_time{10}, [](world&) {});
  w.at(sim_time{20}, [](world&) {});
  w.at(sim_time{30}, [](world&) {});
  EXPECT_NO_THROW(w.run_until(sim_time{30}));
  EXPECT_EQ(w.steps_taken(), 3u);
  w.at(sim_time{40}, [](world&) {});
  EXPECT_THROW(w.run_until(sim_time{40}), run_budget_exceeded);
}

}  // namespace
}  // namespace dbgsim
