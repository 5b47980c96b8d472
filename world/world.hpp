// A world: engines, process servers and links as CAF actors on CAF's test_coordinator, driven in
// simulated time. Tests, the scenario runner, property tests and fuzzers all use this API.
//
// Determinism: one thread runs every actor, jobs run in FIFO order, delayed messages fire in
// time order (ties in the order they were scheduled), world actions due at an instant run before
// the messages due then, and every random draw comes from one seeded random_source. Same
// topology, calls, faults and seed: byte-identical trace.
#pragma once

#include "actors/seam.hpp"
#include "vocabulary/api.hpp"
#include "vocabulary/crash_how.hpp"
#include "vocabulary/event.hpp"
#include "vocabulary/inspection.hpp"
#include "vocabulary/mutant.hpp"
#include "findings/checker.hpp"
#include "oracle/oracle.hpp"
#include "world/topology.hpp"

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace dbgsim {

/// How a world keeps its trace, and who its engines and servers are.
struct world_options {
  mutant bug = mutant::none;  ///< The planted bug to switch on (engines and servers alike).
  bool keep_trace = true;     ///< Keep every event (for writing the trace); the oracle runs anyway.
  engine_factory make_engine{};  ///< Spawns every engine; empty: the reference engine.
  server_factory make_server{};  ///< Spawns every server incarnation; empty: the reference server.
  /// The run budget: how many steps (each a due timer or world action that advances the run)
  /// the world may take in all; 0: no limit. Taking one more throws run_budget_exceeded.
  std::uint64_t max_steps = 0;
};

/// The world took more steps than world_options::max_steps allows (a scenario that would run
/// for hours, such as a 1 µs keepalive under a long lease).
class run_budget_exceeded : public std::runtime_error {
public:
  run_budget_exceeded(std::uint64_t budget, sim_time at);
  std::uint64_t budget;  ///< The budget that was used up.
  sim_time at;           ///< Simulated time when it was.
};

/// A running simulation.
class world {
public:
  /// Builds the world and starts its servers (at their start times); throws topology_error.
  world(topology topo, std::uint64_t seed, world_options options = {});
  ~world();
  world(const world&) = delete;
  world& operator=(const world&) = delete;

  // -- API calls ---------------------------------------------------------------------------

  /// Issues `c` on engine `engine` now; returns the call's number (1, 2, ... per engine).
  /// `program` names the client program making it (docs/clients.md), "" for anyone else.
  std::uint64_t call(const std::string& engine, api::call c, const std::string& program = {});

  /// The result of a call, once it has completed.
  std::optional<api::result> result_of(const std::string& engine, std::uint64_t call) const;

  /// Called whenever a call completes (engine, call number, result).
  void on_complete(std::function<void(const std::string&, std::uint64_t, const api::result&)> f);

  // -- faults (now); names are machines, or engines/servers standing for their machine -----

  /// Cuts the direction from → to.
  void partition(const std::string& from, const std::string& to);
  /// Restores the direction from → to.
  void heal(const std::string& from, const std::string& to);
  /// Restores every direction of every link.
  void heal_all();
  /// Resets every connection on the link between a and b (S19: both ends told at once).
  void reset(const std::string& a, const std::string& b);
  /// Makes every connection on the link half-open: the server end (or the engine end) silently
  /// forgets it, the other end is told nothing, and its frames vanish.
  void half_open(const std::string& a, const std::string& b, bool server_gone);
  /// New parameters for the direction from → to.
  void set_link(const std::string& from, const std::string& to, link_params params);
  /// Crashes a server: it loses all state and stops listening. `process`: its kernel resets
  /// every connection it had (S19) and refuses connects (S3); `machine`: its connections go
  /// silent and connects to its endpoint go unanswered until it restarts.
  void crash_server(const std::string& server, crash_how how = crash_how::process);
  /// Restarts a crashed or ended server with a new incarnation (S10).
  void restart_server(const std::string& server);
  /// Crashes an engine: it loses all state; its calls in flight end with E_ABORT. `process`:
  /// its kernel resets every connection it had, so its servers end those sessions at once
  /// (S19, S21); `machine`: its connections go silent and only leases find them (S7).
  void crash_engine(const std::string& engine, crash_how how = crash_how::process);
  /// A process exits on its own.
  void exit_process(const std::string& machine, std::uint32_t pid);

  /// Runs `action` when simulated time reaches `t` (before the messages due then); actions due
  /// at one instant run in the order they were scheduled. Returns an id for cancel().
  std::uint64_t at(sim_time t, std::function<void(world&)> action);
  /// Forgets an action not yet run (an id at() returned); an unknown or spent id does nothing.
  void cancel(std::uint64_t action);

  /// Records an event the harness makes rather than an engine or a server: a client program's
  /// start and end and the calls its API answered itself (docs/clients.md). Its time is now.
  void note(event e);

  // -- time ---------------------------------------------------------------------------------

  /// The current simulated time.
  sim_time now() const;
  /// Runs every actor until simulated time `t`.
  void run_until(sim_time t);
  /// Runs for `d` of simulated time.
  void run_for(sim_time d) { run_until(now() + d); }
  /// Runs until no call is in flight and no action is scheduled (at most until `limit`).
  void run_until_quiet(sim_time limit);
  /// Heals every link, lets time pass beyond every timeout, lease and grace period, and runs
  /// the oracle's end-of-run checks (S7, S15, S20, S21, S22).
  void settle();

  // -- what happened -----------------------------------------------------------------------

  /// The engine's state (inspection interface).
  engine_view inspect_engine(const std::string& engine) const;
  /// The server's current incarnation's state.
  server_view inspect_server(const std::string& server) const;
  /// Every event so far (empty unless options.keep_trace).
  const std::vector<event>& events() const;
  /// How many events were recorded.
  std::size_t event_count() const;
  /// How many steps (due timers and world actions) the world has taken (see max_steps).
  std::uint64_t steps_taken() const;
  /// How many CAF messages the world's actors have handled so far, the starting of its actors
  /// included: what a world costs in messaging, for benchmarks to set beside bare CAF's.
  std::uint64_t messages_handled() const;
  /// How many events of one kind were recorded (kept or not).
  std::size_t event_count(event_kind k) const;
  /// Writes the trace as JSON lines.
  void write_trace(std::ostream& out) const;
  /// The oracle's findings so far.
  const std::vector<violation>& violations() const;
  /// The client checker's findings about client programs so far (docs/clients.md).
  const std::vector<finding>& findings() const;
  /// Calls issued but not yet completed.
  std::size_t calls_in_flight() const;
  /// The machine of an engine or server, or the name itself when it names a machine.
  std::string machine_of(const std::string& name) const;
  /// The processes running on a machine (or an engine's or server's machine), in pid order.
  std::vector<process> processes_on(const std::string& name) const;

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace dbgsim
