// The scenario loader: the format's example loads to the expected scenario, every class of
// mistake is reported at its FILE:LINE:COL with a clear message (and a "did you mean" for a
// misspelt key or name), and hostile input (alias bombs, deep nesting, huge files, random bytes)
// is refused cleanly.
#include "scenario/scenario.hpp"
#include "scenario_files/loader.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace dbgsim {
namespace {

using namespace std::chrono_literals;

/// The example of docs/scenario-format.md (and of the format's specification), verbatim.
const std::string spec_example = R"(name: disconnect during a partition        # required
description: why this scenario exists      # optional
seed: 7                                    # optional, default 1; --seed overrides
defaults:                                  # optional; these are the defaults' defaults
  connect_timeout: 30s
  rpc_timeout: 5s
  keepalive: 1s
  lease: 5s
  shutdown_grace: 10s
machines:                                  # optional; a machine named in servers/engines but not
  - name: target                           # listed here exists with an empty process table
    processes:
      - { pid: 4242, exe: notepad.exe, description: "Notepad" }
servers:
  - name: srv                              # unique among servers and engines
    machine: target                        # optional; default: a machine of the server's name
    listen: "tcp:port=5005,password=s3cret"   # the dbgsrv -t string
    start: 0ms                             # optional, default 0ms
engines:
  - name: eng
    machine: workstation                   # optional; default: a machine of the engine's name
    disconnect: async                      # async | sync (rule S6); default async
    detach_on_exit: false                  # the DEBUG_PROCESS_DETACH_ON_EXIT option (rule S21);
                                           # default false: attached processes are killed
links:                                     # optional; any pair not listed: a link with no delay
  - between: [eng, srv]                    # and no faults
    latency: 20ms
    jitter: 5ms                            # extra delay per frame, uniform in [0, jitter]
    loss: 0.01                             # probability per frame, 0..1
    duplicate: 0.0                         # probability per frame, 0..1
steps:                                     # issued in order of `at`; equal `at` keeps file order
  - at: 0ms
    connect: { engine: eng, options: "tcp:server=srv,port=5005,password=s3cret", as: h1 }
    expect: S_OK
  - at: 100ms
    partition: { between: [eng, srv] }     # or { from: eng, to: srv } for one direction
  - at: 150ms
    disconnect: { engine: eng, handle: h1 }
    expect: S_OK
  - at: 160ms
    disconnect: { engine: eng, handle: h1 }
    expect: E_INVALIDARG
  - at: 1s
    heal: { between: [eng, srv] }          # or { from: eng, to: srv }
  - at: 20s
    check: { server: srv, sessions: 0 }
)";

TEST(ScenarioLoader, SpecExampleLoadsToTheExpectedScenario) {
  auto s = load_scenario(spec_example, "example.yaml");
  EXPECT_EQ(s.name, "disconnect during a partition");
  EXPECT_EQ(s.description, "why this scenario exists");
  EXPECT_EQ(s.seed, 7u);
  EXPECT_EQ(s.file, "example.yaml");
  EXPECT_EQ(s.topo.times, timing{});

  ASSERT_EQ(s.topo.machines.size(), 1u);
  EXPECT_EQ(s.topo.machines[0].name, "target");
  ASSERT_EQ(s.topo.machines[0].processes.size(), 1u);
  EXPECT_EQ(s.topo.machines[0].processes[0], (process{4242, "notepad.exe", "Notepad", {}}));

  ASSERT_EQ(s.topo.servers.size(), 1u);
  EXPECT_EQ(s.topo.servers[0],
            (server_spec{"srv", "target", "tcp:port=5005,password=s3cret", 0ms}));
  ASSERT_EQ(s.topo.engines.size(), 1u);
  EXPECT_EQ(s.topo.engines[0], (engine_spec{"eng", "workstation", disconnect_mode::async, false}));

  ASSERT_EQ(s.topo.links.size(), 1u);
  link_params lp;
  lp.latency = 20ms;
  lp.jitter = 5ms;
  lp.loss = 0.01;
  lp.duplicate = 0.0;
  EXPECT_EQ(s.topo.links[0], (link_spec{"eng", "srv", lp, lp}));

  ASSERT_EQ(s.steps.size(), 6u);
  EXPECT_EQ(s.steps[0].at, 0ms);
  EXPECT_EQ(s.steps[0].pos, (source_pos{32, 5}));
  EXPECT_EQ(s.steps[0].what,
            step_action(action::connect{"eng", "tcp:server=srv,port=5005,password=s3cret", "h1"}));
  EXPECT_EQ(s.steps[0].expect, protocol::S_OK);
  EXPECT_EQ(s.steps[1].at, 100ms);
  EXPECT_EQ(s.steps[1].what, step_action(action::partition{{"eng", "srv", true}}));
  EXPECT_FALSE(s.steps[1].expect);
  EXPECT_EQ(s.steps[2].what, step_action(action::disconnect{"eng", {"h1", 0}}));
  EXPECT_EQ(s.steps[3].at, 160ms);
  EXPECT_EQ(s.steps[3].expect, protocol::E_INVALIDARG);
  EXPECT_EQ(s.steps[4].at, 1s);
  EXPECT_EQ(s.steps[4].what, step_action(action::heal{{"eng", "srv", true}}));
  EXPECT_EQ(s.steps[5].at, 20s);
  action::check c;
  c.server = "srv";
  c.sessions = 0;
  EXPECT_EQ(s.steps[5].what, step_action(c));
  EXPECT_EQ(action_name(s.steps[5].what), "check");
}

TEST(ScenarioLoader, DefaultsApplyWhenKeysAreLeftOut) {
  auto s = load_scenario("name: bare\nservers:\n  - name: srv\n    listen: \"tcp:port=1\"\n"
                         "engines:\n  - name: eng\n");
  EXPECT_EQ(s.seed, 1u);
  EXPECT_EQ(s.description, "");
  EXPECT_EQ(s.topo.times, timing{});
  EXPECT_EQ(s.topo.servers[0].machine, "");  // the server's own machine
  EXPECT_EQ(s.topo.servers[0].start, 0ms);
  EXPECT_EQ(s.topo.engines[0].mode, disconnect_mode::async);  // S6's default
  EXPECT_FALSE(s.topo.engines[0].detach_on_exit);             // S21's default
  EXPECT_TRUE(s.steps.empty());
  EXPECT_TRUE(s.topo.links.empty());
}

/// A server `srv` (port 5005) and engines `eng` and `eng2`; steps follow from line 9.
const std::string base = "name: t\n"                         // 1
                         "servers:\n"                        // 2
                         "  - name: srv\n"                   // 3
                         "    listen: \"tcp:port=5005\"\n"   // 4
                         "engines:\n"                        // 5
                         "  - name: eng\n"                   // 6
                         "  - name: eng2\n"                  // 7
                         "steps:\n";                         // 8

TEST(ScenarioLoader, ValuesOfEveryKind) {
  auto s = load_scenario(base +
                         "  - at: 1.5s\n"
                         "    connect: { engine: eng, options: \"tcp:server=srv,port=5005\","
                         " as: h1 }\n"
                         "  - at: 2m\n"
                         "    list_processes: { engine: eng, handle: 0xffffffffffffffff,"
                         " pids: [1, 2], max: 3 }\n"
                         "  - at: 250us\n"
                         "    disconnect: { engine: eng, handle: 12345 }\n"
                         "    expect: 0x80070057\n"
                         "  - at: 0.25ms\n"
                         "    set_link: { from: eng, to: srv, loss: 1, duplicate: 0.5 }\n"
                         "  - at: 3s\n"
                         "    half_open: { between: [eng, srv], gone: engine }\n"
                         "  - at: 3s\n"
                         "    wait_server_end: { engine: eng, timeout: 1500ms }\n");
  ASSERT_EQ(s.steps.size(), 6u);
  EXPECT_EQ(s.steps[0].at, 1500ms);
  EXPECT_EQ(s.steps[1].at, 2min);
  auto& lp = std::get<action::list_processes>(s.steps[1].what);
  EXPECT_EQ(lp.handle.value, 0xffffffffffffffffull);
  EXPECT_EQ(lp.pids, (std::vector<std::uint32_t>{1, 2}));
  EXPECT_EQ(lp.max, 3u);
  EXPECT_EQ(s.steps[2].at, 250us);
  EXPECT_EQ(std::get<action::disconnect>(s.steps[2].what).handle, (handle_ref{"", 12345}));
  EXPECT_EQ(s.steps[2].expect, protocol::E_INVALIDARG);
  EXPECT_EQ(s.steps[3].at, 250us);
  auto& sl = std::get<action::set_link>(s.steps[3].what);
  EXPECT_EQ(sl.ends, (link_ends{"eng", "srv", false}));
  EXPECT_EQ(sl.loss, 1.0);
  EXPECT_EQ(sl.duplicate, 0.5);
  EXPECT_FALSE(sl.latency);
  EXPECT_FALSE(std::get<action::half_open>(s.steps[4].what).server_gone);
  EXPECT_EQ(std::get<action::wait_server_end>(s.steps[5].what).timeout, 1500ms);
}

TEST(ScenarioLoader, TagsLoadInFileOrder) {
  auto s = load_scenario("name: t\ntags: [core, 2nd-tag, x.y_z]\n");
  EXPECT_EQ(s.tags, (std::vector<std::string>{"core", "2nd-tag", "x.y_z"}));
  EXPECT_TRUE(load_scenario("name: t\n").tags.empty());
  EXPECT_TRUE(load_scenario("name: t\ntags: []\n").tags.empty());
}

TEST(ScenarioLoader, OneWayLinksMergeIntoOneLinkPerPairOfMachines) {
  auto s = load_scenario(base.substr(0, base.size() - 7) +
                         "links:\n"
                         "  - from: eng\n    to: srv\n    latency: 10ms\n"
                         "  - from: srv\n    to: eng\n    latency: 30ms\n");
  ASSERT_EQ(s.topo.links.size(), 1u);
  EXPECT_EQ(s.topo.links[0].a, "eng");
  EXPECT_EQ(s.topo.links[0].b, "srv");
  EXPECT_EQ(s.topo.links[0].a_to_b.latency, 10ms);
  EXPECT_EQ(s.topo.links[0].b_to_a.latency, 30ms);
}

TEST(ScenarioLoader, ConnectOptionsAreNotValidatedAtLoad) {
  // S2: a malformed connect string is something to test, not a malformed file.
  auto s = load_scenario(base +
                         "  - at: 0ms\n    connect: { engine: eng, options: \"tcp:port=x,,\" }\n"
                         "    expect: E_INVALIDARG\n");
  EXPECT_EQ(std::get<action::connect>(s.steps[0].what).options, "tcp:port=x,,");
}

TEST(ScenarioLoader, RenamedKeysLoadForOneReleaseWithAWarning) {
  // `crash` and `restart` are now `crash_server`, `crash_engine` and `restart_server`, the names
  // the world and the trace use; old files keep loading and are told the new name.
  auto s = load_scenario(base +
                             "  - at: 0ms\n    crash: { server: srv }\n"
                             "  - at: 1ms\n    restart: { server: srv }\n"
                             "  - at: 2ms\n    crash: { engine: eng }\n",
                         "old.yaml");
  ASSERT_EQ(s.steps.size(), 3u);
  EXPECT_EQ(std::get<action::crash_server>(s.steps[0].what).server, "srv");
  EXPECT_EQ(std::get<action::restart_server>(s.steps[1].what).server, "srv");
  EXPECT_EQ(std::get<action::crash_engine>(s.steps[2].what).engine, "eng");
  ASSERT_EQ(s.notes.lines.size(), 3u);
  EXPECT_EQ(s.notes.lines[0],
            "old.yaml:10:5: warning: `crash` is renamed to `crash_server`; the old spelling is "
            "accepted until the next release");
  EXPECT_NE(s.notes.lines[2].find("`crash` is renamed to `crash_engine`"), std::string::npos);
  EXPECT_TRUE(load_scenario(base + "  - at: 0ms\n    crash_server: { server: srv }\n")
                  .notes.lines.empty());
}

TEST(ScenarioLoader, CrashHowDefaultsToProcessAndIsSpelledTheSameInTheShortForm) {
  // S19, S3: `how` says whether a crash resets its connections (process) or silences them
  // (machine); left out it is a process crash, and the old `crash:` spelling takes it too.
  auto s = load_scenario(base +
                         "  - at: 0ms\n    crash_server: { server: srv }\n"
                         "  - at: 1ms\n    crash_server: { server: srv, how: machine }\n"
                         "  - at: 2ms\n    crash_engine: { engine: eng, how: process }\n"
                         "  - at: 3ms\n    crash_engine: { engine: eng2, how: machine }\n"
                         "  - at: 4ms\n    crash: { server: srv, how: machine }\n"
                         "  - at: 5ms\n    crash: { engine: eng }\n");
  ASSERT_EQ(s.steps.size(), 6u);
  EXPECT_EQ(std::get<action::crash_server>(s.steps[0].what).how, crash_how::process);
  EXPECT_EQ(std::get<action::crash_server>(s.steps[1].what).how, crash_how::machine);
  EXPECT_EQ(std::get<action::crash_engine>(s.steps[2].what).how, crash_how::process);
  EXPECT_EQ(std::get<action::crash_engine>(s.steps[3].what).how, crash_how::machine);
  EXPECT_EQ(std::get<action::crash_server>(s.steps[4].what).how, crash_how::machine);
  EXPECT_EQ(std::get<action::crash_engine>(s.steps[5].what).how, crash_how::process);
}

TEST(ScenarioLoader, NamesBoundEarlierInTimeThoughLaterInFileAreFine) {
  auto s = load_scenario(base +
                         "  - at: 200ms\n    disconnect: { engine: eng2, handle: h1 }\n"
                         "  - at: 100ms\n    connect: { engine: eng, options: x, as: h1 }\n"
                         "  - at: 300ms\n"
                         "    find_process: { engine: eng, handle: h1, exe: a.exe, as: p }\n"
                         "  - at: 300ms\n    attach: { engine: eng, handle: h1, pid: p }\n");
  EXPECT_EQ(s.steps.size(), 4u);
}

struct bad_case {
  const char* label;
  std::string text;
  const char* where;     // "LINE:COL"
  const char* fragment;  // part of the message
};

std::string steps(const std::string& body) { return base + body; }

const std::vector<bad_case> bad_cases = {
    {"unknown top-level key", "nmae: t\n", "1:1", "unknown key `nmae`; did you mean `name`?"},
    {"tags that are not a list", "name: t\ntags: core\n", "2:7",
     "`tags`: expected a list, found `core`"},
    {"a tag with a space", "name: t\ntags: [core, \"a b\"]\n", "2:14",
     "`tags`: `a b` is not a tag"},
    {"a tag that is a list", "name: t\ntags: [[a]]\n", "2:8", "expected a tag, found a list"},
    {"a tag given twice", "name: t\ntags: [core, core]\n", "2:14",
     "the tag `core` is given twice (first at line 2)"},
    {"missing name", "seed: 3\n", "1:1", "needs `name`"},
    {"name of the wrong type", "name: [a, b]\n", "1:7", "expected a string, found a list"},
    {"negative seed", "name: t\nseed: -1\n", "2:7", "expected a non-negative integer"},
    {"duplicate key", "name: t\nname: u\n", "2:1",
     "the key `name` is given twice (first at line 1)"},
    {"YAML syntax error", "name: t\nsteps: [ {at: 0ms\n", "3:1", "YAML:"},
    {"two documents", "name: t\n---\nname: u\n", "2:1", "one YAML document"},
    {"duration without unit", steps("  - at: 100\n    crash_server: { server: srv }\n"), "9:9",
     "has no unit"},
    {"duration with a misspelt unit", steps("  - at: 100mss\n    crash_server: { server: srv }\n"), "9:9",
     "`mss` is not a unit; did you mean `ms`?"},
    {"duration finer than a microsecond", steps("  - at: 1.5us\n    crash_server: { server: srv }\n"),
     "9:9", "whole number of microseconds"},
    {"probability above 1",
     steps("  - at: 0ms\n    set_link: { between: [eng, srv], loss: 1.5 }\n"),
     "10:44", "a probability is from 0 to 1"},
    {"probability that is not a number",
     steps("  - at: 0ms\n    set_link: { between: [eng, srv], duplicate: nan }\n"), "10:49",
     "expected a probability"},
    {"misspelt action", steps("  - at: 0ms\n    conect: { engine: eng, options: x }\n"), "10:5",
     "unknown key `conect`; did you mean `connect`?"},
    {"misspelt key inside an action",
     steps("  - at: 0ms\n    connect: { engin: eng, options: x }\n"), "10:16",
     "unknown key `engin`; did you mean `engine`?"},
    {"missing key of an action", steps("  - at: 0ms\n    connect: { engine: eng }\n"), "10:14",
     "`connect` needs `options`"},
    {"unknown engine with suggestion",
     steps("  - at: 0ms\n    connect: { engine: eng3, options: x }\n"), "10:24",
     "no engine is named `eng3`; did you mean `eng`?"},
    {"server where an engine is needed",
     steps("  - at: 0ms\n    detach_all: { engine: srv }\n"), "10:27",
     "`srv` is a server, not an engine"},
    {"unknown machine in a partition",
     steps("  - at: 0ms\n    partition: { between: [eng, srvv] }\n"), "10:33",
     "no machine, engine or server is named `srvv`; did you mean `srv`?"},
    {"engine and server share one namespace",
     "name: t\nservers:\n  - name: x\n    listen: \"tcp:port=1\"\nengines:\n  - name: x\n", "6:11",
     "the name `x` is already taken by the server at line 3"},
    {"handle used before any step binds it",
     steps("  - at: 0ms\n    disconnect: { engine: eng, handle: h1 }\n"), "10:40",
     "the handle name `h1` is used before any earlier step binds it with `as`"},
    {"handle bound only by a later step",
     steps("  - at: 100ms\n    connect: { engine: eng, options: x, as: h1 }\n"
           "  - at: 50ms\n    disconnect: { engine: eng, handle: h1 }\n"),
     "12:40", "(it is bound at line 10, which is issued later)"},
    {"handle name misspelt",
     steps("  - at: 0ms\n    connect: { engine: eng, options: x, as: h1 }\n"
           "  - at: 1ms\n    end_server: { engine: eng, handle: hl }\n"),
     "12:40", "did you mean `h1`?"},
    {"pid name used as a handle",
     steps("  - at: 0ms\n    find_process: { engine: eng, handle: 0, exe: a.exe, as: p1 }\n"
           "  - at: 1ms\n    disconnect: { engine: eng, handle: p1 }\n"),
     "12:40", "`p1` names a pid (bound at line 10), not a handle"},
    {"handle literal too large",
     steps("  - at: 0ms\n    disconnect: { engine: eng, handle: 0x1ffffffffffffffff }\n"), "10:40",
     "an integer from 0 to 0xffffffffffffffff"},
    {"unknown HRESULT", steps("  - at: 0ms\n    detach_all: { engine: eng }\n    expect: S_OKK\n"),
     "11:13", "did you mean `S_OK`?"},
    {"expect on a fault", steps("  - at: 0ms\n    crash_server: { server: srv }\n    expect: S_OK\n"),
     "11:5", "`expect` is for API calls; `crash_server` is not one"},
    {"two actions in one step",
     steps("  - at: 0ms\n    crash_server: { server: srv }\n    restart_server: { server: srv }\n"),
     "11:5", "has one action; this one has both `crash_server` and `restart_server`"},
    {"unknown crash how",
     steps("  - at: 0ms\n    crash_server: { server: srv, how: machin }\n"), "10:39",
     "`how`: expected `process` or `machine`, found `machin`; did you mean `machine`?"},
    {"crash how in the short form",
     steps("  - at: 0ms\n    crash: { engine: eng, how: power }\n"), "10:32",
     "`how`: expected `process` or `machine`, found `power`"},
    {"step without an action", steps("  - at: 0ms\n"), "9:5", "needs an action"},
    {"step without at", steps("  - crash_server: { server: srv }\n"), "9:5", "needs `at`"},
    {"listen string the server rejects",
     "name: t\nservers:\n  - name: srv\n    listen: \"tcp:port=99999\"\n", "4:13", "at byte 9"},
    {"two servers on one endpoint",
     "name: t\nservers:\n  - name: a\n    machine: m\n    listen: \"tcp:port=1\"\n"
     "  - name: b\n    machine: m\n    listen: \"tcp:port=1,password=x\"\n",
     "8:13", "servers `a` and `b` both listen at tcp:1 on machine `m`"},
    {"COM ports differ only by case",
     "name: t\nservers:\n  - name: a\n    machine: m\n    listen: \"com:port=COM1,baud=115200,channel=0\"\n"
     "  - name: b\n    machine: m\n    listen: \"com:port=com01,baud=9600,channel=1\"\n",
     "8:13", "servers `a` and `b` both listen at com:COM1 and com:com01 (Windows compares"},
    {"pipes differ only by case",
     "name: t\nservers:\n  - name: a\n    machine: m\n    listen: \"npipe:pipe=Debug\"\n"
     "  - name: b\n    machine: m\n    listen: \"npipe:pipe=DEBUG\"\n",
     "8:13", "servers `a` and `b` both listen at npipe:Debug and npipe:DEBUG"},
    {"a port inside another server's range",
     "name: t\nservers:\n  - name: a\n    machine: m\n    listen: \"tcp:port=5000:5010\"\n"
     "  - name: b\n    machine: m\n    listen: \"tcp:port=5005\"\n",
     "8:13", "both listen at overlapping ports (tcp:5000:5010 and tcp:5005) on machine `m`"},
    {"a range holding another server's port",
     "name: t\nservers:\n  - name: a\n    machine: m\n    listen: \"tcp:port=5005\"\n"
     "  - name: b\n    machine: m\n    listen: \"tcp:port=5000:5010\"\n",
     "8:13", "overlapping ports (tcp:5005 and tcp:5000:5010)"},
    {"misspelt disconnect mode",
     "name: t\nengines:\n  - name: e\n    disconnect: asynk\n", "4:17",
     "expected `async` or `sync`, found `asynk`; did you mean `async`?"},
    {"boolean that is not one", "name: t\nengines:\n  - name: e\n    detach_on_exit: maybe\n",
     "4:21",
     "expected true or false"},
    {"machine listed twice", "name: t\nmachines:\n  - name: m\n  - name: m\n", "4:11",
     "the machine `m` is listed twice"},
    {"duplicate pid on a machine",
     "name: t\nmachines:\n  - name: m\n    processes:\n      - { pid: 7, exe: a }\n"
     "      - { pid: 7, exe: b }\n",
     "6:16", "pid 7 is given twice"},
    {"link given twice",
     steps("").substr(0, base.size() - 7) +
         "links:\n  - between: [eng, srv]\n  - from: srv\n    to: eng\n",
     "10:5", "is already given at line 9"},
    {"zero keepalive", "name: t\ndefaults:\n  keepalive: 0s\n", "3:14", "must be more than 0"},
    {"check with two subjects",
     steps("  - at: 0ms\n    check: { server: srv, engine: eng, sessions: 0 }\n"), "10:12",
     "needs exactly one subject"},
    {"check assertion for another subject",
     steps("  - at: 0ms\n    check: { engine: eng, sessions: 0 }\n"), "10:27",
     "`sessions` is an assertion about a server"},
    {"crash_server with no server", steps("  - at: 0ms\n    crash_server: {}\n"), "10:19",
     "`crash_server` needs `server`"},
    {"set_link that changes nothing",
     steps("  - at: 0ms\n    set_link: { between: [eng, srv] }\n"), "10:15", "changes nothing"},
    {"machine named like a server elsewhere",
     "name: t\nservers:\n  - name: srv\n    machine: box\n    listen: \"tcp:port=1\"\n"
     "engines:\n  - name: eng\n    machine: srv\n",
     "8:14", "has the name of the server `srv`, which runs on machine `box`"},
    {"steps is not a list", "name: t\nsteps: { at: 0ms }\n", "2:8", "expected a list, found a map"},
    {"end_session mode misspelt",
     steps("  - at: 0ms\n    end_session: { engine: eng, mode: pasive }\n"), "10:39",
     "did you mean `passive`?"},
    {"empty file", "", "1:1", "the file is empty"},
};

TEST(ScenarioLoader, EveryErrorClassNamesItsPlace) {
  for (const auto& c : bad_cases) {
    SCOPED_TRACE(c.label);
    try {
      load_scenario(c.text, "bad.yaml");
      ADD_FAILURE() << "loaded: " << c.label;
    } catch (const scenario_error& e) {
      std::string where = std::to_string(e.pos().line) + ":" + std::to_string(e.pos().col);
      EXPECT_EQ(where, c.where) << e.what();
      EXPECT_NE(e.message().find(c.fragment), std::string::npos) << e.what();
      EXPECT_EQ(std::string(e.what()), "bad.yaml:" + where + ": " + e.message());
      EXPECT_EQ(e.file(), "bad.yaml");
    }
  }
}

TEST(ScenarioLoader, ErrorTextIsFileLineColMessage) {
  try {
    load_scenario("name: t\nseeds: 3\n", "dir/x.yaml");
    FAIL();
  } catch (const scenario_error& e) {
    EXPECT_STREQ(e.what(),
                 "dir/x.yaml:2:1: the scenario: unknown key `seeds`; did you mean `seed`?");
  }
}

TEST(ScenarioLoader, NoSuggestionWhenNothingIsClose) {
  try {
    load_scenario("name: t\nzzzzzz: 3\n");
    FAIL();
  } catch (const scenario_error& e) {
    EXPECT_EQ(e.message().find("did you mean"), std::string::npos) << e.what();
  }
}

// -- limits and hostile input -------------------------------------------------------------------

/// Loads `text` expecting a scenario_error whose message holds `fragment`; returns the message.
std::string refused(const std::string& text, const std::string& fragment) {
  EXPECT_FALSE(fragment.empty()) << "every fragment matches an empty one: say what to expect";
  try {
    load_scenario(text, "hostile.yaml");
  } catch (const scenario_error& e) {
    EXPECT_NE(e.message().find(fragment), std::string::npos) << e.what();
    return e.message();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "not a scenario_error: " << e.what();
    return {};
  }
  ADD_FAILURE() << "loaded";
  return {};
}

TEST(ScenarioLoader, BillionLaughsIsRefused) {
  // The classic bomb where a string is expected: refused at the first list, never expanded.
  std::string bomb = "name: t\ndescription: [&a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]";
  for (int i = 1; i < 10; ++i) {
    std::string prev = "*a" + std::to_string(i - 1);
    bomb += ", &a" + std::to_string(i) + " [" + prev;
    for (int j = 1; j < 9; ++j)
      bomb += ", " + prev;
    bomb += "]";
  }
  bomb += "]\n";
  refused(bomb, "expected a string, found a list");

  // A bomb the format can hold: every step an alias of one step with a long pid list. Each
  // alias is walked again, so the node budget stops it.
  std::string pids = "[";
  for (int i = 0; i < 200; ++i)
    pids += std::to_string(i) + ",";
  pids += "1]";
  std::string text = "name: t\nmachines:\n  - name: m\nsteps:\n"
                     "  - &s { at: 0ms, check: { machine: m, pids: " + pids + " } }\n";
  for (int i = 0; i < 20000; ++i)
    text += "  - *s\n";
  refused(text, "YAML nodes");
}

TEST(ScenarioLoader, TooManyNodesAreRefusedBeforeTheTreeIsBuilt) {
  std::string text = "name: t\ndescription: [";
  text.reserve(2'100'000);
  for (int i = 0; i < 1'000'001; ++i)
    text += "0,";
  text += "0]\n";
  refused(text, "more than 1000000 YAML nodes");
}

TEST(ScenarioLoader, SelfReferentialAliasesAreRefused) {
  refused("name: t\ndescription: &a [*a]\n", "expected a string, found a list");
  refused("name: t\nsteps: &a [*a]\n", "expected a map, found a list");
  refused("name: &a {name: *a}\n", "`name`: expected a string, found a map");
}

/// The whole message (FILE:LINE:COL: ...) of loading `text`, or "loaded".
std::string error_of(const std::string& text) {
  try {
    load_scenario(text, "hostile.yaml");
  } catch (const scenario_error& e) {
    return e.what();
  }
  return "loaded";
}

TEST(ScenarioLoader, DeepNestingIsRefused) {
  // Flow nesting is refused at the bracket that goes one level too deep, before yaml-cpp.
  EXPECT_EQ(error_of("name: t\ndescription: " + std::string(100000, '[')),
            "hostile.yaml:2:414: nested too deeply: more than 400 levels of `[` and `{`");
  std::string maps = "name: t\ndescription: ";
  for (int i = 0; i < 50000; ++i)
    maps += "{a: ";
  EXPECT_EQ(error_of(maps).rfind("hostile.yaml:2:1614: nested too deeply", 0), 0u) << error_of(maps);
  // Brackets inside quoted strings and comments do not count.
  EXPECT_NO_THROW(load_scenario("name: t\ndescription: \"" + std::string(1000, '[') +
                                "\" # " + std::string(1000, '{') + "\n"));
  // Block nesting: the event pre-pass counts it, with the same limit.
  std::string block = "name: t\ndescription:\n";
  for (int i = 0; i < 2100; ++i)
    block += std::string(static_cast<std::size_t>(i), ' ') + "- \n";
  refused(block, "nested too deeply: more than 400 levels of lists and maps");
}

TEST(ScenarioLoader, BytesYamlCannotHoldAreRefusedWithTheirPlace) {
  EXPECT_EQ(error_of(std::string("name: a\0b\n", 10)),
            "hostile.yaml:1:8: the control character 0x00 (NUL) in the text; YAML cannot hold it "
            "raw: write it as an escape in a double-quoted string (\"\\x00\")");
  EXPECT_EQ(error_of("name: t\nseed: 1\x01\n").rfind("hostile.yaml:2:8: the control character 0x01 in", 0), 0u);
  EXPECT_EQ(error_of("\r\r\r").rfind("hostile.yaml:1:1: a CR line end without LF", 0), 0u);
  EXPECT_EQ(error_of("name: x\rseed: 1\r").rfind("hostile.yaml:1:8: a CR line end without LF", 0), 0u);
  EXPECT_NO_THROW(load_scenario("name: x\r\nseed: 1\r\ndescription: a\ttab\n"));
}

TEST(ScenarioLoader, TooManyStepsOrBytesAreRefused) {
  std::string text = "name: t\nsteps:\n";
  for (std::size_t i = 0; i <= max_scenario_steps; ++i)
    text += "- {}\n";
  refused(text, "at most 100000 are allowed");
  refused("name: t\ndescription: \"" + std::string(max_scenario_bytes, 'x') + "\"\n",
          "at most 4194304 are read");
}

TEST(ScenarioLoader, FilesThatCannotBeReadGiveAScenarioError) {
  EXPECT_THROW(load_scenario_file("/nonexistent/dir/x.yaml"), scenario_error);
  EXPECT_THROW(load_scenario_file(DBGSIM_SOURCE_DIR), scenario_error);
  auto path = std::filesystem::temp_directory_path() / "dbgsim-loader-test.yaml";
  {
    std::ofstream out(path);
    out << "name: t\nseed: x\n";
  }
  try {
    load_scenario_file(path.string());
    FAIL();
  } catch (const scenario_error& e) {
    EXPECT_EQ(e.file(), path.string());
    EXPECT_EQ(e.pos(), (source_pos{2, 7}));
  }
  std::filesystem::remove(path);
}

TEST(ScenarioLoader, MutatedFilesNeverCrash) {
  // A small deterministic mutation run: every outcome is a scenario or a scenario_error.
  std::uint64_t state = 0x9e3779b97f4a7c15ull;
  auto next = [&] {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  };
  const std::string alphabet = "{}[]:,-&*!|>'\"#%@ \n\t0x1.5msaz_";
  int loaded = 0, refused_count = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string text = spec_example;
    int edits = 1 + static_cast<int>(next() % 4);
    for (int e = 0; e < edits; ++e) {
      auto at = next() % (text.size() + 1);
      switch (next() % 3) {
        case 0: text.insert(at, 1, alphabet[next() % alphabet.size()]); break;
        case 1: if (at < text.size()) text.erase(at, 1 + next() % 8); break;
        default: if (at < text.size()) text[at] = static_cast<char>(next() % 256); break;
      }
    }
    try {
      load_scenario(text);
      ++loaded;
    } catch (const scenario_error& e) {
      ++refused_count;
      EXPECT_FALSE(e.message().empty());
    } catch (const std::exception& e) {
      ADD_FAILURE() << "mutation " << i << " threw something other than a scenario_error: "
                    << e.what();
    }
  }
  // Both outcomes must occur, or the mutations are too mild (nothing refused) or too wild
  // (nothing loads) to say anything about the loader.
  EXPECT_GT(refused_count, 0);
  EXPECT_GT(loaded, 0);
}

}  // namespace
}  // namespace dbgsim
