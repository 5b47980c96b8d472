// Client programs live (docs/live.md, "Client programs live"): the same programs, IDebugClient
// and client checker as in a world, on real sockets and the real clock. A program's calls reach
// the server over TCP, its Sleep takes real (scaled) time, and the findings about it (C1…C8) are
// found in the live trace and compared with the simulated run's.
#include "live/compare.hpp"
#include "live/live_player.hpp"
#include "scenario_files/loader.hpp"

#include <dbgsim/dbgeng.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>

namespace {

// What the programs saw, for the tests to read: the runner hands control to one program at a
// time, but the tests' thread reads these after the run, so they are atomics.
std::atomic<std::uint64_t> slept_ticks{0};
std::atomic<std::int64_t> slept_real_us{0};

}  // namespace

// Connects, lists, and leaves without disconnecting: the leaked handle of C1.
DBGSIM_CLIENT_PROGRAM(lv_leaky) {
  ULONG64 h = 0;
  if (FAILED(client->ConnectProcessServer(argv[1], &h)))
    return 1;
  ULONG count = 0;
  client->GetRunningProcessSystemIds(h, nullptr, 0, &count);
  return 0;
}

// The same, and disconnects: the near miss that gives no finding.
DBGSIM_CLIENT_PROGRAM(lv_tidy) {
  ULONG64 h = 0;
  if (FAILED(client->ConnectProcessServer(argv[1], &h)))
    return 1;
  ULONG count = 0;
  client->GetRunningProcessSystemIds(h, nullptr, 0, &count);
  return FAILED(client->DisconnectProcessServer(h)) ? 1 : 0;
}

// Sleeps two simulated seconds and notes how long that took on both clocks.
DBGSIM_CLIENT_PROGRAM(lv_sleeper) {
  const DWORD ticks = GetTickCount();
  const auto real = std::chrono::steady_clock::now();
  Sleep(2000);
  slept_ticks = GetTickCount() - ticks;
  slept_real_us = std::chrono::duration_cast<std::chrono::microseconds>(
                      std::chrono::steady_clock::now() - real)
                      .count();
  return 0;
}

// Never returns: its timeout stops it (C6).
DBGSIM_CLIENT_PROGRAM(lv_forever) {
  for (;;)
    Sleep(500);
}

namespace dbgsim::live {
namespace {

live_options fast() {
  live_options o;
  o.time_scale = 0.1;
  o.deadline = std::chrono::seconds(60);
  return o;
}

std::string world_with(const std::string& program, const std::string& timeout = "20s") {
  return R"(name: a client program live
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
    latency: 20ms
clients:
  - { name: prog, engine: eng, program: )" +
         program + R"(, args: ["tcp:server=srv,port=5005"], timeout: )" + timeout +
         R"(, expect: { findings: [] } }
)";
}

std::vector<finding_kind> kinds(const live_report& r) {
  std::vector<finding_kind> out;
  for (const auto& f : r.findings)
    if (std::find(out.begin(), out.end(), f.kind) == out.end())
      out.push_back(f.kind);
  return out;
}

// C1: a handle still live when its program returns.
TEST(client_programs_live, C1_a_program_that_returns_without_disconnecting_leaks_its_handle_live) {
  const auto s = load_scenario(world_with("lv_leaky"));
  ASSERT_EQ(live_unsupported(s), "");
  const auto r = run_live(s, fast());
  EXPECT_FALSE(r.timed_out) << r.pending;
  EXPECT_EQ(kinds(r), std::vector<finding_kind>{finding_kind::leaked_handle});
  ASSERT_EQ(r.client_failures.size(), 1u);
  EXPECT_EQ(r.client_failures[0].client, "prog");
  EXPECT_FALSE(r.passed());
  // The program's calls went over TCP: the server opened a session for the program's engine,
  // and the engine's call events carry the program's name.
  EXPECT_TRUE(std::any_of(r.events.begin(), r.events.end(), [](const event& e) {
    return e.kind == event_kind::session_open && e.peer == "eng";
  }));
  EXPECT_TRUE(std::any_of(r.events.begin(), r.events.end(), [](const event& e) {
    return e.kind == event_kind::call && e.api == api::call_kind::list_processes && e.program == "prog";
  }));
  // The simulated run finds the same: no difference, and this one is never allowed.
  const auto d = compare(s, r.outcome, simulate(s, {}));
  for (const auto& x : d)
    ADD_FAILURE() << describe(s, x);
}

TEST(client_programs_live, C1_near_miss_the_same_program_disconnecting_gives_no_finding) {
  const auto s = load_scenario(world_with("lv_tidy"));
  const auto r = run_live(s, fast());
  EXPECT_TRUE(kinds(r).empty());
  EXPECT_TRUE(r.passed()) << r.pending;
  EXPECT_TRUE(compare(s, r.outcome, simulate(s, {})).empty());
}

TEST(client_programs_live, a_difference_in_findings_is_never_allowed) {
  // The live run finds C1 for the leaky program; its simulated counterpart, the tidy program,
  // finds nothing: the comparison of the two must say so, and not allow it.
  const auto leaky = load_scenario(world_with("lv_leaky"));
  const auto live = run_live(leaky, fast());
  const auto simulated = simulate(load_scenario(world_with("lv_tidy")), {});
  const auto d = compare(leaky, live.outcome, simulated);
  ASSERT_TRUE(std::any_of(d.begin(), d.end(), [](const difference& x) {
    return x.subject == "client prog findings" && !x.allowed;
  })) << d.size() << " difference(s)";
}

TEST(client_programs_live, sleep_takes_the_scaled_real_time_and_the_tick_count_speaks_simulated_ms) {
  slept_ticks = 0;
  slept_real_us = 0;
  const auto r = run_live(load_scenario(world_with("lv_sleeper")), fast());
  EXPECT_TRUE(r.passed()) << r.pending;
  EXPECT_GE(slept_ticks.load(), 2000u);
  EXPECT_LT(slept_ticks.load(), 4000u);
  // 2 simulated seconds at time scale 0.1: at least 200 ms of real time (timers never fire early).
  EXPECT_GE(slept_real_us.load(), 200'000);
}

// C6: a program still running at its timeout is stopped, and the run ends.
TEST(client_programs_live, C6_a_program_that_never_returns_is_stopped_at_its_timeout) {
  const auto s = load_scenario(world_with("lv_forever", "3s"));
  const auto r = run_live(s, fast());
  EXPECT_FALSE(r.timed_out) << r.pending;
  EXPECT_EQ(kinds(r), std::vector<finding_kind>{finding_kind::hung_program});
  EXPECT_TRUE(std::any_of(r.events.begin(), r.events.end(), [](const event& e) {
    return e.kind == event_kind::program_ended && e.reason == reason_kind::hung;
  }));
}

}  // namespace
}  // namespace dbgsim::live
