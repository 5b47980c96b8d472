// The model-based test of the handle lifecycle (S1-S22): generated worlds and command sequences
// judged by the reference model (props/model.hpp) and the oracle, convergence after settling,
// and failures shrunk to a scenario file that replays to the same failure.
#include "check.hpp"

#include "props/props.hpp"
#include "scenario_files/loader.hpp"

#include <fstream>
#include <iostream>

namespace dbgsim::props::testing {
namespace {

std::string explain(const lifecycle_result& r, mutant bug) {
  std::string s = r.message + "\nworld: " + r.world + "\nshrunk commands:";
  for (std::size_t i = 0; i < r.commands.size(); ++i)
    s += "\n  " + std::to_string(i + 1) + ". " + r.commands[i];
  if (r.reproducer) {
    const std::string file = "prop-" + std::string(name_of(bug)) + "-" + std::to_string(seed()) +
                             ".yaml";
    std::ofstream(file) << reproducer_text(r, bug);
    s += "\nreproducer written to " + file + "; replay it with: dbgsim run " + file;
  }
  return s;
}

TEST(LifecycleProperty, HandlesSessionsTargetsAndProcessesFollowTheModel_S1_to_S22) {
  lifecycle_options o;
  o.cases = default_cases(1000);
  o.seed = seed();
  const auto r = run_lifecycle_property(o);
  EXPECT_TRUE(r.passed) << explain(r, mutant::none);
  if (r.passed) {
    EXPECT_EQ(r.cases, o.cases);
  }
}

// A red property leaves a file, not a puzzle: the reproducer loads, fails with the bug on, and
// passes without it. One mutant the oracle catches (S1), one only the model's `expect:` does
// (S5: a foreign handle's call answered instead of refused).
class Reproducer : public ::testing::TestWithParam<mutant> {};

TEST_P(Reproducer, ReplaysToTheSameFailureAndPassesWithoutTheBug) {
  lifecycle_options o;
  o.cases = 1000;
  o.seed = seed();
  o.bug = GetParam();
  const auto r = run_lifecycle_property(o);
  ASSERT_FALSE(r.passed) << name_of(GetParam()) << " was not caught";
  ASSERT_TRUE(r.reproducer.has_value()) << r.message;
  EXPECT_LE(r.commands.size(), 8u) << explain(r, GetParam());
  const auto text = reproducer_text(r, GetParam());
  const auto loaded = load_scenario(text, "reproducer.yaml");
  EXPECT_EQ(loaded.steps.size(), r.reproducer->steps.size());
  const auto [fails, why] = replay_fails(loaded, GetParam());
  EXPECT_TRUE(fails) << text;
  const auto [fails_without, why_without] = replay_fails(loaded, mutant::none);
  EXPECT_FALSE(fails_without) << why_without << "\n" << text;
}

INSTANTIATE_TEST_SUITE_P(Mutants, Reproducer,
                         ::testing::Values(mutant::reuse_handles, mutant::foreign_handle),
                         [](const auto& info) {
                           std::string n(name_of(info.param));
                           for (auto& c : n)
                             if (c == '-')
                               c = '_';
                           return n;
                         });

}  // namespace
}  // namespace dbgsim::props::testing
