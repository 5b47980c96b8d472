// `dbgsim live FILE [--time-scale X] [--compare]`: plays a scenario on real loopback sockets
// (live/live_player.hpp): servers on free ports, engines through a fault proxy per link, every
// duration multiplied by the time scale, the live trace judged by the oracle. With --compare the
// file also runs simulated and every difference is printed, allowed or not by the file's own
// expectations (live/compare.hpp).
#include "cli/commands.hpp"
#include "cli/run_text.hpp"
#include "cli/scenario_files.hpp"
#include "live/compare.hpp"
#include "live/live_player.hpp"
#include "world/topology.hpp"

#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>

namespace dbgsim::cli {
namespace {

struct live_args {
  std::string file;
  double time_scale = 1.0;
  bool compare = false;
  int deadline = 300;
  std::string trace;
  std::vector<std::string> client_libs;  ///< --client-lib: libraries of client programs.
};

std::string seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2fs", s);
  return buf;
}

int run_live_cli(const live_args& args) {
  // Before the file: its `program:` names are checked against the catalog as it loads.
  if (!load_client_libs("live", args.client_libs))
    return exit_bad_input;
  scenario s;
  try {
    s = load_file(args.file);
  } catch (const scenario_error& e) {
    std::cerr << e.what() << '\n';
    return exit_bad_input;
  } catch (const std::exception& e) {
    std::cerr << args.file << ": " << e.what() << '\n';
    return exit_bad_input;
  }
  if (!(args.time_scale > 0) || args.time_scale > 100) {
    std::cerr << "live: --time-scale must be above 0 and at most 100, not " << args.time_scale << '\n';
    return exit_bad_input;
  }
  if (auto why = live::live_unsupported(s); !why.empty()) {
    std::cerr << args.file << ": cannot run live: " << why << '\n';
    return exit_bad_input;
  }
  live::live_options o;
  o.time_scale = args.time_scale;
  o.deadline = std::chrono::seconds(args.deadline);
  const auto r = live::run_live(s, o);
  if (!args.trace.empty()) {
    std::ofstream out(args.trace);
    out << to_json_lines(r.events);
    if (!out) {
      std::cerr << "live: cannot write " << args.trace << '\n';
      return exit_bad_input;
    }
  }
  std::size_t frames = 0;
  for (const auto& e : r.events)
    frames += e.kind == event_kind::frame_sent ? 1 : 0;
  bool ok = r.passed();
  std::cout << (ok ? "PASS " : "FAIL ") << args.file << " live at time scale " << args.time_scale
            << ": " << frames << " frames in " << seconds(r.real_seconds) << " ("
            << static_cast<long long>(r.real_seconds > 0 ? frames / r.real_seconds : 0)
            << " frames/s)\n";
  if (r.timed_out)
    std::cout << "  deadline of " << args.deadline << "s passed: " << r.pending << " pending\n";
  for (std::size_t i = 0; i < r.outcome.steps.size(); ++i)
    for (const auto& f : r.outcome.steps[i].failures)
      std::cout << "  step " << i + 1 << " (" << args.file << ":" << s.steps[i].pos.line << ") "
                << action_name(s.steps[i].what) << ": " << f << '\n';
  for (const auto& v : r.violations)
    std::cout << "  " << v.rule << ": " << v.message << '\n';
  for (const auto& c : r.client_failures)
    std::cout << "  " << describe(s, c) << '\n';
  for (const auto& f : r.findings)
    std::cout << "    " << describe(f) << '\n';
  if (args.compare) {
    run_report sim;
    const auto simulated = live::simulate(s, {}, &sim);
    const auto diffs = live::compare(s, r.outcome, simulated);
    std::size_t disallowed = 0;
    for (const auto& d : diffs) {
      disallowed += d.allowed ? 0 : 1;
      std::cout << "  " << live::describe(s, d) << '\n';
    }
    std::cout << "compare: " << diffs.size() << " difference(s), " << disallowed
              << " not allowed; simulated run " << (sim.passed() ? "passed" : "failed") << '\n';
    ok = ok && disallowed == 0;
  }
  return ok ? exit_ok : exit_failed;
}

}  // namespace

command_fn add_live_command(CLI::App& app) {
  auto args = std::make_shared<live_args>();
  auto* sub = app.add_subcommand(
      "live", "Play a scenario on real loopback sockets through fault proxies (exit 1 on a failure "
              "or, with --compare, a difference its expectations do not allow)");
  sub->add_option("FILE", args->file, "The scenario file")->required();
  sub->add_option("--time-scale", args->time_scale,
                  "Real duration per simulated duration: 0.05 plays a 60 s scenario in 3 s");
  sub->add_flag("--compare", args->compare,
                "Also run the file simulated and print where the HRESULTs or the final state differ");
  sub->add_option("--deadline", args->deadline, "Most real seconds the live run may take (300)");
  sub->add_option("--trace", args->trace, "Write the live trace as JSON lines");
  add_client_lib_option(sub, args->client_libs);
  return [args] { return run_live_cli(*args); };
}

}  // namespace dbgsim::cli
