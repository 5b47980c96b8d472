// `dbgsim check FILE|DIR...`: loads and validates scenario files without running them.
#include "cli/commands.hpp"
#include "cli/run_text.hpp"
#include "cli/scenario_files.hpp"
#include "scenario/scenario.hpp"
#include "world/world.hpp"
#include "scenario_files/loader.hpp"

#include <iostream>
#include <memory>
#include <string>
#include <vector>

namespace dbgsim::cli {
namespace {

struct check_args {
  std::vector<std::string> paths;
  bool quiet = false;
  std::vector<std::string> client_libs;  ///< --client-lib: libraries of client programs.
};

/// Checks one file; prints `ok  FILE (N steps)` or the error; returns whether it is good.
bool check_file(const std::string& path, bool quiet) {
  try {
    auto s = cli::load_file(path);
    // The world checks the topology again as it builds it (without running anything): a file
    // the loader accepts must never be refused there.
    world w(s.topo, s.seed);
    if (!quiet)
      std::cout << "ok  " << path << " (" << s.steps.size()
                << (s.steps.size() == 1 ? " step)" : " steps)") << '\n';
    return true;
  } catch (const scenario_error& e) {
    std::cerr << e.what() << '\n';
  } catch (const topology_error& e) {
    std::cerr << path << ": " << e.what() << '\n';
  } catch (const std::exception& e) {
    std::cerr << path << ": " << e.what() << '\n';
  }
  return false;
}

int run_check(const check_args& args) {
  if (!load_client_libs("check", args.client_libs))
    return exit_bad_input;
  bool all_ok = true;
  for (const auto& arg : args.paths) {
    std::vector<std::string> files;
    try {
      files = expand_scenario_args({arg});
    } catch (const std::exception& e) {
      std::cerr << e.what() << '\n';
      all_ok = false;
      continue;
    }
    for (const auto& f : files)
      all_ok = check_file(f, args.quiet) && all_ok;
  }
  return all_ok ? exit_ok : exit_bad_input;
}

}  // namespace

command_fn add_check_command(CLI::App& app) {
  auto args = std::make_shared<check_args>();
  auto* sub = app.add_subcommand(
      "check", "Load and validate scenario files without running them (exit 2 if any is bad)");
  sub->add_option("FILE", args->paths, "Scenario files, or directories of *.yaml files")
      ->required();
  add_client_lib_option(sub, args->client_libs);
  sub->add_flag("-q,--quiet", args->quiet, "Print only the errors");
  return [args] { return run_check(*args); };
}

}  // namespace dbgsim::cli
