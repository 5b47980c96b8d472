// The SVG sequence chart (report/chart.hpp): it fits on about two screens for every scenario of
// the library, folds runs of keepalive-only rounds and nothing else, places every label clear of
// every other label and every arrow, and marks client findings on their engine's lane.
#include "report/chart.hpp"

#include "scenario/player.hpp"
#include "scenario_files/loader.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace dbgsim {
namespace {

constexpr double two_screens = 2 * 1080;  // The height bound: two 1080-pixel screens.

std::string library(const std::string& file) {
  return std::string(DBGSIM_SOURCE_DIR) + "/scenarios/" + file;
}

struct run {
  run_report report;
  std::string name;
};

run run_file(const std::string& path) {
  const auto s = load_scenario_file(path);
  return {run_scenario(s), s.name};
}

chart_options options_of(const run& r, bool full = false) {
  return chart_options{r.name, true, r.report.findings, full};
}

std::string svg_of(const run& r, bool full = false) {
  std::ostringstream out;
  write_chart(out, r.report.events, r.report.violations, options_of(r, full));
  return out.str();
}

// The height attribute of the SVG's root element, as a browser or rsvg-convert reads it.
double svg_height(const std::string& svg) {
  std::smatch m;
  const std::regex height("<svg [^>]*height=\"([0-9.]+)\"");
  if (!std::regex_search(svg, m, height))
    return -1;
  return std::stod(m[1]);
}

std::vector<std::string> library_files() {
  std::vector<std::string> out;
  for (const auto& f : std::filesystem::directory_iterator(library("")))
    if (f.path().extension() == ".yaml")
      out.push_back(f.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

// The library scenario with the longest keepalive-only tail: its last call is at 9 s and it ends
// at 70 s, about sixty idle keepalive rounds later.
const char* const long_idle = "s15-every-call-completes-under-loss.yaml";

// The one library scenario with more to show than two screens hold: a 300-second program making
// 42 calls, each with its own round trip and no keepalive-only run between most of them.
const char* const busiest = "c-careful-client-recovers.yaml";
constexpr double busiest_bound = 2400;

TEST(Chart, EveryLibraryScenarioFitsInTwoScreens) {
  const auto files = library_files();
  ASSERT_GT(files.size(), 40u);
  for (const auto& f : files) {
    const auto r = run_file(f);
    const double h = svg_height(svg_of(r));
    EXPECT_GT(h, 0) << f;
    EXPECT_LE(h, f.ends_with(busiest) ? busiest_bound : two_screens) << f;
  }
}

TEST(Chart, FullChartOfTheLongIdleScenarioIsTallerThanTwoScreens) {
  // The near miss of the bound above: drawing every keepalive round does not fit.
  const auto r = run_file(library(long_idle));
  EXPECT_GT(svg_height(svg_of(r, true)), two_screens);
  EXPECT_LE(svg_height(svg_of(r)), two_screens);
}

TEST(Chart, IsByteIdenticalAcrossRuns) {
  EXPECT_EQ(svg_of(run_file(library(long_idle))), svg_of(run_file(library(long_idle))));
}

// A world of one engine and one server whose only activity after the connect is keepalives,
// except for whatever `steps` adds.
run idle_world(const std::string& steps) {
  const auto s = load_scenario(R"(name: idle
servers:
  - name: srv
    listen: "tcp:port=5005"
engines:
  - name: eng
links:
  - between: [eng, srv]
    latency: 20ms
steps:
  - at: 0ms
    connect: { engine: eng, options: "tcp:server=srv,port=5005", as: h }
    expect: S_OK
)" + steps + R"(  - at: 30s
    disconnect: { engine: eng, handle: h }
    expect: S_OK
)",
                              "idle.yaml");
  return {run_scenario(s), s.name};
}

std::size_t keepalives_sent(const std::vector<event>& events, sim_time from, sim_time to) {
  std::size_t n = 0;
  for (const auto& e : events)
    n += e.kind == event_kind::frame_sent && e.is(protocol::message_type::keepalive) &&
         e.t >= from && e.t <= to;
  return n;
}

TEST(Chart, FoldsAnIdleRunIntoOneRowWithItsCountAndSpan) {
  const auto r = idle_world("");
  ASSERT_TRUE(r.report.passed()) << r.report.signature();
  const auto layout = lay_out_chart(r.report.events, r.report.violations, options_of(r));
  ASSERT_EQ(layout.folds.size(), 1u);
  const auto& f = layout.folds[0];
  EXPECT_GE(f.rounds, 10u);
  EXPECT_EQ(f.rounds, keepalives_sent(r.report.events, f.from, f.to));
  EXPECT_LT(f.from, std::chrono::seconds(5));
  EXPECT_GT(f.to, std::chrono::seconds(25));
  EXPECT_LT(f.to, std::chrono::seconds(30));
  // Nothing but keepalive rounds is inside it.
  for (const auto& e : r.report.events)
    if (e.t >= f.from && e.t <= f.to) {
      EXPECT_TRUE(e.is(protocol::message_type::keepalive) ||
                  e.is(protocol::message_type::keepalive_ack))
          << to_json_line(e);
    }
  const auto svg = svg_of(r);
  EXPECT_NE(svg.find("⋯ " + std::to_string(f.rounds) + " keepalive rounds, "), std::string::npos);
  // --chart-full: nothing folded.
  EXPECT_TRUE(lay_out_chart(r.report.events, r.report.violations, options_of(r, true)).folds.empty());
}

TEST(Chart, ARunInterruptedByACallIsSplitAroundIt) {
  // The near miss: one call in the middle of the idle stretch is never folded away.
  const auto r = idle_world(R"(  - at: 15s
    list_processes: { engine: eng, handle: h }
    expect: S_OK
)");
  ASSERT_TRUE(r.report.passed()) << r.report.signature();
  const auto layout = lay_out_chart(r.report.events, r.report.violations, options_of(r));
  ASSERT_EQ(layout.folds.size(), 2u);
  EXPECT_LT(layout.folds[0].to, std::chrono::seconds(15));
  EXPECT_GT(layout.folds[1].from, std::chrono::seconds(15));
  for (const auto& f : layout.folds)
    EXPECT_EQ(f.rounds, keepalives_sent(r.report.events, f.from, f.to));
  EXPECT_NE(svg_of(r).find("#2 list_processes h="), std::string::npos);
}

TEST(Chart, NoLabelCollidesOnTheDensestScenarios) {
  for (const char* file :
       {"s11-three-engines-are-isolated.yaml", "s08-end-server-with-two-engines.yaml",
        "s15-every-call-completes-under-loss.yaml", "s07-duplicated-frames-make-one-session.yaml",
        "c-careful-client-recovers.yaml", "s18-retry-after-every-kind-of-failure.yaml"}) {
    const auto r = run_file(library(file));
    for (bool full : {false, true}) {
      const auto layout = lay_out_chart(r.report.events, r.report.violations, options_of(r, full));
      EXPECT_GT(layout.labels.size(), 20u) << file;
      const auto collisions = label_collisions(layout);
      EXPECT_TRUE(collisions.empty()) << file << (full ? " (full)" : "") << ": "
                                      << collisions.size() << " collisions, first: "
                                      << (collisions.empty() ? "" : collisions.front());
    }
  }
}

TEST(Chart, NoLabelCollidesOnAnyLibraryScenario) {
  for (const auto& f : library_files()) {
    const auto r = run_file(f);
    const auto collisions =
        label_collisions(lay_out_chart(r.report.events, r.report.violations, options_of(r)));
    EXPECT_TRUE(collisions.empty()) << f << ": " << collisions.size() << " collisions, first: "
                                    << (collisions.empty() ? "" : collisions.front());
  }
}

chart_label label_at(std::string text, double x0, double y0, double x1, double y1, int arrow = -1) {
  chart_label l;
  l.text = std::move(text);
  l.box = {x0, y0, x1, y1};
  l.arrow = arrow;
  return l;
}

TEST(Chart, TheCheckerSeesTheOldDropLabelOverItsOwnArrow) {
  // The old placement: a drop's label centred on the end of its dashed arrow, so the arrow ran
  // through the label's left half.
  chart_layout old;
  old.arrows.push_back({430, 100, 555, 110, "#c00000", true});
  old.labels.push_back(label_at("✕ keepalive (partition)", 555 - 76, 109, 555 + 76, 120, 0));
  EXPECT_EQ(label_collisions(old).size(), 1u);
  // The new one: the ✕ on the arrow's end, the words running on past it.
  chart_layout now = old;
  now.labels[0].box = {555 - 3.3, 109, 555 - 3.3 + 152, 120};
  EXPECT_TRUE(label_collisions(now).empty());
  // Another arrow through the same box is a collision even at that end.
  now.arrows.push_back({560, 90, 560, 130, "#1f5fbf", false});
  EXPECT_EQ(label_collisions(now).size(), 1u);
}

TEST(Chart, TheCheckerSeesOverlappingLabels) {
  chart_layout l;
  l.labels.push_back(label_at("a", 0, 0, 50, 11));
  l.labels.push_back(label_at("b", 60, 0, 100, 11));  // Beside it: no collision.
  l.labels.push_back(label_at("c", 0, 11, 50, 22));   // Touching below: no collision.
  EXPECT_TRUE(label_collisions(l).empty());
  l.labels.push_back(label_at("d", 49, 10, 70, 20));  // One pixel into a, b and c.
  EXPECT_EQ(label_collisions(l).size(), 3u);
}

TEST(Chart, FindingsAreMarkedOnTheirProgramsEngineLane) {
  // Rule C1 (docs/clients.md): the leaked handle is marked at its time on the engine's lane.
  const auto r = run_file(library("c-ghidra-agent-never-disconnects.yaml"));
  ASSERT_EQ(r.report.findings.size(), 1u);
  const auto layout = lay_out_chart(r.report.events, r.report.violations, options_of(r));
  const finding& f = r.report.findings[0];
  const std::string mark = "C1 leaked-handle [" + f.program + "]";
  double lane_x = -1;
  for (const auto& l : layout.labels)
    if (l.text == "engine " + f.engine)
      lane_x = l.x;
  ASSERT_GT(lane_x, 0);
  int marks = 0;
  for (const auto& l : layout.labels)
    if (l.text == mark) {
      ++marks;
      EXPECT_LT(std::abs(l.x - lane_x), 20) << "the mark is beside the engine's lane";
    }
  EXPECT_EQ(marks, 1);
  const auto svg = svg_of(r);
  EXPECT_NE(svg.find(mark + " at "), std::string::npos);          // Told in full below.
  EXPECT_NE(svg.find("programs [" + f.program + "]"), std::string::npos);  // The lane's programs.
  // Without the finding, no mark.
  const auto bare = lay_out_chart(r.report.events, r.report.violations, chart_options{r.name, true, {}, false});
  for (const auto& l : bare.labels)
    EXPECT_NE(l.text, mark);
}

}  // namespace
}  // namespace dbgsim
