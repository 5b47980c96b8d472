// The client-program property (docs/properties.md, "A client program"): one program in generated
// client worlds (scenario/client_world.hpp), faults spread over its run; no oracle violation and
// no finding about it outside the allowed set. A failure shrinks to the smallest world and
// schedule that still fail, written as a scenario that `dbgsim run` replays to the same failure.
#pragma once

#include "scenario/client_world.hpp"

#include <rapidcheck.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace dbgsim::props {

/// How to run the client property.
struct client_property_options {
  std::string program;                 ///< A program of program_catalog::process().
  std::vector<std::string> args;       ///< Its argv[1...] in every case.
  std::vector<finding_kind> allowed;   ///< Findings that do not fail a case.
  int cases = 100;                     ///< Passing cases needed for the property to pass.
  std::uint64_t seed = 1;              ///< RapidCheck's seed (generation); each case seeds its world.
  int max_size = 16;                   ///< Largest generation size (about the most faults).
  bool shrink = true;                  ///< Shrink a failing case.
  /// Called after each case with how many have run (progress); may be empty.
  std::function<void(int cases_run, bool failing)> progress;
};

/// What running the client property gave.
struct client_property_result {
  bool passed = false;
  int cases = 0;                        ///< Cases run until it passed, or until the first failure.
  int shrink_runs = 0;                  ///< Cases run while shrinking.
  std::string message;                  ///< Why the (shrunk) case failed, its findings' words.
  client_world world;                   ///< The shrunk case.
  std::vector<finding_kind> found;      ///< Every finding kind about the program in it.
  std::vector<finding_kind> unexpected; ///< Those outside the allowed set.
  std::vector<std::string> rules;       ///< Oracle rules violated ("S6"), first first.
  std::optional<scenario> reproducer;   ///< The shrunk case, declaring allowed ∩ found.
  /// Not a property failure: the run itself broke (a run past its budget, a runaway program, an
  /// exception); empty when it did not.
  std::string internal_error;
};

/// Most cases and largest size run_client_property accepts.
inline constexpr int max_client_cases = 1'000'000;
inline constexpr int max_client_size = static_cast<int>(client_world_max_faults);

/// Generates client worlds for `program` with `args`: a seed, srv2 and eng2 one time in four,
/// the first link profile (healthy half the time) and up to `size` faults.
rc::Gen<client_world> gen_client_world(const std::string& program,
                                       const std::vector<std::string>& args);

/// Runs the client property.
client_property_result run_client_property(const client_property_options& options);

/// Whether a scenario fails when replayed (what `dbgsim run` would report), and its first
/// failure in words: an oracle rule, a client's findings not as declared, or a step.
std::pair<bool, std::string> client_replay_fails(const scenario& s);

/// The reproducer as a scenario file, with comments naming the program and the failure.
std::string client_reproducer_text(const client_property_result& r,
                                   const client_property_options& options);

}  // namespace dbgsim::props
