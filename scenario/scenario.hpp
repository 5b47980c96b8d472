// A scenario: a topology, a timeline of API calls and faults, and what must come out. This is the
// in-memory form of a scenario file (docs/scenario-format.md); scenario_files/ reads YAML into it
// and prints it back, and the player (scenario/player.hpp) runs it on a world. The property tests and the
// disconnect fuzzer build scenarios too, so every failure they find can be written as a file.
#pragma once

#include "protocol/hresult.hpp"
#include "vocabulary/api.hpp"
#include "vocabulary/crash_how.hpp"
#include "vocabulary/fault.hpp"
#include "vocabulary/finding.hpp"
#include "vocabulary/names.hpp"
#include "world/topology.hpp"

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

namespace dbgsim {

/// Where something stands in a scenario file (1-based; 0 when the scenario was built in code).
struct source_pos {
  int line = 0;
  int col = 0;
  friend bool operator==(const source_pos&, const source_pos&) = default;
};

/// A server handle argument: a name bound by an earlier `as`, or a literal value.
struct handle_ref {
  std::string name;          ///< Empty for a literal.
  std::uint64_t value = 0;   ///< The literal, when `name` is empty.
  friend bool operator==(const handle_ref&, const handle_ref&) = default;
};

/// A process id argument: a name bound by an earlier `as`, or a literal value.
struct pid_ref {
  std::string name;          ///< Empty for a literal.
  std::uint32_t value = 0;   ///< The literal, when `name` is empty.
  friend bool operator==(const pid_ref&, const pid_ref&) = default;
};

/// Two ends of a link, in one direction (`from`/`to`) or both (`between`).
struct link_ends {
  std::string from, to;  ///< Machines, or engines/servers standing for their machine.
  bool both = true;      ///< `between: [from, to]`: both directions.
  friend bool operator==(const link_ends&, const link_ends&) = default;
};

// The table of a step's actions: every API call, every fault, then `check`. Each row's identifier
// is its struct in `action::` and its name the YAML key, so the loader, the writer, the player,
// the property suite and the fuzzers' decoding all derive from these three tables.
#define DBGSIM_ACTIONS(X) \
  DBGSIM_CALLS(X)         \
  DBGSIM_FAULTS(X)        \
  X(check, "check", "asserts the state of a server, an engine or a machine")

/// The actions a step can take, one struct per YAML action key (docs/scenario-format.md).
namespace action {
struct connect {
  std::string engine, options, as;
  friend bool operator==(const connect&, const connect&) = default;
};
struct disconnect {
  std::string engine;
  handle_ref handle;
  friend bool operator==(const disconnect&, const disconnect&) = default;
};
struct end_server {
  std::string engine;
  handle_ref handle;
  friend bool operator==(const end_server&, const end_server&) = default;
};
struct list_processes {
  std::string engine;
  handle_ref handle;
  std::optional<std::vector<std::uint32_t>> pids;  ///< The list the call must return (any order).
  std::uint32_t max = 64;                          ///< The caller's buffer size (S17).
  friend bool operator==(const list_processes&, const list_processes&) = default;
};
struct find_process {
  std::string engine;
  handle_ref handle;
  std::string exe;
  bool only_match = false;
  std::string as;
  friend bool operator==(const find_process&, const find_process&) = default;
};
struct describe_process {
  std::string engine;
  handle_ref handle;
  pid_ref pid;
  friend bool operator==(const describe_process&, const describe_process&) = default;
};
struct attach {
  std::string engine;
  handle_ref handle;
  pid_ref pid;
  friend bool operator==(const attach&, const attach&) = default;
};
struct create_process {
  std::string engine;
  handle_ref handle;
  std::string command_line, as;
  friend bool operator==(const create_process&, const create_process&) = default;
};
struct detach {
  std::string engine;
  pid_ref pid;
  friend bool operator==(const detach&, const detach&) = default;
};
struct terminate {
  std::string engine;
  pid_ref pid;
  friend bool operator==(const terminate&, const terminate&) = default;
};
struct detach_all {
  std::string engine;
  friend bool operator==(const detach_all&, const detach_all&) = default;
};
struct terminate_all {
  std::string engine;
  friend bool operator==(const terminate_all&, const terminate_all&) = default;
};
struct end_session {
  std::string engine;
  api::end_mode mode = api::end_mode::passive;
  friend bool operator==(const end_session&, const end_session&) = default;
};
struct process_options {
  std::string engine;
  bool detach_on_exit = false;
  friend bool operator==(const process_options&, const process_options&) = default;
};
struct start_server {
  std::string engine, options;
  friend bool operator==(const start_server&, const start_server&) = default;
};
struct wait_server_end {
  std::string engine;
  sim_time timeout{0};
  friend bool operator==(const wait_server_end&, const wait_server_end&) = default;
};
struct partition {
  link_ends ends;
  friend bool operator==(const partition&, const partition&) = default;
};
struct heal {
  link_ends ends;
  friend bool operator==(const heal&, const heal&) = default;
};
struct reset {
  std::string a, b;
  friend bool operator==(const reset&, const reset&) = default;
};
/// `half_open: {between: [a, b], gone: server|engine}`: one end silently forgets (S19).
struct half_open {
  std::string a, b;
  bool server_gone = true;
  friend bool operator==(const half_open&, const half_open&) = default;
};
struct set_link {
  link_ends ends;
  std::optional<sim_time> latency, jitter;
  std::optional<double> loss, duplicate;
  friend bool operator==(const set_link&, const set_link&) = default;
};
/// `crash_server: {server: X, how: process|machine}`: the server loses all state and stops
/// listening; `how` says whether its connections are reset or go silent (S10, S19).
struct crash_server {
  std::string server;
  crash_how how = crash_how::process;  ///< `how:`, default `process`.
  friend bool operator==(const crash_server&, const crash_server&) = default;
};
/// `restart_server: {server: X}`: a crashed or ended server starts again, a new incarnation.
struct restart_server {
  std::string server;
  friend bool operator==(const restart_server&, const restart_server&) = default;
};
/// `crash_engine: {engine: E, how: process|machine}`: the engine loses all state; `how` says
/// whether its connections are reset or go silent (S19, S7).
struct crash_engine {
  std::string engine;
  crash_how how = crash_how::process;  ///< `how:`, default `process`.
  friend bool operator==(const crash_engine&, const crash_engine&) = default;
};
/// `exit_process: {machine, pid}`: a process exits on its own.
struct exit_process {
  std::string machine;
  pid_ref pid;
  friend bool operator==(const exit_process&, const exit_process&) = default;
};
/// `check:` one subject (server, engine or machine) and its assertions, evaluated at `at`.
struct check {
  std::string server, engine, machine;  ///< Exactly one is set.
  std::optional<std::size_t> sessions, attached;        ///< server
  std::optional<bool> running;                          ///< server
  std::optional<handle_ref> handle;                     ///< engine, with `live`
  std::optional<bool> live;                             ///< engine + handle
  std::optional<std::size_t> handles, targets;          ///< engine
  std::optional<std::vector<std::uint32_t>> pids;       ///< machine (any order)
  friend bool operator==(const check&, const check&) = default;
};

/// One step's action.
using step_action = variant_without_last<DBGSIM_ACTIONS(DBGSIM_ROW_ID) void>;
}  // namespace action

using action::step_action;

/// Which action a step takes; the index of its alternative in step_action.
DBGSIM_ENUM(action_kind, DBGSIM_ACTIONS);
DBGSIM_ENUM_NAMES(action_kind, DBGSIM_ACTIONS);

/// Which action `a` is.
inline action_kind kind_of(const step_action& a) { return static_cast<action_kind>(a.index()); }

/// Whether an action is an API call (and so may carry `expect`): the table's first rows.
constexpr bool is_call(action_kind k) {
  return static_cast<std::size_t>(k) < value_count<api::call_kind>;
}

/// The API call an action stands for (is_call(k) must hold).
constexpr api::call_kind call_of(action_kind k) { return static_cast<api::call_kind>(k); }

/// The fault an action stands for, if it is one.
constexpr std::optional<fault_kind> fault_of(action_kind k) {
  const auto i = static_cast<std::size_t>(k) - value_count<api::call_kind>;
  if (is_call(k) || i >= value_count<fault_kind>)
    return std::nullopt;
  return static_cast<fault_kind>(i);
}

/// One entry of `steps:`.
struct step {
  sim_time at{0};
  step_action what;
  std::optional<protocol::hresult> expect;  ///< Checked when the call completes.
  source_pos pos;                           ///< Where the step starts in its file.
  friend bool operator==(const step&, const step&) = default;
};

/// Messages about a file that loaded all the same (old spellings), as `FILE:LINE:COL: warning: ...`
/// lines. Not part of what a scenario is: equal scenarios may differ in them.
struct load_notes {
  std::vector<std::string> lines;
  friend bool operator==(const load_notes&, const load_notes&) { return true; }
};

/// A whole scenario file.
/// A client program the scenario runs (`clients:`, docs/clients.md).
struct client_spec {
  std::string name;                 ///< The client's name: traces, charts, findings.
  std::string engine;               ///< The engine it runs on.
  std::string program;              ///< A registered program (bundled, or from --client-lib).
  std::vector<std::string> args;    ///< argv[1...].
  sim_time start{0};                ///< When it starts.
  sim_time timeout{std::chrono::minutes(10)};  ///< Not returned by then: hung-program (C6).
  std::vector<finding_kind> expect_findings;   ///< Exactly these kinds, in table order, no repeats.
  source_pos pos;                   ///< Where the entry stands in the file.
  friend bool operator==(const client_spec&, const client_spec&) = default;
};

struct scenario {
  std::string name;
  std::string description;
  std::vector<std::string> tags;  ///< `tags:`, in file order: groups a run can pick (`--tag`).
  std::uint64_t seed = 1;
  topology topo;            ///< Machines, servers, engines, links and `defaults:` (topo.times).
  std::vector<step> steps;  ///< In file order; the player issues them stably sorted by `at`.
  std::vector<client_spec> clients;  ///< `clients:`: programs that run alongside the steps.
  std::string file;         ///< Where it was loaded from ("" when built in code).
  load_notes notes;         ///< What the loader warned about.
  friend bool operator==(const scenario&, const scenario&) = default;
};

/// Why a scenario file does not load: `file:line:col: message`.
class scenario_error : public std::runtime_error {
public:
  scenario_error(std::string file, source_pos pos, const std::string& message);
  const std::string& file() const { return file_; }
  source_pos pos() const { return pos_; }
  /// The message alone, without the location.
  const std::string& message() const { return message_; }

private:
  std::string file_;
  source_pos pos_;
  std::string message_;
};

/// Most steps a file may have, and most bytes: a larger file is refused, not run.
inline constexpr std::size_t max_scenario_steps = 100'000;
inline constexpr std::size_t max_scenario_bytes = 4u << 20;

/// The YAML action key of a step ("connect", "partition", "check").
inline std::string_view action_name(const step_action& a) { return name_of(kind_of(a)); }

}  // namespace dbgsim
