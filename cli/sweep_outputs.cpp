#include "cli/sweep_outputs.hpp"

#include "cli/run_text.hpp"
#include "io/output.hpp"
#include "report/chart.hpp"
#include "scenario/player.hpp"
#include "scenario/swarm.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <iostream>
#include <ostream>
#include <sstream>

namespace dbgsim::cli {

std::string sweep_replay(const sweep_result& r, std::uint64_t seed, mutant bug) {
  if (!r.swarm)
    return replay_command(r.scenario, seed, bug);
  // A swarm seed's faults are chosen by the sweep, so the sweep of that one seed replays it.
  auto cmd = fmt::format("dbgsim sweep {} --seeds {}..{} --swarm", shell_quote(r.scenario), seed,
                         seed);
  if (bug != mutant::none)
    cmd += fmt::format(" --mutant {}", name_of(bug));
  return cmd;
}

bool print_sweep_summary(std::ostream& out, const sweep_result& r, mutant bug,
                         const std::function<bool(const failure_group&)>& after_group) {
  for (const auto& g : r.groups) {
    out << fmt::format("FAIL {}: {} seed{}, first seed {}\n", g.signature, g.count,
                       g.count == 1 ? "" : "s", g.first_seed);
    out << "    " << g.first << '\n';
    out << "    replay: " << sweep_replay(r, g.first_seed, bug) << '\n';
    for (const auto& c : g.swarm)
      out << "    swarm: " << c << '\n';
    if (after_group && !after_group(g))
      return false;
  }
  out << fmt::format("{} runs, {} failed\n", r.runs, r.failed);
  return true;
}

std::vector<junit_case> sweep_junit(const sweep_result& r, mutant bug) {
  const auto classname = "sweeps." + std::filesystem::path(r.scenario).stem().string();
  std::vector<junit_case> cases;
  for (const auto& g : r.groups) {
    junit_case c;
    c.classname = classname;
    c.name = g.signature;
    c.file = r.scenario;
    junit_failure f;
    f.message = g.first;
    f.type = g.signature;
    f.body = fmt::format("{} seed{} failed this way, first seed {}\n{}\n", g.count,
                         g.count == 1 ? "" : "s", g.first_seed, g.first);
    for (const auto& line : g.swarm)
      f.body += "swarm: " + line + '\n';
    f.body += "replay: " + sweep_replay(r, g.first_seed, bug) + '\n';
    c.failure = std::move(f);
    cases.push_back(std::move(c));
  }
  if (r.runs > r.failed) {
    junit_case c;
    c.classname = classname;
    c.name = fmt::format("{} of {} seeds passed", r.runs - r.failed, r.runs);
    c.file = r.scenario;
    c.seconds = r.wall_seconds;  // The sweep's time, said once.
    cases.push_back(std::move(c));
  } else if (!cases.empty()) {
    cases.front().seconds = r.wall_seconds;
  }
  return cases;
}

html_report sweep_html(const sweep_result& r, const scenario& s, mutant bug) {
  html_report h;
  h.title = "dbgsim sweep " + s.name;
  h.facts = {{"scenario", r.scenario},
             {"seeds", fmt::format("{}..{}", r.first, r.last)},
             {"mutant", r.mutant},
             {"swarm", r.swarm ? "yes" : "no"}};
  if (r.shard_count != 1)
    h.facts.emplace_back("shard", fmt::format("{}/{}", r.shard_index, r.shard_count));
  h.unit = "seeds";
  h.total = r.runs;
  h.failed = r.failed;
  h.passed = r.runs - r.failed;
  for (const auto& g : r.groups) {
    run_options o;
    o.seed = g.first_seed;
    o.bug = bug;
    o.max_steps = r.max_steps;
    o.keep_trace = true;
    const auto played = r.swarm ? swarm(s, g.first_seed).s : s;
    auto report = run_scenario(played, o);
    if (r.swarm)
      report.failures.clear();  // As the sweep judged it: the swarm drops the file's assertions.
    html_group hg;
    hg.signature = g.signature;
    hg.count = g.count;
    hg.scenario = r.scenario;
    hg.seed = g.first_seed;
    hg.first = g.first;
    for (const auto& c : g.swarm)
      hg.notes.push_back("swarm: " + c);
    // A seed replays exactly; a different signature means the file changed since the sweep.
    if (report.signature() != g.signature)
      hg.notes.push_back(fmt::format("this run again gave \"{}\", not \"{}\": has {} changed?",
                                     report.passed() ? "PASS" : report.signature(), g.signature,
                                     r.scenario));
    hg.replay = sweep_replay(r, g.first_seed, bug);
    std::ostringstream chart;
    write_chart(chart, report.events, report.violations,
                chart_options{played.name, true, report.findings});
    hg.chart_svg = chart.str();
    hg.trace = to_json_lines(report.events);
    hg.trace_events = report.events.size();
    h.groups.push_back(std::move(hg));
  }
  return h;
}

bool write_sweep_files(const sweep_result& r, const scenario* s, mutant bug,
                       const std::string& results, const std::string& junit,
                       const std::string& report, const std::string& command) {
  auto write = [&](const std::string& path, auto&& what) {
    std::ostringstream text;
    try {
      what(text);
    } catch (const std::exception& e) {
      std::cerr << "dbgsim " << command << ": " << printable(path) << ": cannot make it: "
                << e.what() << '\n';
      return false;
    }
    if (auto err = io::write_output(path, text.str())) {
      std::cerr << "dbgsim " << command << ": " << *err << '\n';
      return false;
    }
    return true;
  };
  if (!results.empty() && !write(results, [&](std::ostream& o) { write_results(o, r); }))
    return false;
  if (!junit.empty() && !write(junit, [&](std::ostream& o) {
        write_junit(o, "dbgsim sweep", sweep_junit(r, bug));
      }))
    return false;
  return report.empty() ||
         write(report, [&](std::ostream& o) { write_html(o, sweep_html(r, *s, bug)); });
}

}  // namespace dbgsim::cli
