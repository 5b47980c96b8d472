// Planted client bugs, end to end: one program written to the rules, and one variant of it per
// finding with exactly one mistake. Run in a world, each variant gets exactly its own finding and
// the correct program, under the same faults, gets none (docs/clients.md, C1...C8). This is the
// client checker's mutant matrix: a checker rule that stopped firing, or fired on the correct
// program, fails here.
#include "tests/client_runtime/fixture.hpp"

#include <dbgsim/dbgeng.h>
#include <gtest/gtest.h>

#include <cstring>
#include <string>

namespace {

bool is(const char* const* argv, const char* bug) { return std::strcmp(argv[1], bug) == 0; }

}  // namespace

// argv[1]: the planted bug, or "none". Connects, lists, waits, lists again, disconnects.
DBGSIM_CLIENT_PROGRAM(planted_client) {
  ULONG64 h = 0;
  // Connect with a bounded retry; the server starts at 300 ms, so the first attempts fail.
  for (int attempt = 0; attempt < 8; ++attempt) {
    if (SUCCEEDED(client->ConnectProcessServer("tcp:server=srv,port=5005", &h)))
      break;
    if (!is(argv, "busy-retry"))
      Sleep(100);
  }
  if (h == 0)
    return 1;
  // Two processes run on srv: room for one gives S_FALSE.
  ULONG ids[4];
  ULONG actual = 0;
  HRESULT hr = client->GetRunningProcessSystemIds(h, ids, 1, &actual);
  if (hr == S_FALSE && !is(argv, "ignored-truncation"))
    hr = client->GetRunningProcessSystemIds(h, ids, 4, &actual);
  // Describes the first id: after a truncated listing, the mistake is to go on from here.
  char exe[64];
  client->GetRunningProcessDescription(h, ids[0], 0, exe, sizeof exe, nullptr, nullptr, 0, nullptr);
  // A reset may come while it waits (the scenario of dead-handle-kept and its near miss).
  Sleep(500);
  hr = client->GetRunningProcessSystemIds(h, ids, 4, &actual);
  if (hr == RPC_E_DISCONNECTED || hr == RPC_S_CALL_FAILED) {
    if (is(argv, "dead-handle-kept")) {
      client->GetRunningProcessSystemIds(h, ids, 4, &actual);  // Goes on with a dead handle.
      return 0;
    }
    client->DisconnectProcessServer(h);
    return 0;
  }
  if (is(argv, "hung-program"))
    for (;;)
      Sleep(1000);
  if (is(argv, "leaked-handle"))
    return 0;
  client->DisconnectProcessServer(h);
  if (is(argv, "use-after-disconnect"))
    client->GetRunningProcessSystemIds(h, ids, 4, &actual);
  if (is(argv, "local-fallback")) {
    char cmd[] = "notepad.exe";
    client->CreateProcess(0, cmd, DEBUG_ONLY_THIS_PROCESS);  // Meant for srv; runs locally.
  }
  return is(argv, "program-failed") ? 1 : 0;
}

namespace dbgsim {
namespace {

using namespace test;

std::string scenario_for(const std::string& bug, bool reset) {
  std::string text = R"(name: planted client bug
machines:
  - name: srv
    processes:
      - { pid: 4242, exe: notepad.exe }
      - { pid: 4343, exe: calc.exe }
servers:
  - { name: srv, listen: "tcp:port=5005", start: 300ms }
engines:
  - name: eng
links:
  - { between: [eng, srv], latency: 20ms }
clients:
  - { name: c, engine: eng, program: planted_client, args: [)" + bug + R"(], timeout: 10s }
)";
  if (reset)
    text += "steps:\n  - { at: 700ms, reset: { between: [eng, srv] } }\n";
  return text;
}

std::set<std::string> found(const run_report& r) {
  std::set<std::string> out;
  for (const auto& f : r.findings)
    out.insert(std::string(name_of(f.kind)));
  return out;
}

class PlantedClientBug : public testing::TestWithParam<finding_kind> {};

TEST_P(PlantedClientBug, EachMistakeGivesExactlyItsOwnFinding) {
  const auto kind = GetParam();
  const std::string bug(name_of(kind));
  const bool reset = kind == finding_kind::dead_handle_kept;
  auto r = run_yaml(scenario_for(bug, reset));
  EXPECT_EQ(found(r), std::set<std::string>{bug}) << rule_of(kind);
  EXPECT_TRUE(r.violations.empty());
}

INSTANTIATE_TEST_SUITE_P(C, PlantedClientBug, testing::ValuesIn(all_values<finding_kind>()),
                         [](const auto& info) {
                           std::string n(rule_of(info.param));
                           for (char c : name_of(info.param))
                             n += c == '-' ? '_' : c;
                           return n;
                         });

TEST(PlantedClientBug, TheCorrectProgramGetsNoFindingWithOrWithoutTheReset) {
  // The near miss of every row above: the same program without its mistake.
  EXPECT_TRUE(found(run_yaml(scenario_for("none", false))).empty());
  EXPECT_TRUE(found(run_yaml(scenario_for("none", true))).empty());
}

}  // namespace
}  // namespace dbgsim
