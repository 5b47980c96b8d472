// The subcommands of `dbgsim`: each registers itself on the CLI11 app and runs when chosen.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>

namespace dbgsim::cli {

/// Exit codes everywhere: 0 all passed, 1 something failed, 2 bad input or usage.
enum exit_code : int { exit_ok = 0, exit_failed = 1, exit_bad_input = 2 };

/// What a subcommand runs once parsing chose it; returns the exit code.
using command_fn = std::function<int()>;

/// `dbgsim decode FILE|-`: prints each frame of a captured byte stream as one JSON line.
command_fn add_decode_command(CLI::App& app);

/// `dbgsim options STRING [--client]`: parses a transport string and prints its fields as JSON.
command_fn add_options_command(CLI::App& app);

/// `dbgsim repro CRASH_FILE [-o FILE.yaml] [--mutant M]`: a disconnect_fuzzer input as a scenario.
command_fn add_repro_command(CLI::App& app);

/// `dbgsim prop [--cases N] [--seed S] [--mutant M] [--out DIR]`: runs the lifecycle property.
command_fn add_prop_command(CLI::App& app);

/// `dbgsim check FILE|DIR...`: loads and validates scenario files without running them.
command_fn add_check_command(CLI::App& app);

/// `dbgsim run FILE|DIR...`: runs scenario files and prints PASS/FAIL per scenario.
command_fn add_run_command(CLI::App& app);

/// `dbgsim sweep FILE --seeds A..B`: runs one scenario under many seeds, grouping failures.
command_fn add_sweep_command(CLI::App& app);

/// `dbgsim merge F.json...`: combines sweep shards' results into one sweep's summary and reports.
command_fn add_merge_command(CLI::App& app);

/// `dbgsim schema`: prints the trace's schema (docs/trace-format.md).
command_fn add_schema_command(CLI::App& app);

/// `dbgsim serve OPTIONS --processes FILE`: the reference process server on a real TCP port.
command_fn add_serve_command(CLI::App& app);

/// `dbgsim list TABLE`: prints a table of names (mutants, calls, actions, faults, reasons).
command_fn add_list_command(CLI::App& app);

/// `dbgsim connect OPTIONS [CALL...]`: a live engine making calls on a real server.
command_fn add_connect_command(CLI::App& app);

/// `dbgsim live FILE [--time-scale X] [--compare]`: plays a scenario on real loopback sockets.
command_fn add_live_command(CLI::App& app);

}  // namespace dbgsim::cli
