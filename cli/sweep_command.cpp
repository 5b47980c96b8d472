// `dbgsim sweep FILE --seeds A..B`: runs one scenario under many seeds, groups the failures by
// signature and prints, for each, how many seeds failed that way and how to replay the first.
#include "cli/commands.hpp"
#include "cli/scenario_files.hpp"
#include "cli/run_text.hpp"
#include "scenario/scenario.hpp"
#include "scenario/swarm.hpp"
#include "scenario/player.hpp"
#include "scenario_files/writer.hpp"
#include "scenario_files/loader.hpp"

#include <fmt/format.h>

#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace dbgsim::cli {
namespace {

struct sweep_args {
  std::string file;
  std::string seeds;
  std::string shard;
  unsigned jobs = 1;
  bool swarm = false;
  std::string mutant_name = "none";
  std::string out_dir;
  bool verbose = false;
};

// What one seed gave; travels from a worker process to the parent as one line.
struct seed_result {
  std::uint64_t seed = 0;
  bool passed = true;
  std::string signature;
  std::string first;  // The first failure, as describe_failures words it.
};

std::optional<std::uint64_t> parse_number(const std::string& t) {
  if (t.empty() || t.size() > 20 || t.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  try {
    return std::stoull(t);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

// "A..B" (inclusive).
std::optional<std::pair<std::uint64_t, std::uint64_t>> parse_range(const std::string& t) {
  const auto dots = t.find("..");
  if (dots == std::string::npos)
    return std::nullopt;
  auto a = parse_number(t.substr(0, dots)), b = parse_number(t.substr(dots + 2));
  if (!a || !b || *a > *b)
    return std::nullopt;
  return std::pair{*a, *b};
}

// "I/N" with 1 <= I <= N.
std::optional<std::pair<std::uint64_t, std::uint64_t>> parse_shard(const std::string& t) {
  const auto slash = t.find('/');
  if (slash == std::string::npos)
    return std::nullopt;
  auto i = parse_number(t.substr(0, slash)), n = parse_number(t.substr(slash + 1));
  if (!i || !n || *n == 0 || *i == 0 || *i > *n)
    return std::nullopt;
  return std::pair{*i, *n};
}

std::string one_line(std::string text) {
  for (auto& c : text)
    if (c == '\n' || c == '\t')
      c = ' ';
  return text;
}

seed_result run_seed(const scenario& s, std::uint64_t seed, bool swarm_on, mutant bug) {
  run_options o;
  o.seed = seed;
  o.bug = bug;
  o.keep_trace = false;  // Sweeps want speed; a failing seed is replayed with a trace.
  seed_result r;
  r.seed = seed;
  const auto played = swarm_on ? swarm(s, seed).s : s;
  auto report = run_scenario(played, o);
  // Under the swarm only the oracle judges: swarm() dropped the file's assertions, and a step
  // naming a handle whose connect the extra faults made fail is skipped, which is no finding.
  if (swarm_on)
    report.failures.clear();
  r.passed = report.passed();
  if (!r.passed) {
    r.signature = report.signature();
    r.first = one_line(describe_signature(played, report));
  }
  return r;
}

std::string encode(const seed_result& r) {
  return fmt::format("{}\t{}\t{}\t{}\n", r.seed, r.passed ? 1 : 0, one_line(r.signature), r.first);
}

std::optional<seed_result> decode(const std::string& line) {
  seed_result r;
  std::size_t a = line.find('\t'), b = line.find('\t', a + 1), c = line.find('\t', b + 1);
  if (a == std::string::npos || b == std::string::npos || c == std::string::npos)
    return std::nullopt;
  auto seed = parse_number(line.substr(0, a));
  if (!seed)
    return std::nullopt;
  r.seed = *seed;
  r.passed = line.substr(a + 1, b - a - 1) == "1";
  r.signature = line.substr(b + 1, c - b - 1);
  r.first = line.substr(c + 1);
  return r;
}

class progress {
public:
  explicit progress(std::size_t total) : total_(total), on_(isatty(STDERR_FILENO) == 1) {}
  void update(std::size_t done, std::size_t failed) {
    if (on_ && (done == total_ || done % 16 == 0))
      std::cerr << fmt::format("\r{}/{} runs, {} failed", done, total_, failed) << std::flush;
  }
  ~progress() {
    if (on_)
      std::cerr << "\r\033[K" << std::flush;
  }

private:
  std::size_t total_;
  bool on_;
};

// Runs `seeds` in `jobs` worker processes (each world is single-threaded and independent; a
// process apiece keeps them apart entirely). Results come back in any order; the caller sorts.
std::optional<std::vector<seed_result>> run_workers(const scenario& s,
                                                    const std::vector<std::uint64_t>& seeds,
                                                    unsigned jobs, bool swarm_on, mutant bug) {
  std::vector<seed_result> results;
  progress bar(seeds.size());
  std::size_t failed = 0;
  if (jobs <= 1) {
    for (auto seed : seeds) {
      results.push_back(run_seed(s, seed, swarm_on, bug));
      failed += results.back().passed ? 0 : 1;
      bar.update(results.size(), failed);
    }
    return results;
  }
  struct worker {
    pid_t pid;
    int fd;
    std::string buffer;
  };
  std::vector<worker> workers;
  std::cout.flush();
  std::cerr.flush();
  for (unsigned k = 0; k < jobs; ++k) {
    int fds[2];
    if (pipe(fds) != 0) {
      std::cerr << "dbgsim sweep: pipe: " << std::strerror(errno) << '\n';
      return std::nullopt;
    }
    const pid_t pid = fork();
    if (pid < 0) {
      std::cerr << "dbgsim sweep: fork: " << std::strerror(errno) << '\n';
      return std::nullopt;
    }
    if (pid == 0) {
      close(fds[0]);
      for (std::size_t i = k; i < seeds.size(); i += jobs) {
        std::string line;
        try {
          line = encode(run_seed(s, seeds[i], swarm_on, bug));
        } catch (const std::exception& e) {
          std::cerr << "dbgsim sweep: seed " << seeds[i] << ": cannot run: " << e.what()
                    << std::endl;
          _exit(2);
        }
        for (std::size_t off = 0; off < line.size();) {
          const auto n = write(fds[1], line.data() + off, line.size() - off);
          if (n < 0 && errno == EINTR)
            continue;
          if (n <= 0)
            _exit(3);
          off += static_cast<std::size_t>(n);
        }
      }
      close(fds[1]);
      _exit(0);
    }
    close(fds[1]);
    workers.push_back({pid, fds[0], {}});
  }
  bool broken = false;
  std::vector<pollfd> polls;
  for (auto& w : workers)
    polls.push_back({w.fd, POLLIN, 0});
  std::size_t open = workers.size();
  while (open > 0) {
    if (poll(polls.data(), polls.size(), -1) < 0) {
      if (errno == EINTR)
        continue;
      broken = true;
      break;
    }
    for (std::size_t k = 0; k < polls.size(); ++k) {
      if (polls[k].fd < 0 || polls[k].revents == 0)
        continue;
      char chunk[4096];
      const auto n = read(polls[k].fd, chunk, sizeof chunk);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0) {
        close(polls[k].fd);
        polls[k].fd = -1;
        --open;
        continue;
      }
      auto& buf = workers[k].buffer;
      buf.append(chunk, static_cast<std::size_t>(n));
      for (auto nl = buf.find('\n'); nl != std::string::npos; nl = buf.find('\n')) {
        auto r = decode(buf.substr(0, nl));
        buf.erase(0, nl + 1);
        if (!r) {
          broken = true;
          continue;
        }
        failed += r->passed ? 0 : 1;
        results.push_back(std::move(*r));
        bar.update(results.size(), failed);
      }
    }
  }
  for (auto& w : workers) {
    int status = 0;
    while (waitpid(w.pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
      broken = true;
  }
  if (broken || results.size() != seeds.size()) {
    std::cerr << "dbgsim sweep: a worker process died; " << results.size() << " of " << seeds.size()
              << " runs reported\n";
    return std::nullopt;
  }
  return results;
}

int sweep(const sweep_args& args) {
  auto bug = parse_mutant("sweep", args.mutant_name);
  if (!bug)
    return exit_bad_input;
  const auto range = parse_range(args.seeds);
  if (!range) {
    std::cerr << "dbgsim sweep: --seeds wants A..B with A <= B (e.g. 1..1000), not '" << args.seeds
              << "'\n";
    return exit_bad_input;
  }
  std::pair<std::uint64_t, std::uint64_t> shard{1, 1};
  if (!args.shard.empty()) {
    auto sh = parse_shard(args.shard);
    if (!sh) {
      std::cerr << "dbgsim sweep: --shard wants I/N with 1 <= I <= N (e.g. 2/8), not '"
                << args.shard << "'\n";
      return exit_bad_input;
    }
    shard = *sh;
  }
  if (args.jobs == 0 || args.jobs > 256) {
    std::cerr << "dbgsim sweep: --jobs wants 1..256\n";
    return exit_bad_input;
  }

  scenario s;
  try {
    s = cli::load_file(args.file);
  } catch (const scenario_error& e) {
    std::cerr << e.what() << '\n';
    return exit_bad_input;
  }

  // This shard's seeds: exactly those with (seed - A) % N == I - 1, so N shards partition A..B.
  std::vector<std::uint64_t> seeds;
  const auto [first, last] = *range;
  if (last - first >= 100'000'000) {
    std::cerr << "dbgsim sweep: at most 100000000 seeds per sweep\n";
    return exit_bad_input;
  }
  for (std::uint64_t seed = first + (shard.first - 1);; seed += shard.second) {
    if (seed > last || seed < first)
      break;
    seeds.push_back(seed);
    if (last - seed < shard.second)
      break;
  }

  const auto jobs = static_cast<unsigned>(
      std::min<std::size_t>(args.jobs, std::max<std::size_t>(seeds.size(), 1)));
  std::optional<std::vector<seed_result>> results;
  try {
    results = run_workers(s, seeds, jobs, args.swarm, *bug);
  } catch (const std::exception& e) {
    std::cerr << args.file << ": cannot run: " << e.what() << '\n';
    return exit_bad_input;
  }
  if (!results)
    return exit_failed;
  std::sort(results->begin(), results->end(),
            [](const seed_result& a, const seed_result& b) { return a.seed < b.seed; });

  auto swarm_replay = [&](std::uint64_t seed) {
    auto cmd = fmt::format("dbgsim sweep {} --seeds {}..{} --swarm", shell_quote(args.file), seed,
                           seed);
    if (*bug != mutant::none)
      cmd += fmt::format(" --mutant {}", name_of(*bug));
    return cmd;
  };

  // Groups, in order of their first seed.
  struct group {
    std::string signature;
    std::vector<std::uint64_t> seeds;
    std::string first;
  };
  std::vector<group> groups;
  std::map<std::string, std::size_t> by_signature;
  std::size_t failed = 0;
  for (const auto& r : *results) {
    if (args.verbose) {
      std::cout << fmt::format("seed {}: {}{}\n", r.seed, r.passed ? "PASS" : "FAIL",
                               r.passed ? "" : "  " + r.first);
      if (args.swarm)
        for (const auto& c : swarm(s, r.seed).choices)
          std::cout << "    swarm: " << c << '\n';
    }
    if (r.passed)
      continue;
    ++failed;
    auto [it, fresh] = by_signature.emplace(r.signature, groups.size());
    if (fresh)
      groups.push_back({r.signature, {}, r.first});
    groups[it->second].seeds.push_back(r.seed);
  }

  if (!args.out_dir.empty() && !groups.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(args.out_dir, ec);
    if (ec) {
      std::cerr << "dbgsim sweep: cannot create " << args.out_dir << ": " << ec.message() << '\n';
      return exit_bad_input;
    }
  }
  const auto stem = std::filesystem::path(args.file).stem().string();
  for (const auto& g : groups) {
    const auto seed = g.seeds.front();
    std::cout << fmt::format("FAIL {}: {} seed{}, first seed {}\n", g.signature, g.seeds.size(),
                             g.seeds.size() == 1 ? "" : "s", seed);
    std::cout << "    " << g.first << '\n';
    std::cout << "    replay: "
              << (args.swarm ? swarm_replay(seed) : replay_command(args.file, seed, *bug)) << '\n';
    std::vector<std::string> choices;
    scenario repro = s;
    if (args.swarm) {
      auto sw = swarm(s, seed);
      choices = sw.choices;
      repro = std::move(sw.s);
      for (const auto& c : choices)
        std::cout << "    swarm: " << c << '\n';
    }
    if (!args.out_dir.empty()) {
      repro.seed = seed;
      const auto path =
          (std::filesystem::path(args.out_dir) / fmt::format("{}.seed{}.yaml", stem, seed))
              .string();
      std::string comment = fmt::format(
          "Reproducer written by dbgsim sweep: {} failed with {} under seed {}{}.\n{}", args.file,
          g.signature, seed, *bug == mutant::none ? "" : fmt::format(" (mutant {})", name_of(*bug)),
          g.first);
      for (const auto& c : choices)
        comment += "\nswarm: " + c;
      std::ofstream out(path, std::ios::binary);
      if (out)
        write_scenario(out, repro, comment);
      if (!out) {
        std::cerr << "dbgsim sweep: cannot write " << path << '\n';
        return exit_bad_input;
      }
      std::cout << "    written: " << path << "  (replay: " << replay_command(path, seed, *bug)
                << ")\n";
    }
  }
  std::cout << fmt::format("{} runs, {} failed\n", results->size(), failed);
  return failed == 0 ? exit_ok : exit_failed;
}

}  // namespace

command_fn add_sweep_command(CLI::App& app) {
  auto args = std::make_shared<sweep_args>();
  auto* sub = app.add_subcommand(
      "sweep", "Run one scenario under many seeds and group the failures by signature");
  sub->add_option("FILE", args->file, "The scenario file")->required();
  sub->add_option("--seeds", args->seeds, "The seeds to run, A..B inclusive (e.g. 1..1000)")
      ->required();
  sub->add_option("--jobs,-j", args->jobs,
                  "Run seeds in N worker processes; the output does not depend on N");
  sub->add_option("--shard", args->shard,
                  "Run only share I of N (1-based): the seeds with (seed - A) % N == I - 1, so N "
                  "shards split A..B exactly");
  sub->add_flag("--swarm", args->swarm,
                "Let each seed switch on a random subset of extra faults (link noise, partitions, "
                "resets, half-open connections, server crashes) and print the choice; the file's "
                "expect/check assertions are dropped and only the oracle judges");
  sub->add_option("--mutant", args->mutant_name, mutant_help());
  sub->add_option("--out", args->out_dir,
                  "Write each failure signature's first seed as a scenario file into DIR");
  sub->add_flag("--verbose,-v", args->verbose, "Print every seed's result (and swarm choice)");
  return [args] { return sweep(*args); };
}

}  // namespace dbgsim::cli
