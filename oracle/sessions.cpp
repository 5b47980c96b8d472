// Sessions: S11 (isolation: one session per connect, a session serves only its own engine's conn,
// and a session ends as "disconnect" only on a disconnect request of its own), S7 (a server
// session ends once its engine no longer holds it) and S19 (a reset ends the server's session
// in the instant its engine learns of it).
//
// S7 is judged only at the end of a settled run: the fields it needs (when the engine let the
// session go, when the session last heard from it) are kept on the shared session record.
#include "oracle/detail/checks.hpp"

#include <fmt/format.h>

namespace dbgsim::oracle_detail {

void session_checks::on_engine_crash(const engine_rec& eng, sim_time t) {
  // S7: its sessions are no longer held by anyone.
  for (auto i = st_.open_by_conn.lower_bound({eng.id, 0});
       i != st_.open_by_conn.end() && i->first.first == eng.id; ++i) {
    auto s = i->second.first->sessions.find(i->second.second);
    if (s != i->second.first->sessions.end() && s->second.let_go == never)
      s->second.let_go = t;
  }
}

void session_checks::on_fault(const event& e) {
  if (!e.is(fault_kind::reset) && !e.is(fault_kind::half_open))
    return;
  if (faults_at_ != e.t) {
    faults_at_ = e.t;
    reset_.clear();
    half_open_.clear();
  }
  auto& into = e.is(fault_kind::reset) ? reset_ : half_open_;
  into.insert(e.peer);
  into.insert(e.to);
}

void session_checks::on_session_released(engine_rec& eng, const event& e) {
  // S7's reference time: the engine let the server sessions of this conn go.
  for (auto i = st_.open_by_conn.lower_bound({eng.id, e.conn});
       i != st_.open_by_conn.end() && i->first == std::pair{eng.id, e.conn}; ++i) {
    auto* srv = i->second.first;
    auto s = srv->sessions.find(i->second.second);
    if (s == srv->sessions.end())
      continue;
    s->second.let_go = e.t;
    s->second.let_go_ev = e;
    // S19: a reset tells both ends at once, so the server's session of a conn its engine lost
    // to a reset ends in the same instant. Judged only where a reset fault of this instant
    // named the server's machine and no half-open did (a half-open tells one end only).
    if (e.reason == reason_kind::reset && !eng.crashed && faults_at_ == e.t &&
        !srv->machine.empty() && reset_.count(srv->machine) != 0 &&
        half_open_.count(srv->machine) == 0)
      st_.todo.push_back(pending{.kind = check::ended_by_reset,
                                 .eng = &eng,
                                 .srv = srv,
                                 .key = i->second.second,
                                 .evs = {e}});
  }
}

void session_checks::on_session_open(const server_rec& srv, const engine_rec& eng, const event& e,
                                     session_rec& rec) {
  const session_key key{e.incarnation, e.session};
  // S11 (S7): one session per connect: no second open session for the same engine and conn
  // at one server incarnation, and no session id open twice.
  for (auto i = st_.open_by_conn.lower_bound({eng.id, e.conn});
       i != st_.open_by_conn.end() && i->first == std::pair{eng.id, e.conn}; ++i) {
    if (i->second.first != &srv || i->second.second.first != e.incarnation)
      continue;
    auto& first = srv.sessions.at(i->second.second);
    st_.report("S11", e.t,
               fmt::format("server {} opened a second session 0x{:X} for {} conn {} while "
                           "session 0x{:X} of the same connect was open",
                           srv.name, e.session, eng.name, e.conn, i->second.second.second),
               {first.open_ev, e});
    break;
  }
  if (auto i = srv.sessions.find(key); i != srv.sessions.end() && i->second.open)
    st_.report("S11", e.t,
               fmt::format("server {} opened session id 0x{:X} for {} while it was open for {}",
                           srv.name, e.session, eng.name,
                           i->second.engine ? i->second.engine->name : std::string("?")),
               {i->second.open_ev, e});
  // S7: nobody holds a session opened for an engine that has crashed.
  if (eng.crashed)
    rec.let_go = e.t;
}

void session_checks::on_frame_served(server_rec& srv, const event& e) {
  auto i = srv.sessions.find({e.incarnation, e.session});
  if (i == srv.sessions.end())
    return;
  auto& rec = i->second;
  if (rec.engine && (rec.engine->name != e.peer || rec.conn != e.conn)) {
    // S11: one engine's frames never act on another engine's session.
    if (rec.open)
      st_.report("S11", e.t,
                 fmt::format("server {} served a {} frame from {} conn {} on session 0x{:X}, "
                             "which belongs to {} conn {}",
                             srv.name, name_of(e.what), e.peer, e.conn, e.session,
                             rec.engine->name, rec.conn),
                 {rec.open_ev, e});
    return;
  }
  rec.last_heard = e.t;
  if (e.is(protocol::message_type::disconnect_request) && !rec.disconnect_served)
    rec.disconnect_served = e;
}

void session_checks::on_session_end(server_rec& srv, const session_key& key, const event& e) {
  if (e.reason == reason_kind::disconnect)
    st_.todo.push_back(
        pending{.kind = check::disconnect_served, .srv = &srv, .key = key, .evs = {e}});
}

void session_checks::judge(pending& p) {
  auto i = p.srv->sessions.find(p.key);
  if (p.kind == check::ended_by_reset) {
    // S19: the connection was reset; the server's session on it must be over by now.
    if (i == p.srv->sessions.end() || !i->second.open)
      return;
    p.evs.push_back(i->second.open_ev);
    st_.report("S19", st_.now,
               fmt::format("server {} kept session 0x{:X} of {} conn {} open after its "
                           "connection was reset",
                           p.srv->name, p.key.second, p.eng->name, i->second.conn),
               std::move(p.evs));
    return;
  }
  // S11: a session that ended with reason "disconnect" had a disconnect_request of its
  // own engine and conn served by then.
  if (i == p.srv->sessions.end() || i->second.disconnect_served)
    return;
  p.evs.push_back(i->second.open_ev);
  st_.report("S11", st_.now,
             fmt::format("server {} ended session 0x{:X} of {} conn {} as \"disconnect\" "
                         "without serving a disconnect request from that engine's conn",
                         p.srv->name, p.key.second,
                         i->second.engine ? i->second.engine->name : std::string("?"),
                         i->second.conn),
             std::move(p.evs));
}

void session_checks::finish(sim_time at) {
  const auto limit = st_.convergence();
  // S7: every open server session is held by its (living) engine. Narrowed to sessions whose
  // engine let go (or never took hold) more than a lease + keepalive + rpc timeout ago, and
  // that served nothing since: frames sent before the release may still renew the lease.
  for (auto& [sname, srv] : st_.servers) {
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
      st_.report("S7", at,
                 fmt::format("server {} session 0x{:X} of {} conn {} is still open although {} "
                             "{}",
                             sname, key.second, eng.name, rec.conn, eng.name,
                             eng.crashed ? "crashed" : "does not hold it"),
                 std::move(evs));
    }
  }
}

}  // namespace dbgsim::oracle_detail
