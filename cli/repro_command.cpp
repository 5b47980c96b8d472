// `dbgsim repro CRASH_FILE [-o FILE.yaml] [--mutant M] [--exact]`: turns a disconnect_fuzzer
// input (a finding, or any corpus file) into the scenario file it encodes (disconnect_input.hpp),
// loads that file back and runs it as `dbgsim run` would, and prints the command that replays it.
// Steps that did nothing because their handle or pid name was never bound are left out when the
// run without them shows the same violations (unless --exact), so the file passes once the bug
// is gone.
// Exit codes: 0 the written scenario reproduces a violation, 1 it runs without one, 2 bad input.
//
// `dbgsim repro --client INPUT [-o FILE.yaml]`: the same for a client_fuzzer input
// (fuzz/client_input.hpp). The two fuzzers' inputs are raw bytes that each decodes totally, so
// nothing in the bytes can tell them apart: the flag says which decoding to use. The scenario's
// client declares the findings its program is allowed that the run showed, so that `dbgsim run`
// fails on the unexpected ones and passes once they are gone. Exit 0 when the file replays to a
// failure, 1 when it passes.
#include "cli/commands.hpp"
#include "fuzz/client_input.hpp"
#include "props/client_property.hpp"
#include "io/input.hpp"
#include "io/output.hpp"
#include "cli/run_text.hpp"
#include "fuzz/disconnect_input.hpp"
#include "scenario/scenario.hpp"
#include "scenario/player.hpp"
#include "scenario_files/writer.hpp"
#include "scenario_files/loader.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

namespace dbgsim::cli {
namespace {

/// The violations of a run, as text that two runs can be compared by.
std::vector<std::string> describe(const run_report& r) {
  std::vector<std::string> out;
  for (const auto& v : r.violations)
    out.push_back(v.rule + " " + std::to_string(v.t.count()) + " " + v.message);
  return out;
}

/// Leaves out the steps whose handle or pid name was not bound when they came (the player skips
/// them, so they do nothing), when the run without them shows the same violations: the file
/// then passes without the bug it shows. Returns how many steps were left out.
std::size_t prune_unbound_steps(scenario& s, mutant bug) {
  run_options options;
  options.bug = bug;
  options.keep_trace = false;
  const auto before = run_scenario(s, options);
  std::vector<bool> drop(s.steps.size(), false);
  std::size_t n = 0;
  for (const auto& f : before.failures) {
    if (f.step < drop.size() && !drop[f.step] && f.got.find("is not bound") != std::string::npos) {
      drop[f.step] = true;
      ++n;
    }
  }
  if (n == 0)
    return 0;
  scenario smaller = s;
  smaller.steps.clear();
  for (std::size_t i = 0; i < s.steps.size(); ++i)
    if (!drop[i])
      smaller.steps.push_back(s.steps[i]);
  if (describe(run_scenario(smaller, options)) != describe(before))
    return 0;
  s = std::move(smaller);
  return n;
}

struct repro_args {
  std::string input;
  std::string output;
  std::string mutant_name;
  bool exact = false;  ///< Keep every decoded step.
  bool client = false;  ///< The input is client_fuzzer's.
};

/// `repro --client`: the client world the input encodes, as a scenario that fails on the
/// findings its program is not allowed.
int run_client_repro(const repro_args& args, const std::vector<std::uint8_t>& bytes) {
  const auto world = fuzz::decode_client_input(bytes);
  const auto& allowed = fuzz::allowed_of_client_input(bytes);
  run_options options;
  options.keep_trace = false;
  const auto first = run_scenario(to_scenario(world, allowed), options);
  const auto found = client_findings(first.findings);
  scenario s = to_scenario(world, allowed_and_found(allowed, found));
  const auto base = std::filesystem::path(args.input).filename().string();
  s.name = "client_fuzzer finding " + base;
  s.description = "Decoded by dbgsim repro --client from a client_fuzzer input of " +
                  std::to_string(bytes.size()) + " bytes: " + world.program + ", allowed " +
                  findings_text(allowed) + ", found " + findings_text(found) + ".";
  const std::string target = args.output.empty() ? "FILE.yaml" : args.output;
  const std::string replay = "dbgsim run " + target;
  std::ostringstream text;
  write_scenario(text, s,
                 "Reproduces the client_fuzzer input " + args.input + " (" +
                     std::to_string(bytes.size()) + " bytes)\nworld: " + describe_world(world) +
                     "\nallowed: " + findings_text(allowed) + "; found: " +
                     findings_text(found) + "; declared: allowed and found\nreplay: " + replay);
  if (auto err = io::write_output(args.output.empty() ? "-" : args.output, text.str())) {
    std::cerr << "dbgsim repro: " << *err << '\n';
    return exit_bad_input;
  }
  std::ostream& note = args.output.empty() ? std::cerr : std::cout;
  const auto [fails, why] = props::client_replay_fails(load_scenario(text.str(), target));
  if (!fails) {
    note << "dbgsim repro: the scenario (" << world.program << ", " << s.steps.size()
         << " steps, seed " << s.seed << ") runs without a failure: found "
         << findings_text(found) << ", all allowed\n  " << replay << '\n';
    return exit_failed;
  }
  note << "dbgsim repro: " << world.program << ", " << s.steps.size() << " steps, seed " << s.seed
       << "; replays " << why << "\n  " << replay << '\n';
  return exit_ok;
}

int run_repro(const repro_args& args) {
  if (args.client && (!args.mutant_name.empty() || args.exact)) {
    std::cerr << "dbgsim repro: --client does not combine with --mutant or --exact\n";
    return exit_bad_input;
  }
  mutant bug = mutant::none;
  if (!args.mutant_name.empty()) {
    auto m = mutant_from_name(args.mutant_name);
    if (!m) {
      std::cerr << "dbgsim repro: --mutant " << args.mutant_name << ": no such mutant; known:";
      for (auto k : all_mutants())
        std::cerr << ' ' << name_of(k);
      std::cerr << '\n';
      return exit_bad_input;
    }
    bug = *m;
  }
  // disconnect_fuzzer reads at most a few hundred bytes of an input; a megabyte is not one.
  constexpr std::size_t max_input_bytes = 1u << 20;
  auto read = io::read_input(args.input, max_input_bytes);
  if (auto* err = std::get_if<io::read_error>(&read)) {
    std::cerr << "dbgsim repro: " << err->message << '\n';
    return exit_bad_input;
  }
  const auto& raw = std::get<std::string>(read);
  const std::vector<std::uint8_t> bytes(raw.begin(), raw.end());
  if (args.client)
    return run_client_repro(args, bytes);

  scenario s = fuzz::decode_disconnect_input(bytes);
  const std::size_t pruned = args.exact ? 0 : prune_unbound_steps(s, bug);
  const auto base = std::filesystem::path(args.input).filename().string();
  s.name = "disconnect_fuzzer finding " + base;
  s.description = "Decoded by dbgsim repro from a disconnect_fuzzer input of " +
                  std::to_string(bytes.size()) + " bytes" +
                  (pruned == 0 ? std::string(".")
                               : "; " + std::to_string(pruned) +
                                     " step(s) whose handle or pid was never bound left out.");
  const std::string mutant_flag =
      bug == mutant::none ? "" : " --mutant " + std::string(name_of(bug));
  const std::string target = args.output.empty() ? "FILE.yaml" : args.output;
  const std::string replay = "dbgsim run " + target + mutant_flag;
  std::ostringstream text;
  write_scenario(text, s,
                 "Reproduces the disconnect_fuzzer input " + args.input + " (" +
                     std::to_string(bytes.size()) + " bytes)\nmutant: " +
                     std::string(name_of(bug)) + "\nreplay: " + replay);

  if (auto err = io::write_output(args.output.empty() ? "-" : args.output, text.str())) {
    std::cerr << "dbgsim repro: " << *err << '\n';
    return exit_bad_input;
  }

  // Replay the file as written, as `dbgsim run` will, and say what it shows.
  std::ostream& note = args.output.empty() ? std::cerr : std::cout;
  run_options options;
  options.bug = bug;
  options.keep_trace = false;
  const auto report = run_scenario(load_scenario(text.str(), target), options);
  if (report.violations.empty()) {
    note << "dbgsim repro: the scenario (" << s.steps.size() << " steps, seed " << s.seed
         << ") runs without a violation" << (bug == mutant::none ? "" : " under this mutant")
         << "\n  " << replay << '\n';
    return exit_failed;
  }
  const auto& v = report.violations.front();
  note << "dbgsim repro: " << s.steps.size() << " steps, seed " << s.seed << "; replays " << v.rule
       << " at " << v.t.count() << "us: " << v.message << "\n  " << replay << '\n';
  return exit_ok;
}

}  // namespace

command_fn add_repro_command(CLI::App& app) {
  auto args = std::make_shared<repro_args>();
  auto* sub = app.add_subcommand(
      "repro",
      "Turn a disconnect_fuzzer input (or with --client a client_fuzzer input) into the "
      "scenario file it encodes");
  sub->add_option("CRASH_FILE", args->input,
                  "A disconnect_fuzzer input (crash-*, or a corpus file)")
      ->required();
  sub->add_option("-o,--output", args->output, "Where to write the scenario (default: stdout)");
  sub->add_option("--mutant", args->mutant_name, mutant_help());
  sub->add_flag("--client", args->client,
                "The input is a client_fuzzer input (the bytes cannot say which fuzzer wrote "
                "them); the scenario fails on the findings its program is not allowed");
  sub->add_flag("--exact", args->exact,
                "Keep steps whose handle or pid was never bound (they do nothing when played)");
  return [args]() -> int {
    try {
      return run_repro(*args);
    } catch (const scenario_error& e) {
      // The decoder promises scenarios that load; reaching this is a bug in it or the writer.
      std::cerr << "dbgsim repro: the written scenario does not load: " << e.what() << '\n';
      return exit_failed;
    }
  };
}

}  // namespace dbgsim::cli
