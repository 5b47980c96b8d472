// The system under test of the model-based property: a scenario built one step per command and
// played on a world by the scenario player, judged after every step against the reference model
// and the oracle. Because the world is driven only through the player, the scenario built so far
// is exactly what `dbgsim run` replays.
#pragma once

#include "props/commands.hpp"
#include "props/model.hpp"
#include "scenario/scenario.hpp"
#include "scenario/player.hpp"

#include <map>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace dbgsim::props {

/// Runs operations on a world through a scenario player and checks each one.
class harness {
public:
  /// A world for `w`, seeded with `seed`, with `bug` switched on. Without `use_oracle` only the
  /// model judges (to measure what the model catches by itself).
  harness(const case_world& w, std::uint64_t seed, mutant bug, bool keep_trace = false,
          bool use_oracle = true);
  ~harness();
  harness(const harness&) = delete;
  harness& operator=(const harness&) = delete;

  /// Runs one operation: issues its step, lets the world run until the call completes (or its
  /// bound passes) and then one more second, and checks the result against the model and the
  /// oracle. Returns why the case fails, or nothing.
  std::optional<std::string> execute(const op& o);

  /// Settles the world (heal, pass every lease and grace period, the oracle's end checks) and
  /// compares engines and servers with the model. Returns why the case fails, or nothing.
  std::optional<std::string> finish();

  /// Why the last operation failed, if it did.
  const std::optional<std::string>& last_failure() const { return failure_; }
  /// The scenario played so far (steps with `expect:` where the model allows one result).
  const scenario& played() const { return sc_; }
  /// The operations run so far, one line each.
  const std::vector<std::string>& log() const { return log_; }
  /// The results of every call so far, per engine, in call order ("S_OK", ...).
  const std::map<std::string, std::vector<std::string>>& results() const { return results_; }
  /// The world underneath.
  world& w();
  /// The reference model.
  const model& reference() const { return model_; }
  /// What ran so far: operations per kind, and causes that met calls in flight.
  const histogram& counts() const { return hist_; }

private:
  /// A call started and not yet judged.
  struct pending_call {
    std::size_t engine = 0;
    std::uint64_t number = 0;
    api::call c;
    std::optional<connect_intent> ci;
    std::size_t step = 0;
    std::string where;       ///< "step 4 (e1 list_processes ...)".
    allowed a;               ///< What it may give, narrowed or widened by what it met.
    std::optional<std::size_t> server;  ///< The server it goes to, when it goes to one.
    std::uint64_t handle = 0;
    bool fixed = false;      ///< A cause decided its result exactly (S6, S19, an engine crash).
    bool disturbed = false;  ///< Something ran while it was in flight: its content is not judged.
    bool server_crashed = false;  ///< Its server crashed while it was in flight (connects).
    std::uint32_t incarnation = 0;
  };
  std::optional<std::string> collect();
  std::optional<std::string> judge(pending_call& p, const api::result& r);
  std::optional<std::string> settle_pending();
  /// The calls in flight that a cause meets: engine `e` (any when npos) to server `s` (any when
  /// npos); counted in the histogram under `cause`.
  std::vector<pending_call*> meet(const std::string& cause, std::size_t e, std::size_t s);
  std::optional<std::string> after_at_once(const std::string& rule, const std::string& cause);
  void disturb_all();
  std::optional<std::string> run_op(const op& o);
  std::optional<std::string> settle_and_compare();
  std::optional<std::string> call(const op& o, api::call c, step_action a,
                                  const connect_intent* ci, const allowed* given = nullptr);
  std::optional<std::string> fault(step_action a);
  /// What the oracle reports; with `handles`, first whether the engines' live handles differ
  /// from the model's (S3, S6).
  std::optional<std::string> oracle_says(bool handles = true);
  std::optional<std::string> handles_differ();
  handle_ref handle_arg(std::uint64_t h) const;
  std::uint64_t pick_handle(const op& o) const;
  std::uint32_t pick_pid(const op& o, std::uint64_t h) const;
  link_ends ends(const op& o) const;

  case_world world_;
  scenario sc_;
  model model_;
  std::unique_ptr<player> player_;
  std::map<std::string, std::uint64_t> calls_;  ///< Calls issued per engine.
  std::map<std::uint64_t, std::string> names_;  ///< Handle value → the name its connect bound.
  std::vector<std::string> log_;
  std::optional<std::string> failure_;
  bool use_oracle_ = true;
  std::map<std::string, std::vector<std::string>> results_;
  std::vector<pending_call> pending_;
  histogram hist_;
  std::uint16_t next_port_ = 6000;  ///< start_server's next endpoint (S13).
};

/// The rules a failure message names, first first: the comma-separated "S6" or "S6, S19" that
/// opens it (every failure the property reports opens so).
std::vector<std::string> rules_of_failure(const std::string& message);

}  // namespace dbgsim::props
