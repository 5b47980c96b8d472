// Scenarios played live on loopback: the live player's judgement and its comparison with the
// simulated run, including a run where the two must disagree.
#include "live/compare.hpp"
#include "live/live_player.hpp"
#include "scenario_files/loader.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace dbgsim::live {
namespace {

live_options fast() {
  live_options o;
  o.time_scale = 0.1;
  o.deadline = std::chrono::seconds(60);
  return o;
}

const char* const attach_and_reset = R"(name: attach, list, reset
machines:
  - name: srv
    processes:
      - { pid: 4242, exe: notepad.exe }
servers:
  - name: srv
    listen: "tcp:port=5005"
engines:
  - name: eng
links:
  - between: [eng, srv]
    latency: 10ms
steps:
  - at: 0ms
    connect: { engine: eng, options: "tcp:server=srv,port=5005", as: h }
    expect: S_OK
  - at: 1s
    list_processes: { engine: eng, handle: h, pids: [4242] }
    expect: S_OK
  - at: 2s
    attach: { engine: eng, handle: h, pid: 4242 }
    expect: S_OK
  - at: 3s
    check: { server: srv, sessions: 1, attached: 1 }
  - at: 4s
    reset: { between: [eng, srv] }
  - at: 5s
    check: { server: srv, sessions: 0 }
  - at: 5s
    list_processes: { engine: eng, handle: h }
    expect: RPC_E_DISCONNECTED
  - at: 6s
    disconnect: { engine: eng, handle: h }
    expect: S_OK
)";

TEST(live_run, a_scenario_passes_live_and_agrees_with_the_simulated_run) {
  const auto s = load_scenario(attach_and_reset);
  ASSERT_EQ(live_unsupported(s), "");
  const auto r = run_live(s, fast());
  EXPECT_FALSE(r.timed_out) << r.pending;
  for (const auto& v : r.violations)
    ADD_FAILURE() << v.rule << ": " << v.message;
  for (std::size_t i = 0; i < r.outcome.steps.size(); ++i)
    for (const auto& f : r.outcome.steps[i].failures)
      ADD_FAILURE() << "step " << i + 1 << ": " << f;
  EXPECT_TRUE(r.passed());
  const auto d = compare(s, r.outcome, simulate(s, {}));
  for (const auto& x : d)
    ADD_FAILURE() << describe(s, x);
  EXPECT_TRUE(std::any_of(r.events.begin(), r.events.end(),
                          [](const event& e) { return e.kind == event_kind::session_open && e.peer == "eng"; }))
      << "server events name the engine, not the proxy's address";
}

TEST(live_run, a_wrong_expectation_fails_live_as_it_fails_simulated) {
  std::string text = attach_and_reset;
  const auto at = text.find("expect: RPC_E_DISCONNECTED");
  text.replace(at, std::string("expect: RPC_E_DISCONNECTED").size(), "expect: S_OK");
  const auto s = load_scenario(text);
  const auto r = run_live(s, fast());
  EXPECT_FALSE(r.passed());
  ASSERT_FALSE(r.outcome.steps[6].failures.empty());
  EXPECT_EQ(r.outcome.steps[6].failures[0], "expected S_OK, got RPC_E_DISCONNECTED");
}

TEST(live_run, a_planted_bug_on_the_simulated_side_only_is_a_difference_not_allowed) {
  const auto s = load_scenario(attach_and_reset);
  const auto r = run_live(s, fast());
  run_options bugged;
  bugged.bug = mutant::reset_keeps_session;
  const auto d = compare(s, r.outcome, simulate(s, bugged));
  EXPECT_TRUE(std::any_of(d.begin(), d.end(), [](const difference& x) { return !x.allowed; }));
}

TEST(live_run, what_live_mode_cannot_carry_is_refused_with_the_reason) {
  const auto s = load_scenario_file(DBGSIM_SOURCE_DIR "/scenarios/s16-reverse-connection-serves-one-client.yaml");
  EXPECT_NE(live_unsupported(s).find("tcp only"), std::string::npos);
  EXPECT_EQ(live_unsupported(load_scenario(attach_and_reset)), "");
}

TEST(live_run, the_deadline_bounds_a_run_and_says_what_was_pending) {
  const auto s = load_scenario(attach_and_reset);
  live_options o;
  o.time_scale = 1.0;  // 6 s of steps in real time...
  o.deadline = std::chrono::seconds(1);  // ... stopped after one.
  const auto r = run_live(s, o);
  EXPECT_TRUE(r.timed_out);
  EXPECT_FALSE(r.passed());
  EXPECT_NE(r.pending.find("not yet issued"), std::string::npos) << r.pending;
  EXPECT_LT(r.real_seconds, 3.0);
}

}  // namespace
}  // namespace dbgsim::live
