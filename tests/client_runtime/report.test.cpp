// What a person reads about client programs (docs/clients.md, "Reading the results"): the chart
// labels each call with its program and marks its start, end and findings; Perfetto gives each
// program a track of its own carrying its calls.
#include "report/chart.hpp"
#include "report/perfetto.hpp"
#include "tests/client_runtime/fixture.hpp"

#include <dbgsim/dbgeng.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <map>
#include <sstream>

// Connects and returns without disconnecting: one call pair and a leaked-handle finding.
DBGSIM_CLIENT_PROGRAM(report_leaker) {
  ULONG64 h = 0;
  client->ConnectProcessServer("tcp:server=srv,port=5005", &h);
  return 0;
}

namespace dbgsim {
namespace {

using namespace test;

run_report two_programs() {
  return run_yaml(world_yaml(
      "clients:\n"
      "  - { name: ide, engine: eng, program: report_leaker, expect: { findings: [leaked-handle] } }\n"
      "  - { name: bot, engine: eng, program: report_leaker, start: 5ms, expect: { findings: [leaked-handle] } }\n"));
}

TEST(ClientReports, TheChartLabelsCallsWithTheirProgramAndShowsFindings) {
  auto r = two_programs();
  ASSERT_TRUE(r.passed()) << r.signature();
  std::ostringstream svg;
  write_chart(svg, r.events, r.violations, chart_options{"t", true, r.findings});
  const auto text = svg.str();
  EXPECT_NE(text.find("[ide] #1 connect"), std::string::npos);
  EXPECT_NE(text.find("[bot] #2 connect"), std::string::npos);
  EXPECT_NE(text.find("[ide] started: report_leaker"), std::string::npos);
  EXPECT_NE(text.find("C1 leaked-handle [bot] at"), std::string::npos);
}

TEST(ClientReports, PerfettoGivesEachProgramATrackWithItsCalls) {
  auto r = two_programs();
  std::ostringstream out;
  write_perfetto(out, r.events, r.violations, r.findings);
  const auto doc = nlohmann::json::parse(out.str());
  std::map<std::string, int> tracks;  // Track name → tid.
  for (const auto& e : doc["traceEvents"])
    if (e["ph"] == "M")
      tracks[e["args"]["name"]] = e["tid"];
  ASSERT_EQ(tracks.count("program ide"), 1u);
  ASSERT_EQ(tracks.count("program bot"), 1u);
  std::map<int, int> connects;  // tid → connect slices.
  for (const auto& e : doc["traceEvents"])
    if (e["ph"] == "X" && e["name"] == "connect")
      ++connects[e["tid"]];
  EXPECT_EQ(connects[tracks["program ide"]], 1);
  EXPECT_EQ(connects[tracks["program bot"]], 1);
  EXPECT_EQ(connects[tracks["eng"]], 0);  // Not on the engine's track.
}

}  // namespace
}  // namespace dbgsim
