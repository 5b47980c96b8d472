// Calls on handles: S5 (invalid handles change nothing), S6 (disconnect kills the handle at once),
// S12 (handle 0 cannot be disconnected or ended) and S19 (a reset fails the calls in flight).
//
// S5, S12 and S19 each fix what a call must complete with, and that it completes within the
// instant the obligation arose: an `expectation` on the open call, checked on its done and, for
// a call still open when the instant is over, by a call_done_now check. A crashed engine answers
// every later call with E_ABORT, so none of this is judged for it.
#include "oracle/detail/checks.hpp"

#include <fmt/format.h>

namespace dbgsim::oracle_detail {

void call_checks::on_call(engine_rec& eng, call_rec& rec) {
  const event& e = rec.ev;
  if (eng.crashed)
    return;
  const bool takes_server = e.api == api::call_kind::disconnect || e.api == api::call_kind::end_server;
  if (takes_server && e.handle == 0) {
    // S12: DisconnectProcessServer(0) and EndProcessServer(0) give E_INVALIDARG at once.
    rec.expect = expectation{"S12", protocol::E_INVALIDARG, {}};
  } else if (e.handle != 0 && !eng.live(e.handle)) {
    // S5 (and S6, S11): a handle this engine never saw born, another engine's, or a dead
    // one: E_INVALIDARG within the call's instant, and no frame for the call ever.
    rec.expect = expectation{"S5", protocol::E_INVALIDARG, {}};
    invalid_calls_.insert({eng.id, e.call});
  } else if (e.api == api::call_kind::disconnect) {
    rec.live_handle = e.handle;
  }
  if (rec.expect)
    st_.todo.push_back(pending{.kind = check::call_done_now, .eng = &eng, .a = e.call});
}

void call_checks::on_done(engine_rec& eng, call_rec& rec, const event& e,
                          const std::optional<api::call_kind>& api) {
  if (rec.expect && !eng.crashed && (!e.hr || *e.hr != rec.expect->hr)) {
    auto evs = rec.expect->context;
    evs.push_back(rec.ev);
    evs.push_back(e);
    st_.report(rec.expect->rule, e.t,
               fmt::format("{} call {} ({}{}) completed with {} instead of {}", eng.name, e.call,
                           api_text(api),
                           rec.ev.handle ? fmt::format(" of handle 0x{:X}", rec.ev.handle) : "",
                           hr_text(e.hr), protocol::to_string(rec.expect->hr)),
               std::move(evs));
  }
  if (rec.live_handle != 0 && !eng.crashed) {
    // S6: the live handle a disconnect was given is dead by the disconnect's done.
    if (eng.live(rec.live_handle))
      st_.todo.push_back(pending{.kind = check::handle_dead_by_done,
                                 .eng = &eng,
                                 .a = rec.live_handle,
                                 .evs = {eng.handles.at(rec.live_handle).born, rec.ev, e}});
  }
}

void call_checks::on_session_released(engine_rec& eng, const event& e) {
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
    st_.todo.push_back(pending{.kind = check::call_done_now, .eng = &eng, .a = n});
  }
}

void call_checks::on_frame_sent(engine_rec& eng, const event& e) {
  if (e.call == 0 || invalid_calls_.count({eng.id, e.call}) == 0)
    return;
  // S5: a call on a handle the engine does not hold sends nothing.
  auto c = eng.calls.find(e.call);
  std::vector<event> evs{e};
  if (c != eng.calls.end())
    evs.push_back(c->second.ev);
  st_.report("S5", e.t,
             fmt::format("{} sent a {} frame for call {}, whose handle it does not hold", eng.name,
                         name_of(e.what), e.call),
             std::move(evs));
}

void call_checks::judge(pending& p) {
  if (p.kind == check::handle_dead_by_done) {
    // S6: disconnect(h) of a live h has completed; h must be dead by then.
    if (p.eng->crashed || !p.eng->live(p.a))
      return;
    st_.report("S6",
               st_.now,
               fmt::format("{} disconnect of handle 0x{:X} completed but the handle is still alive",
                           p.eng->name, p.a),
               std::move(p.evs));
    return;
  }
  // S5/S12/S19: the call had to complete within the instant it was due.
  if (p.eng->crashed)
    return;
  auto c = p.eng->calls.find(p.a);
  if (c == p.eng->calls.end() || !c->second.expect)
    return;
  auto& x = *c->second.expect;
  auto evs = x.context;
  evs.push_back(c->second.ev);
  st_.report(x.rule, st_.now,
             fmt::format("{} call {} ({}) had to complete at once with {} but was still open",
                         p.eng->name, p.a, api_text(c->second.ev.api), protocol::to_string(x.hr)),
             std::move(evs));
  c->second.expect.reset();
}

}  // namespace dbgsim::oracle_detail
