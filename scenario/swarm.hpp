// Swarm testing: from a seed alone, switch a random subset of extra faults on top of a scenario
// (noise on its links, one- and two-way partitions and their heals, resets, half-open
// connections, server crashes and restarts), so that one file explores many fault mixes. The
// result is an ordinary scenario, so a failing mix can be written as a file and replayed.
#pragma once

#include "scenario/scenario.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace dbgsim {

/// A scenario with the swarm's extra faults, and what was chosen.
struct swarm_result {
  scenario s;                        ///< The input with faults added (links, appended steps).
  std::vector<std::string> choices;  ///< One line per fault chosen ("loss 0.07 eng<->srv").
};

/// Adds a random subset of extra faults to `s`, chosen by a generator seeded from `seed` alone
/// (not the world's random source), at times within the scenario's span. The file's own
/// assertions (`expect`, `check` steps, listed `pids`) are dropped, since extra faults rightly
/// change what calls return: the oracle alone judges a swarm run. Equal inputs give equal
/// results everywhere.
swarm_result swarm(const scenario& s, std::uint64_t seed);

}  // namespace dbgsim
