// `dbgsim prop [--cases N] [--seed S] [--mutant M] [--out DIR]`: runs the handle-lifecycle
// property on demand; on failure prints the shrunk command sequence and writes the reproducer.
#include "cli/commands.hpp"
#include "cli/run_text.hpp"
#include "props/props.hpp"
#include "scenario_files/loader.hpp"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>

namespace dbgsim::cli {
namespace {

struct prop_args {
  int cases = 1000;
  std::uint64_t seed = 1;
  std::string mutant_name = "none";
  std::string out_dir = ".";
  int max_size = 60;
  bool no_shrink = false;
  bool quiet = false;
  bool verbose = false;
  bool model_only = false;
  bool histogram = false;
};

std::string seconds(std::chrono::steady_clock::duration d) {
  std::ostringstream os;
  os << std::fixed << std::setprecision(2) << std::chrono::duration<double>(d).count() << "s";
  return os.str();
}

int run_prop(const prop_args& args) {
  const auto bug = mutant_from_name(args.mutant_name);
  if (!bug) {
    std::cerr << "prop: unknown mutant '" << args.mutant_name << "'; one of: none";
    for (auto m : all_mutants())
      std::cerr << ", " << name_of(m);
    std::cerr << '\n';
    return exit_bad_input;
  }
  if (args.cases < 1 || args.cases > props::max_cases) {
    std::cerr << "prop: --cases must be 1.." << props::max_cases << " (got " << args.cases
              << ")\n";
    return exit_bad_input;
  }
  if (args.max_size < 1 || args.max_size > props::max_size) {
    std::cerr << "prop: --max-size must be 1.." << props::max_size << " (got " << args.max_size
              << ")\n";
    return exit_bad_input;
  }
  std::error_code ec;
  if (!std::filesystem::is_directory(args.out_dir, ec)) {
    std::cerr << "prop: --out " << args.out_dir << " is not a directory\n";
    return exit_bad_input;
  }

  props::lifecycle_options o;
  o.cases = args.cases;
  o.seed = args.seed;
  o.bug = *bug;
  o.max_size = args.max_size;
  o.shrink = !args.no_shrink;
  o.oracle = !args.model_only;
  const int step = std::max(1, args.cases / 10);
  bool announced_shrink = false;
  if (!args.quiet)
    o.progress = [&](int runs, bool failing) {
      if (failing && !announced_shrink) {
        announced_shrink = true;
        std::cout << "  case " << runs << " failed; shrinking...\n" << std::flush;
      } else if (!failing && runs % step == 0) {
        std::cout << "  " << runs << " cases passed\n" << std::flush;
      }
    };

  if (args.verbose)
    o.on_case = [](const std::vector<std::string>& commands) {
      std::cout << "  case (" << commands.size() << " commands)\n";
      for (const auto& c : commands)
        std::cout << "    " << c << '\n';
    };
  std::cout << "prop: handle lifecycle, " << args.cases << " cases, seed " << args.seed
            << ", mutant " << name_of(*bug) << '\n';
  const auto start = std::chrono::steady_clock::now();
  props::lifecycle_result r;
  try {
    r = props::run_lifecycle_property(o);
  } catch (const std::bad_alloc&) {
    std::cerr << "prop: internal error: out of memory (not a property failure)\n";
    return exit_bad_input;
  } catch (const std::exception& e) {
    std::cerr << "prop: internal error: " << e.what() << " (not a property failure)\n";
    return exit_bad_input;
  }
  const auto wall = std::chrono::steady_clock::now() - start;
  if (!r.internal_error.empty()) {
    std::cerr << "prop: " << r.internal_error << " (after " << r.cases
              << " cases; not a property failure)\n";
    return exit_bad_input;
  }
  if (args.histogram)
    r.counts.print(std::cout);

  if (r.passed) {
    std::cout << "PASS lifecycle: " << r.cases << " cases (wall " << seconds(wall) << ")\n";
    return exit_ok;
  }
  std::cout << "FAIL lifecycle: case " << r.cases << " failed; shrunk in " << r.shrink_runs
            << " runs (wall " << seconds(wall) << ")\n"
            << "  " << r.message << '\n';
  std::string rules;
  for (const auto& x : r.rules)
    rules += (rules.empty() ? "" : ",") + x;
  std::cout << "rules: " << (rules.empty() ? "none" : rules) << '\n';
  if (!r.reproducer) {
    std::cerr << "prop: error: the failure left no reproducer (RapidCheck: " << r.message
              << ")\n";
    return exit_bad_input;
  }
  std::cout << "  world: " << r.world << '\n'
            << "  shrunk command sequence (" << r.commands.size() << "):\n";
  for (std::size_t i = 0; i < r.commands.size(); ++i)
    std::cout << "    " << i + 1 << ". " << r.commands[i] << '\n';

  const auto file = (std::filesystem::path(args.out_dir) /
                     ("prop-" + std::string(name_of(*bug)) + "-" + std::to_string(args.seed) +
                      ".yaml"))
                        .string();
  const auto text = props::reproducer_text(r, *bug);
  {
    std::ofstream out(file);
    out << text;
    out.close();
    if (!out) {
      std::cerr << "prop: error: cannot write the reproducer " << file << ": "
                << std::strerror(errno) << '\n';
      return exit_bad_input;
    }
  }
  // The file must replay to a failure by itself, through the loader as `dbgsim run` reads it.
  std::string replay;
  bool replays = false;
  try {
    const auto [fails, why] = props::replay_fails(load_scenario(text, file), *bug);
    replays = fails;
    replay = fails ? "replays to a failure: " + why : "replays without failing";
  } catch (const std::exception& e) {
    replay = std::string("does not load: ") + e.what();
  }
  std::cout << "  reproducer: " << file << " (" << replay << ")\n"
            << "  replay it:  dbgsim run "
            << (*bug == mutant::none ? "" : "--mutant " + std::string(name_of(*bug)) + " ")
            << file << '\n';
  if (!replays) {
    // A failure nobody can replay is not evidence: an error of the harness, not a finding.
    std::cerr << "prop: error: the reproducer " << file << " " << replay << '\n';
    return exit_bad_input;
  }
  return exit_failed;
}

}  // namespace

command_fn add_prop_command(CLI::App& app) {
  auto args = std::make_shared<prop_args>();
  auto* sub = app.add_subcommand(
      "prop", "Run the handle-lifecycle property (model-based, RapidCheck) and shrink failures");
  sub->add_option("--cases", args->cases, "Passing cases needed (default 1000)");
  sub->add_option("--seed", args->seed, "Generation seed (default 1)");
  sub->add_option("--mutant", args->mutant_name, mutant_help());
  sub->add_option("--out", args->out_dir,
                  "Where to write the reproducer prop-<mutant>-<seed>.yaml (default .)");
  sub->add_option("--max-size", args->max_size, "Largest generation size (default 60)");
  sub->add_flag("--no-shrink", args->no_shrink, "Report the first failing case unshrunk");
  sub->add_flag("--quiet,-q", args->quiet, "No progress lines");
  sub->add_flag("--model-only", args->model_only,
                "Judge by the reference model alone, not the oracle (what the model catches)");
  sub->add_flag("--verbose,-v", args->verbose, "Print every case's commands");
  sub->add_flag("--histogram", args->histogram,
                "Print how often each operation kind ran, and how often a disconnect, end-server, "
                "fault, reset or crash met calls in flight");
  sub->footer(
      "Exit status: 0 no failure; 1 a failure, with a reproducer written that replays failing "
      "(a line `rules: S6,...` names the rules it breaks); 2 bad usage or an internal error "
      "(out of memory, a reproducer that cannot be written or does not replay).");
  return [args] { return run_prop(*args); };
}

}  // namespace dbgsim::cli
