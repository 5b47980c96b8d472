// The differential check's judgement: which differences between two runs a scenario allows.
#include "live/compare.hpp"

#include "scenario_files/loader.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace dbgsim::live {
namespace {

const char* const two_connects = R"(name: two connects
servers:
  - name: srv
    listen: "tcp:port=5005"
engines:
  - name: eng
links:
  - between: [eng, srv]
steps:
  - at: 0ms
    connect: { engine: eng, options: "tcp:server=srv,port=5005", as: h }
    expect: S_OK
  - at: 0ms
    connect: { engine: eng, options: "tcp:server=srv,port=5005" }
  - at: 2s
    check: { server: srv, sessions: 2 }
)";

run_outcome same(const scenario& s) {
  run_outcome o;
  o.steps.resize(s.steps.size());
  for (auto& st : o.steps)
    st.played = true;
  o.steps[0].hr = protocol::S_OK;
  o.steps[1].hr = protocol::S_OK;
  o.servers["srv"] = {2, 0, true};
  o.engines["eng"] = {2, 0};
  return o;
}

TEST(compare, equal_outcomes_have_no_difference) {
  const auto s = load_scenario(two_connects);
  EXPECT_TRUE(compare(s, same(s), same(s)).empty());
}

TEST(compare, a_different_hresult_where_the_step_expects_one_is_not_allowed) {
  const auto s = load_scenario(two_connects);
  auto live = same(s);
  live.steps[0].hr = protocol::RPC_S_SERVER_UNAVAILABLE;
  const auto d = compare(s, live, same(s));
  ASSERT_EQ(d.size(), 1u);
  EXPECT_FALSE(d[0].allowed);
  EXPECT_EQ(describe(s, d[0]),
            "step 1 (t=0s) eng connect: live RPC_S_SERVER_UNAVAILABLE, simulated S_OK "
            "(not allowed: the step expects S_OK)");
}

TEST(compare, a_different_hresult_where_the_step_expects_nothing_is_allowed) {
  const auto s = load_scenario(two_connects);
  auto live = same(s);
  live.steps[1].hr = protocol::ERROR_SEM_TIMEOUT;
  const auto d = compare(s, live, same(s));
  ASSERT_EQ(d.size(), 1u);
  EXPECT_TRUE(d[0].allowed);
  EXPECT_EQ(*d[0].step, 1u);
}

TEST(compare, a_call_that_never_completed_on_one_side_differs) {
  const auto s = load_scenario(two_connects);
  auto live = same(s);
  live.steps[0].hr.reset();
  const auto d = compare(s, live, same(s));
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].live, "no result");
  EXPECT_FALSE(d[0].allowed);
}

TEST(compare, a_check_that_fails_on_one_side_only_is_not_allowed) {
  const auto s = load_scenario(two_connects);
  auto live = same(s);
  live.steps[2].failures = {"expected sessions: 2, got sessions: 1"};
  const auto d = compare(s, live, same(s));
  ASSERT_EQ(d.size(), 1u);
  EXPECT_FALSE(d[0].allowed);
  EXPECT_EQ(d[0].simulated, "as expected");
}

TEST(compare, final_state_differences_are_allowed_only_where_no_check_asserts_them) {
  const auto s = load_scenario(two_connects);
  auto live = same(s);
  live.servers["srv"].sessions = 1;  // A check asserts sessions of srv.
  live.engines["eng"].handles = 1;   // No check asserts eng's handles.
  const auto d = compare(s, live, same(s));
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0].subject, "server srv sessions");
  EXPECT_FALSE(d[0].allowed);
  EXPECT_EQ(d[1].subject, "engine eng handles");
  EXPECT_TRUE(d[1].allowed);
  EXPECT_EQ(describe(s, d[1]),
            "final engine eng handles: live 1, simulated 2 (allowed: no check step asserts it)");
}

TEST(compare, simulate_gives_each_call_step_its_hresult) {
  const auto s = load_scenario_file(DBGSIM_SOURCE_DIR "/scenarios/s04-password-is-checked.yaml");
  run_report r;
  const auto o = simulate(s, {}, &r);
  ASSERT_TRUE(r.passed());
  ASSERT_EQ(o.steps.size(), s.steps.size());
  for (std::size_t i = 0; i < s.steps.size(); ++i) {
    EXPECT_TRUE(o.steps[i].played) << i;
    if (s.steps[i].expect) {
      EXPECT_EQ(o.steps[i].hr, s.steps[i].expect) << "step " << i + 1;
    }
  }
  EXPECT_EQ(o.servers.at("srv").sessions, 0u);  // Settled: every session ended.
  EXPECT_EQ(o.engines.at("eng").handles, 0u);
}

TEST(compare, a_planted_bug_on_one_side_only_is_a_difference_not_allowed) {
  const auto s = load_scenario_file(DBGSIM_SOURCE_DIR "/scenarios/s04-password-is-checked.yaml");
  run_options bugged;
  bugged.bug = mutant::skip_password;
  const auto d = compare(s, simulate(s, bugged), simulate(s, {}));
  ASSERT_FALSE(d.empty());
  EXPECT_TRUE(std::any_of(d.begin(), d.end(), [](const difference& x) { return !x.allowed; }));
  EXPECT_TRUE(compare(s, simulate(s, {}), simulate(s, {})).empty());
}

}  // namespace
}  // namespace dbgsim::live
