// The oracle: docs/semantics.md checked on a stream of trace events (actors/event.hpp's schema).
//
// Principles:
//  - It never reports a correct implementation. Each check below states the exact condition it
//    reports; where a rule cannot be judged soundly from events alone, the check is narrowed
//    (or left out) rather than guessed.
//  - Events arrive in trace order with non-decreasing times. Several events share an instant
//    and their order within it is the implementation's business, so every "at the same time"
//    obligation is a *pending check* judged when the instant is over (the first event with a
//    later time, or finish()).
//  - State is kept per key (engine, conn, handle, server session, attached process); nothing
//    scans the history. Only the events a report may need are copied.
//  - A crashed engine loses all state and answers every later call with E_ABORT, so engine-side
//    checks (S5, S6, S12, S19, S20, S22) stop for an engine once it crashed. S15 stays.
#include "oracle/oracle.hpp"

#include "protocol/hresult.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string_view>
#include <utility>

namespace dbgsim {
namespace {

using protocol::hresult;

constexpr std::uint64_t detach_on_exit_bit = 0x1;  // DEBUG_PROCESS_DETACH_ON_EXIT (S21).
constexpr sim_time never{-1};

std::string hr_text(const std::optional<hresult>& hr) {
  return hr ? protocol::to_string(*hr) : std::string("no HRESULT");
}

std::string_view api_text(const std::optional<api::call_kind>& k) { return k ? name_of(*k) : "?"; }

struct handle_rec {
  std::uint64_t conn = 0;
  std::uint64_t born_call = 0;
  bool dead = false;
  event born;
};

struct connect_rec {
  bool done = false;
  std::optional<hresult> hr;
  std::uint64_t handle = 0;       ///< What the done returned.
  std::uint64_t born_handle = 0;  ///< A handle_born naming this call.
  event done_ev;
};

/// What a call must complete with, at its own instant (S5, S12, S19).
struct expectation {
  const char* rule = "";
  hresult hr;
  std::vector<event> context;  ///< Why (e.g. the session_released "reset").
};

struct call_rec {
  event ev;
  sim_time deadline{0};
  std::optional<expectation> expect;
  std::uint64_t live_handle = 0;  ///< disconnect: the live handle it was given (S6).
};

struct held_rec {
  std::uint64_t session = 0;
  std::uint32_t incarnation = 0;
  event ev;
};

struct target_rec {
  event added;
  sim_time gone{never};  ///< When the server session on its conn ended (S22's reference time).
};

struct engine_rec {
  int id = 0;
  std::string name;
  bool crashed = false;
  std::map<std::uint64_t, handle_rec> handles;        ///< Every handle ever born.
  std::map<std::uint64_t, std::uint64_t> conn_handle; ///< conn → the handle born on it.
  std::map<std::uint64_t, connect_rec> connects;      ///< connect calls by number.
  std::map<std::uint64_t, call_rec> calls;            ///< Calls still open.
  std::map<std::uint64_t, held_rec> held;             ///< conn → the session held on it.
  std::map<std::pair<std::uint64_t, std::uint32_t>, target_rec> targets;  ///< (conn, pid).
  std::set<std::uint64_t> invalid_calls;              ///< Calls that must send nothing (S5).
  int end_session_open = 0;
  sim_time end_session_t{never};
  std::set<std::uint64_t> leak_reported;              ///< conns reported by S20 at finish.
  std::set<std::pair<std::uint64_t, std::uint32_t>> lost_reported;  ///< targets, S22.

  bool live(std::uint64_t h) const {
    auto i = handles.find(h);
    return i != handles.end() && !i->second.dead;
  }
  bool has_targets_on(std::uint64_t conn) const {
    auto i = targets.lower_bound({conn, 0});
    return i != targets.end() && i->first.first == conn;
  }
};

using session_key = std::pair<std::uint32_t, std::uint64_t>;  ///< (incarnation, session id).

struct session_rec {
  engine_rec* engine = nullptr;
  std::uint64_t conn = 0;
  bool open = true;
  event open_ev;
  std::optional<event> end_ev;
  std::optional<std::uint64_t> options;  ///< The last options_received (S21).
  std::optional<event> options_ev;
  std::optional<event> disconnect_served;  ///< A served disconnect_request (S11).
  sim_time last_heard{never};              ///< Last frame_served of it.
  sim_time let_go{never};                  ///< When its engine released it or crashed.
  std::optional<event> let_go_ev;
  bool leak_reported = false;
};

struct attach_rec {
  std::uint64_t session = 0;
  std::uint32_t incarnation = 0;
  std::uint64_t gen = 0;
  bool attached = false;
  event ev;
  event_kind end_kind = event_kind::process_exited;
  std::optional<event> end_ev;
};

struct server_rec {
  std::string name;
  std::string machine;
  bool has_state = false;
  std::uint32_t incarnation = 0;
  std::optional<server_state> state;
  std::string password;
  std::optional<event> listening_ev;
  std::optional<event> shutdown_ev;
  bool shutdown_pending = false;
  sim_time shutdown_deadline{0};
  std::map<session_key, session_rec> sessions;   ///< Open ones, and ones ended this instant.
  std::map<std::uint32_t, attach_rec> attachments;  ///< By pid.
};

/// One obligation to judge when the current instant is over.
enum class check : std::uint8_t {
  call_done_now,        ///< S5/S12/S19: the call must be done by now.
  handle_born_by_done,  ///< S1: a connect's S_OK needs its handle_born in the same instant.
  handle_dead_by_done,  ///< S6: a disconnect's done needs its handle dead.
  targets_kept,         ///< S20: a disconnect frame was sent while targets held the session.
  released_after_last,  ///< S20: the last target went while the handle was dead.
  exit_policy,          ///< S21: processes of an ended session.
  disconnect_served,    ///< S11: a session ended by "disconnect".
};

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

}  // namespace

struct oracle::state {
  timing times;
  sim_time now{0};
  bool started = false;
  std::vector<violation> found;

  std::map<std::string, engine_rec, std::less<>> engines;
  std::vector<engine_rec*> engine_by_id;
  std::map<std::string, server_rec, std::less<>> servers;

  /// Open server sessions by their engine end: (engine id, conn) → (server, key).
  std::multimap<std::pair<int, std::uint64_t>, std::pair<server_rec*, session_key>> open_by_conn;
  /// S15: (deadline, engine id, call) of every open call.
  std::set<std::tuple<sim_time, int, std::uint64_t>> deadlines;
  std::vector<server_rec*> shutting;  ///< Servers with an S8 deadline running.
  std::vector<pending> todo;          ///< Checks of the current instant.
  std::vector<std::pair<server_rec*, session_key>> ended;  ///< Sessions to forget after it.
  std::uint64_t attach_gen = 0;

  explicit state(timing t) : times(t) {}

  // -- helpers ----------------------------------------------------------------------------

  void report(const char* rule, sim_time t, std::string message, std::vector<event> evs) {
    std::stable_sort(evs.begin(), evs.end(),
                     [](const event& x, const event& y) { return x.t < y.t; });
    found.push_back(violation{rule, t, std::move(message), std::move(evs)});
  }

  engine_rec& engine(const std::string& name) {
    auto [i, fresh] = engines.try_emplace(name);
    if (fresh) {
      i->second.id = static_cast<int>(engine_by_id.size());
      i->second.name = name;
      engine_by_id.push_back(&i->second);
    }
    return i->second;
  }

  server_rec& server(const std::string& name) {
    auto [i, fresh] = servers.try_emplace(name);
    if (fresh)
      i->second.name = name;
    return i->second;
  }

  server_rec* find_server(const std::string& name) {
    auto i = servers.find(name);
    return i == servers.end() ? nullptr : &i->second;
  }

  /// The time after which an engine that let a session go (or a server that ended one) must
  /// have been noticed by the other side, for the end-of-run checks S7 and S22: a lease of
  /// silence, the keepalive that notices it, and an rpc round.
  sim_time convergence() const { return times.lease + times.keepalive + times.rpc_timeout; }

  // -- time -------------------------------------------------------------------------------

  void advance(sim_time t) {
    if (!started) {
      started = true;
      now = t;
      return;
    }
    if (t <= now)
      return;
    end_instant();
    expire(t);
    now = t;
  }

  /// S15 and S8 deadlines strictly before `t` (events at a deadline may still complete it).
  void expire(sim_time t) {
    while (!deadlines.empty() && std::get<0>(*deadlines.begin()) < t) {
      auto [deadline, id, n] = *deadlines.begin();
      deadlines.erase(deadlines.begin());
      auto& eng = *engine_by_id[static_cast<std::size_t>(id)];
      auto c = eng.calls.find(n);
      if (c == eng.calls.end())
        continue;
      report("S15", deadline,
             fmt::format("{} call {} ({}) did not complete within its bound of {} us", eng.name, n,
                         api_text(c->second.ev.api), c->second.ev.value),
             {c->second.ev});
    }
    for (auto i = shutting.begin(); i != shutting.end();) {
      server_rec& s = **i;
      if (!s.shutdown_pending) {
        i = shutting.erase(i);
        continue;
      }
      if (s.shutdown_deadline < t) {
        s.shutdown_pending = false;
        std::vector<event> evs;
        if (s.shutdown_ev)
          evs.push_back(*s.shutdown_ev);
        report("S8", s.shutdown_deadline,
               fmt::format("server {} (incarnation {}) began shutting down but did not end within "
                           "the shutdown grace period plus one rpc timeout",
                           s.name, s.incarnation),
               std::move(evs));
        i = shutting.erase(i);
        continue;
      }
      ++i;
    }
  }

  /// Judges every obligation of the instant that just ended.
  void end_instant() {
    auto work = std::move(todo);
    todo.clear();
    for (auto& p : work)
      judge(p);
    for (auto& [srv, key] : ended) {
      auto i = srv->sessions.find(key);
      if (i != srv->sessions.end() && !i->second.open)
        srv->sessions.erase(i);
    }
    ended.clear();
  }

  void judge(pending& p) {
    switch (p.kind) {
      case check::call_done_now: {
        // S5/S12/S19: the call had to complete within the instant it was due.
        if (p.eng->crashed)
          return;
        auto c = p.eng->calls.find(p.a);
        if (c == p.eng->calls.end() || !c->second.expect)
          return;
        auto& x = *c->second.expect;
        auto evs = x.context;
        evs.push_back(c->second.ev);
        report(x.rule, now,
               fmt::format("{} call {} ({}) had to complete at once with {} but was still open",
                           p.eng->name, p.a, api_text(c->second.ev.api), protocol::to_string(x.hr)),
               std::move(evs));
        c->second.expect.reset();
        return;
      }
      case check::handle_born_by_done: {
        // S1: a connect that returned S_OK and handle h has a handle_born(h, that call) no later
        // than its done's instant.
        if (p.eng->crashed)
          return;
        auto h = p.eng->handles.find(p.b);
        if (h != p.eng->handles.end() && h->second.born_call == p.a)
          return;
        report("S1", now,
               fmt::format("{} connect call {} returned handle 0x{:X} with S_OK but no handle_born "
                           "for it was recorded",
                           p.eng->name, p.a, p.b),
               std::move(p.evs));
        return;
      }
      case check::handle_dead_by_done: {
        // S6: disconnect(h) of a live h has completed; h must be dead by then.
        if (p.eng->crashed || !p.eng->live(p.a))
          return;
        report("S6",
               now,
               fmt::format("{} disconnect of handle 0x{:X} completed but the handle is still alive",
                           p.eng->name, p.a),
               std::move(p.evs));
        return;
      }
      case check::targets_kept: {
        // S20: a disconnect frame went out on a conn whose targets are still targets at the end
        // of that instant.
        if (p.eng->crashed)
          return;
        std::vector<std::uint32_t> kept;
        for (auto pid : p.pids)
          if (p.eng->targets.count({p.a, pid}) != 0)
            kept.push_back(pid);
        if (kept.empty())
          return;
        for (auto pid : kept)
          p.evs.push_back(p.eng->targets.at({p.a, pid}).added);
        report("S20", now,
               fmt::format("{} sent a disconnect frame on conn {} (session 0x{:X}) while target "
                           "pid {} still held that session",
                           p.eng->name, p.a, p.b, kept.front()),
               std::move(p.evs));
        return;
      }
      case check::released_after_last: {
        // S20: the handle of the conn was dead and its last target went; the session held on
        // the conn must have been released within that instant.
        if (p.eng->crashed)
          return;
        auto h = p.eng->held.find(p.a);
        if (h == p.eng->held.end() || h->second.session != p.b)
          return;
        p.evs.push_back(h->second.ev);
        report("S20", now,
               fmt::format("{} still holds session 0x{:X} on conn {} after its handle was "
                           "disconnected and its last target went",
                           p.eng->name, p.b, p.a),
               std::move(p.evs));
        return;
      }
      case check::exit_policy: {
        // S21: a process attached through a session at its end is, by the end of that instant,
        // detached (detach-on-exit set) or killed (otherwise), or has exited.
        auto i = p.srv->attachments.find(p.pid);
        if (i == p.srv->attachments.end() || i->second.gen != p.b)
          return;
        auto& a = i->second;
        const char* want = p.flag ? "detached" : "killed";
        if (a.attached) {
          p.evs.push_back(a.ev);
          report("S21", now,
                 fmt::format("server {} session 0x{:X} ended but process {} stayed attached (it "
                             "should have been {})",
                             p.srv->name, p.key.second, p.pid, want),
                 std::move(p.evs));
          return;
        }
        const bool wrong = (a.end_kind == event_kind::process_killed && p.flag) ||
                           (a.end_kind == event_kind::process_detached && !p.flag);
        if (!wrong)
          return;
        p.evs.push_back(a.ev);
        if (a.end_ev)
          p.evs.push_back(*a.end_ev);
        report("S21", now,
               fmt::format("server {} session 0x{:X} ended and process {} was {} but the last "
                           "process options it received say it should have been {}",
                           p.srv->name, p.key.second, p.pid,
                           a.end_kind == event_kind::process_killed ? "killed" : "detached", want),
               std::move(p.evs));
        return;
      }
      case check::disconnect_served: {
        // S11: a session that ended with reason "disconnect" had a disconnect_request of its
        // own engine and conn served by then.
        auto i = p.srv->sessions.find(p.key);
        if (i == p.srv->sessions.end() || i->second.disconnect_served)
          return;
        p.evs.push_back(i->second.open_ev);
        report("S11", now,
               fmt::format("server {} ended session 0x{:X} of {} conn {} as \"disconnect\" without "
                           "serving a disconnect request from that engine's conn",
                           p.srv->name, p.key.second,
                           i->second.engine ? i->second.engine->name : std::string("?"),
                           i->second.conn),
               std::move(p.evs));
        return;
      }
    }
  }

  // -- engines ----------------------------------------------------------------------------

  void crash_engine(engine_rec& eng, sim_time t) {
    if (eng.crashed)
      return;
    eng.crashed = true;
    // S7: its sessions are no longer held by anyone.
    for (auto i = open_by_conn.lower_bound({eng.id, 0});
         i != open_by_conn.end() && i->first.first == eng.id; ++i) {
      auto s = i->second.first->sessions.find(i->second.second);
      if (s != i->second.first->sessions.end() && s->second.let_go == never)
        s->second.let_go = t;
    }
  }

  void on_call(const event& e) {
    auto& eng = engine(e.actor);
    call_rec rec;
    rec.ev = e;
    rec.deadline = e.t + sim_time(static_cast<sim_time::rep>(e.value));
    if (e.api == api::call_kind::connect)
      eng.connects[e.call];
    if (e.api == api::call_kind::end_session) {
      ++eng.end_session_open;
      eng.end_session_t = e.t;
    }
    if (!eng.crashed) {
      const bool takes_server = e.api == api::call_kind::disconnect || e.api == api::call_kind::end_server;
      if (takes_server && e.handle == 0) {
        // S12: DisconnectProcessServer(0) and EndProcessServer(0) give E_INVALIDARG at once.
        rec.expect = expectation{"S12", protocol::E_INVALIDARG, {}};
      } else if (e.handle != 0 && !eng.live(e.handle)) {
        // S5 (and S6, S11): a handle this engine never saw born, another engine's, or a dead
        // one: E_INVALIDARG within the call's instant, and no frame for the call ever.
        rec.expect = expectation{"S5", protocol::E_INVALIDARG, {}};
        eng.invalid_calls.insert(e.call);
      } else if (e.api == api::call_kind::disconnect) {
        rec.live_handle = e.handle;
      }
      if (rec.expect)
        todo.push_back(pending{.kind = check::call_done_now, .eng = &eng, .a = e.call});
    }
    deadlines.insert({rec.deadline, eng.id, e.call});
    eng.calls.insert_or_assign(e.call, std::move(rec));
  }

  void on_done(const event& e) {
    auto& eng = engine(e.actor);
    auto c = eng.calls.find(e.call);
    auto api = e.api;
    if (c != eng.calls.end()) {
      auto& rec = c->second;
      if (!api)
        api = rec.ev.api;
      if (rec.expect && !eng.crashed && (!e.hr || *e.hr != rec.expect->hr)) {
        auto evs = rec.expect->context;
        evs.push_back(rec.ev);
        evs.push_back(e);
        report(rec.expect->rule, e.t,
               fmt::format("{} call {} ({}{}) completed with {} instead of {}", eng.name, e.call,
                           api_text(api),
                           rec.ev.handle ? fmt::format(" of handle 0x{:X}", rec.ev.handle) : "",
                           hr_text(e.hr), protocol::to_string(rec.expect->hr)),
               std::move(evs));
      }
      if (rec.live_handle != 0 && !eng.crashed) {
        // S6: the live handle a disconnect was given is dead by the disconnect's done.
        if (eng.live(rec.live_handle))
          todo.push_back(pending{.kind = check::handle_dead_by_done,
                               .eng = &eng,
                               .a = rec.live_handle,
                               .evs = {eng.handles.at(rec.live_handle).born, rec.ev, e}});
      }
      if (rec.ev.api == api::call_kind::end_session && eng.end_session_open > 0)
        --eng.end_session_open;
      deadlines.erase({rec.deadline, eng.id, e.call});
      eng.calls.erase(c);
    }
    if (api != api::call_kind::connect)
      return;
    auto k = eng.connects.find(e.call);
    if (k == eng.connects.end())
      return;
    auto& con = k->second;
    con.done = true;
    con.hr = e.hr;
    con.handle = e.handle;
    con.done_ev = e;
    if (eng.crashed)
      return;
    if (e.hr && *e.hr == protocol::S_OK) {
      // S1: a successful connect returns a nonzero handle with bits above 32 in use.
      if ((e.handle >> 32) == 0)
        report("S1", e.t,
               fmt::format("{} connect call {} returned handle 0x{:X}, which has no bits above 32 "
                           "set",
                           eng.name, e.call, e.handle),
               {e});
      if (con.born_handle != e.handle)
        todo.push_back(pending{.kind = check::handle_born_by_done,
                               .eng = &eng,
                               .a = e.call,
                               .b = e.handle,
                               .evs = {e}});
    } else if (con.born_handle != 0) {
      // S3: a connect that failed made no handle.
      report("S3", e.t,
             fmt::format("{} connect call {} failed with {} but handle 0x{:X} was born for it",
                         eng.name, e.call, hr_text(e.hr), con.born_handle),
             {eng.handles.at(con.born_handle).born, e});
    }
  }

  void on_handle_born(const event& e) {
    auto& eng = engine(e.actor);
    if (auto i = eng.handles.find(e.handle); i != eng.handles.end()) {
      // S1: never returned before by that engine.
      report("S1", e.t,
             fmt::format("{} gave out handle 0x{:X} a second time", eng.name, e.handle),
             {i->second.born, e});
    }
    if (auto k = eng.connects.find(e.call); k != eng.connects.end() && !eng.crashed) {
      auto& con = k->second;
      if (con.done && (!con.hr || *con.hr != protocol::S_OK)) {
        // S3: the connect had already failed (e.g. ERROR_SEM_TIMEOUT); a late reply makes nothing.
        report("S3", e.t,
               fmt::format("{} handle 0x{:X} was born for connect call {}, which had already "
                           "failed with {}",
                           eng.name, e.handle, e.call, hr_text(con.hr)),
               {con.done_ev, e});
      } else if (con.done && con.handle != e.handle) {
        report("S1", e.t,
               fmt::format("{} handle 0x{:X} was born for connect call {}, which had returned "
                           "handle 0x{:X}",
                           eng.name, e.handle, e.call, con.handle),
               {con.done_ev, e});
      }
      if (con.born_handle == 0)
        con.born_handle = e.handle;
    }
    handle_rec h;
    h.conn = e.conn;
    h.born_call = e.call;
    h.born = e;
    eng.handles.insert_or_assign(e.handle, std::move(h));
    if (e.conn != 0)
      eng.conn_handle[e.conn] = e.handle;
  }

  void on_handle_dead(const event& e) {
    auto& eng = engine(e.actor);
    if (e.reason == reason_kind::engine_crash)
      crash_engine(eng, e.t);
    if (auto i = eng.handles.find(e.handle); i != eng.handles.end())
      i->second.dead = true;
  }

  void on_session_released(const event& e) {
    auto& eng = engine(e.actor);
    if (e.reason == reason_kind::engine_crash)
      crash_engine(eng, e.t);
    if (auto h = eng.held.find(e.conn); h != eng.held.end() &&
                                        (e.session == 0 || h->second.session == e.session))
      eng.held.erase(h);
    // S7's reference time: the engine let the server sessions of this conn go.
    for (auto i = open_by_conn.lower_bound({eng.id, e.conn});
         i != open_by_conn.end() && i->first == std::pair{eng.id, e.conn}; ++i) {
      auto s = i->second.first->sessions.find(i->second.second);
      if (s != i->second.first->sessions.end()) {
        s->second.let_go = e.t;
        s->second.let_go_ev = e;
      }
    }
    if (e.reason != reason_kind::reset || eng.crashed)
      return;
    // S19: every call in flight on a handle of this conn completes now with RPC_S_CALL_FAILED.
    // Disconnects are left out: their handle is already dead and S6 gives their result.
    for (auto& [n, rec] : eng.calls) {
      if (rec.ev.handle == 0 || rec.expect || rec.ev.api == api::call_kind::disconnect)
        continue;
      auto h = eng.handles.find(rec.ev.handle);
      if (h == eng.handles.end() || h->second.conn != e.conn)
        continue;
      rec.expect = expectation{"S19", protocol::RPC_S_CALL_FAILED, {e}};
      todo.push_back(pending{.kind = check::call_done_now, .eng = &eng, .a = n});
    }
  }

  void on_target_removed(const event& e) {
    auto& eng = engine(e.actor);
    auto i = eng.targets.find({e.conn, e.pid});
    if (i == eng.targets.end())
      return;
    auto added = std::move(i->second.added);
    eng.targets.erase(i);
    // S20: once the handle of the conn is dead and its last target goes, the session is
    // released in the same instant.
    if (eng.crashed || e.conn == 0 || eng.has_targets_on(e.conn))
      return;
    auto h = eng.conn_handle.find(e.conn);
    if (h == eng.conn_handle.end() || eng.live(h->second))
      return;
    auto held = eng.held.find(e.conn);
    if (held == eng.held.end())
      return;
    todo.push_back(pending{.kind = check::released_after_last,
                           .eng = &eng,
                           .a = e.conn,
                           .b = held->second.session,
                           .evs = {eng.handles.at(h->second).born, std::move(added), e}});
  }

  // -- servers ----------------------------------------------------------------------------

  /// Ends a server session (its session_end, or implied by the server crashing, ending or
  /// restarting).
  void close_session(server_rec& srv, std::map<session_key, session_rec>::iterator it,
                     const event& e) {
    auto& rec = it->second;
    rec.open = false;
    rec.end_ev = e;
    ended.emplace_back(&srv, it->first);
    if (rec.engine) {
      for (auto i = open_by_conn.lower_bound({rec.engine->id, rec.conn});
           i != open_by_conn.end() && i->first == std::pair{rec.engine->id, rec.conn}; ++i) {
        if (i->second.first == &srv && i->second.second == it->first) {
          open_by_conn.erase(i);
          break;
        }
      }
      // S22's reference time for the engine's targets on this conn.
      for (auto t = rec.engine->targets.lower_bound({rec.conn, 0});
           t != rec.engine->targets.end() && t->first.first == rec.conn; ++t)
        t->second.gone = e.t;
    }
    // S21: every process still attached through the session must be detached or killed, as its
    // last received process options say, before the instant is over.
    for (auto& [pid, a] : srv.attachments) {
      if (!a.attached || a.session != it->first.second || a.incarnation != it->first.first)
        continue;
      std::uint64_t opts = rec.options ? *rec.options : a.ev.value;
      std::vector<event> evs{e};
      if (rec.options_ev)
        evs.push_back(*rec.options_ev);
      todo.push_back(pending{.kind = check::exit_policy,
                             .srv = &srv,
                             .b = a.gen,
                             .key = it->first,
                             .pid = pid,
                             .flag = (opts & detach_on_exit_bit) != 0,
                             .evs = std::move(evs)});
    }
  }

  void close_all(server_rec& srv, const event& e, std::uint32_t below) {
    for (auto it = srv.sessions.begin(); it != srv.sessions.end(); ++it)
      if (it->second.open && (below == 0 || it->first.first < below))
        close_session(srv, it, e);
  }

  void on_server_state(const event& e) {
    auto& srv = server(e.actor);
    srv.has_state = true;
    if (!e.peer.empty())
      srv.machine = e.peer;
    // A server_state event without a state (a user's server can record one) changes nothing.
    if (auto* st = std::get_if<server_state>(&e.what))
      srv.state = *st;
    if (e.is(server_state::listening)) {
      if (e.incarnation != 0) {
        close_all(srv, e, e.incarnation);  // Sessions of older incarnations are gone (S10).
        srv.incarnation = e.incarnation;
      }
      srv.password = e.detail;
      srv.listening_ev = e;
      srv.shutdown_pending = false;
    } else if (e.is(server_state::shutting_down)) {
      if (e.incarnation != 0)
        srv.incarnation = e.incarnation;
      srv.shutdown_ev = e;
      if (!srv.shutdown_pending) {
        srv.shutdown_pending = true;
        srv.shutdown_deadline = e.t + times.shutdown_grace + times.rpc_timeout;
        shutting.push_back(&srv);
      }
    } else if (e.is(server_state::ended) || e.is(server_state::crashed)) {
      srv.shutdown_pending = false;
      close_all(srv, e, 0);
    }
  }

  void on_session_open(const event& e) {
    auto& srv = server(e.actor);
    auto& eng = engine(e.peer);
    const session_key key{e.incarnation, e.session};
    // S14: the presented password is the one the server listens with.
    if (!srv.password.empty() && e.detail != srv.password) {
      std::vector<event> evs{e};
      if (srv.listening_ev)
        evs.push_back(*srv.listening_ev);
      report("S14", e.t,
             fmt::format("server {} opened session 0x{:X} for {} conn {} whose connect presented "
                         "a password other than the one it requires",
                         srv.name, e.session, eng.name, e.conn),
             std::move(evs));
    }
    // S8: a shutting-down server accepts no connects.
    if (srv.state == server_state::shutting_down && srv.incarnation == e.incarnation) {
      std::vector<event> evs{e};
      if (srv.shutdown_ev)
        evs.push_back(*srv.shutdown_ev);
      report("S8", e.t,
             fmt::format("server {} opened session 0x{:X} for {} after it began shutting down",
                         srv.name, e.session, eng.name),
             std::move(evs));
    }
    // S11 (S7): one session per connect: no second open session for the same engine and conn
    // at one server incarnation, and no session id open twice.
    for (auto i = open_by_conn.lower_bound({eng.id, e.conn});
         i != open_by_conn.end() && i->first == std::pair{eng.id, e.conn}; ++i) {
      if (i->second.first != &srv || i->second.second.first != e.incarnation)
        continue;
      auto& first = srv.sessions.at(i->second.second);
      report("S11", e.t,
             fmt::format("server {} opened a second session 0x{:X} for {} conn {} while session "
                         "0x{:X} of the same connect was open",
                         srv.name, e.session, eng.name, e.conn, i->second.second.second),
             {first.open_ev, e});
      break;
    }
    if (auto i = srv.sessions.find(key); i != srv.sessions.end()) {
      if (i->second.open)
        report("S11", e.t,
               fmt::format("server {} opened session id 0x{:X} for {} while it was open for {}",
                           srv.name, e.session, eng.name,
                           i->second.engine ? i->second.engine->name : std::string("?")),
               {i->second.open_ev, e});
      close_session(srv, i, e);
      srv.sessions.erase(i);
      std::erase_if(ended, [&](const auto& x) { return x.first == &srv && x.second == key; });
    }
    session_rec rec;
    rec.engine = &eng;
    rec.conn = e.conn;
    rec.open_ev = e;
    if (eng.crashed)
      rec.let_go = e.t;
    srv.sessions.emplace(key, std::move(rec));
    open_by_conn.emplace(std::pair{eng.id, e.conn}, std::pair{&srv, key});
  }

  void on_session_end(const event& e) {
    auto& srv = server(e.actor);
    const session_key key{e.incarnation, e.session};
    auto i = srv.sessions.find(key);
    if (i == srv.sessions.end() || !i->second.open)
      return;
    close_session(srv, i, e);
    if (e.reason == reason_kind::disconnect)
      todo.push_back(
          pending{.kind = check::disconnect_served, .srv = &srv, .key = key, .evs = {e}});
  }

  void on_frame_served(const event& e) {
    auto& srv = server(e.actor);
    // S10: a server serves only frames of its current incarnation. Incarnation 0 (nothing yet,
    // as in a connect request) is left out.
    if (srv.has_state && e.incarnation != 0 && e.incarnation != srv.incarnation) {
      std::vector<event> evs{e};
      if (srv.listening_ev)
        evs.push_back(*srv.listening_ev);
      report("S10", e.t,
             fmt::format("server {} (incarnation {}) served a {} frame of {} conn {} carrying "
                         "stale incarnation {}",
                         srv.name, srv.incarnation, name_of(e.what), e.peer, e.conn, e.incarnation),
             std::move(evs));
      return;
    }
    auto i = srv.sessions.find({e.incarnation, e.session});
    if (i == srv.sessions.end())
      return;
    auto& rec = i->second;
    if (rec.engine && (rec.engine->name != e.peer || rec.conn != e.conn)) {
      // S11: one engine's frames never act on another engine's session.
      if (rec.open)
        report("S11", e.t,
               fmt::format("server {} served a {} frame from {} conn {} on session 0x{:X}, which "
                           "belongs to {} conn {}",
                           srv.name, name_of(e.what), e.peer, e.conn, e.session, rec.engine->name, rec.conn),
               {rec.open_ev, e});
      return;
    }
    rec.last_heard = e.t;
    if (e.is(protocol::message_type::disconnect_request) && !rec.disconnect_served)
      rec.disconnect_served = e;
  }

  void on_process_attached(const event& e) {
    auto* srv = find_server(e.actor);
    if (srv == nullptr || e.session == 0)
      return;  // An engine's local attach (S12) holds no server session.
    attach_rec a;
    a.session = e.session;
    a.incarnation = srv->incarnation;
    a.gen = ++attach_gen;
    a.attached = true;
    a.ev = e;
    srv->attachments.insert_or_assign(e.pid, std::move(a));
  }

  void on_process_gone(const event& e) {
    auto end = [&](server_rec& srv) {
      auto i = srv.attachments.find(e.pid);
      if (i == srv.attachments.end() || !i->second.attached)
        return;
      i->second.attached = false;
      i->second.end_kind = e.kind;
      i->second.end_ev = e;
    };
    if (e.kind == event_kind::process_exited) {
      for (auto& [name, srv] : servers)
        if (srv.machine == e.peer)
          end(srv);
      return;
    }
    if (auto* srv = find_server(e.actor))
      end(*srv);
  }

  void on_options_received(const event& e) {
    auto& srv = server(e.actor);
    auto i = srv.sessions.find({srv.incarnation, e.session});
    if (i == srv.sessions.end())
      return;
    i->second.options = e.value;
    i->second.options_ev = e;
  }

  void on_frame_sent(const event& e) {
    if (e.call == 0 && !e.is(protocol::message_type::disconnect_request))
      return;
    auto i = engines.find(e.actor);
    if (i == engines.end())
      return;  // Servers send neither call frames nor disconnect requests.
    auto& eng = i->second;
    if (eng.crashed)
      return;
    if (e.call != 0 && eng.invalid_calls.count(e.call) != 0) {
      // S5: a call on a handle the engine does not hold sends nothing.
      auto c = eng.calls.find(e.call);
      std::vector<event> evs{e};
      if (c != eng.calls.end())
        evs.push_back(c->second.ev);
      report("S5", e.t,
             fmt::format("{} sent a {} frame for call {}, whose handle it does not hold", eng.name,
                         name_of(e.what), e.call),
             std::move(evs));
    }
    if (!e.is(protocol::message_type::disconnect_request))
      return;
    // S20: no disconnect frame while targets hold the session: judged at the end of the instant
    // (targets removed in the same instant count as gone). An EndSession in progress is left
    // out: its passive mode ends the session under its targets by design (S21).
    if (eng.end_session_open > 0 || eng.end_session_t == e.t)
      return;
    pending p{.kind = check::targets_kept, .eng = &eng, .a = e.conn, .b = e.session, .evs = {e}};
    for (auto t = eng.targets.lower_bound({e.conn, 0});
         t != eng.targets.end() && t->first.first == e.conn; ++t)
      p.pids.push_back(t->first.second);
    if (!p.pids.empty())
      todo.push_back(std::move(p));
  }

  void on_fault(const event& e) {
    if (!e.is(fault_kind::crash_engine))
      return;
    const std::string& name = e.peer;
    if (name.empty())
      return;
    if (servers.count(name) != 0)
      return;
    crash_engine(engine(name), e.t);
  }

  // -- end of run -------------------------------------------------------------------------

  void finish(sim_time at, bool settled) {
    // The run is over at `at`: the current instant is complete.
    end_instant();
    expire(at);
    if (at > now)
      now = at;
    if (!settled)
      return;
    const auto limit = convergence();

    // S7: every open server session is held by its (living) engine. Narrowed to sessions whose
    // engine let go (or never took hold) more than a lease + keepalive + rpc timeout ago, and
    // that served nothing since: frames sent before the release may still renew the lease.
    for (auto& [sname, srv] : servers) {
      for (auto& [key, rec] : srv.sessions) {
        if (!rec.open || rec.leak_reported || rec.engine == nullptr)
          continue;
        auto& eng = *rec.engine;
        bool held = false;
        if (!eng.crashed) {
          auto h = eng.held.find(rec.conn);
          held = h != eng.held.end() && h->second.session == key.second &&
                 (h->second.incarnation == 0 || key.first == 0 ||
                  h->second.incarnation == key.first);
        }
        if (held)
          continue;
        const auto since = std::max({rec.open_ev.t, rec.last_heard, rec.let_go});
        if (at - since <= limit)
          continue;
        rec.leak_reported = true;
        std::vector<event> evs{rec.open_ev};
        if (rec.let_go_ev)
          evs.push_back(*rec.let_go_ev);
        report("S7", at,
               fmt::format("server {} session 0x{:X} of {} conn {} is still open although {} "
                           "{}",
                           sname, key.second, eng.name, rec.conn, eng.name,
                           eng.crashed ? "crashed" : "does not hold it"),
               std::move(evs));
      }
    }

    for (auto& [ename, eng] : engines) {
      if (eng.crashed)
        continue;
      // S20: a session the engine still holds has a live handle or a target on its conn.
      for (auto& [conn, h] : eng.held) {
        if (eng.has_targets_on(conn) || eng.leak_reported.count(conn) != 0)
          continue;
        auto ch = eng.conn_handle.find(conn);
        if (ch == eng.conn_handle.end() || eng.live(ch->second))
          continue;
        eng.leak_reported.insert(conn);
        report("S20", at,
               fmt::format("{} still holds session 0x{:X} on conn {} with its handle 0x{:X} "
                           "disconnected and no target",
                           ename, h.session, conn, ch->second),
               {eng.handles.at(ch->second).born, h.ev});
      }
      // S22: every remaining target is local or on a conn whose server session is open. Narrowed
      // to targets whose session ended (or that were added) more than a lease + keepalive + rpc
      // timeout ago: that long the engine may take to learn of the end.
      for (auto& [key, t] : eng.targets) {
        if (key.first == 0 || eng.lost_reported.count(key) != 0)
          continue;
        bool open = false;
        for (auto i = open_by_conn.lower_bound({eng.id, key.first});
             i != open_by_conn.end() && i->first == std::pair{eng.id, key.first}; ++i) {
          if (t.added.session == 0 || i->second.second.second == t.added.session) {
            open = true;
            break;
          }
        }
        if (open)
          continue;
        if (at - std::max(t.added.t, t.gone) <= limit)
          continue;
        eng.lost_reported.insert(key);
        report("S22", at,
               fmt::format("{} still has target pid {} on conn {} although no server session is "
                           "open for it",
                           ename, key.second, key.first),
               {t.added});
      }
    }
  }

  // -- dispatch ---------------------------------------------------------------------------

  void observe(const event& e) {
    advance(e.t);
    switch (e.kind) {
      case event_kind::call: on_call(e); break;
      case event_kind::done: on_done(e); break;
      case event_kind::handle_born: on_handle_born(e); break;
      case event_kind::handle_dead: on_handle_dead(e); break;
      case event_kind::session_held: {
        auto& eng = engine(e.actor);
        eng.held.insert_or_assign(e.conn, held_rec{e.session, e.incarnation, e});
        break;
      }
      case event_kind::session_released: on_session_released(e); break;
      case event_kind::target_added: {
        auto& eng = engine(e.actor);
        eng.targets.insert_or_assign({e.conn, e.pid}, target_rec{e, never});
        break;
      }
      case event_kind::target_removed: on_target_removed(e); break;
      case event_kind::target_lost: {
        auto& eng = engine(e.actor);
        if (e.reason == reason_kind::engine_crash)
          crash_engine(eng, e.t);
        eng.targets.erase({e.conn, e.pid});
        break;
      }
      case event_kind::session_open: on_session_open(e); break;
      case event_kind::session_end: on_session_end(e); break;
      case event_kind::server_state: on_server_state(e); break;
      case event_kind::frame_sent: on_frame_sent(e); break;
      case event_kind::frame_served: on_frame_served(e); break;
      case event_kind::fault: on_fault(e); break;
      case event_kind::process_attached: on_process_attached(e); break;
      case event_kind::process_detached:
      case event_kind::process_killed:
      case event_kind::process_exited: on_process_gone(e); break;
      case event_kind::options_received: on_options_received(e); break;
      case event_kind::frame_delivered:
      case event_kind::frame_dropped:
      case event_kind::connect_refused:
      case event_kind::timer:
      case event_kind::process_created: break;
    }
  }
};

oracle::oracle(timing times) : st_(std::make_unique<state>(times)) {}
oracle::~oracle() = default;
oracle::oracle(oracle&&) noexcept = default;
oracle& oracle::operator=(oracle&&) noexcept = default;

void oracle::observe(const event& e) { st_->observe(e); }

void oracle::finish(sim_time now, bool settled) { st_->finish(now, settled); }

const std::vector<violation>& oracle::violations() const { return st_->found; }

}  // namespace dbgsim
