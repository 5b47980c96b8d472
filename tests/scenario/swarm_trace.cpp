// `swarm_trace FILE SEED`: plays the seeded swarm variant of a scenario file (scenario/swarm.hpp:
// the file plus a random mix of extra faults chosen from SEED, run with SEED as the world's seed,
// so that link noise draws from the random source) and writes its whole trace as JSON lines,
// then the oracle's findings, to stdout. tests/scenario/determinism.sh runs it twice in two
// processes per scenario and compares the outputs byte for byte (docs/semantics.md, determinism).
#include "scenario/player.hpp"
#include "scenario/swarm.hpp"
#include "scenario_files/loader.hpp"

#include <cstdint>
#include <cstdio>
#include <exception>
#include <iostream>
#include <string>

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: swarm_trace FILE SEED\n";
    return 2;
  }
  try {
    const auto s = dbgsim::load_scenario_file(argv[1]);
    const std::uint64_t seed = std::stoull(argv[2]);
    const auto sw = dbgsim::swarm(s, seed);
    dbgsim::run_options o;
    o.seed = seed;
    o.keep_trace = true;
    const auto report = dbgsim::run_scenario(sw.s, o);
    for (const auto& c : sw.choices)
      std::cout << "# swarm: " << c << '\n';
    std::cout << dbgsim::to_json_lines(report.events);
    for (const auto& v : report.violations)
      std::cout << "# violation " << v.rule << " at " << v.t.count() << "us: " << v.message << '\n';
    return 0;
  } catch (const std::exception& e) {
    std::cerr << argv[1] << ": " << e.what() << '\n';
    return 2;
  }
}
