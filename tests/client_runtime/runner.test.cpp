// How programs run (docs/clients.md, "How programs run"): each blocks in its calls until they
// complete in simulated time, Sleep advances only the program that sleeps, one program or the
// world runs at a time, ties between programs are drawn from the seed, and a program that does
// not return by its timeout is stopped and unwinds. Same scenario + seed + programs: the same
// trace, byte for byte.
#include "client_runtime/program_runner.hpp"
#include "tests/client_runtime/fixture.hpp"
#include "world/world.hpp"

#include <dbgsim/dbgeng.h>

#include <gtest/gtest.h>

#include <set>
#include <stdexcept>
#include <string>
#include <thread>

using dbgsim::test::program_log;

namespace {

void log(const std::string& line) { program_log().push_back(line); }

std::string arg(int argc, const char* const* argv, int i, const char* fallback = "") {
  return i < argc ? argv[i] : fallback;
}

}  // namespace

// Connects, notes the simulated time before and after, and disconnects.
DBGSIM_CLIENT_PROGRAM(rt_timed_connect) {
  const DWORD before = GetTickCount();
  ULONG64 h = 0;
  const HRESULT hr = client->ConnectProcessServer(arg(argc, argv, 1, "tcp:server=srv,port=5005").c_str(), &h);
  log(std::string(argv[0]) + " connect " + (SUCCEEDED(hr) ? "ok" : "failed") + " after " +
      std::to_string(GetTickCount() - before) + "ms");
  if (SUCCEEDED(hr))
    client->DisconnectProcessServer(h);
  return 0;
}

// Sleeps argv[1] ms twice and notes the time after each.
DBGSIM_CLIENT_PROGRAM(rt_sleeper) {
  const auto ms = static_cast<DWORD>(std::stoul(arg(argc, argv, 1, "100")));
  for (int i = 0; i < 2; ++i) {
    Sleep(ms);
    log(arg(argc, argv, 2, "sleeper") + " woke at " + std::to_string(GetTickCount()));
  }
  return 0;
}

// Lists local processes (handle 0: answered in the instant) and notes its name: the order in
// which programs due at one instant ran.
DBGSIM_CLIENT_PROGRAM(rt_first) {
  ULONG n = 0;
  client->GetRunningProcessSystemIds(0, nullptr, 0, &n);
  log(arg(argc, argv, 1));
  return 0;
}

namespace {
HRESULT guard_result = S_OK;
}

// Connects, then sleeps for ever; an RAII guard disconnects as it unwinds.
DBGSIM_CLIENT_PROGRAM(rt_forever) {
  ULONG64 h = 0;
  if (FAILED(client->ConnectProcessServer("tcp:server=srv,port=5005", &h)))
    return 1;
  struct guard {
    IDebugClient* c;
    ULONG64 h;
    ~guard() { guard_result = c->DisconnectProcessServer(h); }
  } g{client, h};
  for (;;)
    Sleep(1000);
}

// Swallows whatever stops it, and returns 0 as if all went well.
DBGSIM_CLIENT_PROGRAM(rt_swallows) {
  try {
    for (;;)
      Sleep(1000);
  } catch (...) {
  }
  return 0;
}

DBGSIM_CLIENT_PROGRAM(rt_throws) {
  Sleep(10);
  throw std::runtime_error("the front end gave up");
}

DBGSIM_CLIENT_PROGRAM(rt_returns_3) {
  Sleep(10);
  return 3;
}

DBGSIM_CLIENT_PROGRAM(rt_spins) {
  for (;;)
    Sleep(0);
}

// Calls from a thread of its own: dbgeng's clients belong to the thread that made them.
DBGSIM_CLIENT_PROGRAM(rt_other_thread) {
  HRESULT hr = S_OK;
  std::thread t([&] {
    ULONG n = 0;
    hr = client->GetRunningProcessSystemIds(0, nullptr, 0, &n);
  });
  t.join();
  log("other thread " + std::to_string(hr == E_UNEXPECTED));
  return 0;
}

namespace dbgsim {
namespace {

using namespace test;

std::string client_yaml(const std::string& entries) { return world_yaml("clients:\n" + entries); }

TEST(ClientRuntime, ACallBlocksUntilItCompletesInSimulatedTime) {
  // 20 ms each way: the connect's request and its accept take 40 ms of simulated time.
  auto r = run_yaml(client_yaml("  - { name: a, engine: eng, program: rt_timed_connect }\n"));
  ASSERT_TRUE(r.passed()) << r.signature();
  ASSERT_EQ(program_log(), std::vector<std::string>{"rt_timed_connect connect ok after 40ms"});
  // The call and its completion are in the trace with the program's name.
  auto calls = of_kind(r, event_kind::call);
  ASSERT_FALSE(calls.empty());
  EXPECT_EQ(calls.front().program, "a");
  EXPECT_EQ(of_kind(r, event_kind::done).front().program, "a");
}

TEST(ClientRuntime, SleepAdvancesOnlyTheProgramThatSleeps) {
  auto r = run_yaml(client_yaml(
      "  - { name: slow, engine: eng, program: rt_sleeper, args: ['300', slow] }\n"
      "  - { name: fast, engine: eng, program: rt_sleeper, args: ['100', fast], start: 50ms }\n"));
  ASSERT_TRUE(r.passed()) << r.signature();
  EXPECT_EQ(program_log(), (std::vector<std::string>{"fast woke at 150", "fast woke at 250",
                                                     "slow woke at 300", "slow woke at 600"}));
}

TEST(ClientRuntime, ProgramsStartAndEndInTheTrace) {
  auto r = run_yaml(client_yaml("  - { name: a, engine: eng2, program: rt_returns_3, expect: { findings: [program-failed] } }\n"));
  ASSERT_TRUE(r.passed()) << r.signature();
  auto started = of_kind(r, event_kind::program_started);
  auto ended = of_kind(r, event_kind::program_ended);
  ASSERT_EQ(started.size(), 1u);
  ASSERT_EQ(ended.size(), 1u);
  EXPECT_EQ(started[0].actor, "eng2");
  EXPECT_EQ(started[0].detail, "rt_returns_3");
  EXPECT_EQ(ended[0].value, 3u);
  EXPECT_EQ(ended[0].reason, reason_kind::returned);
  EXPECT_EQ(ended[0].t, std::chrono::milliseconds(10));
}

TEST(ClientRuntime, TiesBetweenProgramsAreDrawnFromTheSeed) {
  // Three programs due at one instant: the order is the seed's, so some seeds differ, and each
  // seed gives its order again.
  const std::string entries =
      "  - { name: a, engine: eng, program: rt_first, args: [a] }\n"
      "  - { name: b, engine: eng, program: rt_first, args: [b] }\n"
      "  - { name: c, engine: eng2, program: rt_first, args: [c] }\n";
  std::set<std::vector<std::string>> orders;
  for (std::uint64_t seed = 1; seed <= 12; ++seed) {
    run_yaml(world_yaml("clients:\n" + entries, seed));
    const auto first = program_log();
    run_yaml(world_yaml("clients:\n" + entries, seed));
    EXPECT_EQ(program_log(), first) << "seed " << seed;
    orders.insert(first);
  }
  EXPECT_GE(orders.size(), 3u);
}

TEST(ClientRuntime, SameSeedSameTraceWithSeveralProgramsOnSeveralEngines) {
  // Programs on both engines, link noise and faults drawing from the world's random source.
  const std::string text = world_yaml(R"(defaults: { rpc_timeout: 2s, connect_timeout: 3s }
clients:
  - { name: a, engine: eng, program: rt_timed_connect }
  - { name: b, engine: eng, program: rt_sleeper, args: ['70', b] }
  - { name: c, engine: eng2, program: rt_timed_connect, start: 30ms }
  - { name: d, engine: eng2, program: rt_first, args: [d], start: 30ms }
steps:
  - at: 10ms
    set_link: { between: [eng, srv], latency: 15ms, jitter: 10ms, loss: 0.2, duplicate: 0.2 }
  - at: 35ms
    reset: { between: [eng2, srv] }
)", 7);
  const auto one = to_json_lines(run_yaml(text).events);
  const auto two = to_json_lines(run_yaml(text).events);
  EXPECT_EQ(one, two);
  // A different seed changes the draws, and with them the trace.
  auto other = text;
  other.replace(other.find("seed: 7"), 7, "seed: 8");
  EXPECT_NE(to_json_lines(run_yaml(other).events), one);
}

TEST(ClientRuntime, AProgramNotReturnedByItsTimeoutIsStoppedAndUnwinds) {
  guard_result = S_OK;
  auto r = run_yaml(client_yaml(
      "  - { name: a, engine: eng, program: rt_forever, timeout: 5s, expect: { findings: [hung-program] } }\n"));
  ASSERT_TRUE(r.passed()) << r.signature();
  auto ended = of_kind(r, event_kind::program_ended);
  ASSERT_EQ(ended.size(), 1u);
  EXPECT_EQ(ended[0].reason, reason_kind::hung);
  EXPECT_EQ(ended[0].t, std::chrono::seconds(5));
  // The guard's disconnect ran while it unwound, and failed as calls of a stopped program do.
  EXPECT_EQ(guard_result, E_ABORT);
}

TEST(ClientRuntime, AStoppedProgramThatSwallowsTheStopStillEndsOnceAsHung) {
  auto r = run_yaml(client_yaml(
      "  - { name: a, engine: eng, program: rt_swallows, timeout: 3s, expect: { findings: [hung-program] } }\n"));
  ASSERT_TRUE(r.passed()) << r.signature();
  auto ended = of_kind(r, event_kind::program_ended);
  ASSERT_EQ(ended.size(), 1u);
  EXPECT_EQ(ended[0].reason, reason_kind::hung);
}

TEST(ClientRuntime, AnExceptionThatEscapesEndsTheProgram) {
  auto r = run_yaml(client_yaml(
      "  - { name: a, engine: eng, program: rt_throws, expect: { findings: [program-failed] } }\n"));
  ASSERT_TRUE(r.passed()) << r.signature();
  auto ended = of_kind(r, event_kind::program_ended);
  ASSERT_EQ(ended.size(), 1u);
  EXPECT_EQ(ended[0].reason, reason_kind::threw);
  EXPECT_EQ(ended[0].detail, "the front end gave up");
}

TEST(ClientRuntime, FindingsNotAsDeclaredFailTheScenario) {
  // Declared none, found program-failed: a client failure, grouped by the finding.
  auto r = run_yaml(client_yaml("  - { name: a, engine: eng, program: rt_returns_3 }\n"));
  ASSERT_FALSE(r.passed());
  ASSERT_EQ(r.client_failures.size(), 1u);
  EXPECT_EQ(r.client_failures[0].client, "a");
  EXPECT_EQ(r.signature(), "C7 program-failed");
  // Declared one that did not come: also a failure, signed "missing".
  auto missing = run_yaml(client_yaml(
      "  - { name: a, engine: eng, program: rt_timed_connect, expect: { findings: [leaked-handle] } }\n"));
  ASSERT_FALSE(missing.passed());
  EXPECT_EQ(missing.signature(), "missing C1 leaked-handle");
}

TEST(ClientRuntime, SpinningOnSleepZeroUsesUpTheRunBudget) {
  // Each turn of a program due again in its own instant is a step: a spin stops, never hangs.
  run_options o;
  o.max_steps = 10'000;
  EXPECT_THROW(run_yaml(client_yaml("  - { name: a, engine: eng, program: rt_spins }\n"), o),
               run_budget_exceeded);
}

TEST(ClientRuntime, CallsFromAnotherThreadGiveEUnexpected) {
  auto r = run_yaml(client_yaml("  - { name: a, engine: eng, program: rt_other_thread }\n"));
  ASSERT_TRUE(r.passed()) << r.signature();
  EXPECT_EQ(program_log(), std::vector<std::string>{"other thread 1"});
}

TEST(ClientRuntime, ARunnerLeftWithProgramsRunningStopsThem) {
  // A world torn down mid-run (a property case, a fuzz input): the runner stops its programs.
  guard_result = S_OK;
  const auto s = load_scenario(
      client_yaml("  - { name: a, engine: eng, program: rt_forever }\n"), "test.yaml");
  {
    player p(s, run_options{});
    p.w().run_for(std::chrono::seconds(2));
  }
  EXPECT_EQ(guard_result, E_ABORT);
}

}  // namespace
}  // namespace dbgsim
