// `dbgsim prop [--cases N] [--seed S] [--mutant M] [--out DIR]`: runs the handle-lifecycle
// property on demand; on failure prints the shrunk command sequence and writes the reproducer.
// `dbgsim prop --client NAME [--client-lib PATH]... [--arg A]... [--allow FINDING]...`: runs the
// client property instead (props/client_property.hpp): one program under generated faults.
#include "cli/commands.hpp"
#include "cli/run_text.hpp"
#include "client_runtime/program_catalog.hpp"
#include "fuzz/client_input.hpp"
#include "props/props.hpp"
#include "scenario_files/loader.hpp"
#include "vocabulary/suggest.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

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
  std::string client;                    ///< --client: the program of the client property.
  std::vector<std::string> client_libs;  ///< --client-lib: libraries of client programs.
  std::vector<std::string> client_args;  ///< --arg: the program's argv[1...].
  std::vector<std::string> allow;        ///< --allow: findings that do not fail a case.
  bool cases_given = false;              ///< --cases was on the command line.
  bool size_given = false;               ///< --max-size was on the command line.
};

/// Every finding's name, comma-separated (from vocabulary/finding.hpp's table).
std::string finding_names() {
  std::string out;
  for (auto k : all_values<finding_kind>())
    out += (out.empty() ? "" : ", ") + std::string(name_of(k));
  return out;
}

/// Says that `value` of `option` names no `what` of `names`: the nearest one, then all of them
/// (and `more`, a hint where others come from); the caller exits 2.
void no_such(const std::string& option, const std::string& value, const char* what,
             const std::vector<std::string>& names, const char* more) {
  std::cerr << "prop: " << option << " " << printable(value) << ": no such " << what;
  if (const auto n = nearest_name(value, names); !n.empty())
    std::cerr << "; did you mean `" << n << "`?";
  std::cerr << "\n  " << what << "s:";
  for (const auto& n : names)
    std::cerr << ' ' << n;
  std::cerr << more << '\n';
}

/// Prints "N cases passed" every tenth of `cases`, and "case N failed; shrinking..." once.
std::function<void(int, bool)> progress_lines(int cases) {
  const int step = std::max(1, cases / 10);
  // Shared, so that every copy of the function (the property may copy its options) says it once.
  auto announced_shrink = std::make_shared<bool>(false);
  return [step, announced_shrink](int runs, bool failing) {
    if (failing && !*announced_shrink) {
      *announced_shrink = true;
      std::cout << "  case " << runs << " failed; shrinking...\n" << std::flush;
    } else if (!failing && runs % step == 0) {
      std::cout << "  " << runs << " cases passed\n" << std::flush;
    }
  };
}

/// Cases the client property needs by default: each runs a program for simulated minutes.
constexpr int default_client_cases = 100;

std::string seconds(std::chrono::steady_clock::duration d) {
  std::ostringstream os;
  os << std::fixed << std::setprecision(2) << std::chrono::duration<double>(d).count() << "s";
  return os.str();
}

/// Writes `text` to `file`; false (after saying why) when it cannot.
bool write_file(const std::string& file, const std::string& text) {
  std::ofstream out(file);
  out << text;
  out.close();
  if (!out) {
    std::cerr << "prop: error: cannot write the reproducer " << file << ": "
              << std::strerror(errno) << '\n';
    return false;
  }
  return true;
}

int run_client_prop(const prop_args& args) {
  if (args.mutant_name != "none" || args.model_only || args.histogram) {
    std::cerr << "prop: --client does not combine with --mutant, --model-only or --histogram "
                 "(they are the lifecycle property's)\n";
    return exit_bad_input;
  }
  if (!load_client_libs("prop", args.client_libs))
    return exit_bad_input;
  const auto& catalog = program_catalog::process();
  if (catalog.find(args.client) == nullptr) {
    std::vector<std::string> names;
    for (const auto& p : catalog.programs())
      names.push_back(p.name);
    no_such("--client", args.client, "program", names, " (more with --client-lib PATH.so)");
    return exit_bad_input;
  }
  props::client_property_options o;
  o.program = args.client;
  for (const auto& a : args.allow) {
    const auto k = from_name<finding_kind>(a);
    if (!k) {
      std::vector<std::string> names;
      for (auto f : all_values<finding_kind>())
        names.emplace_back(name_of(f));
      no_such("--allow", a, "finding", names, "");
      return exit_bad_input;
    }
    o.allowed.push_back(*k);
  }
  std::sort(o.allowed.begin(), o.allowed.end());
  o.allowed.erase(std::unique(o.allowed.begin(), o.allowed.end()), o.allowed.end());
  // Without --arg: the args client_fuzzer gives a bundled program, else the server's address.
  if (!args.client_args.empty())
    o.args = args.client_args;
  else if (const auto* row = fuzz::find_fuzz_client(args.client))
    o.args = row->args;
  else
    o.args = {std::string(client_world_options)};
  o.cases = args.cases_given ? args.cases : default_client_cases;
  o.max_size = args.size_given ? args.max_size : props::max_client_size;
  o.seed = args.seed;
  o.shrink = !args.no_shrink;
  if (o.cases < 1 || o.cases > props::max_client_cases) {
    std::cerr << "prop: --cases must be 1.." << props::max_client_cases << " with --client (got "
              << o.cases << ")\n";
    return exit_bad_input;
  }
  if (o.max_size < 1 || o.max_size > props::max_client_size) {
    std::cerr << "prop: --max-size must be 1.." << props::max_client_size
              << " with --client (the most faults a schedule holds; got " << o.max_size << ")\n";
    return exit_bad_input;
  }
  std::error_code ec;
  if (!std::filesystem::is_directory(args.out_dir, ec)) {
    std::cerr << "prop: --out " << args.out_dir << " is not a directory\n";
    return exit_bad_input;
  }
  if (!args.quiet)
    o.progress = progress_lines(o.cases);
  std::string arg_line;
  for (const auto& a : o.args)
    arg_line += " " + shell_quote(a);
  std::cout << "prop: client " << o.program << " (args" << arg_line << "), allowed "
            << findings_text(o.allowed) << ", " << o.cases << " cases, seed " << o.seed << '\n';
  const auto start = std::chrono::steady_clock::now();
  props::client_property_result r;
  try {
    r = props::run_client_property(o);
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
  if (r.passed) {
    std::cout << "PASS client " << o.program << ": " << r.cases << " cases (wall " << seconds(wall)
              << ")\n";
    return exit_ok;
  }
  std::cout << "FAIL client " << o.program << ": case " << r.cases << " failed; shrunk in "
            << r.shrink_runs << " runs (wall " << seconds(wall) << ")\n"
            << "  " << r.message << '\n'
            << "findings: " << findings_text(r.found) << "; not allowed: "
            << findings_text(r.unexpected) << '\n';
  std::string rules;
  for (const auto& x : r.rules)
    rules += (rules.empty() ? "" : ",") + x;
  std::cout << "rules: " << (rules.empty() ? "none" : rules) << '\n';
  if (!r.reproducer) {
    std::cerr << "prop: error: the failure left no reproducer (RapidCheck: " << r.message
              << ")\n";
    return exit_bad_input;
  }
  std::cout << "  world: " << describe_world(r.world) << '\n';
  const auto file = (std::filesystem::path(args.out_dir) /
                     ("prop-client-" + o.program + "-" + std::to_string(o.seed) + ".yaml"))
                        .string();
  const auto text = props::client_reproducer_text(r, o);
  if (!write_file(file, text))
    return exit_bad_input;
  // The file must replay to a failure by itself, through the loader as `dbgsim run` reads it.
  std::string replay;
  bool replays = false;
  try {
    const auto [fails, why] = props::client_replay_fails(load_scenario(text, file));
    replays = fails;
    replay = fails ? "replays to a failure: " + why : "replays without failing";
  } catch (const std::exception& e) {
    replay = std::string("does not load: ") + e.what();
  }
  std::string libs;
  for (const auto& lib : catalog.libraries())
    libs += " --client-lib " + shell_quote(lib);
  std::cout << "  reproducer: " << file << " (" << replay << ")\n"
            << "  replay it:  dbgsim run" << libs << " " << shell_quote(file) << '\n';
  if (!replays) {
    std::cerr << "prop: error: the reproducer " << file << " " << replay << '\n';
    return exit_bad_input;
  }
  return exit_failed;
}

int run_prop(const prop_args& args) {
  if (!args.client.empty())
    return run_client_prop(args);
  if (!args.client_args.empty() || !args.allow.empty() || !args.client_libs.empty()) {
    std::cerr << "prop: --arg, --allow and --client-lib need --client NAME\n";
    return exit_bad_input;
  }
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
  if (!args.quiet)
    o.progress = progress_lines(args.cases);

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
  sub->add_option("--cases", args->cases,
                  "Passing cases needed (default 1000; with --client, 100)");
  sub->add_option("--seed", args->seed, "Generation seed (default 1)");
  sub->add_option("--mutant", args->mutant_name, mutant_help());
  sub->add_option("--out", args->out_dir,
                  "Where to write the reproducer prop-<mutant>-<seed>.yaml (default .)");
  sub->add_option("--max-size", args->max_size,
                  "Largest generation size (default 60; with --client, the most faults, 1.." +
                      std::to_string(props::max_client_size) + ")");
  sub->add_option("--client", args->client,
                  "Run the client property instead: the program NAME (bundled, or from "
                  "--client-lib) in generated client worlds, faults spread over its run");
  add_client_lib_option(sub, args->client_libs);
  sub->add_option("--arg", args->client_args,
                  "With --client: one argument of the program (repeatable, in order; default: "
                  "client_fuzzer's args for a bundled program, else tcp:server=srv,port=5005)");
  sub->add_option("--allow", args->allow,
                  "With --client: a finding that does not fail a case (repeatable; default none): " +
                      finding_names());
  sub->add_flag("--no-shrink", args->no_shrink, "Report the first failing case unshrunk");
  sub->add_flag("--quiet,-q", args->quiet, "No progress lines");
  sub->add_flag("--model-only", args->model_only,
                "Judge by the reference model alone, not the oracle (what the model catches)");
  sub->add_flag("--verbose,-v", args->verbose, "Print every case's commands");
  sub->add_flag("--histogram", args->histogram,
                "Print how often each operation kind ran, and how often a disconnect, end-server, "
                "fault, reset or crash met calls in flight");
  // The client world's numbers and fault names come from scenario/client_world.hpp.
  std::string faults;
  for (auto k : client_fault_kinds)
    faults += std::string(name_of(k)) + ", ";
  const auto secs = [](sim_time t) {
    return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(t).count()) + " s";
  };
  sub->footer(
      "Exit status: 0 no failure; 1 a failure, with a reproducer written that replays failing "
      "(a line `rules: S6,...` names the rules it breaks); 2 bad usage or an internal error "
      "(out of memory, a reproducer that cannot be written or does not replay).\n\n"
      "With --client NAME: each case is a client world (docs/properties.md, \"A client "
      "program\"): server srv (machine srv, tcp:port=5005, notepad.exe 4242, calc.exe 4343), "
      "the program on engine eng, now and then a second server srv2 and an engine eng2 holding "
      "a session; links of a generated profile; up to " +
      std::to_string(client_world_max_faults) + " faults (" + faults + "or advance) within " +
      secs(client_world_max_time) + ", then, " + secs(client_world_recovery) +
      " after the last, every link healed and a crashed server restarted. A case fails on an "
      "oracle violation or a finding about the program outside --allow; the reproducer "
      "prop-client-NAME-SEED.yaml declares the allowed findings it showed, so `dbgsim run` of "
      "it fails on the others; exit 2 also for an unknown program or finding (with a "
      "did-you-mean).");
  return [args, sub] {
    args->cases_given = sub->count("--cases") > 0;
    args->size_given = sub->count("--max-size") > 0;
    return run_prop(*args);
  };
}

}  // namespace dbgsim::cli
