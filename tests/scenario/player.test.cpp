// The scenario player: steps issued at their times, results judged on completion, names bound
// by `as`, checks, faults, signatures, and determinism of whole runs.
#include "scenario/scenario.hpp"
#include "world/world.hpp"
#include "scenario/player.hpp"
#include "scenario_files/loader.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <set>
#include <sstream>

namespace dbgsim {
namespace {

using namespace std::chrono_literals;
using protocol::hresult;

const std::string options = "tcp:server=srv,port=5005,password=s3cret";

/// Engines `eng` and `eng2`, a server `srv` with a password, notepad (4242) and calc (4343).
scenario base() {
  scenario s;
  s.name = "player test";
  s.topo.machines.push_back(
      {"srv", {{4242, "notepad.exe", "Notepad", {}}, {4343, "calc.exe", "Calc", {}}}});
  s.topo.servers.push_back({"srv", "", "tcp:port=5005,password=s3cret", 0ms});
  s.topo.engines.push_back({"eng", "", disconnect_mode::async, false});
  s.topo.engines.push_back({"eng2", "", disconnect_mode::async, false});
  return s;
}

void add(scenario& s, sim_time at, step_action a, std::optional<hresult> expect = {}) {
  step st;
  st.at = at;
  st.what = std::move(a);
  st.expect = expect;
  st.pos.line = static_cast<int>(s.steps.size()) + 10;
  s.steps.push_back(std::move(st));
}

handle_ref named(const std::string& n) { return handle_ref{n, 0}; }

std::string describe(const run_report& r) {
  std::ostringstream out;
  for (const auto& f : r.failures)
    out << "step " << f.step + 1 << " (" << f.action << ") at " << f.t.count()
        << "us: expected " << f.expected << ", got " << f.got << "\n";
  for (const auto& v : r.violations)
    out << v.rule << ": " << v.message << "\n";
  return out.str();
}

// S6: connect, disconnect, a second disconnect of the dead handle; everything as expected.
TEST(Player, S6_ConnectDisconnectTwicePasses) {
  auto s = base();
  add(s, 0ms, action::connect{"eng", options, "h1"}, protocol::S_OK);
  add(s, 100ms, action::disconnect{"eng", named("h1")}, protocol::S_OK);
  add(s, 160ms, action::disconnect{"eng", named("h1")}, protocol::E_INVALIDARG);
  add(s, 1s, action::check{"srv", "", "", 0u, 0u, true, {}, {}, {}, {}, {}});
  auto r = run_scenario(s);
  EXPECT_TRUE(r.passed()) << describe(r);
  EXPECT_EQ(r.seed, 1u);
  EXPECT_GT(r.end, 1s);
  EXPECT_FALSE(r.events.empty());
  EXPECT_EQ(r.signature(), "");
}

TEST(Player, ExpectIsJudgedOnCompletionWithHresultNames) {
  auto s = base();
  add(s, 0ms, action::connect{"eng", "tcp:server=srv,port=5005,password=wrong", "h1"},
      protocol::S_OK);
  auto r = run_scenario(s);
  ASSERT_EQ(r.failures.size(), 1u) << describe(r);
  EXPECT_EQ(r.failures[0].step, 0u);
  EXPECT_EQ(r.failures[0].expected, "S_OK");
  EXPECT_EQ(r.failures[0].got, "E_FAIL");  // S4: a wrong password.
  EXPECT_EQ(r.failures[0].action, "connect");
  EXPECT_EQ(r.failures[0].pos.line, 10);
  EXPECT_EQ(r.signature(), "step 1: connect");
}

// S4: a handle whose connect failed is not bound; the step using it fails and is skipped.
TEST(Player, S4_HandleOfAFailedConnectIsNotBound) {
  auto s = base();
  add(s, 0ms, action::connect{"eng", "tcp:server=srv,port=5005,password=wrong", "h1"},
      protocol::E_FAIL);
  add(s, 1s, action::disconnect{"eng", named("h1")}, protocol::S_OK);
  auto r = run_scenario(s);
  ASSERT_EQ(r.failures.size(), 1u) << describe(r);
  EXPECT_EQ(r.failures[0].step, 1u);
  EXPECT_EQ(r.failures[0].got, "h1 is not bound: its connect gave E_FAIL");
  EXPECT_EQ(r.signature(), "step 2: disconnect");
  EXPECT_TRUE(r.violations.empty());
}

TEST(Player, HandleOfAConnectStillInFlightIsNotBound) {
  auto s = base();
  link_params slow;
  slow.latency = 200ms;
  s.topo.links.push_back({"eng", "srv", slow, slow});
  add(s, 0ms, action::connect{"eng", options, "h1"}, protocol::S_OK);
  add(s, 100ms, action::disconnect{"eng", named("h1")});
  add(s, 1s, action::disconnect{"eng", named("h1")}, protocol::S_OK);
  auto r = run_scenario(s);
  ASSERT_EQ(r.failures.size(), 1u) << describe(r);
  EXPECT_EQ(r.failures[0].step, 1u);
  EXPECT_NE(r.failures[0].got.find("has not completed"), std::string::npos) << r.failures[0].got;
}

// S5: a handle name bound by another engine is a foreign handle.
TEST(Player, S5_AnotherEnginesHandleIsInvalidArg) {
  auto s = base();
  add(s, 0ms, action::connect{"eng", options, "h1"}, protocol::S_OK);
  add(s, 0ms, action::connect{"eng2", options, "h2"}, protocol::S_OK);
  add(s, 1s, action::disconnect{"eng2", named("h1")}, protocol::E_INVALIDARG);
  add(s, 1s, action::check{"srv", "", "", 2u, {}, {}, {}, {}, {}, {}, {}});
  add(s, 2s, action::disconnect{"eng", named("h1")}, protocol::S_OK);
  add(s, 2s, action::disconnect{"eng2", named("h2")}, protocol::S_OK);
  auto r = run_scenario(s);
  EXPECT_TRUE(r.passed()) << describe(r);
}

// S17: the listing's pids are compared in any order; a wrong list is a failure.
TEST(Player, S17_ListedPidsIgnoreOrder) {
  auto s = base();
  add(s, 0ms, action::connect{"eng", options, "h1"});
  add(s, 1s, action::list_processes{"eng", named("h1"), std::vector<std::uint32_t>{4343, 4242}, 64},
      protocol::S_OK);
  add(s, 1s, action::list_processes{"eng", named("h1"), std::vector<std::uint32_t>{4242}, 1},
      protocol::S_FALSE);
  add(s, 1s, action::list_processes{"eng", named("h1"), std::vector<std::uint32_t>{4242, 9}, 64});
  auto r = run_scenario(s);
  ASSERT_EQ(r.failures.size(), 1u) << describe(r);
  EXPECT_EQ(r.failures[0].step, 3u);
  EXPECT_EQ(r.failures[0].expected, "pids: [9, 4242]");
  EXPECT_EQ(r.failures[0].got, "pids: [4242, 4343] (S_OK)");
}

// S20/S21: find and create bind pids; attach holds the session; checks see it.
TEST(Player, S20_FindAttachCreateAndChecks) {
  auto s = base();
  add(s, 0ms, action::connect{"eng", options, "h1"}, protocol::S_OK);
  add(s, 1s, action::find_process{"eng", named("h1"), "notepad.exe", true, "np"}, protocol::S_OK);
  add(s, 2s, action::attach{"eng", named("h1"), pid_ref{"np", 0}}, protocol::S_OK);
  add(s, 2s, action::create_process{"eng", named("h1"), "cmd.exe /c", "cmd"}, protocol::S_OK);
  add(s, 3s, action::disconnect{"eng", named("h1")}, protocol::S_OK);
  action::check engine_check;
  engine_check.engine = "eng";
  engine_check.handle = named("h1");
  engine_check.live = false;
  engine_check.handles = 0;
  engine_check.targets = 2;
  add(s, 4s, engine_check);
  add(s, 4s, action::check{"srv", "", "", 1u, 2u, true, {}, {}, {}, {}, {}});
  add(s, 5s, action::detach{"eng", pid_ref{"np", 0}}, protocol::S_OK);
  add(s, 5s, action::terminate{"eng", pid_ref{"cmd", 0}}, protocol::S_OK);
  add(s, 7s, action::check{"srv", "", "", 0u, 0u, {}, {}, {}, {}, {}, {}});
  action::check machine_check;
  machine_check.machine = "srv";
  machine_check.pids = std::vector<std::uint32_t>{4343, 4242};
  add(s, 7s, machine_check);
  auto r = run_scenario(s);
  EXPECT_TRUE(r.passed()) << describe(r);
}

TEST(Player, FailedChecksSayWhatWasExpectedAndWhatWasFound) {
  auto s = base();
  add(s, 0ms, action::connect{"eng", options, "h1"}, protocol::S_OK);
  add(s, 1s, action::check{"srv", "", "", 0u, {}, false, {}, {}, {}, {}, {}});
  action::check machine_check;
  machine_check.machine = "srv";
  machine_check.pids = std::vector<std::uint32_t>{4242};
  add(s, 1s, machine_check);
  auto r = run_scenario(s);
  ASSERT_EQ(r.failures.size(), 3u) << describe(r);
  EXPECT_EQ(r.failures[0].expected, "sessions: 0");
  EXPECT_EQ(r.failures[0].got, "sessions: 1");
  EXPECT_EQ(r.failures[1].expected, "running: false");
  EXPECT_EQ(r.failures[1].got, "running: true (listening)");
  EXPECT_EQ(r.failures[2].got, "pids: [4242, 4343]");
  EXPECT_EQ(r.failures[0].t, 1s);
  EXPECT_EQ(r.signature(), "step 2: check");
}

// S6 under a planted bug: the oracle's rule is the signature.
TEST(Player, S6_ReleaseOnAckIsCaughtAndSignedByItsRule) {
  auto s = base();
  add(s, 0ms, action::connect{"eng", options, "h1"}, protocol::S_OK);
  add(s, 1s, action::partition{{"eng", "srv", true}});
  add(s, 1s, action::disconnect{"eng", named("h1")}, protocol::S_OK);
  add(s, 2s, action::heal{{"eng", "srv", true}});
  auto good = run_scenario(s);
  EXPECT_TRUE(good.passed()) << describe(good);
  run_options o;
  o.bug = mutant::release_on_ack;
  auto bad = run_scenario(s, o);
  EXPECT_FALSE(bad.passed());
  EXPECT_EQ(bad.signature(), "S6") << describe(bad);
}

// S10, S19: faults reach the world by the names of engines and servers.
TEST(Player, S19_ResetCrashAndRestart) {
  auto s = base();
  add(s, 0ms, action::connect{"eng", options, "h1"}, protocol::S_OK);
  add(s, 1s, action::reset{"eng", "srv"});
  add(s, 1s, action::list_processes{"eng", named("h1"), {}, 64}, protocol::RPC_E_DISCONNECTED);
  add(s, 1s, action::check{"srv", "", "", 0u, {}, {}, {}, {}, {}, {}, {}});
  add(s, 2s, action::connect{"eng", options, "h2"}, protocol::S_OK);
  add(s, 3s, action::crash_server{"srv"});
  add(s, 3s, action::check{"srv", "", "", {}, {}, false, {}, {}, {}, {}, {}});
  add(s, 4s, action::restart_server{"srv"});
  add(s, 4s, action::list_processes{"eng", named("h2"), {}, 64}, protocol::RPC_E_DISCONNECTED);
  add(s, 5s, action::disconnect{"eng", named("h1")}, protocol::S_OK);
  add(s, 5s, action::disconnect{"eng", named("h2")}, protocol::S_OK);
  auto r = run_scenario(s);
  EXPECT_TRUE(r.passed()) << describe(r);
}

TEST(Player, StepsAreIssuedInOrderOfAtAndFileOrderAmongEquals) {
  auto s = base();
  // In file order the disconnect comes first, but it is due later.
  add(s, 1s, action::disconnect{"eng", named("h1")}, protocol::S_OK);
  add(s, 0ms, action::connect{"eng", options, "h1"}, protocol::S_OK);
  add(s, 1s, action::disconnect{"eng", named("h1")}, protocol::E_INVALIDARG);
  auto r = run_scenario(s);
  EXPECT_TRUE(r.passed()) << describe(r);
}

TEST(Player, StepsAppendedWhilePlayingAreRun) {
  auto s = base();
  add(s, 0ms, action::connect{"eng", options, "h1"}, protocol::S_OK);
  player p(s, {});
  p.play(0);
  EXPECT_EQ(p.w().now(), 0ms);
  add(s, 500ms, action::disconnect{"eng", named("h1")}, protocol::S_OK);
  p.play(1);
  EXPECT_EQ(p.w().now(), 500ms);
  add(s, 600ms, action::disconnect{"eng", named("h1")}, protocol::S_OK);  // Wrong on purpose.
  p.finish();
  auto r = p.report();
  ASSERT_EQ(r.failures.size(), 1u) << describe(r);
  EXPECT_EQ(r.failures[0].step, 2u);
  EXPECT_EQ(r.failures[0].got, "E_INVALIDARG");  // S5: already disconnected.
}

// S15: a player dropped with calls in flight shuts its world down without judging anything more.
TEST(Player, S15_DroppedWithCallsInFlight) {
  auto s = base();
  link_params slow;
  slow.latency = 1s;
  s.topo.links.push_back({"eng", "srv", slow, slow});
  add(s, 0ms, action::connect{"eng", options, "h1"}, protocol::S_OK);
  add(s, 0ms, action::connect{"eng2", options, "h2"}, protocol::S_OK);
  auto p = std::make_unique<player>(s, run_options{});
  p->play(0);
  p->play(1);
  EXPECT_EQ(p->w().calls_in_flight(), 2u);  // No time has passed: both connects are in flight.
  std::size_t issued = 0, done = 0;
  for (const auto& e : p->w().events()) {
    issued += e.kind == event_kind::call ? 1 : 0;
    done += e.kind == event_kind::done ? 1 : 0;
  }
  EXPECT_EQ(issued, 2u);
  EXPECT_EQ(done, 0u) << "nothing completed yet, so nothing can have been judged";
  const auto before = p->report();
  EXPECT_TRUE(before.failures.empty());
  EXPECT_TRUE(before.violations.empty()) << "S15 is judged at the end, not while calls run";
  p.reset();  // Shuts the world down with both calls in flight: no crash, no hang (ASan: no leak).
  // The same scenario played to the end completes both connects within their bound (S15) and
  // passes: the dropped run left nothing behind that a later world shares.
  auto again = run_scenario(s);
  EXPECT_TRUE(again.passed()) << describe(again);
  std::size_t done_again = 0;
  for (const auto& e : again.events)
    done_again += e.kind == event_kind::done ? 1 : 0;
  EXPECT_EQ(done_again, 2u) << "S15: both connects complete";
}

TEST(Player, FinishWaitsForCallsInFlightEvenWithoutSettling) {
  auto s = base();
  link_params slow;
  slow.latency = 40s;  // Longer than the connect timeout: the connect times out (S3).
  s.topo.links.push_back({"eng", "srv", slow, slow});
  add(s, 0ms, action::connect{"eng", options, "h1"}, protocol::ERROR_SEM_TIMEOUT);
  run_options o;
  o.settle = false;
  auto r = run_scenario(s, o);
  EXPECT_TRUE(r.failures.empty()) << describe(r);
  EXPECT_EQ(r.end, 30s);
}

TEST(Player, SeedOptionOverridesTheScenarioSeed) {
  auto s = base();
  s.seed = 7;
  EXPECT_EQ(run_scenario(s).seed, 7u);
  run_options o;
  o.seed = 9;
  EXPECT_EQ(run_scenario(s, o).seed, 9u);
  o.keep_trace = false;
  EXPECT_TRUE(run_scenario(s, o).events.empty());
}

// Determinism: a lossy, jittery run gives a byte-identical trace twice, and another seed differs.
TEST(Player, SameScenarioAndSeedGiveAByteIdenticalTrace) {
  auto s = base();
  link_params lossy;
  lossy.latency = 20ms;
  lossy.jitter = 15ms;
  lossy.loss = 0.2;
  lossy.duplicate = 0.2;
  s.topo.links.push_back({"eng", "srv", lossy, lossy});
  add(s, 0ms, action::connect{"eng", options, "h1"});
  add(s, 2s, action::list_processes{"eng", named("h1"), {}, 64});
  add(s, 3s, action::disconnect{"eng", named("h1")});
  run_options o;
  o.seed = 42;
  const auto a = to_json_lines(run_scenario(s, o).events);
  const auto b = to_json_lines(run_scenario(s, o).events);
  EXPECT_EQ(a, b);
  o.seed = 43;
  EXPECT_NE(a, to_json_lines(run_scenario(s, o).events));
}

std::string library(const std::string& file) {
  return std::string(DBGSIM_SOURCE_DIR) + "/scenarios/" + file;
}

// Determinism: a library scenario with jitter, played twice from its file, gives byte-identical
// traces (the same JSON lines `dbgsim run --trace` writes).
TEST(PlayerDeterminism, LibraryScenarioTwiceGivesAByteIdenticalTrace) {
  const auto s = load_scenario_file(library("s06-disconnect-during-partition.yaml"));
  const auto a = run_scenario(s);
  const auto b = run_scenario(s);
  EXPECT_TRUE(a.passed()) << describe(a);
  ASSERT_GT(a.events.size(), 50u);
  EXPECT_EQ(to_json_lines(a.events), to_json_lines(b.events));
  EXPECT_EQ(a.end, b.end);
}

// The same under loss, duplication and jitter, over several seeds, with the world's own writer.
TEST(PlayerDeterminism, S15_LossyLibraryScenarioIsDeterministicPerSeed) {
  const auto s = load_scenario_file(library("s15-every-call-completes-under-loss.yaml"));
  std::set<std::string> distinct;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    run_options o;
    o.seed = seed;
    player p1(s, o), p2(s, o);
    p1.finish();
    p2.finish();
    std::ostringstream t1, t2;
    p1.w().write_trace(t1);
    p2.w().write_trace(t2);
    ASSERT_EQ(t1.str(), t2.str()) << "seed " << seed;
    distinct.insert(t1.str());
  }
  EXPECT_GT(distinct.size(), 10u);  // The seed does drive loss and jitter.
}

}  // namespace
}  // namespace dbgsim
