// The reference model: what docs/semantics.md promises about handles, sessions, targets and
// attached processes, written from the rules alone (not from actors/). It is a model of
// knowledge: where timing decides an outcome (a partition, a lossy link, a crashed server the
// engine has not noticed yet) it allows a set of results, and an observed result then narrows
// what it knows.
#pragma once

#include "vocabulary/api.hpp"
#include "actors/messages.hpp"
#include "props/case_world.hpp"
#include "protocol/hresult.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace dbgsim {
class world;
}

namespace dbgsim::props {

/// The HRESULTs the model allows for one call.
class allowed {
public:
  allowed() = default;
  allowed(std::initializer_list<protocol::hresult> hrs);
  /// Adds one more allowed result.
  allowed& add(protocol::hresult hr);
  /// Adds every result of `other`.
  allowed& add(const allowed& other);
  /// The same set without `hr`.
  allowed without(protocol::hresult hr) const;
  /// Allows every failure HRESULT too (where the rules do not name one), except the ones a
  /// rule reserves for a cause (transport failures, aborts, version): those are named or not
  /// allowed at all.
  allowed& any_failure();
  /// Whether `hr` is allowed.
  bool contains(protocol::hresult hr) const;
  /// The rule that decides these results ("S6"), first the one most specific to the cause.
  const std::string& rule() const { return rule_; }
  /// Names the deciding rule (replaces the one before).
  allowed& because(std::string rule) {
    rule_ = std::move(rule);
    return *this;
  }
  /// The one allowed result, when there is exactly one.
  std::optional<protocol::hresult> single() const;
  /// One allowed result (E_FAIL standing for "any failure"), for a reproducer's `expect:`.
  protocol::hresult representative() const;
  /// "S_OK" or "{ERROR_SEM_TIMEOUT, S_OK}".
  std::string to_string() const;

private:
  std::set<std::uint32_t> hrs_;
  bool any_failure_ = false;
  std::string rule_;
};

/// Whether `hr` is one of the results a rule reserves for one cause: ERROR_OPERATION_ABORTED
/// (S6), ERROR_SEM_TIMEOUT (S3, S9), RPC_S_CALL_FAILED (S19), RPC_E_DISCONNECTED (S8, S10, S22),
/// RPC_E_VERSION_MISMATCH (S4), E_ABORT (an engine crash). "Any failure" never includes them.
bool reserved(protocol::hresult hr);

/// How a generated connect is meant to go.
enum class connect_kind : std::uint8_t {
  good,          ///< The server's machine, port and password.
  bad_password,  ///< A password the server does not have (S4).
  no_password,   ///< No password at all (S4, S14).
  malformed,     ///< Options that do not parse (S2).
  wrong_port,    ///< A port nothing listens on (S3).
};

/// The name of a connect kind, for messages.
const char* name_of(connect_kind k);

/// The connect's server and kind (connect calls only).
struct connect_intent {
  std::size_t server = 0;
  connect_kind kind = connect_kind::good;
};

/// Directions of the link between an engine and a server.
enum class direction : std::uint8_t { both, to_server, to_engine };

/// The reference model of one case world.
class model {
public:
  explicit model(const case_world& w);

  /// The options string a connect of `kind` from engine `e` to server `s` uses.
  std::string connect_options(std::size_t s, connect_kind kind) const;

  /// The results allowed for engine `e` making call `c` now (`ci` for connects).
  allowed predict(std::size_t e, const api::call& c, const connect_intent* ci = nullptr) const;

  /// Takes the observed result of the call just predicted into account; returns what the model
  /// forbids about it beyond its HRESULT (a reused handle, a wrong listing), "" when nothing.
  std::string apply(std::size_t e, const api::call& c, const connect_intent* ci,
                    const api::result& r);

  /// The link between engine `e` and server `s` is cut in `d`.
  void partition(std::size_t e, std::size_t s, direction d);
  /// The link between engine `e` and server `s` is restored in `d`.
  void heal(std::size_t e, std::size_t s, direction d);
  /// Every link is restored (what settling does first).
  void heal_all();
  /// New fault parameters on the link between engine `e` and server `s` in `d`.
  void set_link(std::size_t e, std::size_t s, direction d, const link_params& p);
  /// Server `s` crashes (S10, S21).
  void crash(std::size_t s);
  /// Server `s` restarts with a new incarnation (S10).
  void restart(std::size_t s);
  /// Every connection between engine `e` and server `s` is reset: both ends know at once (S19).
  void reset(std::size_t e, std::size_t s);
  /// Every connection between engine `e` and server `s` goes half-open (S19): one end silently
  /// forgets it; only leases and timeouts find out.
  void half_open(std::size_t e, std::size_t s, bool server_gone);
  /// Engine `e` crashes: it loses all state, later calls give E_ABORT, and its servers reap its
  /// sessions by their leases (S7, S21).
  void crash_engine(std::size_t e);
  /// A connect of engine `e` that gave `h` met something while in flight (a fault, a crash, a
  /// restart, an end-server): the model is unsure of its session (dead: its server crashed
  /// since, or its connection went half-open, while it was on its way; `incarnation` is the
  /// server's when the connect was made).
  void connected_unsure(std::size_t e, std::uint64_t h, std::uint32_t incarnation, bool dead);
  /// Whether server `s` is a reverse-connection one (S16).
  bool clicon(std::size_t s) const { return servers_[s].clicon; }
  /// A connect to reverse-connection server `s` is on its way: it may take the one client's
  /// place, and its session may end (and the server with it) before the model hears (S16).
  void clicon_maybe_taken(std::size_t s) { servers_[s].client_unsure = true; }
  /// Server `s`'s incarnation as the model knows it.
  std::uint32_t incarnation(std::size_t s) const { return servers_[s].incarnation; }
  /// Whether engine `e` has crashed.
  bool engine_crashed(std::size_t e) const { return engines_[e].crashed; }
  /// Process `pid` on server `s`'s machine (or, with `on_engine`, on engine `s`'s) exits on its
  /// own (S20, S22: its target goes; the session may be released).
  void exit_process(std::size_t s, bool on_engine, std::uint32_t pid);
  /// Engine `e` calls StartProcessServer with `options` on its own machine (S13): what it may
  /// give, and, once observed, what it means.
  allowed predict_start(std::size_t e, const std::string& endpoint, bool malformed) const;
  void apply_start(std::size_t e, const std::string& endpoint, bool malformed,
                   protocol::hresult hr);
  /// Engine `e` calls WaitForProcessServerEnd (S13).
  allowed predict_wait(std::size_t e) const;
  /// The server a handle of engine `e` leads to (live or not), if it was issued by `e`.
  std::optional<std::size_t> server_of(std::size_t e, std::uint64_t h) const;
  /// Whether the model is sure the session behind engine `e`'s live handle `h` is alive at both
  /// ends on a healthy link (so a call in flight on it meets exactly what its cause says).
  bool surely_alive(std::size_t e, std::uint64_t h) const;

  /// Engine `e`'s live handles as the model knows them (exact: S6), ascending.
  std::vector<std::uint64_t> live_handles(std::size_t e) const;
  /// Every handle engine `e` was ever given, in order.
  const std::vector<std::uint64_t>& issued(std::size_t e) const { return engines_[e].issued; }
  /// The engine's targets as the model knows them (certain or not), ascending.
  std::vector<std::uint32_t> targets(std::size_t e) const;
  /// The pids a listing through `h` must return, when the model knows them exactly and all fit
  /// in `max` (S12, S17).
  std::optional<std::vector<std::uint32_t>> exact_listing(std::size_t e, std::uint64_t h,
                                                          std::uint32_t max) const;
  /// The server a live handle of engine `e` leads to, if `h` is one.
  std::optional<std::size_t> live_server(std::size_t e, std::uint64_t h) const;
  /// Every pid the model has seen on server `s`'s machine, ascending.
  std::vector<std::uint32_t> server_pids(std::size_t s) const;
  /// Every pid the model has seen on engine `e`'s machine, ascending.
  std::vector<std::uint32_t> engine_pids(std::size_t e) const;
  /// Whether server `s` is crashed (and not restarted).
  bool crashed(std::size_t s) const;
  /// Names, for messages.
  const std::string& engine_name(std::size_t e) const { return engines_[e].name; }
  const std::string& server_name(std::size_t s) const { return servers_[s].name; }
  std::size_t engine_count() const { return engines_.size(); }
  std::size_t server_count() const { return servers_.size(); }

  /// After a settled run (healed, quiet beyond every lease and grace): the differences between
  /// the world's engines and servers and what the model allows (leaked sessions, handles,
  /// targets, attachments). Empty when they agree.
  std::vector<std::string> convergence(const world& w) const;

private:
  /// What the model knows about a session an engine got from a connect.
  enum class fate : std::uint8_t {
    ok,     ///< Alive at both ends, and stays so while its link is healthy.
    doubt,  ///< Maybe alive, maybe ended at the server, the engine, or both.
    dead,   ///< Ended at the server; the engine may not have noticed yet.
    gone,   ///< The engine knows it ended: its calls give RPC_E_DISCONNECTED (S8, S10, S22).
  };
  struct record {
    std::size_t engine = 0, server = 0;
    std::uint64_t handle = 0;
    bool handle_live = true;
    bool released = false;      ///< Nothing holds it any more (S20).
    fate f = fate::ok;
    std::uint32_t incarnation = 0;
    bool options_known = true;  ///< Whether the server surely has the engine's last options.
    bool detach_on_exit = false;///< The detach-on-exit value the server last received (S21).
  };
  enum class life : std::uint8_t { alive, dead, unknown };
  struct proc {
    std::string exe;
    life l = life::alive;
    std::optional<std::size_t> owner;  ///< The record it is attached through (alive only).
    bool local_owner = false;          ///< Attached by the machine's engine (handle 0).
  };
  struct machine_model {
    std::map<std::uint32_t, proc> procs;
    bool extras = false;  ///< Processes the model does not know of may exist (a lost create reply).
  };
  struct target {
    std::optional<std::size_t> rec;  ///< Empty: a local target (handle 0).
    bool maybe = false;              ///< The engine may already have dropped it.
  };
  struct engine_model {
    std::string name;
    disconnect_mode mode = disconnect_mode::async;
    bool detach_on_exit = false;
    std::vector<std::uint64_t> issued;
    std::map<std::uint64_t, std::size_t> live;  ///< Live handle → record.
    std::map<std::uint32_t, target> targets;
    machine_model local;
    bool crashed = false;
    std::uint16_t version = 1;           ///< Its remoting protocol version (S4).
    std::vector<std::string> started;    ///< Endpoints of servers it started (S13).
  };
  enum class server_state : std::uint8_t { listening, shutting_down, crashed };
  struct server_model {
    std::string name, password;
    server_state st = server_state::listening;
    std::uint32_t incarnation = 0;
    bool unsure = false;  ///< An end-server request may have reached it (S8) unanswered.
    bool clicon = false;  ///< A reverse-connection server: one client, then it ends (S16).
    bool had_client = false, client_unsure = false;  ///< S16: a client was accepted (maybe).
    machine_model m;
  };
  struct link_state {
    bool cut = false;
    link_params params;
  };

  bool degraded(std::size_t e, std::size_t s) const;
  bool certain(const record& r) const;
  bool target_certain(const target& t) const;
  void degrade(std::size_t e, std::size_t s);
  void session_ended(std::size_t rec, bool exact);
  void maybe_release(std::size_t rec);
  void lose_targets(std::size_t rec, bool known);
  allowed remote(const record& r, const allowed& normal) const;
  allowed predict_connect(std::size_t e, const connect_intent& ci) const;
  allowed predict_local(const engine_model& en, const api::call& c) const;
  allowed predict_find(const machine_model& m, const api::find_process& x) const;
  std::string check_found(const machine_model& m, const api::find_process& x,
                          const api::result& r) const;
  allowed predict_target_call(std::size_t e, const api::call& c) const;
  std::string apply_local(engine_model& en, const api::call& c, const api::result& r);
  std::string apply_remote(std::size_t e, std::size_t rec, const api::call& c,
                           const api::result& r);
  void apply_target_call(std::size_t e, const api::call& c, const api::result& r);
  void end_target(std::size_t e, std::uint32_t pid, bool kill);

  std::vector<engine_model> engines_;
  std::vector<server_model> servers_;
  std::vector<record> records_;
  std::map<std::pair<std::size_t, std::size_t>, link_state> to_server_, to_engine_;
};

}  // namespace dbgsim::props
