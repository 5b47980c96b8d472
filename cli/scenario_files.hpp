// Scenario paths on the command line: `FILE|DIR...`, a directory standing for its *.yaml files.
#pragma once

#include "scenario/scenario.hpp"

#include <string>
#include <vector>

namespace dbgsim::cli {

/// Expands FILE|DIR arguments into scenario paths, in argument order: a file as given, a
/// directory as every `*.yaml` file directly in it, sorted by name. Throws std::runtime_error
/// naming the argument when a path does not exist or a directory holds no `*.yaml` file.
std::vector<std::string> expand_scenario_args(const std::vector<std::string>& args);

/// Loads a scenario file (throws scenario_error) and prints what the loader warned about on
/// stderr, so that every command tells the user about old spellings the same way.
scenario load_file(const std::string& path);

}  // namespace dbgsim::cli
