// The oracle's shared state: the records of what the trace says about engines, handles, calls,
// servers and their sessions, the report() every check files its violations with, and the queue
// of checks pending until the current instant is over (oracle/oracle.cpp's principles).
//
// The dispatcher (oracle/oracle.cpp) keeps these records as events arrive; the rule families
// (oracle/detail/checks.hpp) read them, and keep whatever only one family needs to themselves.
// A few fields of a shared record are written by one family only, because they must live and die
// with the record; each such field names its family. Internal: no public header includes this
// file, and it is not installed (only oracle/*.hpp are).
#pragma once

#include "oracle/detail/event_box.hpp"
#include "oracle/oracle.hpp"

#include "protocol/hresult.hpp"

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

namespace dbgsim::oracle_detail {

using protocol::hresult;

constexpr sim_time never{-1};

inline std::string hr_text(const std::optional<hresult>& hr) {
  return hr ? protocol::to_string(*hr) : std::string("no HRESULT");
}

inline std::string_view api_text(const std::optional<api::call_kind>& k) {
  return k ? name_of(*k) : "?";
}

/// A handle an engine gave out (handle_born), and whether it is dead yet.
struct handle_rec {
  std::uint64_t conn = 0;
  std::uint64_t born_call = 0;
  bool dead = false;
  event born;
};

/// What a call must complete with, within the instant the obligation arose (S3, S5, S6, S9,
/// S12, S19).
struct expectation {
  const char* rule = "";
  std::optional<hresult> hr;   ///< Empty: any result, as long as it comes at once (S12).
  std::vector<event> context;  ///< Why (e.g. the session_released "reset").
};

/// A call still open.
struct call_rec {
  event ev;
  sim_time deadline{0};                ///< Its S15 bound (bound_checks).
  std::optional<expectation> expect;   ///< What it must complete with (call_checks).
  std::uint64_t live_handle = 0;       ///< disconnect: the live handle it got (S6, call_checks).
};

/// The session an engine holds on one of its conns (session_held).
struct held_rec {
  std::uint64_t session = 0;
  std::uint32_t incarnation = 0;
  event ev;
};

/// One engine, as its events describe it.
struct engine_rec {
  int id = 0;
  std::string name;
  bool crashed = false;
  std::map<std::uint64_t, handle_rec> handles;        ///< Every handle ever born.
  std::map<std::uint64_t, std::uint64_t> conn_handle; ///< conn → the handle born on it.
  std::map<std::uint64_t, call_rec> calls;            ///< Calls still open.
  std::map<std::uint64_t, held_rec> held;             ///< conn → the session held on it.

  /// Whether `h` was born to this engine and is not dead.
  bool live(std::uint64_t h) const {
    auto i = handles.find(h);
    return i != handles.end() && !i->second.dead;
  }
};

using session_key = std::pair<std::uint32_t, std::uint64_t>;  ///< (incarnation, session id).

/// One server session, from its session_open until the instant it ended is over.
struct session_rec {
  engine_rec* engine = nullptr;
  std::uint64_t conn = 0;
  bool open = true;
  event open_ev;
  event_box end_ev;
  std::optional<std::uint64_t> options;  ///< The last options_received (S21, exit_policy_checks).
  event_box options_ev;
  event_box disconnect_served;  ///< A served disconnect_request (S11, session_checks).
  sim_time last_heard{never};              ///< Last frame_served of it (S7, session_checks).
  sim_time let_go{never};                  ///< When its engine released it or crashed (S7, ditto).
  event_box let_go_ev;
  bool leak_reported = false;              ///< Reported by S7 at finish (session_checks).
};

/// One process server, across its incarnations.
struct server_rec {
  std::string name;
  std::string machine;
  bool has_state = false;
  std::uint32_t incarnation = 0;
  std::optional<server_state> state;
  std::string password;
  std::optional<event> listening_ev;
  std::map<session_key, session_rec> sessions;   ///< Open ones, and ones ended this instant.
};

/// One obligation to judge when the current instant is over.
enum class check : std::uint8_t {
  call_done_now,        ///< S3/S5/S6/S9/S12/S19: the call must be done by now.
  handle_born_by_done,  ///< S1: a connect's S_OK needs its handle_born in the same instant.
  handle_dead_by_done,  ///< S6: a disconnect's done needs its handle dead.
  targets_kept,         ///< S20: a disconnect frame was sent while targets held the session.
  released_after_last,  ///< S20: the last target went while the handle was dead.
  exit_policy,          ///< S21: processes of an ended session.
  disconnect_served,    ///< S11: a session ended by "disconnect".
  ended_by_reset,       ///< S19: a session whose connection was reset has ended.
};

/// A pending check: what the family that judges it needs, by kind.
struct pending {
  check kind;
  engine_rec* eng = nullptr;
  server_rec* srv = nullptr;
  std::uint64_t a = 0;  ///< call, handle, conn or session, by kind.
  std::uint64_t b = 0;
  session_key key{};
  std::uint32_t pid = 0;
  bool flag = false;    ///< exit_policy: detach expected.
  std::vector<std::uint32_t> pids{};
  std::vector<event> evs{};
};

/// Everything the families share: the records, the violations found and the pending checks.
struct shared_state {
  timing times;                  ///< The world's timing parameters (S7, S8, S15, S22).
  sim_time now{0};               ///< The current instant.
  std::vector<violation> found;  ///< Every violation so far, in the order found.

  std::map<std::string, engine_rec, std::less<>> engines;  ///< By name.
  std::vector<engine_rec*> engine_by_id;                   ///< By id: order of first mention.
  std::map<std::string, server_rec, std::less<>> servers;  ///< By name.
  // Every event looks its actor up by name, and in a world of 1,000 engines a search of the
  // ordered maps cost ~10 string comparisons each. These indexes are only searched, never
  // iterated, so their order reaches nothing (the ordered maps keep every walk in name order);
  // their keys view the maps' own keys, which never move.
  std::unordered_map<std::string_view, engine_rec*> engine_index;  ///< engines, by name.
  std::unordered_map<std::string_view, server_rec*> server_index;  ///< servers, by name.

  /// Open server sessions by their engine end: (engine id, conn) → (server, key).
  std::multimap<std::pair<int, std::uint64_t>, std::pair<server_rec*, session_key>> open_by_conn;
  std::vector<pending> todo;          ///< Checks of the current instant, in the order made.
  std::vector<std::pair<server_rec*, session_key>> ended;  ///< Sessions to forget after it.

  /// Starts with no engine, no server and nothing found, under the timing `t`.
  explicit shared_state(timing t) : times(t) {}
  shared_state(const shared_state&) = delete;  // The indexes point into this object's maps.
  shared_state& operator=(const shared_state&) = delete;

  /// Files one violation; its events are put in time order (stable, so ties keep theirs).
  void report(const char* rule, sim_time t, std::string message, std::vector<event> evs) {
    std::stable_sort(evs.begin(), evs.end(),
                     [](const event& x, const event& y) { return x.t < y.t; });
    found.push_back(violation{rule, t, std::move(message), std::move(evs)});
  }

  /// The engine called `name`, made (with the next id) on first mention.
  engine_rec& engine(const std::string& name) {
    if (auto* found = find_engine(name))
      return *found;
    auto [i, fresh] = engines.try_emplace(name);
    i->second.id = static_cast<int>(engine_by_id.size());
    i->second.name = name;
    engine_by_id.push_back(&i->second);
    engine_index.emplace(i->first, &i->second);
    return i->second;
  }

  /// The engine called `name`, or null if no event made it yet.
  engine_rec* find_engine(std::string_view name) const {
    auto i = engine_index.find(name);
    return i == engine_index.end() ? nullptr : i->second;
  }

  /// The server called `name`, made on first mention.
  server_rec& server(const std::string& name) {
    if (auto* found = find_server(name))
      return *found;
    auto [i, fresh] = servers.try_emplace(name);
    i->second.name = name;
    server_index.emplace(i->first, &i->second);
    return i->second;
  }

  /// The server called `name`, or null if no event made it yet.
  server_rec* find_server(std::string_view name) const {
    auto i = server_index.find(name);
    return i == server_index.end() ? nullptr : i->second;
  }

  /// The time after which an engine that let a session go (or a server that ended one) must
  /// have been noticed by the other side, for the end-of-run checks S7 and S22: a lease of
  /// silence, the keepalive that notices it, and an rpc round.
  sim_time convergence() const { return times.lease + times.keepalive + times.rpc_timeout; }
};

}  // namespace dbgsim::oracle_detail
