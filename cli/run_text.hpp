// How `dbgsim run` and `dbgsim sweep` describe a run: times, failures, oracle findings and the
// command that replays a run, so both commands print the same words for the same thing.
#pragma once

#include "vocabulary/mutant.hpp"
#include "scenario/scenario.hpp"
#include "scenario/player.hpp"

#include <CLI/CLI.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace dbgsim::cli {

/// A simulated time as seconds with millisecond precision ("71.200s").
std::string format_time(sim_time t);

/// A wall-clock duration in seconds with three significant digits in a unit that shows them
/// ("412µs", "12.3ms", "1.25s"): most scenarios run in under a millisecond, which "0.000s" hid.
std::string format_wall(double seconds);

/// `text` quoted for a POSIX shell when it needs quoting, unchanged otherwise.
std::string shell_quote(const std::string& text);

/// The exact command that replays a run: `dbgsim run --seed N [--mutant M] OPTIONS -- FILE`.
std::string replay_command(const std::string& file, std::uint64_t seed, mutant bug,
                           const std::string& options = "");

/// Where a step stands: "FILE:LINE" when loaded from a file, "step N" otherwise.
std::string step_location(const scenario& s, std::size_t step);

/// One line per step failure and per oracle violation, in order of simulated time; no indentation.
std::vector<std::string> describe_failures(const scenario& s, const run_report& r);

/// The line for the failure that the report's signature() names ("" when it passed).
std::string describe_signature(const scenario& s, const run_report& r);

/// The mutant named `name`; nothing (after printing the valid names to stderr) when unknown.
std::optional<mutant> parse_mutant(const std::string& command, const std::string& name);

/// `text` with every byte that could mislead a terminal shown as `\xNN`: control characters
/// (a CR or an ANSI escape in a scenario name could overprint a FAIL line), DEL, and bytes that
/// are not valid UTF-8. Everything printed that came from input goes through it.
std::string printable(const std::string& text);

/// A seed as a user writes it: decimal digits only, at most 2^64-1; nothing otherwise.
std::optional<std::uint64_t> parse_seed(const std::string& text);

/// The help text of every `--mutant` option: the planted bugs by name, with the rule each breaks.
std::string mutant_help();

/// A finding as one line: "C1 leaked-handle `ide` at 12.000000s: ...".
std::string describe(const finding& f);

/// A client whose findings were not as declared, as one line: "FILE:LINE: client `ide`:
/// expected findings [], got [leaked-handle]".
std::string describe(const scenario& s, const client_failure& c);

/// Adds `--client-lib PATH` (repeatable) to a subcommand.
void add_client_lib_option(CLI::App* sub, std::vector<std::string>& libs);

/// Loads each client library into the process's catalog; false (after printing why, naming the
/// path) when one cannot be loaded: the caller exits 2.
bool load_client_libs(const std::string& command, const std::vector<std::string>& libs);

}  // namespace dbgsim::cli
