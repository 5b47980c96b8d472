// What the client-runtime tests share: a world of one server `srv` (tcp 5005, notepad 4242 and
// calc 4343), engines `eng` and `eng2`, 20 ms links; scenarios written as YAML text with the
// test's own `clients:`; and a log that test programs write what they saw into.
#pragma once

#include "scenario/player.hpp"
#include "scenario_files/loader.hpp"
#include "vocabulary/event.hpp"

#include <string>
#include <vector>

namespace dbgsim::test {

/// Lines test programs append (they run one at a time, so no lock is needed).
inline std::vector<std::string>& program_log() {
  static std::vector<std::string> lines;
  return lines;
}

/// The topology every test uses, as YAML, followed by `extra` (clients:, steps:, defaults:).
inline std::string world_yaml(const std::string& extra, std::uint64_t seed = 1) {
  return "name: client runtime test\nseed: " + std::to_string(seed) + R"(
machines:
  - name: srv
    processes:
      - { pid: 4242, exe: notepad.exe, description: Notepad }
      - { pid: 4343, exe: calc.exe, description: Calculator }
servers:
  - name: srv
    listen: "tcp:port=5005"
engines:
  - name: eng
  - name: eng2
links:
  - between: [eng, srv]
    latency: 20ms
  - between: [eng2, srv]
    latency: 20ms
)" + extra;
}

/// Loads and runs a scenario given as YAML; clears program_log() first.
inline run_report run_yaml(const std::string& text, run_options options = {}) {
  program_log().clear();
  const auto s = load_scenario(text, "test.yaml");
  return run_scenario(s, options);
}

/// The trace's events of one kind.
inline std::vector<event> of_kind(const run_report& r, event_kind k) {
  std::vector<event> out;
  for (const auto& e : r.events)
    if (e.kind == k)
      out.push_back(e);
  return out;
}

}  // namespace dbgsim::test
