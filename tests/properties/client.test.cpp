// The client property (props/client_property.hpp) on a program planted in this binary: it must
// find the program's one mistake, a handle leaked only when a reset (or a half-open connection
// whose engine end is gone: the same RPC_S_CALL_FAILED) hits it, shrink it to a small schedule,
// and write a scenario that replays failing on that finding alone. Its near miss, the same
// program with the mistake fixed, passes. Also: any client world writes a scenario that loads
// back unchanged.
#include "check.hpp"

#include "props/client_property.hpp"
#include "scenario/player.hpp"
#include "scenario_files/loader.hpp"
#include "scenario_files/writer.hpp"

#include <dbgsim/dbgeng.h>

#include <algorithm>
#include <random>
#include <sstream>
#include <string>

// planted_reset_leak: lists the server's processes every 500 ms for 6 s; a session that ends
// under it is disconnected and replaced by a fresh connect. The mistake: its clean-up disconnects
// the handle only if it is still the one it first obtained, or one it got back after an
// RPC_E_DISCONNECTED; after RPC_S_CALL_FAILED (a reset) it forgets to update that record, so the
// replacement leaks (C1). With the arg `fixed` it updates it on both.
// args: OPTIONS [fixed]
DBGSIM_CLIENT_PROGRAM(planted_reset_leak) {
  if (argc < 2)
    return 2;
  const char* options = argv[1];
  const bool fixed = argc > 2 && std::string(argv[2]) == "fixed";
  auto connect = [&]() -> ULONG64 {
    for (int attempt = 0; attempt < 3; ++attempt) {
      if (attempt > 0)
        Sleep(1000);
      ULONG64 h = 0;
      if (client->ConnectProcessServer(options, &h) == S_OK && h != 0)
        return h;
    }
    return 0;
  };
  ULONG64 h = connect();
  if (h == 0)
    return 0;  // Unreachable: nothing held, nothing to clean.
  ULONG64 cleaned = h;  // The handle the clean-up disconnects.
  const DWORD started = GetTickCount();
  while (GetTickCount() - started < 6000) {
    Sleep(500);
    ULONG ids[16];
    ULONG n = 0;
    const HRESULT hr = client->GetRunningProcessSystemIds(h, ids, 16, &n);
    if (hr != RPC_S_CALL_FAILED && hr != RPC_E_DISCONNECTED)
      continue;  // Listed, or timed out (the handle stays live, S9): carry on.
    client->DisconnectProcessServer(h);
    const bool was_clean = h == cleaned;
    h = connect();
    if (h == 0)
      return 0;
    if (was_clean && (fixed || hr == RPC_E_DISCONNECTED))
      cleaned = h;
  }
  if (h == cleaned)
    client->DisconnectProcessServer(h);
  return 0;
}

namespace dbgsim::props::testing {
namespace {

client_property_options planted(bool fixed, int cases) {
  client_property_options o;
  o.program = "planted_reset_leak";
  o.args = {std::string(client_world_options)};
  if (fixed)
    o.args.push_back("fixed");
  o.cases = cases;
  o.seed = seed();
  return o;
}

/// The faults of a world that do something, by kind.
std::vector<action_kind> fault_kinds(const client_world& w) {
  std::vector<action_kind> out;
  for (const auto& f : w.faults)
    if (f.kind)
      out.push_back(*f.kind);
  return out;
}

TEST(ClientProperty, FindsTheHandleLeakedAfterAResetAndShrinksIt) {
  const auto o = planted(/*fixed=*/false, 200);
  const auto r = run_client_property(o);
  ASSERT_TRUE(r.internal_error.empty()) << r.internal_error;
  ASSERT_FALSE(r.passed) << "200 cases and no reset met the program";
  EXPECT_EQ(r.unexpected, std::vector<finding_kind>{finding_kind::leaked_handle}) << r.message;
  EXPECT_TRUE(r.rules.empty()) << r.message;
  // Shrunk to what matters: a reset (or the engine end of a half-open connection) that meets a
  // call in flight, and at most one fault that keeps the call in flight (links shrink to
  // healthy ones, whose calls complete at once). Each fault left is needed: without it the
  // world passes.
  const auto kinds = fault_kinds(r.world);
  ASSERT_GE(kinds.size(), 1u) << describe_world(r.world);
  EXPECT_LE(kinds.size(), 2u) << describe_world(r.world);
  EXPECT_TRUE(std::any_of(kinds.begin(), kinds.end(), [](action_kind k) {
    return k == action_kind::reset || k == action_kind::half_open;
  })) << describe_world(r.world);
  EXPECT_FALSE(r.world.second_server) << describe_world(r.world);
  EXPECT_FALSE(r.world.second_engine) << describe_world(r.world);
  for (std::size_t i = 0; i < r.world.faults.size(); ++i) {
    if (!r.world.faults[i].kind)
      continue;
    auto fewer = r.world;
    fewer.faults[i].kind.reset();  // The same times, this fault left out.
    const auto found = client_findings(run_scenario(to_scenario(fewer)).findings);
    EXPECT_TRUE(unexpected_findings(found, o.allowed).empty())
        << "fault " << i << " is not needed: " << describe_world(fewer);
  }

  // The reproducer, through the loader as `dbgsim run` reads it, fails on C1.
  ASSERT_TRUE(r.reproducer);
  const auto text = client_reproducer_text(r, o);
  const auto loaded = load_scenario(text, "prop-client.yaml");
  ASSERT_EQ(loaded.clients.size(), 1u);
  EXPECT_TRUE(loaded.clients[0].expect_findings.empty()) << text;  // allowed (none) ∩ found
  const auto [fails, why] = client_replay_fails(loaded);
  EXPECT_TRUE(fails) << text;
  EXPECT_EQ(run_scenario(loaded).signature(), "C1 leaked-handle") << text;
}

TEST(ClientProperty, TheReproducerFailsOnTheUnexpectedFindingAlone) {
  // Allow program-failed (never found) and hung-program (never found): the reproducer declares
  // neither, only what was both allowed and found (nothing), so it fails on C1 alone; declaring
  // C1 as well makes the same world pass, so C1 is all it fails on.
  auto o = planted(/*fixed=*/false, 200);
  o.allowed = {finding_kind::hung_program, finding_kind::program_failed};
  const auto r = run_client_property(o);
  ASSERT_FALSE(r.passed);
  ASSERT_TRUE(r.reproducer);
  const auto loaded = load_scenario(client_reproducer_text(r, o), "prop-client.yaml");
  const auto report = run_scenario(loaded);
  ASSERT_EQ(report.client_failures.size(), 1u);
  EXPECT_TRUE(report.client_failures[0].expected.empty());
  EXPECT_EQ(report.client_failures[0].got,
            std::vector<finding_kind>{finding_kind::leaked_handle});
  EXPECT_TRUE(report.violations.empty());
  EXPECT_TRUE(run_scenario(to_scenario(r.world, {finding_kind::leaked_handle})).passed());
}

TEST(ClientProperty, AllowingTheFindingPasses) {
  auto o = planted(/*fixed=*/false, 40);
  o.allowed = {finding_kind::leaked_handle};
  const auto r = run_client_property(o);
  EXPECT_TRUE(r.internal_error.empty()) << r.internal_error;
  EXPECT_TRUE(r.passed) << r.message << "\n" << describe_world(r.world);
}

TEST(ClientProperty, NearMissTheFixedProgramPasses) {
  const auto o = planted(/*fixed=*/true, default_cases(100));
  const auto r = run_client_property(o);
  EXPECT_TRUE(r.internal_error.empty()) << r.internal_error;
  EXPECT_TRUE(r.passed) << r.message << "\n" << describe_world(r.world);
  if (r.passed) {
    EXPECT_EQ(r.cases, o.cases);
  }
}

TEST(ClientProperty, BadOptionsAreAnInternalErrorNotAFailure) {
  auto o = planted(false, 0);
  EXPECT_FALSE(run_client_property(o).internal_error.empty());
  o.cases = 1;
  o.max_size = max_client_size + 1;
  EXPECT_FALSE(run_client_property(o).internal_error.empty());
}

TEST(ClientWorld, AWorldWithoutFaultsIsThePlainWorld) {
  client_world w;
  w.program = "planted_reset_leak";
  w.args = {std::string(client_world_options)};
  const auto s = to_scenario(w);
  EXPECT_TRUE(s.steps.empty());
  ASSERT_EQ(s.clients.size(), 1u);
  EXPECT_EQ(s.clients[0].engine, "eng");
  const auto r = run_scenario(s);
  EXPECT_TRUE(r.passed()) << r.signature();
  EXPECT_TRUE(r.findings.empty());
}

TEST(ClientWorld, TheScheduleStopsAtItsBoundsAndRecovers) {
  client_world w;
  w.program = "planted_reset_leak";
  w.args = {std::string(client_world_options)};
  for (int i = 0; i < 30; ++i)
    w.faults.push_back({std::chrono::seconds(1), action_kind::crash_server, 0, 0, 0, 0});
  const auto s = to_scenario(w);
  std::size_t crashes = 0, restarts = 0, heals = 0;
  for (const auto& st : s.steps) {
    crashes += kind_of(st.what) == action_kind::crash_server;
    restarts += kind_of(st.what) == action_kind::restart_server;
    heals += kind_of(st.what) == action_kind::heal;
  }
  EXPECT_EQ(crashes, client_world_max_faults);
  EXPECT_EQ(restarts, 1u);  // The crashed server comes back after the last fault.
  EXPECT_EQ(heals, 1u);
  EXPECT_EQ(s.steps.back().at, std::chrono::seconds(16) + client_world_recovery);
}

// Any client world, whatever its indices, writes a scenario that loads back to the same text
// (what client_fuzzer's replay checks on its corpus and `repro --client` relies on).
TEST(ClientWorld, AnyWorldWritesAScenarioThatLoadsBack) {
  std::mt19937_64 random(seed());
  for (int i = 0; i < 300; ++i) {
    client_world w;
    w.program = "planted_reset_leak";
    w.args = {std::string(client_world_options), "fixed"};
    w.seed = 1 + random() % 1000;
    w.second_server = random() % 2 == 0;
    w.second_engine = random() % 2 == 0;
    w.link = static_cast<std::uint8_t>(random());
    for (std::size_t n = random() % 20; n > 0; --n) {
      client_fault f;
      f.after = std::chrono::milliseconds(random() % 6000);
      const auto k = random() % (client_fault_kinds.size() + 1);
      if (k < client_fault_kinds.size())
        f.kind = client_fault_kinds[k];
      f.server = static_cast<std::uint8_t>(random());
      f.way = static_cast<std::uint8_t>(random());
      f.profile = static_cast<std::uint8_t>(random());
      f.process = static_cast<std::uint8_t>(random());
      w.faults.push_back(f);
    }
    std::ostringstream written, again;
    write_scenario(written, to_scenario(w, {finding_kind::leaked_handle}));
    write_scenario(again, load_scenario(written.str(), "<written>"));
    ASSERT_EQ(written.str(), again.str()) << describe_world(w);
  }
}

}  // namespace
}  // namespace dbgsim::props::testing
