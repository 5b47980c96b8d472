// Swarm testing: extra faults chosen from a seed alone, as an ordinary scenario that can be
// written as a file and replayed to the same trace.
#include "scenario/scenario.hpp"
#include "scenario/swarm.hpp"
#include "scenario/player.hpp"
#include "scenario_files/writer.hpp"
#include "scenario_files/loader.hpp"

#include <gtest/gtest.h>

#include <set>
#include <sstream>

namespace dbgsim {
namespace {

std::string library(const std::string& file) {
  return std::string(DBGSIM_SOURCE_DIR) + "/scenarios/" + file;
}

TEST(Swarm, TheSameSeedChoosesTheSameFaults) {
  const auto s = load_scenario_file(library("s11-three-engines-are-isolated.yaml"));
  std::set<std::string> mixes;
  for (std::uint64_t seed = 1; seed <= 50; ++seed) {
    const auto a = swarm(s, seed), b = swarm(s, seed);
    EXPECT_EQ(a.choices, b.choices);
    std::ostringstream wa, wb;
    write_scenario(wa, a.s);
    write_scenario(wb, b.s);
    EXPECT_EQ(wa.str(), wb.str());
    std::string mix;
    for (const auto& c : a.choices)
      mix += c + "\n";
    mixes.insert(mix);
  }
  EXPECT_GT(mixes.size(), 40u);  // Seeds explore different mixes.
}

TEST(Swarm, FaultsFallWithinTheScenariosSpanAndAssertionsAreDropped) {
  const auto s = load_scenario_file(library("s11-three-engines-are-isolated.yaml"));
  sim_time span{0};
  for (const auto& st : s.steps)
    span = std::max(span, st.at);
  bool added = false;
  for (std::uint64_t seed = 1; seed <= 50; ++seed) {
    const auto r = swarm(s, seed);
    ASSERT_FALSE(r.choices.empty());
    for (const auto& st : r.s.steps) {
      EXPECT_FALSE(st.expect) << "seed " << seed;
      EXPECT_FALSE(std::holds_alternative<action::check>(st.what)) << "seed " << seed;
      if (st.pos.line == 0) {
        added = true;
        // A heal or a restart may come after the span; what it undoes does not.
        const bool undoes = std::holds_alternative<action::heal>(st.what) ||
                            std::holds_alternative<action::restart_server>(st.what);
        if (!undoes) {
          EXPECT_LE(st.at, span) << "seed " << seed;
        }
      }
    }
  }
  EXPECT_TRUE(added);
}

// S21 under keep-attached: a swarm mix that finds the bug, written as a file and loaded back,
// replays to the byte-identical trace.
TEST(Swarm, S21_AFailingMixWrittenAsAFileReplaysTheSameTrace) {
  const auto s = load_scenario_file(library("s11-three-engines-are-isolated.yaml"));
  run_options o;
  o.bug = mutant::keep_attached;
  for (std::uint64_t seed = 1; seed <= 50; ++seed) {
    o.seed = seed;
    const auto mix = swarm(s, seed);
    const auto first = run_scenario(mix.s, o);
    if (first.violations.empty())
      continue;
    std::ostringstream text;
    write_scenario(text, mix.s, "reproducer");
    const auto loaded = load_scenario(text.str(), "reproducer.yaml");
    const auto again = run_scenario(loaded, o);
    EXPECT_EQ(again.signature(), first.signature());
    EXPECT_EQ(to_json_lines(again.events), to_json_lines(first.events));
    return;
  }
  FAIL() << "no swarm seed of 1..50 found keep-attached";
}

}  // namespace
}  // namespace dbgsim
