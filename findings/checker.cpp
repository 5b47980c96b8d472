// The client checker: docs/clients.md (C1...C8) checked on a stream of trace events.
//
// Principles (the oracle's, oracle/oracle.cpp, applied to programs):
//  - It never reports a correct program. Each check states the exact condition it reports.
//  - State is kept per program (a world's client names are unique), and per handle the program
//    obtained; an engine crash is the one event without a program, and it reaches every program
//    on that engine. Nothing scans the history.
//  - A program's calls are sequential: each `call` is followed by its `done` before the next
//    call, so "the call in flight" and "the next call" are well defined per program. A
//    client_call starts and ends at its instant and counts as a call of the program.
//  - Once a program has ended, nothing more of it is judged: a hung program's call may still
//    complete after it was stopped, and that says nothing about what the program did.
//
// This file is the dispatcher: it keeps the shared records (findings/detail/state.hpp) and
// routes each event to the rule families that need it (findings/detail/checks.hpp lists them,
// one file each), always before it records the event itself and always in the same order.
#include "findings/checker.hpp"

#include "findings/detail/checks.hpp"
#include "findings/detail/state.hpp"

#include <fmt/format.h>

#include <utility>

namespace dbgsim {

namespace findings_detail {

std::string time_text(sim_time t) {
  const auto us = t.count();
  return fmt::format("{}.{:06}s", us / 1'000'000, us % 1'000'000);
}

std::string handle_text(std::uint64_t h) { return fmt::format("0x{:016X}", h); }

std::string call_ref::text() const {
  if (client())
    return fmt::format("client call {}", method.empty() && api ? std::string(name_of(*api)) : method);
  return fmt::format("call {} ({})", call, api ? name_of(*api) : std::string_view("?"));
}

std::string call_ref::hr_text() const {
  return hr ? protocol::to_string(*hr) : std::string("no HRESULT");
}

}  // namespace findings_detail

using namespace findings_detail;

struct client_checker::state {
  shared_state sh;

  handle_checks handles{sh};
  fallback_checks fallback{sh};
  retry_checks retries{sh};
  outcome_checks outcome{sh};
  listing_checks listing{sh};

  /// The program an event names, made on first mention; null if the event names none or the
  /// program has ended.
  program_rec* program_of(const event& e) {
    if (e.program.empty())
      return nullptr;
    auto [i, fresh] = sh.programs.try_emplace(e.program);
    auto& prog = i->second;
    if (fresh) {
      prog.name = e.program;
      prog.engine = e.actor;
    }
    return prog.ended ? nullptr : &prog;
  }

  static call_ref ref_of(const event& e) {
    call_ref c;
    c.start = e.t;
    c.end = e.t;
    c.call = e.call;
    c.api = e.api;
    c.handle = e.handle;
    c.pid = e.pid;
    c.hr = e.hr;
    return c;
  }

  // -- events -----------------------------------------------------------------------------

  void on_program_started(const event& e) {
    if (e.program.empty())
      return;
    // A name started again is a new program: nothing of the old one carries over.
    program_rec prog;
    prog.name = e.program;
    prog.engine = e.actor;
    sh.programs.insert_or_assign(e.program, std::move(prog));
  }

  void on_call(const event& e) {
    auto* prog = program_of(e);
    if (!prog)
      return;
    call_ref c = ref_of(e);
    c.hr.reset();  // Not completed yet.
    judge_call(*prog, c);
    prog->open = c;
  }

  void on_client_call(const event& e) {
    auto* prog = program_of(e);
    if (!prog)
      return;
    call_ref c = ref_of(e);
    c.call = 0;  // The client API answered it: no engine call number.
    c.method = e.detail;
    judge_call(*prog, c);
    retries.on_completed(*prog, c);
  }

  /// What every call of the program is judged for when it is made, and the handle's last use.
  void judge_call(program_rec& prog, const call_ref& c) {
    listing.on_call(prog, c);   // C8 judges the call *after* a truncated listing.
    handles.on_call(prog, c);   // C2, C4
    fallback.on_call(prog, c);  // C3
    if (auto* h = prog.handle(c.handle))
      h->last_use = c;
  }

  void on_done(const event& e) {
    auto* prog = program_of(e);
    if (!prog)
      return;
    // The done's handle is what a connect returned; the handle the call went through is the
    // call's argument, so the call in flight is the record (a done without its call is judged
    // from itself).
    call_ref c;
    if (prog->open && prog->open->call == e.call) {
      c = *prog->open;
    } else {
      c = ref_of(e);
      if (e.api == api::call_kind::connect)
        c.handle = 0;
    }
    if (!c.api)
      c.api = e.api;
    c.end = e.t;
    c.hr = e.hr;
    prog->open.reset();

    retries.on_completed(*prog, c);        // C5
    handles.on_done(*prog, c);             // C4 marks
    listing.on_done(*prog, c, e.value);    // C8 marks

    if (c.api == api::call_kind::connect) {
      if (c.hr == protocol::S_OK && e.handle != 0)
        obtain(*prog, e.handle, c);
      return;
    }
    // A disconnect gives the handle up whatever it returns, except E_INVALIDARG (the handle
    // was not live): S6 kills the handle at once, also when a sync disconnect's ack times out.
    // An end_server gives it up only when it SUCCEEDED (S8: the server was asked to end).
    const bool gives_up =
        c.api == api::call_kind::disconnect ? c.hr && *c.hr != protocol::E_INVALIDARG
        : c.api == api::call_kind::end_server ? succeeded(c)
                                              : false;
    if (!gives_up)
      return;
    if (auto* h = prog->handle(c.handle)) {
      auto& slot = c.api == api::call_kind::disconnect ? h->disconnected : h->ended;
      if (!slot)
        slot = c;
      prog->last_given_up = std::pair{c.handle, c};
    }
  }

  void obtain(program_rec& prog, std::uint64_t handle, const call_ref& connect) {
    // The same value obtained again (an engine that reuses handles breaks S1) starts a new
    // record: the program holds it afresh.
    handle_rec rec;
    rec.seq = prog.next_seq++;
    rec.obtained = connect;
    rec.last_use = connect;
    prog.handles.insert_or_assign(handle, std::move(rec));
  }

  void on_program_ended(const event& e) {
    auto* prog = program_of(e);
    if (!prog)
      return;
    // A program_ended without a reason is taken as a return: the checks that need a clean-up
    // still apply, as they would to any program that got to run its end.
    const reason_kind reason = e.reason.value_or(reason_kind::returned);
    handles.on_end(*prog, reason, e.t);  // C1, C4
    outcome.on_end(*prog, e);            // C6, C7
    listing.on_end(*prog, reason, e.t);  // C8
    prog->ended = true;
    prog->open.reset();
  }

  void on_handle_dead(const event& e) {
    if (e.reason != reason_kind::engine_crash)
      return;
    // The engine crashed: every handle of every program on it is gone, whoever obtained it.
    for (auto& [name, prog] : sh.programs) {
      if (prog.ended || prog.engine != e.actor)
        continue;
      for (auto& [h, rec] : prog.handles)
        rec.crashed = true;
    }
  }

  void observe(const event& e) {
    switch (e.kind) {
      case event_kind::program_started: on_program_started(e); break;
      case event_kind::call: on_call(e); break;
      case event_kind::done: on_done(e); break;
      case event_kind::client_call: on_client_call(e); break;
      case event_kind::program_ended: on_program_ended(e); break;
      case event_kind::handle_dead: on_handle_dead(e); break;
      default: break;  // Engines', servers' and links' own events are the oracle's.
    }
  }
};

client_checker::client_checker() : st_(std::make_unique<state>()) {}
client_checker::~client_checker() = default;
client_checker::client_checker(client_checker&&) noexcept = default;
client_checker& client_checker::operator=(client_checker&&) noexcept = default;

void client_checker::observe(const event& e) { st_->observe(e); }

const std::vector<finding>& client_checker::findings() const { return st_->sh.found; }

std::string to_string(const finding& f) {
  return fmt::format("{} {} {} at {}: {}", rule_of(f.kind), name_of(f.kind), f.program,
                     time_text(f.t), f.message);
}

}  // namespace dbgsim
