// The commands of the model-based test (rapidcheck/state.h): one generated operation each,
// an API call, a fault or a span of time. RapidCheck's model here is the case's `shape` (what
// generation and shrinking need to keep a sequence valid); the reference model that judges
// results lives in the harness, because what it knows depends on what was observed.
#pragma once

#include "props/model.hpp"
#include "scenario/scenario.hpp"

#include <rapidcheck.h>
#include <rapidcheck/state.h>

#include <cstdint>
#include <iosfwd>
#include <map>
#include <string>
#include <memory>
#include <vector>

namespace dbgsim::props {

class harness;

// What a command does: one scenario action (the same names, so a shrunk case reads like the
// scenario file it becomes) or `advance`, a span of time.
#define DBGSIM_PROP_OPS(X) \
  DBGSIM_ACTIONS(X)        \
  X(advance, "advance", "lets simulated time pass")

/// What a command does.
DBGSIM_ENUM(op_kind, DBGSIM_PROP_OPS);

/// How a command picks the server handle it passes.
enum class handle_pick : std::uint8_t {
  issued,   ///< One the engine was given (maybe disconnected since): `index` among them.
  zero,     ///< Handle 0: the engine's own machine (S12).
  random,   ///< A value nobody issued (S5).
  foreign,  ///< One another engine was given (S5, S11).
};

/// One generated operation. Handles, pids and targets are picked by index and resolved against
/// the model when the command runs, so a shrunk sequence stays meaningful.
struct op {
  op_kind kind = op_kind::advance;
  std::size_t engine = 0;
  std::size_t server = 0;
  connect_kind ck = connect_kind::good;
  handle_pick hp = handle_pick::issued;
  std::size_t index = 0;        ///< Handle, pid or target index.
  std::uint64_t literal = 0;    ///< handle_pick::random's value.
  std::uint32_t max = 64;       ///< list's buffer size (S17).
  api::end_mode mode = api::end_mode::passive;
  bool on = false;              ///< process_options: detach on exit.
  direction dir = direction::both;
  link_params params;           ///< set_link.
  sim_time span{0};             ///< advance.
  bool nowait = false;          ///< Start the call and go on; its result is judged when it comes.
  std::string exe;              ///< find_process: the executable name (S17).
  bool only_match = false;      ///< find_process: one match asked for (S17).
  bool server_gone = true;      ///< half_open: which end silently forgets (S19).
  bool on_engine = false;       ///< exit_process: on the engine's machine, not the server's.
  std::uint32_t timeout_ms = 0; ///< wait_server_end.
  int variant = 0;              ///< start_server: 0 a new endpoint, 1 the last one again, 2 malformed.
};

/// The operation kinds the property generates (every op_kind but `check`), in table order.
std::vector<op_kind> generated_kinds();

/// How often each kind of operation ran, and how often a cause met calls in flight.
struct histogram {
  std::map<std::string, long long> ops;        ///< Per op_kind name (and "<call> (no wait)").
  std::map<std::string, long long> met;        ///< Per cause: commands that met calls in flight.
  std::map<std::string, long long> met_calls;  ///< Per cause: calls in flight they met.
  void add(const histogram& other);
  /// Prints the histogram, one line per entry.
  void print(std::ostream& os) const;
};

/// Prints an operation in one line ("e1 connect s2 (good)").
void show(const op& o, std::ostream& os);

/// What generation needs to know of a case: its size and which servers are down.
struct shape {
  std::size_t engines = 1;
  std::size_t servers = 1;
  std::vector<bool> crashed;
  /// The last command started a call without waiting: its engine, server and index, so that
  /// the next command is likely to meet it in flight (same engine, link or handle).
  bool hot = false;
  std::size_t hot_engine = 0, hot_server = 0, hot_index = 0;
};

/// The shape of a case world at its start.
shape initial_shape(const case_world& w);

/// One command: an operation run through the harness, which checks it against the reference
/// model and the oracle.
class step_command : public rc::state::Command<shape, harness> {
public:
  explicit step_command(op o) : op_(o) {}
  /// Restarting needs a crashed server; crashing needs a running one.
  void checkPreconditions(const shape& s) const override;
  /// Tracks crashes and restarts.
  void apply(shape& s) const override;
  /// Runs the operation; fails the case when the world disagrees with the model or the oracle.
  void run(const shape& s, harness& h) const override;
  /// One line, as in the shrunk sequence.
  void show(std::ostream& os) const override;
  /// The operation.
  const op& operation() const { return op_; }

private:
  op op_;
};

/// A generated command sequence.
using command_list = rc::state::Commands<step_command::CommandType>;

/// Generates one operation suitable for `s`.
rc::Gen<op> gen_op(const shape& s);

/// Generates one command for `s` (the generation function of rc::state::gen::commands).
rc::Gen<std::shared_ptr<const step_command::CommandType>> gen_command(const shape& s);

}  // namespace dbgsim::props

namespace dbgsim {
DBGSIM_ENUM_NAMES(props::op_kind, DBGSIM_PROP_OPS);
}  // namespace dbgsim
