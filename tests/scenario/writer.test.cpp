// The scenario writer: what it writes loads back to an equal scenario (every action kind, every
// optional field, awkward strings), equal scenarios give identical bytes, and durations come out
// in the largest exact unit.
#include "scenario/scenario.hpp"
#include "scenario_files/writer.hpp"
#include "scenario_files/loader.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <set>
#include <sstream>

namespace dbgsim {
namespace {

using namespace std::chrono_literals;

std::string written(const scenario& s, const std::string& comment = "") {
  std::ostringstream out;
  write_scenario(out, s, comment);
  return out.str();
}

/// Loads what `s` writes, with positions and the file name cleared so that it compares to `s`.
scenario round_trip(const scenario& s) {
  auto text = written(s);
  scenario back;
  try {
    back = load_scenario(text, "written.yaml");
  } catch (const scenario_error& e) {
    ADD_FAILURE() << e.what() << "\n" << text;
    return {};
  }
  back.file.clear();
  for (auto& st : back.steps)
    st.pos = {};
  for (auto& c : back.clients)
    c.pos = {};
  return back;
}

void add(scenario& s, sim_time at, step_action a, std::optional<protocol::hresult> expect = {}) {
  step st;
  st.at = at;
  st.what = std::move(a);
  st.expect = expect;
  s.steps.push_back(std::move(st));
}

handle_ref h(const std::string& name) { return {name, 0}; }
pid_ref p(const std::string& name) { return {name, 0}; }

/// A scenario with every action kind and most optional fields set to something other than the
/// default, so that a field the writer forgets (or the loader drops) shows up as a difference.
scenario everything() {
  scenario s;
  s.name = "every action";
  s.description = "a description: with \"quotes\", a backslash \\, a tab\t and ünïcode";
  s.tags = {"core", "2nd-tag", "x.y_z"};
  s.seed = 0xfedcba9876543210ull;
  s.topo.times.connect_timeout = 2500ms;
  s.topo.times.rpc_timeout = 3s;
  s.topo.times.keepalive = 250us;
  s.topo.times.lease = 2min;
  s.topo.times.shutdown_grace = 61s;
  s.topo.machines.push_back(
      {"target", {{4242, "notepad.exe", "Notepad", {}}, {7, "x y.exe", "", {}}}});
  s.topo.machines.push_back({"empty", {}});
  s.topo.servers.push_back({"srv", "target", "tcp:port=5005,password=s3cret", 0ms});
  s.topo.servers.push_back({"srv2", "target", "npipe:pipe=dbg", 1500ms});
  s.topo.servers.push_back({"solo", "", "tcp:port=6000", 0ms});
  s.topo.engines.push_back({"eng", "workstation", disconnect_mode::sync, true});
  s.topo.engines.push_back({"eng2", "", disconnect_mode::async, false});
  link_params a, b;
  a.latency = 20ms;
  a.jitter = 5ms;
  a.loss = 0.01;
  a.duplicate = 1e-5;
  b.latency = 1us;
  b.loss = 1.0 / 3.0;
  s.topo.links.push_back({"eng", "srv", a, a});          // between
  s.topo.links.push_back({"eng2", "srv", a, b});         // both directions, different
  s.topo.links.push_back({"eng", "solo", {}, b});        // only the reverse direction
  s.topo.links.push_back({"eng2", "solo", b, {}});       // one direction

  using namespace action;
  add(s, 0ms, connect{"eng", "tcp:server=target,port=5005,password=s3cret", "h1"}, protocol::S_OK);
  add(s, 0ms, connect{"eng2", "tcp:server=target,port=5005", ""});
  add(s, 1ms, disconnect{"eng", h("h1")}, protocol::E_INVALIDARG);
  add(s, 1ms, disconnect{"eng", {"", 0xffffffffffffffffull}});
  add(s, 2ms, end_server{"eng", {"", 12345}}, protocol::hresult{0x8badf00d});
  add(s, 3ms, list_processes{"eng", h("h1"), std::vector<std::uint32_t>{4242, 7}, 1});
  add(s, 3ms, list_processes{"eng", {"", 0}, std::nullopt, 64});
  add(s, 4ms, find_process{"eng", h("h1"), "notepad.exe", true, "np"});
  add(s, 4ms, find_process{"eng", h("h1"), "calc.exe", false, ""});
  add(s, 5ms, describe_process{"eng", h("h1"), p("np")});
  add(s, 6ms, attach{"eng", h("h1"), {"", 4242}});
  add(s, 7ms, create_process{"eng", h("h1"), "cmd.exe /c \"echo hi\"", "child"});
  add(s, 8ms, detach{"eng", p("child")});
  add(s, 9ms, terminate{"eng", {"", 7}});
  add(s, 10ms, detach_all{"eng"});
  add(s, 11ms, terminate_all{"eng2"});
  add(s, 12ms, end_session{"eng", api::end_mode::active_terminate});
  add(s, 12ms, end_session{"eng2", api::end_mode::passive});
  add(s, 13ms, process_options{"eng", false});
  add(s, 14ms, start_server{"eng", "tcp:port=7000"});
  add(s, 15ms, wait_server_end{"eng", 1500ms});
  add(s, 16ms, partition{{"eng", "srv", true}});
  add(s, 17ms, partition{{"srv", "eng", false}});
  add(s, 18ms, heal{{"eng", "srv", true}});
  add(s, 18ms, heal{{"target", "workstation", false}});
  add(s, 19ms, reset{"eng", "srv"});
  add(s, 20ms, half_open{"eng", "srv", true});
  add(s, 21ms, half_open{"eng2", "solo", false});
  add(s, 22ms, set_link{{"eng", "srv", true}, 5ms, std::nullopt, 0.25, std::nullopt});
  add(s, 23ms, set_link{{"eng", "srv", false}, std::nullopt, 1s, std::nullopt, 0.0});
  add(s, 24ms, crash_server{"srv"});
  add(s, 24ms, crash_server{"srv", crash_how::machine});
  add(s, 25ms, crash_engine{"eng2"});
  add(s, 25ms, crash_engine{"eng", crash_how::machine});
  add(s, 26ms, restart_server{"srv"});
  add(s, 27ms, exit_process{"target", p("np")});
  add(s, 28ms, exit_process{"empty", {"", 99}});
  check c1;
  c1.server = "srv";
  c1.sessions = 0;
  c1.attached = 2;
  c1.running = false;
  add(s, 29ms, c1);
  check c2;
  c2.engine = "eng";
  c2.handle = h("h1");
  c2.live = true;
  c2.handles = 1;
  c2.targets = 0;
  add(s, 30ms, c2);
  check c3;
  c3.engine = "eng2";
  c3.handle = handle_ref{"", 0};
  c3.live = false;
  add(s, 30ms, c3);
  check c4;
  c4.machine = "target";
  c4.pids = std::vector<std::uint32_t>{4242, 7};
  add(s, 31ms, c4);
  check c5;
  c5.machine = "empty";
  c5.pids = std::vector<std::uint32_t>{};
  add(s, 1h, c5);
  return s;
}

TEST(ScenarioWriter, EveryActionKindRoundTrips) {
  auto s = everything();
  // Every alternative of step_action appears, so a new action kind must be added here.
  std::set<std::size_t> kinds;
  for (auto& st : s.steps)
    kinds.insert(st.what.index());
  EXPECT_EQ(kinds.size(), std::variant_size_v<step_action>);

  auto back = round_trip(s);
  EXPECT_EQ(back.name, s.name);
  EXPECT_EQ(back.description, s.description);
  EXPECT_EQ(back.seed, s.seed);
  EXPECT_EQ(back.topo.times, s.topo.times);
  EXPECT_EQ(back.topo.machines, s.topo.machines);
  EXPECT_EQ(back.topo.servers, s.topo.servers);
  EXPECT_EQ(back.topo.engines, s.topo.engines);
  EXPECT_EQ(back.topo.links, s.topo.links);
  ASSERT_EQ(back.steps.size(), s.steps.size());
  for (std::size_t i = 0; i < s.steps.size(); ++i)
    EXPECT_EQ(back.steps[i], s.steps[i])
        << "step " << i << " (" << action_name(s.steps[i].what) << ")";
  EXPECT_EQ(back, s);
}

TEST(ScenarioWriter, CrashHowIsWrittenOnlyWhenItIsNotTheDefault) {
  // A process crash is the default, so a file stays as short as the one it was loaded from.
  scenario s;
  s.name = "crashes";
  add(s, 1ms, action::crash_server{"srv"});
  add(s, 2ms, action::crash_engine{"eng", crash_how::machine});
  const auto text = written(s);
  EXPECT_NE(text.find("crash_server: { server: srv }"), std::string::npos) << text;
  EXPECT_NE(text.find("crash_engine: { engine: eng, how: machine }"), std::string::npos) << text;
  EXPECT_EQ(text.find("how: process"), std::string::npos) << text;
}

TEST(ScenarioWriter, LoadedFileRoundTripsAndTextIsAFixedPoint) {
  auto s = everything();
  auto text = written(s);
  EXPECT_EQ(written(s), text);  // byte-stable
  auto again = written(round_trip(s));
  EXPECT_EQ(again, text);
}

TEST(ScenarioWriter, DurationsUseTheLargestExactUnit) {
  scenario s;
  s.name = "d";
  s.topo.engines.push_back({"eng", "", disconnect_mode::async, false});
  add(s, 0us, action::detach_all{"eng"});
  add(s, 1500ms, action::detach_all{"eng"});
  add(s, 2s, action::detach_all{"eng"});
  add(s, 250us, action::detach_all{"eng"});
  add(s, 3min, action::detach_all{"eng"});
  add(s, 90s, action::detach_all{"eng"});
  auto text = written(s);
  for (auto at : {"at: 0ms\n", "at: 1500ms\n", "at: 2s\n", "at: 250us\n", "at: 3m\n", "at: 90s\n"})
    EXPECT_NE(text.find(at), std::string::npos) << at << " in\n" << text;
}

TEST(ScenarioWriter, ExactTextOfASmallScenario) {
  scenario s;
  s.name = "small";
  s.tags = {"core", "s6"};
  s.seed = 7;
  s.topo.servers.push_back({"srv", "", "tcp:port=5005", 0ms});
  s.topo.engines.push_back({"eng", "", disconnect_mode::async, false});
  add(s, 0ms, action::connect{"eng", "tcp:server=srv,port=5005", "h1"}, protocol::S_OK);
  add(s, 100ms, action::partition{{"eng", "srv", true}});
  EXPECT_EQ(written(s, "What it shows.\nRules: S6."),
            "# What it shows.\n"
            "# Rules: S6.\n"
            "name: small\n"
            "tags: [core, s6]\n"
            "seed: 7\n"
            "servers:\n"
            "  - name: srv\n"
            "    listen: \"tcp:port=5005\"\n"
            "engines:\n"
            "  - name: eng\n"
            "    disconnect: async\n"
            "    detach_on_exit: false\n"
            "steps:\n"
            "  - at: 0ms\n"
            "    connect: { engine: eng, options: \"tcp:server=srv,port=5005\", as: h1 }\n"
            "    expect: S_OK\n"
            "  - at: 100ms\n"
            "    partition: { between: [eng, srv] }\n");
}

TEST(ScenarioWriter, AwkwardStringsAreQuotedAndReadBack) {
  scenario s;
  s.name = "true";  // would read as a boolean to other YAML readers
  s.description = "null";
  s.topo.machines.push_back(
      {"m",
       {{1, "", "", {}},
        {2, "#not a comment", "line1\nline2\x01", {}},
        {3, "123", "- dash", {}},
        {4, "a: b", "[x]", {}},
        {5, " lead and trail ", "nel\u0085 ls\u2028 bom\ufeff del\x7f", {}}}});
  auto back = round_trip(s);
  EXPECT_EQ(back.name, "true");
  EXPECT_EQ(back.description, "null");
  EXPECT_EQ(back.topo.machines, s.topo.machines);
}

TEST(ScenarioWriter, ActionNamesAreTheYamlKeys) {
  EXPECT_EQ(action_name(action::connect{}), "connect");
  EXPECT_EQ(action_name(action::process_options{}), "process_options");
  EXPECT_EQ(action_name(action::half_open{}), "half_open");
  EXPECT_EQ(action_name(action::exit_process{}), "exit_process");
  // Each name is the key the loader reads: every step of the round trip kept its kind.
  for (auto& st : everything().steps) {
    auto name = std::string(action_name(st.what));
    auto text = "name: t\nengines:\n  - name: eng\nsteps:\n  - at: 0ms\n    " + name + ": {}\n";
    try {
      load_scenario(text);
    } catch (const scenario_error& e) {
      EXPECT_EQ(e.message().find("unknown key"), std::string::npos) << name << ": " << e.what();
    }
  }
}

TEST(ScenarioWriter, EveryLibraryScenarioRoundTrips) {
  namespace fs = std::filesystem;
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(fs::path(DBGSIM_SOURCE_DIR) / "scenarios"))
    if (entry.path().extension() == ".yaml")
      files.push_back(entry.path());
  // The library is never empty; an empty or missing one would make this test pass vacuously.
  ASSERT_FALSE(files.empty()) << "no scenarios/*.yaml under " << DBGSIM_SOURCE_DIR;
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    SCOPED_TRACE(f.string());
    auto s = load_scenario_file(f.string());
    s.file.clear();
    for (auto& st : s.steps)
      st.pos = {};
    for (auto& c : s.clients)
      c.pos = {};
    EXPECT_EQ(round_trip(s), s);
  }
}

}  // namespace
}  // namespace dbgsim
