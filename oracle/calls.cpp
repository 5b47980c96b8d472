// Calls: what a call must complete with and when. S3 and S9 (a timeout gives ERROR_SEM_TIMEOUT),
// S5 (invalid handles change nothing), S6 (disconnect kills the handle and aborts its calls in
// flight at once), S12 (handle 0: the engine's own machine, answered at once, no frame; 0 cannot
// be disconnected or ended) and S19 (a reset fails the calls in flight with RPC_S_CALL_FAILED, and
// nothing else gives that result).
//
// Each of these fixes what a call must complete with, and that it completes within the instant
// the obligation arose: an `expectation` on the open call, checked on its done and, for a call
// still open when the instant is over, by a call_done_now check. The obligation arises at the
// event that causes it: the call itself (S5, S12), the disconnect (S6), the timer's expiry (S3,
// S9) or the engine's release of the session by a reset (S19; the engine records the release
// before it fails the calls, as the cause comes before its effects). A crashed engine answers
// every later call with E_ABORT, so none of this is judged for it.
#include "oracle/detail/checks.hpp"

#include <fmt/format.h>

namespace dbgsim::oracle_detail {

namespace {

/// Calls made of several rpcs: their result is the first failure of any, at the last one's
/// instant, so a timeout or reset of one member fixes neither the result nor the time.
bool grouped(const std::optional<api::call_kind>& k) {
  return k == api::call_kind::detach_all || k == api::call_kind::terminate_all ||
         k == api::call_kind::end_session;
}

/// Calls that handle 0 answers from the engine's own machine (S12).
bool local_on_zero(const std::optional<api::call_kind>& k) {
  return k == api::call_kind::list_processes || k == api::call_kind::find_process ||
         k == api::call_kind::describe_process || k == api::call_kind::attach ||
         k == api::call_kind::create_process;
}

}  // namespace

void call_checks::expect(engine_rec& eng, std::uint64_t call, call_rec& rec, expectation x) {
  rec.expect = std::move(x);
  st_.todo.push_back(pending{.kind = check::call_done_now, .eng = &eng, .a = call});
}

void call_checks::on_call(engine_rec& eng, call_rec& rec) {
  const event& e = rec.ev;
  if (eng.crashed)
    return;
  const bool takes_server = e.api == api::call_kind::disconnect || e.api == api::call_kind::end_server;
  if (takes_server && e.handle == 0) {
    // S12: DisconnectProcessServer(0) and EndProcessServer(0) give E_INVALIDARG at once.
    expect(eng, e.call, rec, expectation{"S12", protocol::E_INVALIDARG, {}});
  } else if (e.handle == 0 && local_on_zero(e.api)) {
    // S12: handle 0 is answered at once from the engine's own machine, with no frame.
    expect(eng, e.call, rec, expectation{"S12", std::nullopt, {}});
    silent_calls_.insert({{eng.id, e.call}, "S12"});
  } else if (e.handle != 0 && !eng.live(e.handle)) {
    // S5 (and S6, S11): a handle this engine never saw born, another engine's, or a dead
    // one: E_INVALIDARG within the call's instant, and no frame for the call ever.
    expect(eng, e.call, rec, expectation{"S5", protocol::E_INVALIDARG, {}});
    silent_calls_.insert({{eng.id, e.call}, "S5"});
  } else if (e.api == api::call_kind::disconnect) {
    rec.live_handle = e.handle;
    // S6: every call in flight on the handle is aborted at once. The disconnect's own rule
    // covers a sync disconnect still waiting for its ack on the same handle.
    for (auto& [n, other] : eng.calls) {
      if (other.ev.handle != e.handle || other.expect || other.ev.api == api::call_kind::disconnect)
        continue;
      expect(eng, n, other, expectation{"S6", protocol::ERROR_OPERATION_ABORTED, {e}});
    }
  }
}

void call_checks::on_done(engine_rec& eng, call_rec& rec, const event& e,
                          const std::optional<api::call_kind>& api) {
  if (eng.crashed)
    return;
  if (rec.expect && (!e.hr || (rec.expect->hr && *e.hr != *rec.expect->hr))) {
    auto evs = rec.expect->context;
    evs.push_back(rec.ev);
    evs.push_back(e);
    st_.report(rec.expect->rule, e.t,
               fmt::format("{} call {} ({}{}) completed with {} instead of {}", eng.name, e.call,
                           api_text(api),
                           rec.ev.handle ? fmt::format(" of handle 0x{:X}", rec.ev.handle) : "",
                           hr_text(e.hr), hr_text(rec.expect->hr)),
               std::move(evs));
  } else if (!rec.expect && e.hr == protocol::RPC_S_CALL_FAILED && !grouped(api) &&
             last_reset_ != e.t) {
    // S19: RPC_S_CALL_FAILED is a reset's result; with no reset in this instant, nothing
    // could have given it.
    st_.report("S19", e.t,
               fmt::format("{} call {} ({}) completed with RPC_S_CALL_FAILED, but no connection "
                           "was reset",
                           eng.name, e.call, api_text(api)),
               {rec.ev, e});
  }
  if (rec.live_handle != 0) {
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
    expect(eng, n, rec, expectation{"S19", protocol::RPC_S_CALL_FAILED, {e}});
  }
}

void call_checks::on_reset_fault(const event& e) { last_reset_ = e.t; }

void call_checks::on_timer(engine_rec& eng, const event& e) {
  if (eng.crashed || e.call == 0)
    return;
  const bool connect = e.is(timer_kind::connect_timeout);
  if (!connect && !e.is(timer_kind::rpc_timeout))
    return;
  auto c = eng.calls.find(e.call);
  if (c == eng.calls.end() || c->second.expect || grouped(c->second.ev.api))
    return;
  // S3, S9 (and S6 for a sync disconnect): the call the timer was for fails now with
  // ERROR_SEM_TIMEOUT.
  const char* rule = connect ? "S3" : c->second.ev.api == api::call_kind::disconnect ? "S6" : "S9";
  expect(eng, e.call, c->second, expectation{rule, protocol::ERROR_SEM_TIMEOUT, {e}});
}

void call_checks::on_frame_sent(engine_rec& eng, const event& e) {
  if (e.call == 0)
    return;
  auto silent = silent_calls_.find({eng.id, e.call});
  if (silent == silent_calls_.end())
    return;
  // S5: a call on a handle the engine does not hold sends nothing; S12: nor does one on handle 0.
  auto c = eng.calls.find(e.call);
  std::vector<event> evs{e};
  if (c != eng.calls.end())
    evs.push_back(c->second.ev);
  st_.report(silent->second, e.t,
             fmt::format("{} sent a {} frame for call {}, {}", eng.name, name_of(e.what), e.call,
                         silent->second == std::string_view("S12")
                             ? "which handle 0 answers from its own machine"
                             : "whose handle it does not hold"),
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
  // The call had to complete within the instant it was due.
  if (p.eng->crashed)
    return;
  auto c = p.eng->calls.find(p.a);
  if (c == p.eng->calls.end() || !c->second.expect)
    return;
  auto& x = *c->second.expect;
  auto evs = x.context;
  evs.push_back(c->second.ev);
  st_.report(x.rule, st_.now,
             fmt::format("{} call {} ({}) had to complete at once{} but was still open",
                         p.eng->name, p.a, api_text(c->second.ev.api),
                         x.hr ? " with " + protocol::to_string(*x.hr) : std::string()),
             std::move(evs));
  c->second.expect.reset();
}

}  // namespace dbgsim::oracle_detail
