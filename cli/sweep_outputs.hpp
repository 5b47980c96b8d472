// What `dbgsim sweep` and `dbgsim merge` write from a sweep_result: the summary on standard
// output, the JUnit XML and the HTML report. Both commands go through these functions alone, so
// that a merge of shards prints exactly what one sweep of the whole range would have.
#pragma once

#include "report/html.hpp"
#include "report/junit.hpp"
#include "report/results.hpp"
#include "scenario/scenario.hpp"
#include "vocabulary/mutant.hpp"

#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

namespace dbgsim::cli {

/// The command that replays `seed` of the sweep `r` describes.
std::string sweep_replay(const sweep_result& r, std::uint64_t seed, mutant bug);

/// Prints each failure group (its line, first failure, replay command, swarm choices) and the
/// "N runs, F failed" line; `after_group` runs after each group's lines (sweep's --out) and
/// stops the printing by returning false.
bool print_sweep_summary(std::ostream& out, const sweep_result& r, mutant bug,
                         const std::function<bool(const failure_group&)>& after_group = {});

/// One failing testcase per failure group and one passing testcase for the seeds that passed.
std::vector<junit_case> sweep_junit(const sweep_result& r, mutant bug);

/// The report of `r`: each group's first seed is run again on `s` with its trace kept, for its
/// chart and trace. Throws what the run throws (a budget used up).
html_report sweep_html(const sweep_result& r, const scenario& s, mutant bug);

/// Writes the results JSON, the JUnit XML and the HTML report of `r` to the paths given (an empty
/// path: not wanted; `s`, the scenario, is needed for the report only); false, after a message naming the file, when one cannot be made.
bool write_sweep_files(const sweep_result& r, const scenario* s, mutant bug,
                       const std::string& results, const std::string& junit,
                       const std::string& report, const std::string& command);

}  // namespace dbgsim::cli
