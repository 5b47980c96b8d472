// `dbgsim run FILE|DIR...`: loads scenario files, runs each on a fresh world and prints one line
// per scenario, with what failed and the command that replays it.
#include "cli/commands.hpp"
#include "io/output.hpp"
#include "cli/run_text.hpp"
#include "cli/scenario_files.hpp"
#include "report/chart.hpp"
#include "report/html.hpp"
#include "report/junit.hpp"
#include "report/perfetto.hpp"
#include "scenario/scenario.hpp"
#include "world/world.hpp"
#include "scenario/player.hpp"
#include "scenario_files/loader.hpp"
#include "small_server/small_server.hpp"

#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace dbgsim::cli {
namespace {

struct run_args {
  std::vector<std::string> paths;
  std::optional<std::string> seed;  ///< Parsed by parse_seed: CLI11 wraps "-1" to 2^64-1.
  std::string mutant_name = "none";
  std::string server_impl = "reference";  // Who the process servers are: reference or small.
  std::vector<std::string> tags;          // Run only scenarios carrying one of these.
  std::string trace, chart, perfetto, junit;
  std::string report;  ///< --report F.html.
  bool quiet = false;
  bool verbose = false;
  bool check_determinism = false;
  bool chart_full = false;                // --chart-full: keepalive-only rounds not folded.
  std::optional<std::uint64_t> max_steps;  ///< The run budget (docs/scenario-format.md).
  std::vector<std::string> client_libs;    ///< --client-lib: libraries of client programs.
};

struct outcome {
  const scenario* s = nullptr;
  run_report report;
  double wall = 0;             // Seconds.
  std::vector<std::string> extra;  // Failures the run itself does not report (determinism).
  bool passed() const { return report.passed() && extra.empty(); }
};

// The name each scenario's outputs carry when several run: its file's stem, unique among them.
// A stem that two files share (a/x.yaml, b/x.yaml) becomes x-1, x-2, ... in the order the files
// run (skipping any name another file's stem already gives), so that no trace overwrites
// another and the same arguments always give the same names.
std::vector<std::string> output_names(const std::vector<scenario>& scenarios) {
  std::map<std::string, std::size_t> count;
  for (const auto& s : scenarios)
    ++count[std::filesystem::path(s.file).stem().string()];
  std::set<std::string> used;
  for (const auto& [stem, n] : count)
    if (n == 1)
      used.insert(stem);
  std::vector<std::string> names;
  std::map<std::string, std::size_t> next;
  for (const auto& s : scenarios) {
    auto stem = std::filesystem::path(s.file).stem().string();
    if (count[stem] == 1) {
      names.push_back(stem);
      continue;
    }
    std::string name;
    do
      name = stem + "-" + std::to_string(++next[stem]);
    while (!used.insert(name).second);
    names.push_back(name);
  }
  return names;
}

// `base` for one scenario of several: "out/trace.jsonl" + "s06-x" gives "out/trace.s06-x.jsonl".
std::string output_path(const std::string& base, const std::string& name, bool several) {
  if (!several)
    return base;
  const std::filesystem::path p(base);
  auto file = p.stem().string() + "." + name + p.extension().string();
  return (p.parent_path() / file).string();
}

// Writes what `what` prints to `path`; false (after a message naming the path and the OS's
// reason) when it cannot be written.
template <class F>
bool write_file(const std::string& path, F&& what) {
  std::ostringstream text;
  what(text);
  if (auto err = io::write_output(path, text.str())) {
    std::cerr << "dbgsim run: " << *err << '\n';
    return false;
  }
  return true;
}

// The first line where two traces differ, as two messages; empty when equal.
std::vector<std::string> compare_traces(const std::vector<event>& a, const std::vector<event>& b) {
  const auto n = std::max(a.size(), b.size());
  for (std::size_t i = 0; i < n; ++i) {
    const auto la = i < a.size() ? to_json_line(a[i]) : std::string("(trace ended)");
    const auto lb = i < b.size() ? to_json_line(b[i]) : std::string("(trace ended)");
    if (la != lb)
      return {fmt::format("nondeterministic: the traces of two runs differ at event {}", i + 1),
              "run 1: " + la, "run 2: " + lb};
  }
  return {};
}

// The replay command of a run, naming the server implementation when it is not the reference.
std::string replay(const run_args& args, const std::string& file, std::uint64_t seed, mutant bug) {
  return replay_command(file, seed, bug,
                        args.server_impl == "reference" ? "" : " --server-impl " + args.server_impl);
}

bool has_any_tag(const scenario& s, const std::vector<std::string>& tags) {
  for (const auto& t : tags)
    if (std::find(s.tags.begin(), s.tags.end(), t) != s.tags.end())
      return true;
  return false;
}

bool write_junit_file(const std::string& path, const std::vector<outcome>& results,
                      const run_args& args, mutant bug) {
  std::vector<junit_case> cases;
  for (const auto& r : results) {
    junit_case c;
    c.classname = "scenarios." + std::filesystem::path(r.s->file).stem().string();
    c.name = r.s->name;
    c.file = r.s->file;
    c.seconds = r.wall;
    if (!r.passed()) {
      auto lines = describe_failures(*r.s, r.report);
      lines.insert(lines.end(), r.extra.begin(), r.extra.end());
      junit_failure f;
      for (const auto& l : lines)
        f.body += l + '\n';
      f.body += "replay: " + replay(args, r.s->file, r.report.seed, bug) + '\n';
      f.message = r.report.passed() ? lines.front() : describe_signature(*r.s, r.report);
      f.type = r.report.signature().empty() ? "nondeterministic" : r.report.signature();
      c.failure = std::move(f);
    }
    cases.push_back(std::move(c));
  }
  return write_file(path, [&](std::ostream& out) { write_junit(out, "dbgsim run", cases); });
}

// The HTML report: one group per failed scenario, with the chart and trace of its run.
bool write_report_file(const std::string& path, const std::vector<outcome>& results,
                       const run_args& args, mutant bug) {
  html_report h;
  h.title = "dbgsim run";
  h.facts = {{"mutant", std::string(name_of(bug))}, {"server", args.server_impl}};
  h.unit = "scenarios";
  h.total = results.size();
  for (const auto& r : results) {
    if (r.passed()) {
      ++h.passed;
      continue;
    }
    ++h.failed;
    html_group g;
    g.signature = r.report.signature().empty() ? "nondeterministic" : r.report.signature();
    g.count = 1;
    g.scenario = r.s->file;
    g.seed = r.report.seed;
    g.first = r.report.passed() ? r.extra.front() : describe_signature(*r.s, r.report);
    for (const auto& l : describe_failures(*r.s, r.report))
      if (l != g.first)  // Shown already, as the failure.
        g.notes.push_back(l);
    g.notes.insert(g.notes.end(), r.extra.begin(), r.extra.end());
    g.replay = replay(args, r.s->file, r.report.seed, bug);
    std::ostringstream chart;
    write_chart(chart, r.report.events, r.report.violations,
                chart_options{r.s->name, true, r.report.findings});
    g.chart_svg = chart.str();
    g.trace = to_json_lines(r.report.events);
    g.trace_events = r.report.events.size();
    h.groups.push_back(std::move(g));
  }
  return write_file(path, [&](std::ostream& out) { write_html(out, h); });
}

int run(const run_args& args) {
  auto bug = parse_mutant("run", args.mutant_name);
  if (!bug)
    return exit_bad_input;
  if (!load_client_libs("run", args.client_libs))
    return exit_bad_input;

  std::vector<std::string> files;
  try {
    files = expand_scenario_args(args.paths);
  } catch (const std::runtime_error& e) {
    std::cerr << "dbgsim run: " << e.what() << '\n';
    return exit_bad_input;
  }
  if (files.empty()) {
    std::cerr << "dbgsim run: no scenario files given\n";
    return exit_bad_input;
  }

  // Load everything first: a file that does not load is bad input, and nothing runs.
  std::vector<scenario> scenarios;
  bool bad = false;
  for (const auto& f : files) {
    try {
      scenarios.push_back(cli::load_file(f));
    } catch (const scenario_error& e) {
      std::cerr << e.what() << '\n';
      bad = true;
    }
  }
  if (bad)
    return exit_bad_input;
  if (!args.tags.empty()) {
    std::erase_if(scenarios, [&](const scenario& s) { return !has_any_tag(s, args.tags); });
    if (scenarios.empty()) {
      std::cerr << "dbgsim run: no scenario carries the tag" << (args.tags.size() > 1 ? "s" : "");
      for (const auto& t : args.tags)
        std::cerr << ' ' << t;
      std::cerr << '\n';
      return exit_bad_input;
    }
  }

  const bool several = scenarios.size() > 1;
  run_options opts;
  if (args.seed) {
    opts.seed = parse_seed(*args.seed);
    if (!opts.seed) {
      std::cerr << "dbgsim run: --seed wants a whole number from 0 to 18446744073709551615, not '"
                << printable(*args.seed) << "'\n";
      return exit_bad_input;
    }
  }
  opts.bug = *bug;
  opts.max_steps = args.max_steps;
  if (args.server_impl == "small")
    opts.make_server = small_server();
  opts.keep_trace = !args.trace.empty() || !args.chart.empty() || !args.perfetto.empty() ||
                    args.check_determinism;
  opts.keep_trace = opts.keep_trace || !args.report.empty();  // Charts of the failed runs.

  const auto names = output_names(scenarios);
  std::vector<outcome> results;
  std::size_t failed = 0;
  for (const auto& s : scenarios) {
    const auto& name = names[results.size()];
    outcome o;
    o.s = &s;
    const auto start = std::chrono::steady_clock::now();
    try {
      o.report = run_scenario(s, opts);
    } catch (const std::exception& e) {
      // A file that loads is meant to run; if it cannot, say so as bad input, not a crash.
      std::cerr << s.file << ": cannot run: " << e.what() << '\n';
      return exit_bad_input;
    }
    o.wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (args.check_determinism)
      o.extra = compare_traces(o.report.events, run_scenario(s, opts).events);

    if (!args.trace.empty() &&
        !write_file(output_path(args.trace, name, several),
                    [&](std::ostream& out) { out << to_json_lines(o.report.events); }))
      return exit_bad_input;
    if (!args.chart.empty() &&
        !write_file(output_path(args.chart, name, several), [&](std::ostream& out) {
          write_chart(out, o.report.events, o.report.violations,
                      chart_options{s.name, true, o.report.findings, args.chart_full});
        }))
      return exit_bad_input;
    if (!args.perfetto.empty() &&
        !write_file(output_path(args.perfetto, name, several), [&](std::ostream& out) {
          write_perfetto(out, o.report.events, o.report.violations, o.report.findings);
        }))
      return exit_bad_input;

    const bool pass = o.passed();
    failed += pass ? 0 : 1;
    if (!pass || !args.quiet) {
      std::cout << fmt::format("{}  {}  [{}]  sim {}  wall {}\n", pass ? "PASS" : "FAIL",
                               printable(s.name), printable(s.file), format_time(o.report.end),
                               format_wall(o.wall));
    }
    if (!pass) {
      for (const auto& l : describe_failures(s, o.report))
        std::cout << "    " << printable(l) << '\n';
      for (const auto& l : o.extra)
        std::cout << "    " << printable(l) << '\n';
      if (args.verbose)
        for (const auto& v : o.report.violations) {
          std::cout << "    events of " << v.rule << ":\n";
          for (const auto& e : v.events)
            std::cout << "      " << to_json_line(e) << '\n';
        }
      std::cout << "    replay: " << printable(replay(args, s.file, o.report.seed, *bug)) << '\n';
    } else if (args.verbose) {
      for (const auto& f : o.report.findings)  // As the file declares them.
        std::cout << "    finding (declared): " << printable(describe(f)) << '\n';
    }
    std::cout.flush();
    results.push_back(std::move(o));
  }

  if (!args.junit.empty() && !write_junit_file(args.junit, results, args, *bug))
    return exit_bad_input;
  if (!args.report.empty() && !write_report_file(args.report, results, args, *bug))
    return exit_bad_input;
  std::cout << fmt::format("{} scenarios, {} passed, {} failed{}\n", results.size(),
                           results.size() - failed, failed,
                           *bug == mutant::none ? "" : fmt::format(" (mutant {})", name_of(*bug)));
  return failed == 0 ? exit_ok : exit_failed;
}

}  // namespace

command_fn add_run_command(CLI::App& app) {
  auto args = std::make_shared<run_args>();
  auto* sub = app.add_subcommand(
      "run", "Run scenario files (a directory: every *.yaml in it, sorted) and report PASS/FAIL");
  sub->add_option("FILE", args->paths, "Scenario files or directories")->required();
  sub->add_option("--seed", args->seed, "Seed for every scenario, instead of each file's own");
  sub->add_option("--mutant", args->mutant_name, mutant_help());
  sub->add_option("--server-impl", args->server_impl,
                  "Who the process servers are: reference (actors/server.cpp) or small "
                  "(small_server/, docs/world.md)")
      ->check(CLI::IsMember({"reference", "small"}));
  sub->add_option("--tag", args->tags,
                  "Run only the scenarios carrying this tag (`tags:`); given again: any of them")
      ->allow_extra_args(false);  // One tag per --tag, so that FILE arguments stay files.
  sub->add_option("--trace", args->trace,
                  "Write the trace as JSON lines; with several scenarios, one file each, named "
                  "BASE.<scenario file stem>.EXT (a stem two files share: STEM-1, STEM-2, ... in "
                  "the order they run)");
  sub->add_option("--chart", args->chart,
                  "Write an SVG sequence chart; several scenarios: one file each (as --trace)");
  sub->add_flag("--chart-full", args->chart_full,
                "Draw every frame in the chart: runs of keepalive-only rounds are not folded");
  sub->add_option("--perfetto", args->perfetto,
                  "Write Chrome trace-event JSON for ui.perfetto.dev; one file each (as --trace)");
  sub->add_option("--junit", args->junit, "Write a JUnit XML report, one testcase per scenario");
  sub->add_option("--report", args->report,
                  "Write one self-contained HTML report: the counts, and each failed scenario "
                  "with its chart and (collapsed) trace");
  sub->add_option("--max-steps", args->max_steps,
                  "The run budget: at most N steps (due timers and world actions) per scenario; "
                  "a run that needs more is an error (exit 2), not a hang; 0: no limit "
                  "[default: 2000000 + 1000 per step of the scenario]")
      ->check(CLI::NonNegativeNumber);
  add_client_lib_option(sub, args->client_libs);
  sub->add_flag("--quiet,-q", args->quiet, "Print only failing scenarios and the summary");
  sub->add_flag("--verbose,-v", args->verbose,
                "Also print the events behind each oracle violation, and every client's findings");
  sub->add_flag("--check-determinism", args->check_determinism,
                "Run each scenario twice; a scenario whose two traces differ fails, and the first "
                "differing event of each run is printed");
  return [args] { return run(*args); };
}

}  // namespace dbgsim::cli
