// The differential check: a scenario's outcome live beside its outcome simulated, step by step
// (each call's HRESULT, each step's judgement) and in the final state (sessions, handles,
// targets), each difference marked allowed or not by the scenario's own expectations.
//
// What the scenario allows: a call step without `expect` may come out either way (the file
// asks nothing of it); a call step with `expect`, and every `check` step, asks one thing, so any
// difference there is not allowed. A final-state quantity of a server or engine that some `check`
// step of the file asserts is one the scenario cares about: a difference in it is not allowed;
// any other final-state difference is reported and allowed. A client's findings are always
// asserted (its `expect: { findings: [...] }`, [] when it declares none): any difference in them
// is not allowed.
#pragma once

#include "protocol/hresult.hpp"
#include "scenario/player.hpp"
#include "scenario/scenario.hpp"

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace dbgsim::live {

/// How one step came out in one run.
struct step_outcome {
  bool played = false;                  ///< The step was issued (its names resolved).
  std::optional<protocol::hresult> hr;  ///< A call's result, once it completed.
  std::vector<std::string> failures;    ///< What its judgement found ("expected S_OK, got ...").
  friend bool operator==(const step_outcome&, const step_outcome&) = default;
};

/// The final state of one server, as compared.
struct server_summary {
  std::size_t sessions = 0;
  std::size_t attached = 0;
  bool running = false;
  friend bool operator==(const server_summary&, const server_summary&) = default;
};

/// The final state of one engine, as compared.
struct engine_summary {
  std::size_t handles = 0;
  std::size_t targets = 0;
  friend bool operator==(const engine_summary&, const engine_summary&) = default;
};

/// What the client checker found about one client program, as compared.
struct client_summary {
  std::vector<finding_kind> findings;  ///< Kinds found, in table order, no repeats.
  friend bool operator==(const client_summary&, const client_summary&) = default;
};

/// Everything the differential check compares of one run.
struct run_outcome {
  std::vector<step_outcome> steps;                 ///< One per scenario step, by index.
  std::map<std::string, server_summary> servers;   ///< By server name.
  std::map<std::string, engine_summary> engines;   ///< By engine name.
  std::map<std::string, client_summary> clients;   ///< By client name.
};

/// Each client of `s` with the kinds `findings` holds about it.
std::map<std::string, client_summary> client_outcomes(const scenario& s,
                                                      const std::vector<finding>& findings);

/// One place where the live and the simulated run differ.
struct difference {
  std::optional<std::size_t> step;  ///< The scenario step; none for the final state.
  std::string subject;              ///< "e1 disconnect", or "server srv sessions".
  std::string live, simulated;      ///< What each run gave there.
  bool allowed = false;             ///< The scenario's expectations allow it.
  std::string why;                  ///< Why it is or is not allowed.
};

/// Every difference between `live` and `simulated` of scenario `s`, steps first (in step order),
/// then the final state.
std::vector<difference> compare(const scenario& s, const run_outcome& live,
                                const run_outcome& simulated);

/// One line for a difference: "step 3 (t=2s) e1 disconnect: live S_OK, simulated E_HANDLE
/// (not allowed: the step expects S_OK)".
std::string describe(const scenario& s, const difference& d);

/// Runs `s` simulated with `options` and gathers its outcome; the run's report goes to `report`.
run_outcome simulate(const scenario& s, const run_options& options, run_report* report = nullptr);

/// The engine a step acts on ("" for a fault or a check of a server or machine).
std::string engine_of(const step& st);

/// A duration as a scenario file spells it ("2s", "150ms", "40us").
std::string duration_text(sim_time t);

}  // namespace dbgsim::live
