// Servers: S4 (no session for another protocol version), S8 (EndProcessServer: no connect accepted while shutting down, and the server ends
// within its grace period), S10 (frames of an older incarnation are not served) and S14 (no
// session without the password).
//
// These judge a server's own state (the password it listens with, its incarnation, whether it
// is shutting down) against the sessions it opens and the frames it serves; which engine a
// session belongs to is session_checks' business.
#include "oracle/detail/checks.hpp"
#include "protocol/message.hpp"

#include <fmt/format.h>

namespace dbgsim::oracle_detail {

void server_checks::on_server_state(server_rec& srv, const event& e) {
  if (e.is(server_state::shutting_down)) {
    auto& s = shutdowns_[&srv];
    s.ev = e;
    if (!s.pending) {
      s.pending = true;
      s.deadline = e.t + st_.times.shutdown_grace + st_.times.rpc_timeout;
      shutting_.push_back(&srv);
    }
  } else if (e.is(server_state::listening) || e.is(server_state::ended) ||
             e.is(server_state::crashed)) {
    // A new life, or the end of this one, ends the shutdown S8 bounds.
    if (auto i = shutdowns_.find(&srv); i != shutdowns_.end())
      i->second.pending = false;
  }
}

void server_checks::on_session_open(const server_rec& srv, const engine_rec& eng, const event& e) {
  // S4: a connect of another remoting protocol version is refused, so no session has one. A
  // trace that does not say which version was presented (value 0: no version is 0) is not
  // judged.
  if (e.value != 0 && e.value != protocol::protocol_version) {
    st_.report("S4", e.t,
               fmt::format("server {} opened session 0x{:X} for {} conn {} whose connect "
                           "presented remoting protocol version {}; it speaks only {}",
                           srv.name, e.session, eng.name, e.conn, e.value,
                           protocol::protocol_version),
               {e});
  }
  // S14: the presented password is the one the server listens with.
  if (!srv.password.empty() && e.detail != srv.password) {
    std::vector<event> evs{e};
    if (srv.listening_ev)
      evs.push_back(*srv.listening_ev);
    st_.report("S14", e.t,
               fmt::format("server {} opened session 0x{:X} for {} conn {} whose connect "
                           "presented a password other than the one it requires",
                           srv.name, e.session, eng.name, e.conn),
               std::move(evs));
  }
  // S8: a shutting-down server accepts no connects.
  if (srv.state == server_state::shutting_down && srv.incarnation == e.incarnation) {
    std::vector<event> evs{e};
    if (auto i = shutdowns_.find(&srv); i != shutdowns_.end() && i->second.ev)
      evs.push_back(*i->second.ev);
    st_.report("S8", e.t,
               fmt::format("server {} opened session 0x{:X} for {} after it began shutting down",
                           srv.name, e.session, eng.name),
               std::move(evs));
  }
}

bool server_checks::stale_frame(const server_rec& srv, const event& e) {
  // S10: a server serves only frames of its current incarnation. Incarnation 0 (nothing yet,
  // as in a connect request) is left out.
  if (!srv.has_state || e.incarnation == 0 || e.incarnation == srv.incarnation)
    return false;
  std::vector<event> evs{e};
  if (srv.listening_ev)
    evs.push_back(*srv.listening_ev);
  st_.report("S10", e.t,
             fmt::format("server {} (incarnation {}) served a {} frame of {} conn {} carrying "
                         "stale incarnation {}",
                         srv.name, srv.incarnation, name_of(e.what), e.peer, e.conn, e.incarnation),
             std::move(evs));
  return true;
}

void server_checks::expire(sim_time t) {
  // S8: a shutdown still running after grace + one rpc timeout (events at the deadline may
  // still end it).
  for (auto i = shutting_.begin(); i != shutting_.end();) {
    const server_rec& srv = **i;
    auto& s = shutdowns_.at(&srv);
    if (!s.pending) {
      i = shutting_.erase(i);
      continue;
    }
    if (s.deadline < t) {
      s.pending = false;
      std::vector<event> evs;
      if (s.ev)
        evs.push_back(*s.ev);
      st_.report("S8", s.deadline,
                 fmt::format("server {} (incarnation {}) began shutting down but did not end "
                             "within the shutdown grace period plus one rpc timeout",
                             srv.name, srv.incarnation),
                 std::move(evs));
      i = shutting_.erase(i);
      continue;
    }
    ++i;
  }
}

}  // namespace dbgsim::oracle_detail
