// Targets: S20 (targets hold their session: no disconnect frame while one remains, and the
// session is released when the last one goes after its handle) and S22 (a target whose session
// ended is lost).
//
// An engine's targets are this family's own records: no other rule needs them. S22, like S7, is
// judged only at the end of a settled run, since the engine may take a lease of silence to learn
// that a session ended.
#include "oracle/detail/checks.hpp"

#include <fmt/format.h>

namespace dbgsim::oracle_detail {

void target_checks::on_call(const engine_rec& eng, const event& e) {
  if (e.api == api::call_kind::end_session) {
    auto& t = of(eng);
    ++t.end_session_open;
    t.end_session_t = e.t;
  }
}

void target_checks::on_done(const engine_rec& eng, const call_rec& rec) {
  auto* t = find(eng);
  if (t != nullptr && rec.ev.api == api::call_kind::end_session && t->end_session_open > 0)
    --t->end_session_open;
}

void target_checks::on_target_added(const engine_rec& eng, const event& e) {
  of(eng).targets.insert_or_assign({e.conn, e.pid}, target_rec{e, never});
}

void target_checks::on_target_removed(engine_rec& eng, const event& e) {
  auto* found = find(eng);
  if (found == nullptr)
    return;
  auto& ts = *found;
  auto i = ts.targets.find({e.conn, e.pid});
  if (i == ts.targets.end())
    return;
  auto added = std::move(i->second.added);
  ts.targets.erase(i);
  // S20: once the handle of the conn is dead and its last target goes, the session is
  // released in the same instant.
  if (eng.crashed || e.conn == 0 || ts.has_targets_on(e.conn))
    return;
  auto h = eng.conn_handle.find(e.conn);
  if (h == eng.conn_handle.end() || eng.live(h->second))
    return;
  auto held = eng.held.find(e.conn);
  if (held == eng.held.end())
    return;
  st_.todo.push_back(pending{.kind = check::released_after_last,
                             .eng = &eng,
                             .a = e.conn,
                             .b = held->second.session,
                             .evs = {eng.handles.at(h->second).born, std::move(added), e}});
}

void target_checks::on_target_lost(const engine_rec& eng, const event& e) {
  if (auto* ts = find(eng))
    ts->targets.erase({e.conn, e.pid});
}

void target_checks::on_frame_sent(engine_rec& eng, const event& e) {
  if (!e.is(protocol::message_type::disconnect_request))
    return;
  auto* found = find(eng);
  if (found == nullptr)
    return;  // No target and no EndSession ever: nothing holds the session (S20).
  auto& ts = *found;
  // S20: no disconnect frame while targets hold the session: judged at the end of the instant
  // (targets removed in the same instant count as gone). An EndSession in progress is left
  // out: its passive mode ends the session under its targets by design (S21).
  if (ts.end_session_open > 0 || ts.end_session_t == e.t)
    return;
  pending p{.kind = check::targets_kept, .eng = &eng, .a = e.conn, .b = e.session, .evs = {e}};
  for (auto t = ts.targets.lower_bound({e.conn, 0});
       t != ts.targets.end() && t->first.first == e.conn; ++t)
    p.pids.push_back(t->first.second);
  if (!p.pids.empty())
    st_.todo.push_back(std::move(p));
}

void target_checks::on_session_closed(const engine_rec& eng, std::uint64_t conn, sim_time t) {
  // S22's reference time for the engine's targets on this conn.
  auto* found = find(eng);
  if (found == nullptr)
    return;
  auto& ts = *found;
  for (auto i = ts.targets.lower_bound({conn, 0}); i != ts.targets.end() && i->first.first == conn;
       ++i)
    i->second.gone = t;
}

void target_checks::judge(pending& p) {
  if (p.eng->crashed)
    return;
  auto& ts = of(*p.eng);  // Made by what filed the check (a target, or a check of its own).
  if (p.kind == check::targets_kept) {
    // S20: a disconnect frame went out on a conn whose targets are still targets at the end
    // of that instant.
    std::vector<std::uint32_t> kept;
    for (auto pid : p.pids)
      if (ts.targets.count({p.a, pid}) != 0)
        kept.push_back(pid);
    if (kept.empty())
      return;
    for (auto pid : kept)
      p.evs.push_back(ts.targets.at({p.a, pid}).added);
    st_.report("S20", st_.now,
               fmt::format("{} sent a disconnect frame on conn {} (session 0x{:X}) while target "
                           "pid {} still held that session",
                           p.eng->name, p.a, p.b, kept.front()),
               std::move(p.evs));
    return;
  }
  // S20: the handle of the conn was dead and its last target went; the session held on
  // the conn must have been released within that instant.
  auto h = p.eng->held.find(p.a);
  if (h == p.eng->held.end() || h->second.session != p.b)
    return;
  p.evs.push_back(h->second.ev);
  st_.report("S20", st_.now,
             fmt::format("{} still holds session 0x{:X} on conn {} after its handle was "
                         "disconnected and its last target went",
                         p.eng->name, p.b, p.a),
             std::move(p.evs));
}

void target_checks::finish(sim_time at) {
  const auto limit = st_.convergence();
  for (auto& [ename, eng] : st_.engines) {
    if (eng.crashed)
      continue;
    auto* found = find(eng);  // Made below only if a finding needs it.
    // S20: a session the engine still holds has a live handle or a target on its conn.
    for (auto& [conn, h] : eng.held) {
      if (found != nullptr &&
          (found->has_targets_on(conn) || found->leak_reported.count(conn) != 0))
        continue;
      auto ch = eng.conn_handle.find(conn);
      if (ch == eng.conn_handle.end() || eng.live(ch->second))
        continue;
      if (found == nullptr)
        found = &of(eng);
      found->leak_reported.insert(conn);
      st_.report("S20", at,
                 fmt::format("{} still holds session 0x{:X} on conn {} with its handle 0x{:X} "
                             "disconnected and no target",
                             ename, h.session, conn, ch->second),
                 {eng.handles.at(ch->second).born, h.ev});
    }
    // S22: every remaining target is local or on a conn whose server session is open. Narrowed
    // to targets whose session ended (or that were added) more than a lease + keepalive + rpc
    // timeout ago: that long the engine may take to learn of the end.
    if (found == nullptr)
      continue;  // No target was ever added.
    auto& ts = *found;
    for (auto& [key, t] : ts.targets) {
      if (key.first == 0 || ts.lost_reported.count(key) != 0)
        continue;
      bool open = false;
      for (auto i = st_.open_by_conn.lower_bound({eng.id, key.first});
           i != st_.open_by_conn.end() && i->first == std::pair{eng.id, key.first}; ++i) {
        if (t.added.session == 0 || i->second.second.second == t.added.session) {
          open = true;
          break;
        }
      }
      if (open)
        continue;
      if (at - std::max(t.added.t, t.gone) <= limit)
        continue;
      ts.lost_reported.insert(key);
      st_.report("S22", at,
                 fmt::format("{} still has target pid {} on conn {} although no server session "
                             "is open for it",
                             ename, key.second, key.first),
                 {t.added});
    }
  }
}

}  // namespace dbgsim::oracle_detail
