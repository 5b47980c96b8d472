// Playing a scenario on a world: the player issues its steps at their times, checks each step's
// expectation, and gathers the oracle's findings into a report.
#pragma once

#include "actors/seam.hpp"
#include "client_runtime/program_runner.hpp"
#include "findings/checker.hpp"
#include "oracle/oracle.hpp"
#include "scenario/scenario.hpp"
#include "vocabulary/event.hpp"
#include "vocabulary/mutant.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace dbgsim {

class world;

/// The run budget unless run_options::max_steps (`--max-steps`) says otherwise: steps (due
/// timers and world actions) per run, settling included: 2,000,000 plus 1,000 per step of the
/// scenario. The scenarios of scenarios/ take at most a few thousand; a connect, with its
/// keepalives until the end of settling, about 200; a 1 µs keepalive for a simulated minute
/// about sixty million.
inline constexpr std::uint64_t default_base_steps = 2'000'000;
inline constexpr std::uint64_t default_steps_per_step = 1'000;

/// How to run a scenario.
struct run_options {
  std::optional<std::uint64_t> seed;  ///< Overrides the file's seed.
  mutant bug = mutant::none;          ///< A planted bug to switch on.
  bool keep_trace = true;             ///< Keep the trace (for --trace/--chart/--perfetto).
  bool settle = true;                 ///< After the last step: heal, pass every lease and grace,
                                      ///< and run the oracle's end-of-run checks.
  engine_factory make_engine{};       ///< Who the engines are (world_options); empty: reference.
  server_factory make_server{};       ///< Who the servers are (world_options); empty: reference.
  /// The run budget (world_options::max_steps); 0: no limit; none: default_budget(). Used up:
  /// the world throws run_budget_exceeded.
  std::optional<std::uint64_t> max_steps;
};

/// A step that did not come out as the file said.
struct step_failure {
  std::size_t step = 0;  ///< Index into scenario::steps.
  std::string action;    ///< The step's action key ("connect"), for signatures.
  source_pos pos;
  sim_time t{0};         ///< When it was judged.
  std::string expected;  ///< What the file asked for ("S_OK", "sessions: 0").
  std::string got;       ///< What happened ("ERROR_SEM_TIMEOUT", "sessions: 1").
};

/// A client whose findings were not exactly those its `expect: { findings: [...] }` declares.
struct client_failure {
  std::string client;                   ///< Its name.
  source_pos pos;                       ///< Its entry in the file.
  std::vector<finding_kind> expected;   ///< As declared, in table order.
  std::vector<finding_kind> got;        ///< As found, in table order, no repeats.
};

/// What running a scenario gave.
struct run_report {
  std::uint64_t seed = 0;                 ///< The seed it ran with.
  std::vector<step_failure> failures;     ///< Steps that failed, in the order judged.
  std::vector<violation> violations;      ///< The oracle's findings.
  std::vector<finding> findings;          ///< The client checker's findings (docs/clients.md).
  std::vector<client_failure> client_failures;  ///< Clients whose findings were not as declared.
  sim_time end{0};                        ///< Simulated time at the end.
  std::vector<event> events;              ///< The trace (empty unless keep_trace).
  /// True when no step failed, the oracle found nothing and every client's findings were as
  /// declared.
  bool passed() const { return failures.empty() && violations.empty() && client_failures.empty(); }
  /// A short, stable description of the first failure ("S6", "C1 leaked-handle", "step 4:
  /// connect"), for grouping sweep failures; "" when passed.
  std::string signature() const;
};

/// A runner for the clients of `s` on `host` (which outlives it), each engine starting with the
/// DEBUG_PROCESS_DETACH_ON_EXIT its spec gives; `seed` orders programs due at one instant. The
/// simulated and the live player both start their programs with this.
std::unique_ptr<program_runner> run_programs(program_host& host, const scenario& s,
                                             std::uint64_t seed);

/// The kinds of `findings` about the client called `client`, in table order, no repeats.
std::vector<finding_kind> findings_about(const std::vector<finding>& findings,
                                         const std::string& client);

/// The clients of `s` whose findings among `findings` are not exactly the kinds their
/// `expect: { findings: [...] }` declares, in the file's order (a simulated and a live run judge
/// their clients with this one rule).
std::vector<client_failure> judge_clients(const scenario& s, const std::vector<finding>& findings);

/// Plays a scenario's steps on a world, one at a time. run_scenario() is the usual way; the
/// property tests and the disconnect fuzzer use a player directly so that what they do is
/// exactly what `dbgsim run` replays from the scenario they write.
class player {
public:
  /// Builds the world from `s.topo` with the seed (options.seed, else s.seed). `s` must outlive
  /// the player; steps may be appended to it while playing (a property test builds its scenario
  /// one command at a time).
  player(const scenario& s, const run_options& options);
  ~player();
  player(const player&) = delete;
  player& operator=(const player&) = delete;

  /// Runs the world to `s.steps[i].at` and issues step i (steps must be played in sorted order).
  void play(std::size_t i);

  /// Plays every step not yet played, in order, then runs until no call is in flight, then
  /// (with options.settle) settles the world.
  void finish();

  /// The world underneath. The player owns its on_complete callback: do not replace it.
  world& w();

  /// The report so far (complete after finish()).
  run_report report() const;

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

/// The default run budget of `s`: default_base_steps + default_steps_per_step per step.
std::uint64_t default_budget(const scenario& s);

/// Loads nothing and runs `s` from start to finish.
run_report run_scenario(const scenario& s, const run_options& options = {});

}  // namespace dbgsim
