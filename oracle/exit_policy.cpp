// Exit policy: S21 (when a session ends, every process still attached through it is killed, or
// detached if the last process options the server received for it say detach-on-exit).
//
// The processes a server has attached are this family's own records; the options are kept on
// the shared session record, since they live and die with the session. Killed, detached or
// exited: judged when the instant of the session's end is over.
#include "oracle/detail/checks.hpp"

#include <fmt/format.h>

namespace dbgsim::oracle_detail {
namespace {

constexpr std::uint64_t detach_on_exit_bit = 0x1;  // DEBUG_PROCESS_DETACH_ON_EXIT (S21).

}  // namespace

void exit_policy_checks::on_process_attached(const event& e) {
  auto* srv = st_.find_server(e.actor);
  if (srv == nullptr || e.session == 0)
    return;  // An engine's local attach (S12) holds no server session.
  attach_rec a;
  a.session = e.session;
  a.incarnation = srv->incarnation;
  a.gen = ++attach_gen_;
  a.attached = true;
  a.ev = e;
  attachments_[srv].insert_or_assign(e.pid, std::move(a));
}

void exit_policy_checks::on_process_gone(const event& e) {
  auto end = [&](const server_rec& srv) {
    auto s = attachments_.find(&srv);
    if (s == attachments_.end())
      return;
    auto i = s->second.find(e.pid);
    if (i == s->second.end() || !i->second.attached)
      return;
    i->second.attached = false;
    i->second.end_kind = e.kind;
    i->second.end_ev = e;
  };
  if (e.kind == event_kind::process_exited) {
    for (auto& [name, srv] : st_.servers)
      if (srv.machine == e.peer)
        end(srv);
    return;
  }
  if (auto* srv = st_.find_server(e.actor))
    end(*srv);
}

void exit_policy_checks::on_options_received(server_rec& srv, const event& e) {
  auto i = srv.sessions.find({srv.incarnation, e.session});
  if (i == srv.sessions.end())
    return;
  i->second.options = e.value;
  i->second.options_ev = e;
}

void exit_policy_checks::on_session_closed(server_rec& srv, const session_key& key,
                                           const session_rec& rec, const event& e) {
  // S21: every process still attached through the session must be detached or killed, as its
  // last received process options say, before the instant is over.
  auto s = attachments_.find(&srv);
  if (s == attachments_.end())
    return;
  for (auto& [pid, a] : s->second) {
    if (!a.attached || a.session != key.second || a.incarnation != key.first)
      continue;
    std::uint64_t opts = rec.options ? *rec.options : a.ev.value;
    std::vector<event> evs{e};
    if (rec.options_ev)
      evs.push_back(*rec.options_ev);
    st_.todo.push_back(pending{.kind = check::exit_policy,
                               .srv = &srv,
                               .b = a.gen,
                               .key = key,
                               .pid = pid,
                               .flag = (opts & detach_on_exit_bit) != 0,
                               .evs = std::move(evs)});
  }
}

void exit_policy_checks::judge(pending& p) {
  // S21: a process attached through a session at its end is, by the end of that instant,
  // detached (detach-on-exit set) or killed (otherwise), or has exited.
  auto s = attachments_.find(p.srv);
  if (s == attachments_.end())
    return;
  auto i = s->second.find(p.pid);
  if (i == s->second.end() || i->second.gen != p.b)
    return;
  auto& a = i->second;
  const char* want = p.flag ? "detached" : "killed";
  if (a.attached) {
    p.evs.push_back(a.ev);
    st_.report("S21", st_.now,
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
  st_.report("S21", st_.now,
             fmt::format("server {} session 0x{:X} ended and process {} was {} but the last "
                         "process options it received say it should have been {}",
                         p.srv->name, p.key.second, p.pid,
                         a.end_kind == event_kind::process_killed ? "killed" : "detached", want),
             std::move(p.evs));
}

}  // namespace dbgsim::oracle_detail
