// Reading scenario files: YAML text into a scenario (docs/scenario-format.md). This target is the
// only one that links yaml-cpp.
#pragma once

#include "scenario/scenario.hpp"

#include <string>

namespace dbgsim {

/// Loads a scenario from YAML text; `file` names it in messages. Strict: throws scenario_error on
/// unknown keys, wrong types, unknown or duplicate names, handle/pid names used before any step
/// binds them, malformed durations or probabilities, and anything past the limits above. A
/// scenario that loads is guaranteed to run.
scenario load_scenario(const std::string& text, const std::string& file = "<input>");

/// Loads a scenario file; throws scenario_error (also for a file that cannot be read).
scenario load_scenario_file(const std::string& path);

}  // namespace dbgsim
