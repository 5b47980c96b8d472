// `dbgsim sweep FILE --seeds A..B`: runs one scenario under many seeds, groups the failures by
// signature and prints, for each, how many seeds failed that way and how to replay the first.
#include "cli/commands.hpp"
#include "cli/shard.hpp"
#include "cli/scenario_files.hpp"
#include "cli/run_text.hpp"
#include "cli/sweep_outputs.hpp"
#include "io/output.hpp"
#include "report/html.hpp"
#include "report/junit.hpp"
#include "report/results.hpp"
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
#include <chrono>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <memory>
#include <string>
#include <cstdlib>
#include <vector>

namespace dbgsim::cli {
namespace {

struct sweep_args {
  std::string file;
  std::string seeds;
  std::string shard;
  std::uint64_t shards = 0;  ///< --shards N: the count, for --shard auto under Kubernetes.
  unsigned jobs = 1;
  bool swarm = false;
  std::string mutant_name = "none";
  std::string out_dir;
  std::string results, junit, report;  ///< --results F.json, --junit F.xml, --report F.html.
  bool verbose = false;
  std::optional<std::uint64_t> max_steps;  ///< The run budget of each seed's run.
  std::vector<std::string> client_libs;    ///< --client-lib: libraries of client programs.
};

// What one seed gave; travels from a worker process to the parent as one line.
struct seed_result {
  std::uint64_t seed = 0;
  bool passed = true;
  std::string signature;
  std::string first;  // The first failure, as describe_failures words it.
};

// "A..B" (inclusive).
std::optional<std::pair<std::uint64_t, std::uint64_t>> parse_range(const std::string& t) {
  const auto dots = t.find("..");
  if (dots == std::string::npos)
    return std::nullopt;
  auto a = parse_whole_number(t.substr(0, dots)), b = parse_whole_number(t.substr(dots + 2));
  if (!a || !b || *a > *b)
    return std::nullopt;
  return std::pair{*a, *b};
}

std::string one_line(std::string text) {
  for (auto& c : text)
    if (c == '\n' || c == '\t')
      c = ' ';
  return text;
}

seed_result run_seed(const scenario& s, std::uint64_t seed, bool swarm_on, mutant bug,
                     std::optional<std::uint64_t> max_steps) {
  run_options o;
  o.max_steps = max_steps;
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
  auto seed = parse_whole_number(line.substr(0, a));
  if (!seed)
    return std::nullopt;
  r.seed = *seed;
  r.passed = line.substr(a + 1, b - a - 1) == "1";
  r.signature = line.substr(b + 1, c - b - 1);
  r.first = line.substr(c + 1);
  return r;
}

// Progress on stderr: on a terminal a line redrawn in place; otherwise a line every ten seconds,
// so that a long sweep in a log shows it is alive.
class progress {
public:
  explicit progress(std::uint64_t total)
      : total_(total), tty_(isatty(STDERR_FILENO) == 1), last_(std::chrono::steady_clock::now()) {}
  void update(std::uint64_t done, std::uint64_t failed) {
    if (tty_) {
      if (done == total_ || done % 16 == 0)
        std::cerr << fmt::format("\r{}/{} runs, {} failed", done, total_, failed) << std::flush;
      return;
    }
    const auto now = std::chrono::steady_clock::now();
    if (now - last_ >= std::chrono::seconds(10)) {
      last_ = now;
      std::cerr << fmt::format("dbgsim sweep: {}/{} runs, {} failed\n", done, total_, failed)
                << std::flush;
    }
  }
  ~progress() {
    if (tty_)
      std::cerr << "\r\033[K" << std::flush;
  }

private:
  std::uint64_t total_;
  bool tty_;
  std::chrono::steady_clock::time_point last_;
};

// A shard's seeds: first, first + step, ... (count of them), generated as they are needed.
struct seed_sequence {
  std::uint64_t first = 0;
  std::uint64_t step = 1;
  std::uint64_t count = 0;
  std::uint64_t operator[](std::uint64_t i) const { return first + i * step; }
};

// How a worker process ended, in words; empty when it exited with 0.
std::string worker_end(int status) {
  if (WIFEXITED(status))
    return WEXITSTATUS(status) == 0 ? std::string{}
                                    : fmt::format("exited with status {}", WEXITSTATUS(status));
  if (WIFSIGNALED(status))
    return fmt::format("was killed by signal {} ({})", WTERMSIG(status), strsignal(WTERMSIG(status)));
  return "ended abnormally";
}

// Runs the seeds in `jobs` worker processes (each world is single-threaded and independent; a
// process apiece keeps them apart entirely) and hands each result to `take` in seed order, as
// it comes: nothing is kept per seed, so memory does not grow with the number of seeds. Seed i
// runs in worker i % jobs, which writes its results in order; the parent reads them in turn
// (a worker that runs ahead waits on its full pipe). False, after a message, when a worker
// died or could not be started.
template <class Take>
bool run_workers(const scenario& s, const seed_sequence& seeds, unsigned jobs, bool swarm_on,
                 mutant bug, std::optional<std::uint64_t> max_steps, Take&& take) {
  progress bar(seeds.count);
  std::uint64_t failed = 0;
  if (jobs <= 1) {
    for (std::uint64_t i = 0; i < seeds.count; ++i) {
      seed_result r;
      try {
        r = run_seed(s, seeds[i], swarm_on, bug, max_steps);
      } catch (const std::exception& e) {
        std::cerr << "dbgsim sweep: " << printable(s.file) << ": seed " << seeds[i]
                  << ": cannot run: " << e.what() << '\n';
        return false;
      }
      failed += r.passed ? 0 : 1;
      take(r);
      bar.update(i + 1, failed);
    }
    return true;
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
      return false;
    }
    const pid_t pid = fork();
    if (pid < 0) {
      std::cerr << "dbgsim sweep: fork: " << std::strerror(errno) << '\n';
      return false;
    }
    if (pid == 0) {
      close(fds[0]);
      for (auto& w : workers)
        close(w.fd);
      for (std::uint64_t i = k; i < seeds.count; i += jobs) {
        std::string line;
        try {
          line = encode(run_seed(s, seeds[i], swarm_on, bug, max_steps));
        } catch (const std::exception& e) {
          std::cerr << "dbgsim sweep: " << printable(s.file) << ": seed " << seeds[i]
                    << ": cannot run: " << e.what() << std::endl;
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
  std::string broken;
  std::uint64_t done = 0;
  for (; done < seeds.count && broken.empty(); ++done) {
    auto& w = workers[done % jobs];
    std::size_t nl;
    while ((nl = w.buffer.find('\n')) == std::string::npos) {
      char chunk[4096];
      const auto n = read(w.fd, chunk, sizeof chunk);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      w.buffer.append(chunk, static_cast<std::size_t>(n));
    }
    if (nl == std::string::npos) {
      broken = fmt::format("worker process {} stopped before seed {}", w.pid, seeds[done]);
      break;
    }
    auto r = decode(w.buffer.substr(0, nl));
    w.buffer.erase(0, nl + 1);
    if (!r || r->seed != seeds[done]) {
      broken = fmt::format("worker process {} sent a garbled result", w.pid);
      break;
    }
    failed += r->passed ? 0 : 1;
    take(*r);
    bar.update(done + 1, failed);
  }
  for (auto& w : workers) {
    close(w.fd);  // A worker still writing (after a failure elsewhere) then ends on EPIPE.
    if (!broken.empty())
      kill(w.pid, SIGTERM);
  }
  for (auto& w : workers) {
    int status = 0;
    while (waitpid(w.pid, &status, 0) < 0 && errno == EINTR) {
    }
    const auto why = worker_end(status);
    if (why.empty())
      continue;
    if (broken.empty())
      broken = fmt::format("worker process {} {}", w.pid, why);
    else if (broken.find("process " + std::to_string(w.pid) + " ") != std::string::npos)
      broken += fmt::format(": it {}", why);
  }
  if (!broken.empty()) {
    std::cerr << "dbgsim sweep: " << broken << "; " << done << " of " << seeds.count
              << " runs reported\n";
    return false;
  }
  return true;
}

int sweep(const sweep_args& args) {
  auto bug = parse_mutant("sweep", args.mutant_name);
  if (!bug)
    return exit_bad_input;
  // Loaded before the workers fork, so that each inherits them.
  if (!load_client_libs("sweep", args.client_libs))
    return exit_bad_input;
  const auto range = parse_range(args.seeds);
  if (!range) {
    std::cerr << "dbgsim sweep: --seeds wants A..B with A <= B (e.g. 1..1000), not '" << args.seeds
              << "'\n";
    return exit_bad_input;
  }
  std::pair<std::uint64_t, std::uint64_t> shard{1, 1};
  if (!args.shard.empty() || args.shards != 0) {
    auto resolved = resolve_shard(args.shard.empty() ? std::string("1/1") : args.shard, args.shards,
                                  [](const char* name) -> std::optional<std::string> {
                                    const char* v = std::getenv(name);
                                    return v == nullptr ? std::nullopt : std::optional<std::string>(v);
                                  });
    if (auto* e = std::get_if<shard_error>(&resolved)) {
      std::cerr << "dbgsim sweep: " << e->message << '\n';
      return exit_bad_input;
    }
    const auto& sh = std::get<cli::shard>(resolved);
    shard = {sh.index, sh.count};
    // Said on stderr, so that the output of a shard stays what `--shard I/N` would print.
    if (args.shard == "auto")
      std::cerr << "dbgsim sweep: shard " << sh.index << "/" << sh.count << " from " << sh.source
                << '\n';
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
  const auto [first, last] = *range;
  if (last - first >= 100'000'000) {
    std::cerr << "dbgsim sweep: at most 100000000 seeds per sweep\n";
    return exit_bad_input;
  }
  seed_sequence seeds;
  seeds.first = first + (shard.first - 1);
  seeds.step = shard.second;
  seeds.count = seeds.first > last ? 0 : (last - seeds.first) / seeds.step + 1;

  // The output folder is made and checked before anything runs, not after hours of running.
  if (!args.out_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(args.out_dir, ec);
    if (ec || !std::filesystem::is_directory(args.out_dir, ec)) {
      std::cerr << "dbgsim sweep: --out " << printable(args.out_dir) << ": cannot create the folder: "
                << (ec ? ec.message() : std::string("it exists and is not a folder")) << '\n';
      return exit_bad_input;
    }
    if (access(args.out_dir.c_str(), W_OK | X_OK) != 0) {
      std::cerr << "dbgsim sweep: --out " << printable(args.out_dir)
                << ": cannot write into the folder: " << std::strerror(errno) << '\n';
      return exit_bad_input;
    }
  }
  // So are the report files: a path that cannot be written fails now, not after the sweep.
  for (const auto* path : {&args.results, &args.junit, &args.report})
    if (!path->empty())
      if (auto err = io::check_writable(*path)) {
        std::cerr << "dbgsim sweep: " << *err << '\n';
        return exit_bad_input;
      }

  // The result every output is made from. Its groups come in order of their first seed and are
  // all a sweep keeps (a few per signature, not per seed).
  sweep_result result;
  result.scenario = args.file;
  result.mutant = std::string(name_of(*bug));
  result.swarm = args.swarm;
  result.max_steps = args.max_steps;
  result.client_libs = args.client_libs;
  result.first = first;
  result.last = last;
  result.shard_index = shard.first;
  result.shard_count = shard.second;
  auto& groups = result.groups;
  std::map<std::string, std::size_t> by_signature;
  auto take = [&](const seed_result& r) {
    ++result.runs;
    if (args.verbose) {
      std::cout << fmt::format("seed {}: {}{}\n", r.seed, r.passed ? "PASS" : "FAIL",
                               r.passed ? "" : "  " + r.first);
      if (args.swarm)
        for (const auto& c : swarm(s, r.seed).choices)
          std::cout << "    swarm: " << c << '\n';
    }
    if (r.passed)
      return;
    ++result.failed;
    auto [it, fresh] = by_signature.emplace(r.signature, groups.size());
    if (fresh)
      groups.push_back({r.signature, 0, r.seed, r.first,
                        args.swarm ? swarm(s, r.seed).choices : std::vector<std::string>{}});
    ++groups[it->second].count;
  };

  const auto jobs = static_cast<unsigned>(
      std::min<std::uint64_t>(args.jobs, std::max<std::uint64_t>(seeds.count, 1)));
  result.jobs = jobs;
  const auto start = std::chrono::steady_clock::now();
  try {
    if (!run_workers(s, seeds, jobs, args.swarm, *bug, args.max_steps, take))
      return exit_bad_input;  // A worker that died is an error of the sweep, not a finding.
  } catch (const std::exception& e) {
    std::cerr << printable(args.file) << ": cannot run: " << e.what() << '\n';
    return exit_bad_input;
  }

  result.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  const auto stem = std::filesystem::path(args.file).stem().string();
  auto write_reproducer = [&](const failure_group& g) {
    if (args.out_dir.empty())
      return true;
    const auto seed = g.first_seed;
    scenario repro = args.swarm ? swarm(s, seed).s : s;
    repro.seed = seed;
    const auto path =
        (std::filesystem::path(args.out_dir) / fmt::format("{}.seed{}.yaml", stem, seed)).string();
    std::string comment = fmt::format(
        "Reproducer written by dbgsim sweep: {} failed with {} under seed {}{}.\n{}", args.file,
        g.signature, seed, *bug == mutant::none ? "" : fmt::format(" (mutant {})", name_of(*bug)),
        g.first);
    for (const auto& c : g.swarm)
      comment += "\nswarm: " + c;
    std::ostringstream out;
    write_scenario(out, repro, comment);
    if (auto err = io::write_output(path, out.str())) {
      std::cerr << "dbgsim sweep: " << *err << '\n';
      return false;
    }
    std::cout << "    written: " << path << "  (replay: " << replay_command(path, seed, *bug)
              << ")\n";
    return true;
  };
  if (!print_sweep_summary(std::cout, result, *bug, write_reproducer))
    return exit_bad_input;
  if (!write_sweep_files(result, &s, *bug, args.results, args.junit, args.report, "sweep"))
    return exit_bad_input;
  return result.failed == 0 ? exit_ok : exit_failed;
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
                  "shards split A..B exactly; `auto` reads I and N from a Slurm job array's or a "
                  "Kubernetes Indexed Job's environment (docs/scale-out.md)");
  sub->add_option("--shards", args->shards,
                  "With --shard auto: how many shards there are (a Kubernetes Indexed Job's "
                  "completions, which its pods' environment does not carry)");
  sub->add_flag("--swarm", args->swarm,
                "Let each seed switch on a random subset of extra faults (link noise, partitions, "
                "resets, half-open connections, server crashes) and print the choice; the file's "
                "expect/check assertions are dropped and only the oracle judges");
  sub->add_option("--mutant", args->mutant_name, mutant_help());
  sub->add_option("--out", args->out_dir,
                  "Write each failure signature's first seed as a scenario file into DIR");
  sub->add_option("--results", args->results,
                  "Write the result (seeds, shard, failure groups, timings) as JSON, for "
                  "`dbgsim merge` to combine shards (docs/scale-out.md)");
  sub->add_option("--junit", args->junit,
                  "Write a JUnit XML report, one testcase per failure group and one for the "
                  "seeds that passed");
  sub->add_option("--report", args->report,
                  "Write one self-contained HTML report: the counts, each failure group with its "
                  "first seed's chart and (collapsed) trace");
  sub->add_option("--max-steps", args->max_steps,
                  "The run budget of each seed's run, as `run --max-steps`; used up: exit 2")
      ->check(CLI::NonNegativeNumber);
  add_client_lib_option(sub, args->client_libs);
  sub->add_flag("--verbose,-v", args->verbose, "Print every seed's result (and swarm choice)");
  return [args] { return sweep(*args); };
}

}  // namespace dbgsim::cli
