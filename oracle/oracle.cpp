// The oracle: docs/semantics.md checked on a stream of trace events (actors/event.hpp's schema).
//
// Principles:
//  - It never reports a correct implementation. Each check states the exact condition it
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
//
// This file is the dispatcher: it keeps the shared records (oracle/detail/state.hpp) as events
// arrive and routes each event, pending check and deadline to the rule families that need it
// (oracle/detail/checks.hpp lists them, one file each). Within one event the families are called
// in a fixed order, the order of the checks when they were one file, because violations must
// come out in the order they always have.
#include "oracle/oracle.hpp"

#include "oracle/detail/checks.hpp"
#include "oracle/detail/state.hpp"
#include "vocabulary/crash_how.hpp"

#include <utility>

namespace dbgsim {

using namespace oracle_detail;

struct oracle::state {
  shared_state sh;
  bool started = false;

  handle_checks handles{sh};
  call_checks calls{sh};
  bound_checks bounds{sh};
  server_checks servers{sh};
  session_checks sessions{sh};
  target_checks targets{sh};
  exit_policy_checks exit_policy{sh};

  explicit state(timing t) : sh(t) {}

  // -- time -------------------------------------------------------------------------------

  void advance(sim_time t) {
    if (!started) {
      started = true;
      sh.now = t;
      return;
    }
    if (t <= sh.now)
      return;
    end_instant();
    expire(t);
    sh.now = t;
  }

  /// S15 and S8 deadlines strictly before `t` (events at a deadline may still complete it).
  void expire(sim_time t) {
    bounds.expire(t);
    servers.expire(t);
  }

  /// Judges every obligation of the instant that just ended.
  void end_instant() {
    auto work = std::move(sh.todo);
    sh.todo.clear();
    for (auto& p : work)
      judge(p);
    for (auto& [srv, key] : sh.ended) {
      auto i = srv->sessions.find(key);
      if (i != srv->sessions.end() && !i->second.open)
        srv->sessions.erase(i);
    }
    sh.ended.clear();
  }

  /// Hands a pending check to the family that made it.
  void judge(pending& p) {
    switch (p.kind) {
      case check::call_done_now:
      case check::handle_dead_by_done: calls.judge(p); return;
      case check::handle_born_by_done: handles.judge(p); return;
      case check::targets_kept:
      case check::released_after_last: targets.judge(p); return;
      case check::exit_policy: exit_policy.judge(p); return;
      case check::disconnect_served:
      case check::ended_by_reset: sessions.judge(p); return;
    }
  }

  // -- engines ----------------------------------------------------------------------------

  void crash_engine(engine_rec& eng, sim_time t) {
    if (eng.crashed)
      return;
    eng.crashed = true;
    sessions.on_engine_crash(eng, t);
  }

  void on_call(const event& e) {
    auto& eng = sh.engine(e.actor);
    call_rec rec;
    rec.ev = e;
    handles.on_call(eng, e);
    targets.on_call(eng, e);
    calls.on_call(eng, rec);
    bounds.on_call(eng, rec);
    eng.calls.insert_or_assign(e.call, std::move(rec));
  }

  void on_done(const event& e) {
    auto& eng = sh.engine(e.actor);
    auto c = eng.calls.find(e.call);
    auto api = e.api;
    if (c != eng.calls.end()) {
      auto& rec = c->second;
      if (!api)
        api = rec.ev.api;
      calls.on_done(eng, rec, e, api);
      targets.on_done(eng, rec);
      bounds.on_done(eng, rec);
      eng.calls.erase(c);
    }
    if (api == api::call_kind::connect)
      handles.on_connect_done(eng, e);
  }

  void on_handle_born(const event& e) {
    auto& eng = sh.engine(e.actor);
    handles.on_handle_born(eng, e);
    handle_rec h;
    h.conn = e.conn;
    h.born_call = e.call;
    h.born = e;
    eng.handles.insert_or_assign(e.handle, std::move(h));
    if (e.conn != 0)
      eng.conn_handle[e.conn] = e.handle;
  }

  void on_handle_dead(const event& e) {
    auto& eng = sh.engine(e.actor);
    if (e.reason == reason_kind::engine_crash)
      crash_engine(eng, e.t);
    if (auto i = eng.handles.find(e.handle); i != eng.handles.end())
      i->second.dead = true;
  }

  void on_session_released(const event& e) {
    auto& eng = sh.engine(e.actor);
    if (e.reason == reason_kind::engine_crash)
      crash_engine(eng, e.t);
    if (auto h = eng.held.find(e.conn); h != eng.held.end() &&
                                        (e.session == 0 || h->second.session == e.session))
      eng.held.erase(h);
    sessions.on_session_released(eng, e);
    calls.on_session_released(eng, e);
  }

  void on_target_lost(const event& e) {
    auto& eng = sh.engine(e.actor);
    if (e.reason == reason_kind::engine_crash)
      crash_engine(eng, e.t);
    targets.on_target_lost(eng, e);
  }

  void on_frame_sent(const event& e) {
    if (e.call == 0 && !e.is(protocol::message_type::disconnect_request))
      return;
    auto* found = sh.find_engine(e.actor);
    if (found == nullptr)
      return;  // Servers send neither call frames nor disconnect requests.
    auto& eng = *found;
    if (eng.crashed)
      return;
    calls.on_frame_sent(eng, e);
    targets.on_frame_sent(eng, e);
  }

  void on_fault(const event& e) {
    if (e.is(fault_kind::reset) || e.is(fault_kind::half_open)) {
      calls.on_reset_fault(e);
      sessions.on_fault(e);
    }
    // A process crash resets the crashed process's connections (S19): their engines' calls in
    // flight may fail with RPC_S_CALL_FAILED in this instant. The kind is the fault's detail; a
    // trace without one (older traces, a user's harness) is taken for the default, a process.
    if ((e.is(fault_kind::crash_server) || e.is(fault_kind::crash_engine)) &&
        e.detail != name_of(crash_how::machine))
      calls.on_reset_fault(e);
    if (!e.is(fault_kind::crash_engine))
      return;
    const std::string& name = e.peer;
    if (name.empty())
      return;
    if (sh.find_server(name) != nullptr)
      return;
    crash_engine(sh.engine(name), e.t);
  }

  // -- servers ----------------------------------------------------------------------------

  /// Ends a server session (its session_end, or implied by the server crashing, ending or
  /// restarting).
  void close_session(server_rec& srv, std::map<session_key, session_rec>::iterator it,
                     const event& e) {
    auto& rec = it->second;
    rec.open = false;
    rec.end_ev = e;
    sh.ended.emplace_back(&srv, it->first);
    if (rec.engine) {
      for (auto i = sh.open_by_conn.lower_bound({rec.engine->id, rec.conn});
           i != sh.open_by_conn.end() && i->first == std::pair{rec.engine->id, rec.conn}; ++i) {
        if (i->second.first == &srv && i->second.second == it->first) {
          sh.open_by_conn.erase(i);
          break;
        }
      }
      targets.on_session_closed(*rec.engine, rec.conn, e.t);
    }
    exit_policy.on_session_closed(srv, it->first, rec, e);
  }

  void close_all(server_rec& srv, const event& e, std::uint32_t below) {
    for (auto it = srv.sessions.begin(); it != srv.sessions.end(); ++it)
      if (it->second.open && (below == 0 || it->first.first < below))
        close_session(srv, it, e);
  }

  void on_server_state(const event& e) {
    auto& srv = sh.server(e.actor);
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
    } else if (e.is(server_state::shutting_down)) {
      if (e.incarnation != 0)
        srv.incarnation = e.incarnation;
    } else if (e.is(server_state::ended) || e.is(server_state::crashed)) {
      close_all(srv, e, 0);
    }
    servers.on_server_state(srv, e);
  }

  void on_session_open(const event& e) {
    auto& srv = sh.server(e.actor);
    auto& eng = sh.engine(e.peer);
    const session_key key{e.incarnation, e.session};
    session_rec rec;
    rec.engine = &eng;
    rec.conn = e.conn;
    rec.open_ev = e;
    servers.on_session_open(srv, eng, e);
    sessions.on_session_open(srv, eng, e, rec);
    // A session id opened again replaces the old record (S11 has reported it if it was open).
    if (auto i = srv.sessions.find(key); i != srv.sessions.end()) {
      close_session(srv, i, e);
      srv.sessions.erase(i);
      std::erase_if(sh.ended, [&](const auto& x) { return x.first == &srv && x.second == key; });
    }
    srv.sessions.emplace(key, std::move(rec));
    sh.open_by_conn.emplace(std::pair{eng.id, e.conn}, std::pair{&srv, key});
  }

  void on_session_end(const event& e) {
    auto& srv = sh.server(e.actor);
    const session_key key{e.incarnation, e.session};
    auto i = srv.sessions.find(key);
    if (i == srv.sessions.end() || !i->second.open)
      return;
    close_session(srv, i, e);
    sessions.on_session_end(srv, key, e);
  }

  void on_frame_served(const event& e) {
    auto& srv = sh.server(e.actor);
    if (servers.stale_frame(srv, e))
      return;  // A frame a server should not have served says nothing about its session.
    sessions.on_frame_served(srv, e);
  }

  // -- end of run -------------------------------------------------------------------------

  void finish(sim_time at, bool settled) {
    // The run is over at `at`: the current instant is complete.
    end_instant();
    expire(at);
    if (at > sh.now)
      sh.now = at;
    if (!settled)
      return;
    sessions.finish(at);  // S7
    targets.finish(at);   // S20, S22
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
        auto& eng = sh.engine(e.actor);
        eng.held.insert_or_assign(e.conn, held_rec{e.session, e.incarnation, e});
        break;
      }
      case event_kind::session_released: on_session_released(e); break;
      case event_kind::target_added: targets.on_target_added(sh.engine(e.actor), e); break;
      case event_kind::target_removed: targets.on_target_removed(sh.engine(e.actor), e); break;
      case event_kind::target_lost: on_target_lost(e); break;
      case event_kind::session_open: on_session_open(e); break;
      case event_kind::session_end: on_session_end(e); break;
      case event_kind::server_state: on_server_state(e); break;
      case event_kind::frame_sent: on_frame_sent(e); break;
      case event_kind::frame_served: on_frame_served(e); break;
      case event_kind::fault: on_fault(e); break;
      case event_kind::process_attached: exit_policy.on_process_attached(e); break;
      case event_kind::process_detached:
      case event_kind::process_killed:
      case event_kind::process_exited: exit_policy.on_process_gone(e); break;
      case event_kind::options_received:
        exit_policy.on_options_received(sh.server(e.actor), e);
        break;
      case event_kind::frame_delivered:
      case event_kind::frame_dropped:
      case event_kind::connect_refused:
      case event_kind::connection_opened:
      case event_kind::connection_accepted:
      case event_kind::process_created: break;
      // A client program's life and the calls its API refused are the client checker's
      // (findings/): none of them reaches an engine or a server.
      case event_kind::program_started:
      case event_kind::program_ended:
      case event_kind::client_call: break;
      case event_kind::timer:
        if (auto* eng = sh.find_engine(e.actor))
          calls.on_timer(*eng, e);
        break;
    }
  }
};

oracle::oracle(timing times) : st_(std::make_unique<state>(times)) {}
oracle::~oracle() = default;
oracle::oracle(oracle&&) noexcept = default;
oracle& oracle::operator=(oracle&&) noexcept = default;

void oracle::observe(const event& e) { st_->observe(e); }

void oracle::finish(sim_time now, bool settled) { st_->finish(now, settled); }

const std::vector<violation>& oracle::violations() const { return st_->sh.found; }

}  // namespace dbgsim
