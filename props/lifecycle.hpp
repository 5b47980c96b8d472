// The handle-lifecycle property: generated worlds and command sequences, every result judged by
// the reference model and the oracle, convergence checked after settling; on failure, the shrunk
// sequence and the scenario that reproduces it.
#pragma once

#include "props/commands.hpp"
#include "vocabulary/mutant.hpp"
#include "scenario/scenario.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace dbgsim::props {

/// How to run the lifecycle property.
struct lifecycle_options {
  int cases = 1000;               ///< Passing cases needed for the property to pass.
  std::uint64_t seed = 1;         ///< RapidCheck's seed (generation); each case seeds its world.
  mutant bug = mutant::none;      ///< A planted bug to switch on.
  int max_size = 60;              ///< Largest generation size (about the longest sequence).
  bool shrink = true;             ///< Shrink a failing case.
  bool oracle = true;             ///< Let the oracle judge too (false: the model alone).
  /// Called after each case with how many have run (progress); may be empty.
  std::function<void(int cases_run, bool failing)> progress;
  /// Called after each case with its commands, one line each (for --verbose); may be empty.
  std::function<void(const std::vector<std::string>& commands)> on_case;
};

/// What running the property gave.
struct lifecycle_result {
  bool passed = false;
  int cases = 0;                       ///< Cases run until it passed, or until the first failure.
  std::string message;                 ///< Why the (shrunk) case failed; RapidCheck's error otherwise.
  std::vector<std::string> commands;   ///< The shrunk command sequence, one line each.
  std::string world;                   ///< The shrunk case's world, in one line.
  std::optional<scenario> reproducer;  ///< The shrunk case as a scenario.
  int shrink_runs = 0;                 ///< Cases run while shrinking.
  std::vector<std::string> rules;      ///< The rules the failure names, first first ("S6").
  /// Not a property failure: the run itself broke (an exception such as bad_alloc, which
  /// RapidCheck would otherwise report as a failing case). Empty when it did not.
  std::string internal_error;
  histogram counts;                    ///< Operations run over the whole run (not shrinking).
};

/// Most cases and largest size `run_lifecycle_property` accepts (beyond them memory, not the
/// system under test, would decide the outcome).
inline constexpr int max_cases = 10'000'000;
inline constexpr int max_size = 1'000;

/// Runs the lifecycle property.
lifecycle_result run_lifecycle_property(const lifecycle_options& options);

/// Whether a reproducer fails when replayed with `bug` (what `dbgsim run` would report), and
/// the replay's first failure in words.
std::pair<bool, std::string> replay_fails(const scenario& s, mutant bug);

/// The reproducer as a scenario file, with comments naming the mutant and the failure.
std::string reproducer_text(const lifecycle_result& r, mutant bug);

/// The number of cases the default test run uses, or DBGSIM_PROP_CASES / DBGSIM_PROP_LONG.
int default_cases(int normal);

}  // namespace dbgsim::props
