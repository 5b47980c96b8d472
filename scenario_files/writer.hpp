// Writing scenario files: a scenario as YAML text that the loader reads back to the same scenario.
#pragma once

#include "scenario/scenario.hpp"

#include <iosfwd>
#include <string>

namespace dbgsim {

/// Writes `s` as a scenario file that load_scenario reads back to the same scenario (positions
/// aside). `comment` lines, if given, open the file as `# ...` lines.
void write_scenario(std::ostream& out, const scenario& s, const std::string& comment = "");

}  // namespace dbgsim
