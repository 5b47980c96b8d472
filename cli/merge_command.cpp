// `dbgsim merge F.json...`: combines the results files of a sweep's shards (`sweep --results`)
// into the summary, JUnit XML and HTML report one sweep of the whole range would have written,
// after checking that the files are shards of one sweep that cover its seeds once each.
#include "cli/commands.hpp"
#include "cli/run_text.hpp"
#include "cli/scenario_files.hpp"
#include "cli/sweep_outputs.hpp"
#include "io/input.hpp"
#include "io/output.hpp"
#include "report/results.hpp"
#include "scenario_files/loader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace dbgsim::cli {
namespace {

struct merge_args {
  std::vector<std::string> files;
  std::string results, junit, report;
};

struct shard_file {
  std::string path;
  sweep_result r;
};

// A results file is a few groups; anything near this is not one.
constexpr std::size_t max_results_bytes = 64u << 20;
// As `sweep`: the seeds a merge checks one by one.
constexpr std::uint64_t max_seeds = 100'000'000;

std::string describe_shard(const sweep_result& r) {
  return fmt::format("seeds {}..{} shard {}/{}", r.first, r.last, r.shard_index, r.shard_count);
}

// The first field in which two results differ in what they ran (not which seeds); "" if none.
std::string differing_option(const sweep_result& a, const sweep_result& b) {
  if (a.scenario != b.scenario)
    return fmt::format("scenario is \"{}\", not \"{}\"", b.scenario, a.scenario);
  if (a.mutant != b.mutant)
    return fmt::format("options.mutant is \"{}\", not \"{}\"", b.mutant, a.mutant);
  if (a.swarm != b.swarm)
    return fmt::format("options.swarm is {}, not {}", b.swarm, a.swarm);
  if (a.max_steps != b.max_steps)
    return "options.max_steps differs";
  if (a.client_libs != b.client_libs)
    return "options.client_libs differs";
  return "";
}

// The first seed both ran, if any.
std::optional<std::uint64_t> common_seed(const sweep_result& a, const sweep_result& b) {
  if (a.seed_count() == 0 || b.seed_count() == 0 || a.last < b.first_seed() ||
      b.last < a.first_seed())
    return std::nullopt;
  // Shards of one range and count meet only when they are the same shard.
  if (a.first == b.first && a.shard_count == b.shard_count)
    return a.shard_index == b.shard_index ? std::optional(a.first_seed()) : std::nullopt;
  const auto& few = a.seed_count() <= b.seed_count() ? a : b;
  const auto& other = &few == &a ? b : a;
  for (std::uint64_t i = 0; i < few.seed_count(); ++i)
    if (other.has_seed(few.first_seed() + i * few.shard_count))
      return few.first_seed() + i * few.shard_count;
  return std::nullopt;
}

// Seeds as ranges, "3..9, 12, 15..20", the first `limit` of them.
std::string describe_seeds(const std::vector<std::pair<std::uint64_t, std::uint64_t>>& runs,
                           std::size_t limit = 8) {
  std::string out;
  for (std::size_t i = 0; i < runs.size() && i < limit; ++i) {
    out += i == 0 ? "" : ", ";
    out += runs[i].first == runs[i].second ? std::to_string(runs[i].first)
                                           : fmt::format("{}..{}", runs[i].first, runs[i].second);
  }
  if (runs.size() > limit)
    out += fmt::format(" and {} more", runs.size() - limit);
  return out;
}

// The messages for seeds run twice or not at all; empty when the files cover their span once.
std::vector<std::string> coverage_problems(const std::vector<shard_file>& files) {
  std::vector<std::string> problems;
  for (std::size_t i = 0; i < files.size(); ++i)
    for (std::size_t j = i + 1; j < files.size(); ++j)
      if (auto seed = common_seed(files[i].r, files[j].r))
        problems.push_back(fmt::format("{} ({}) and {} ({}) overlap: both ran seed {}",
                                       printable(files[i].path), describe_shard(files[i].r),
                                       printable(files[j].path), describe_shard(files[j].r), *seed));
  const auto& f0 = files.front().r;
  const bool one_split = std::all_of(files.begin(), files.end(), [&](const shard_file& f) {
    return f.r.first == f0.first && f.r.last == f0.last && f.r.shard_count == f0.shard_count;
  });
  if (one_split) {
    // Shards of one --seeds and --shard count: name the shards that are missing.
    // A set, not a table of N: N comes from the files and may be anything.
    std::set<std::uint64_t> present;
    for (const auto& f : files)
      present.insert(f.r.shard_index);
    std::vector<std::string> missing;
    for (std::uint64_t i = 1; i <= f0.shard_count && missing.size() < 8; ++i)
      if (!present.contains(i))
        missing.push_back(fmt::format("{}/{}", i, f0.shard_count));
    const auto absent = f0.shard_count - present.size();
    if (absent != 0) {
      std::string list;
      for (std::size_t k = 0; k < missing.size(); ++k)
        list += (k == 0 ? "" : ", ") + missing[k];
      if (absent > 8)
        list += fmt::format(" and {} more", absent - 8);
      problems.push_back(fmt::format("missing shard{} {} of seeds {}..{} (no file has {})",
                                     absent == 1 ? "" : "s", list, f0.first, f0.last,
                                     absent == 1 ? "it" : "them"));
    }
    return problems;
  }
  std::uint64_t lo = files.front().r.first, hi = files.front().r.last;
  for (const auto& f : files)
    lo = std::min(lo, f.r.first), hi = std::max(hi, f.r.last);
  if (hi - lo >= max_seeds) {
    problems.push_back(fmt::format("the files span seeds {}..{}, more than {} seeds", lo, hi, max_seeds));
    return problems;
  }
  std::vector<bool> ran(hi - lo + 1, false);
  for (const auto& f : files)
    for (std::uint64_t i = 0; i < f.r.seed_count(); ++i)
      ran[f.r.first_seed() + i * f.r.shard_count - lo] = true;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> gaps;
  std::uint64_t count = 0;
  for (std::uint64_t k = 0; k < ran.size(); ++k) {
    if (ran[k])
      continue;
    ++count;
    const auto seed = lo + k;
    if (!gaps.empty() && gaps.back().second + 1 == seed)
      gaps.back().second = seed;
    else
      gaps.emplace_back(seed, seed);
  }
  if (count != 0)
    problems.push_back(fmt::format("missing seed{} {} of {}..{} ({} seed{} no file ran)",
                                   count == 1 ? "" : "s", describe_seeds(gaps), lo, hi, count,
                                   count == 1 ? "" : "s"));
  return problems;
}

// One result for the whole span, as one sweep of it would have found: the groups of a signature
// seen in several shards are one, with the smallest first seed and that seed's words.
sweep_result combine(const std::vector<shard_file>& files) {
  sweep_result m = files.front().r;
  m.shard_index = m.shard_count = 1;
  m.runs = m.failed = 0;
  m.wall_seconds = 0;
  m.jobs = 0;
  m.groups.clear();
  std::map<std::string, std::size_t> by_signature;
  for (const auto& f : files) {
    m.first = std::min(m.first, f.r.first);
    m.last = std::max(m.last, f.r.last);
    m.runs += f.r.runs;
    m.failed += f.r.failed;
    m.wall_seconds += f.r.wall_seconds;
    m.jobs += f.r.jobs;
    for (const auto& g : f.r.groups) {
      auto [it, fresh] = by_signature.emplace(g.signature, m.groups.size());
      if (fresh) {
        m.groups.push_back(g);
        continue;
      }
      auto& mine = m.groups[it->second];
      const auto count = mine.count + g.count;
      if (g.first_seed < mine.first_seed)
        mine = g;
      mine.count = count;
    }
  }
  std::sort(m.groups.begin(), m.groups.end(),
            [](const failure_group& a, const failure_group& b) { return a.first_seed < b.first_seed; });
  return m;
}

int merge(const merge_args& args) {
  for (const auto* path : {&args.results, &args.junit, &args.report})
    if (!path->empty())
      if (auto err = io::check_writable(*path)) {
        std::cerr << "dbgsim merge: " << *err << '\n';
        return exit_bad_input;
      }
  std::vector<shard_file> files;
  bool bad = false;
  for (const auto& path : args.files) {
    auto text = io::read_input(path, max_results_bytes);
    if (auto* err = std::get_if<io::read_error>(&text)) {
      std::cerr << "dbgsim merge: " << printable(err->message) << '\n';
      bad = true;
      continue;
    }
    auto read = read_results(std::get<std::string>(text));
    if (auto* err = std::get_if<results_error>(&read)) {
      std::cerr << "dbgsim merge: " << printable(path) << ": " << err->where << ": "
                << printable(err->message) << '\n';
      bad = true;
      continue;
    }
    const auto& r = std::get<sweep_result>(read);
    if (!mutant_from_name(r.mutant)) {
      std::cerr << "dbgsim merge: " << printable(path) << ": options.mutant: \""
                << printable(r.mutant) << "\" is no mutant this dbgsim knows\n";
      bad = true;
      continue;
    }
    files.push_back({path, r});
  }
  if (bad)
    return exit_bad_input;
  for (const auto& f : files)
    if (auto d = differing_option(files.front().r, f.r); !d.empty()) {
      std::cerr << "dbgsim merge: " << printable(f.path) << ": " << printable(d) << " as in "
                << printable(files.front().path) << ": the files are not shards of one sweep\n";
      return exit_bad_input;
    }
  if (auto problems = coverage_problems(files); !problems.empty()) {
    for (const auto& p : problems)
      std::cerr << "dbgsim merge: " << p << '\n';
    return exit_bad_input;
  }

  const auto merged = combine(files);
  const auto bug = mutant_from_name(merged.mutant);  // Checked as each file was read.
  // The replay commands name the client libraries the catalog holds, as the sweep's did.
  if (!load_client_libs("merge", merged.client_libs))
    return exit_bad_input;
  // The report runs each group's first seed again: it needs the scenario the sweep ran.
  std::optional<scenario> s;
  if (!args.report.empty()) {
    try {
      s = cli::load_file(merged.scenario);
    } catch (const scenario_error& e) {
      std::cerr << e.what() << "\ndbgsim merge: --report runs the first seeds again and needs "
                << "the scenario file the sweep ran (run merge where the sweep ran)\n";
      return exit_bad_input;
    }
  }
  print_sweep_summary(std::cout, merged, *bug);
  if (!write_sweep_files(merged, s ? &*s : nullptr, *bug, args.results, args.junit, args.report,
                         "merge"))
    return exit_bad_input;
  return merged.failed == 0 ? exit_ok : exit_failed;
}

}  // namespace

command_fn add_merge_command(CLI::App& app) {
  auto args = std::make_shared<merge_args>();
  auto* sub = app.add_subcommand(
      "merge", "Combine the --results files of a sweep's shards into one sweep's summary");
  sub->add_option("FILE", args->files, "Results files written by `dbgsim sweep --results`")
      ->required();
  sub->add_option("--results", args->results, "Write the merged result as JSON (merges again)");
  sub->add_option("--junit", args->junit, "Write the JUnit XML report, as `sweep --junit`");
  sub->add_option("--report", args->report,
                  "Write the HTML report, as `sweep --report` (runs each group's first seed "
                  "again, so the scenario file must be where the sweep read it)");
  return [args] { return merge(*args); };
}

}  // namespace dbgsim::cli
