#include "props/harness.hpp"

#include "world/world.hpp"
#include "scenario/player.hpp"

#include <algorithm>
#include <cctype>
#include <sstream>

namespace dbgsim::props {

using namespace std::chrono_literals;

namespace {

/// After each call, the world runs this much longer, so that frames the call left in flight on a
/// healthy link (a release's disconnect frame, an option update, an end-server notice) arrive
/// before the next command.
constexpr sim_time quiet_gap = 1s;

}  // namespace

harness::harness(const case_world& w, std::uint64_t seed, mutant bug, bool keep_trace,
                 bool use_oracle)
    : world_(w), model_(w), use_oracle_(use_oracle) {
  sc_.name = "property case";
  sc_.seed = seed;
  sc_.topo = to_topology(w);
  run_options ro;
  ro.seed = seed;
  ro.bug = bug;
  ro.keep_trace = keep_trace;
  ro.settle = true;
  player_ = std::make_unique<player>(sc_, ro);
}

harness::~harness() = default;

world& harness::w() { return player_->w(); }

std::optional<std::string> harness::handles_differ() {
  // Handle liveness is engine state, and the model knows it exactly (S6): a live handle no
  // connect returned was made by a reply after its connect completed (S3); one the model
  // says is dead was kept alive (S6); one it says is live was killed (S6).
  for (std::size_t e = 0; e < world_.engines.size(); ++e) {
    if (model_.engine_crashed(e))
      continue;
    const auto& en = world_.engines[e].name;
    auto expected = model_.live_handles(e);
    for (const auto& p : pending_)
      if (p.engine == e && std::holds_alternative<api::connect>(p.c))
        if (auto r = player_->w().result_of(en, p.number); r && r->hr == protocol::S_OK)
          expected.push_back(r->handle);  // Completed, not judged yet.
    const auto actual = player_->w().inspect_engine(en).live_handles;
    const auto& issued = model_.issued(e);
    // The reproducer shows it too: a check of the handle, in the same instant.
    auto show = [&](std::uint64_t h, bool live) {
      action::check c;
      c.engine = en;
      c.handle = handle_arg(h);
      c.live = live;
      step st;
      st.at = player_->w().now();
      st.what = c;
      sc_.steps.push_back(std::move(st));
      player_->play(sc_.steps.size() - 1);
    };
    for (auto h : actual)
      if (std::find(expected.begin(), expected.end(), h) == expected.end()) {
        std::ostringstream os;
        os << std::hex << h;
        show(h, false);
        if (std::find(issued.begin(), issued.end(), h) == issued.end())
          return "S3: " + en + " holds live handle 0x" + os.str() +
                 " that no connect returned (a reply after its connect completed made it)";
        return "S6: " + en + " still holds handle 0x" + os.str() + " after disconnecting it";
      }
    for (auto h : expected)
      if (std::find(actual.begin(), actual.end(), h) == actual.end()) {
        std::ostringstream os;
        os << std::hex << h;
        show(h, true);
        return "S6: " + en + " lost live handle 0x" + os.str() + ", which was never disconnected";
      }
  }
  return std::nullopt;
}

std::optional<std::string> harness::oracle_says(bool handles) {
  if (handles)
    if (auto d = handles_differ())
      return d;
  const auto& vs = player_->w().violations();
  if (vs.empty() || !use_oracle_)
    return std::nullopt;
  const auto& v = vs.front();
  return v.rule + ": oracle at " + std::to_string(v.t.count()) + "us: " + v.message;
}

std::vector<std::string> rules_of_failure(const std::string& message) {
  // "S6: ...", "S6, S19: ...", "at the end, S7: ..." (the first clause naming rules).
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < message.size()) {
    if (message[i] == 'S' && i + 1 < message.size() && std::isdigit(static_cast<unsigned char>(message[i + 1])) &&
        (i == 0 || !std::isalnum(static_cast<unsigned char>(message[i - 1])))) {
      std::size_t j = i + 1;
      while (j < message.size() && std::isdigit(static_cast<unsigned char>(message[j])))
        ++j;
      out.push_back(message.substr(i, j - i));
      if (j < message.size() && message[j] == ',') {
        i = j + 1;
        while (i < message.size() && message[i] == ' ')
          ++i;
        continue;
      }
      break;
    }
    if (!out.empty())
      break;
    ++i;
  }
  return out;
}

handle_ref harness::handle_arg(std::uint64_t h) const {
  auto n = names_.find(h);
  if (n != names_.end())
    return handle_ref{n->second, 0};
  return handle_ref{"", h};
}

std::uint64_t harness::pick_handle(const op& o) const {
  switch (o.hp) {
    case handle_pick::zero:
      return 0;
    case handle_pick::random:
      return o.literal;
    case handle_pick::issued: {
      const auto& v = model_.issued(o.engine);
      return v.empty() ? o.literal : v[o.index % v.size()];
    }
    case handle_pick::foreign: {
      for (std::size_t k = 1; k < model_.engine_count(); ++k) {
        const auto& v = model_.issued((o.engine + k) % model_.engine_count());
        if (!v.empty())
          return v[o.index % v.size()];
      }
      return o.literal;
    }
  }
  return 0;
}

std::uint32_t harness::pick_pid(const op& o, std::uint64_t h) const {
  // From the machine the handle leads to: the engine's own for 0, else its server's (or, for a
  // handle that is not live, the command's server, which the call will not reach anyway).
  const auto pids = h == 0 ? model_.engine_pids(o.engine)
                           : model_.server_pids(model_.live_server(o.engine, h).value_or(o.server));
  // One index past the known pids names a process that does not exist.
  const auto i = o.index % (pids.size() + 1);
  return i < pids.size() ? pids[i] : 9999;
}

link_ends harness::ends(const op& o) const {
  const auto& e = world_.engines[o.engine].name;
  const auto& s = world_.servers[o.server].name;
  if (o.dir == direction::to_engine)
    return link_ends{s, e, false};
  return link_ends{e, s, o.dir == direction::both};
}

std::optional<std::string> harness::execute(const op& o) {
  failure_ = run_op(o);
  if (!failure_)
    failure_ = collect();
  return failure_;
}

namespace {

bool takes_handle(const api::call& c) {
  return std::holds_alternative<api::disconnect>(c) || std::holds_alternative<api::end_server>(c) ||
         std::holds_alternative<api::list_processes>(c) ||
         std::holds_alternative<api::find_process>(c) ||
         std::holds_alternative<api::describe_process>(c) ||
         std::holds_alternative<api::attach>(c) || std::holds_alternative<api::create_process>(c);
}

/// The rule a result outside the allowed set breaks: the one the set names, unless the result
/// is one a rule reserves for a cause the set does not allow.
std::string rule_for(const allowed& a, protocol::hresult got) {
  using namespace protocol;
  if (got == RPC_S_CALL_FAILED)
    return a.contains(ERROR_SEM_TIMEOUT) ? "S9" : "S19";  // Only a reset gives it (S19).
  if (got == ERROR_OPERATION_ABORTED)
    return "S6";
  if (got == RPC_E_VERSION_MISMATCH || a.contains(RPC_E_VERSION_MISMATCH))
    return "S4";
  if (got == E_ABORT)
    return "S15";
  return a.rule().empty() ? "S18" : a.rule();
}

/// "S20: problem" → "S20: where: problem"; a problem without a rule gets `fallback`.
std::string lead(const std::string& where, const std::string& problem, const std::string& fallback) {
  const auto rules = rules_of_failure(problem);
  if (!rules.empty() && problem.rfind(rules.front(), 0) == 0) {
    const auto colon = problem.find(": ");
    return problem.substr(0, colon) + ": " + where + ": " + problem.substr(colon + 2);
  }
  return fallback + ": " + where + ": " + problem;
}

}  // namespace

std::vector<harness::pending_call*> harness::meet(const std::string& cause, std::size_t e,
                                                  std::size_t s) {
  std::vector<pending_call*> out;
  for (auto& p : pending_) {
    if (w().result_of(world_.engines[p.engine].name, p.number))
      continue;  // Completed already: judged by the next collect, not met.
    if (e != static_cast<std::size_t>(-1) && p.engine != e)
      continue;
    if (s != static_cast<std::size_t>(-1) && p.server != s)
      continue;
    out.push_back(&p);
  }
  if (!out.empty()) {
    ++hist_.met[cause];
    hist_.met_calls[cause] += static_cast<long long>(out.size());
  }
  return out;
}

void harness::disturb_all() {
  // What a call in flight reads (a listing, a description, a find) may change under it: a
  // process created, attached, ended or exiting before the server serves it (S17).
  using namespace protocol;
  for (auto& p : pending_) {
    p.disturbed = true;
    if (p.fixed)
      continue;
    if (std::holds_alternative<api::list_processes>(p.c))
      p.a.add(S_OK).add(S_FALSE);
    else if (std::holds_alternative<api::find_process>(p.c))
      p.a.add(S_OK).add(S_FALSE).add(E_NOINTERFACE);
    else if (std::holds_alternative<api::describe_process>(p.c))
      p.a.add(S_OK).any_failure();
    else
      continue;
    sc_.steps[p.step].expect = p.a.single();
  }
}

std::optional<std::string> harness::after_at_once(const std::string& rule,
                                                  const std::string& cause) {
  // Calls a cause decided at once (S6: a disconnect; S19: a reset; an engine crash) must have
  // completed in the same instant.
  for (auto& p : pending_) {
    if (!p.fixed || w().result_of(world_.engines[p.engine].name, p.number))
      continue;
    (void)rule;
    return p.a.rule() + ": " + p.where + " was still in flight after " + cause + "; " +
           p.a.rule() + " says it completes at once with " + p.a.to_string();
  }
  return std::nullopt;
}

std::optional<std::string> harness::judge(pending_call& p, const api::result& r) {
  const auto& en = world_.engines[p.engine].name;
  results_[en].push_back(protocol::to_string(r.hr));
  if (!p.a.contains(r.hr)) {
    sc_.steps[p.step].expect = p.a.representative();
    return rule_for(p.a, r.hr) + ": " + p.where + " (judged when it completed) gave " +
           protocol::to_string(r.hr) + "; the model allows " + p.a.to_string();
  }
  sc_.steps[p.step].expect = p.a.single();
  const connect_intent* ci = p.ci ? &*p.ci : nullptr;
  if (std::holds_alternative<api::connect>(p.c)) {
    auto problem = model_.apply(p.engine, p.c, ci, r);
    if (r.hr == protocol::S_OK) {
      names_[r.handle] = std::get<action::connect>(sc_.steps[p.step].what).as;
      if (p.disturbed || p.server_crashed)
        model_.connected_unsure(p.engine, r.handle, p.incarnation, p.server_crashed);
    }
    if (!problem.empty())
      return lead(p.where, problem, "S1");
    return std::nullopt;
  }
  // What it read (a listing, a description, a find) may predate what ran since: judge the
  // content only when nothing ran meanwhile; learn from a failure either way.
  if (!p.disturbed || r.hr.failed())
    if (auto problem = model_.apply(p.engine, p.c, ci, r); !problem.empty())
      return lead(p.where, problem, "S17");
  return std::nullopt;
}

std::optional<std::string> harness::collect() {
  for (std::size_t i = 0; i < pending_.size();) {
    const auto r = w().result_of(world_.engines[pending_[i].engine].name, pending_[i].number);
    if (!r) {
      ++i;
      continue;
    }
    if (auto v = oracle_says())
      return v;
    auto p = pending_[i];
    pending_.erase(pending_.begin() + static_cast<std::ptrdiff_t>(i));
    if (auto f = judge(p, *r))
      return f;
  }
  return oracle_says();
}

std::optional<std::string> harness::settle_pending() {
  const auto bound = w().now() + 40s;
  while (!pending_.empty() && w().now() < bound) {
    w().run_for(100ms);
    if (auto f = collect())
      return f;
  }
  if (!pending_.empty())
    return "S15: " + pending_.front().where + " did not complete within its bound";
  return std::nullopt;
}

std::optional<std::string> harness::run_op(const op& o) {
  {
    std::ostringstream line;
    show(o, line);
    log_.push_back(line.str());
  }
  ++hist_.ops[std::string(dbgsim::name_of(o.kind))];
  if (o.nowait)
    ++hist_.ops[std::string(dbgsim::name_of(o.kind)) + " (no wait)"];
  if (auto f = collect())
    return f;
  if (o.kind != op_kind::advance)
    disturb_all();
  const auto npos = static_cast<std::size_t>(-1);
  const auto& en = world_.engines[o.engine].name;
  const auto& sn = world_.servers[o.server].name;
  using namespace protocol;
  switch (o.kind) {
    case op_kind::connect: {
      connect_intent ci{o.server, o.ck};
      const auto options = model_.connect_options(o.server, o.ck);
      const auto as = "h" + std::to_string(sc_.steps.size() + 1);  // Unique: the step's number.
      return call(o, api::connect{options}, action::connect{en, options, as}, &ci);
    }
    case op_kind::disconnect: {
      const auto h = pick_handle(o);
      if (h != 0 && model_.live_server(o.engine, h)) {
        // S6: every call in flight on h completes at once with ERROR_OPERATION_ABORTED.
        for (auto* p : meet("disconnect", o.engine, npos)) {
          if (p->handle != h || p->fixed)
            continue;
          p->a = allowed{ERROR_OPERATION_ABORTED}.because("S6");
          p->fixed = true;
          ++hist_.met_calls["disconnect of the call's own handle (S6: exactly aborted)"];
          sc_.steps[p->step].expect = ERROR_OPERATION_ABORTED;
        }
      }
      return call(o, api::disconnect{h}, action::disconnect{en, handle_arg(h)}, nullptr);
    }
    case op_kind::end_server: {
      const auto h = pick_handle(o);
      if (auto s = model_.live_server(o.engine, h)) {
        // S8: a call in flight may meet the shutting-down server, or its notice.
        for (auto* p : meet("end_server", npos, *s)) {
          if (p->fixed)
            continue;
          p->a.add(std::holds_alternative<api::connect>(p->c) ? RPC_S_SERVER_UNAVAILABLE
                                                              : RPC_E_DISCONNECTED);
          p->a.because("S8");
          sc_.steps[p->step].expect = p->a.single();
        }
      }
      return call(o, api::end_server{h}, action::end_server{en, handle_arg(h)}, nullptr);
    }
    case op_kind::list_processes: {
      const auto h = pick_handle(o);
      action::list_processes a{en, handle_arg(h),
                               o.nowait ? std::nullopt : model_.exact_listing(o.engine, h, o.max),
                               o.max};
      return call(o, api::list_processes{h, o.max}, a, nullptr);
    }
    case op_kind::find_process: {
      const auto h = pick_handle(o);
      return call(o, api::find_process{h, o.exe, o.only_match},
                  action::find_process{en, handle_arg(h), o.exe, o.only_match, ""}, nullptr);
    }
    case op_kind::describe_process: {
      const auto h = pick_handle(o);
      const auto pid = pick_pid(o, h);
      return call(o, api::describe_process{h, pid},
                  action::describe_process{en, handle_arg(h), pid_ref{"", pid}}, nullptr);
    }
    case op_kind::attach: {
      const auto h = pick_handle(o);
      const auto pid = pick_pid(o, h);
      return call(o, api::attach{h, pid}, action::attach{en, handle_arg(h), pid_ref{"", pid}},
                  nullptr);
    }
    case op_kind::create_process: {
      const auto h = pick_handle(o);
      const std::string cmd = "notepad.exe scratch.txt";
      return call(o, api::create_process{h, cmd}, action::create_process{en, handle_arg(h), cmd, ""},
                  nullptr);
    }
    case op_kind::detach:
    case op_kind::terminate: {
      const auto targets = model_.targets(o.engine);
      const std::uint32_t pid = targets.empty() ? 4242 : targets[o.index % targets.size()];
      if (o.kind == op_kind::detach)
        return call(o, api::detach{pid}, action::detach{en, pid_ref{"", pid}}, nullptr);
      return call(o, api::terminate{pid}, action::terminate{en, pid_ref{"", pid}}, nullptr);
    }
    case op_kind::detach_all:
      return call(o, api::detach_all{}, action::detach_all{en}, nullptr);
    case op_kind::terminate_all:
      return call(o, api::terminate_all{}, action::terminate_all{en}, nullptr);
    case op_kind::end_session:
      return call(o, api::end_session{o.mode}, action::end_session{en, o.mode}, nullptr);
    case op_kind::process_options:
      return call(o, api::process_options{o.on}, action::process_options{en, o.on}, nullptr);
    case op_kind::start_server: {
      const bool malformed = o.variant == 2;
      std::uint16_t port = next_port_;
      if (o.variant == 1 && next_port_ > 6000)
        port = static_cast<std::uint16_t>(next_port_ - 1);
      else if (!malformed)
        ++next_port_;
      const std::string endpoint = "tcp:" + std::to_string(port);
      const std::string options = malformed ? "tcp:port=notaport" : "tcp:port=" + std::to_string(port);
      auto expected = model_.predict_start(o.engine, endpoint, malformed);
      auto f = call(o, api::start_server{options}, action::start_server{en, options}, nullptr,
                    &expected);
      if (!f) {
        const auto r = w().result_of(en, calls_[en]);
        if (r)
          model_.apply_start(o.engine, endpoint, malformed, r->hr);
      }
      return f;
    }
    case op_kind::wait_server_end: {
      auto expected = model_.predict_wait(o.engine);
      return call(o, api::wait_server_end{o.timeout_ms},
                  action::wait_server_end{en, std::chrono::milliseconds(o.timeout_ms)}, nullptr,
                  &expected);
    }
    case op_kind::partition:
    case op_kind::set_link: {
      if (o.kind == op_kind::partition)
        model_.partition(o.engine, o.server, o.dir);
      else
        model_.set_link(o.engine, o.server, o.dir, o.params);
      // S9: a call in flight that gets no answer now times out; never RPC_S_CALL_FAILED.
      for (auto* p : meet(std::string(dbgsim::name_of(o.kind)), o.engine, o.server)) {
        if (p->fixed)
          continue;
        p->a.add(ERROR_SEM_TIMEOUT);
        if (!std::holds_alternative<api::connect>(p->c))
          p->a.add(RPC_E_DISCONNECTED);
        p->a.because(std::holds_alternative<api::connect>(p->c) ? "S3" : "S9");
        sc_.steps[p->step].expect = p->a.single();
      }
      if (o.kind == op_kind::partition)
        return fault(action::partition{ends(o)});
      action::set_link a;
      a.ends = ends(o);
      a.latency = o.params.latency;
      a.jitter = o.params.jitter;
      a.loss = o.params.loss;
      a.duplicate = o.params.duplicate;
      return fault(a);
    }
    case op_kind::heal:
      model_.heal(o.engine, o.server, o.dir);
      return fault(action::heal{ends(o)});
    case op_kind::reset: {
      // S19: both ends know at once; every call in flight on the reset connections completes at
      // once with RPC_S_CALL_FAILED, a connect still on its way too.
      for (auto* p : meet("reset", o.engine, o.server)) {
        if (p->fixed)
          continue;
        const bool is_connect = std::holds_alternative<api::connect>(p->c);
        if (is_connect || model_.surely_alive(o.engine, p->handle)) {
          p->a = allowed{RPC_S_CALL_FAILED}.because("S19");
          p->fixed = true;
          ++hist_.met_calls["reset (S19: exactly RPC_S_CALL_FAILED)"];
        } else {
          p->a.add(RPC_S_CALL_FAILED).because("S19");
        }
        sc_.steps[p->step].expect = p->a.single();
      }
      model_.reset(o.engine, o.server);
      if (auto f = fault(action::reset{en, sn}))
        return f;
      return after_at_once("S19", "the reset of its connection");
    }
    case op_kind::half_open: {
      // S19: the end that is gone forgets its connections as a reset would (its calls in flight
      // fail with RPC_S_CALL_FAILED at once); with the server end gone the engine is told
      // nothing, and its calls in flight time out (S9).
      for (auto* p : meet("half_open", o.engine, o.server)) {
        if (p->fixed)
          continue;
        const bool is_connect = std::holds_alternative<api::connect>(p->c);
        if (!o.server_gone && (is_connect || model_.surely_alive(o.engine, p->handle))) {
          p->a = allowed{RPC_S_CALL_FAILED}.because("S19");
          p->fixed = true;
        } else if (!o.server_gone) {
          p->a.add(RPC_S_CALL_FAILED).because("S19");
        } else {
          p->a.add(ERROR_SEM_TIMEOUT);
          if (is_connect)
            p->server_crashed = true;  // If it is accepted now, the server end has forgotten it.
          else
            p->a.add(RPC_E_DISCONNECTED);
          p->a.because("S9");
        }
        sc_.steps[p->step].expect = p->a.single();
      }
      model_.half_open(o.engine, o.server, o.server_gone);
      action::half_open a;
      a.a = en;
      a.b = sn;
      a.server_gone = o.server_gone;
      if (auto f = fault(a))
        return f;
      return after_at_once("S19", "its engine end went half-open");
    }
    case op_kind::crash_engine: {
      for (auto* p : meet("crash_engine", o.engine, npos)) {
        p->a = allowed{E_ABORT}.because("S15");  // The world answers for a crashed engine.
        p->fixed = true;
        sc_.steps[p->step].expect = E_ABORT;
      }
      model_.crash_engine(o.engine);
      // The model knows a silent crash (leases and timeouts only): the machine kind.
      if (auto f = fault(action::crash_engine{en, crash_how::machine}))
        return f;
      return after_at_once("S15", "its engine crashed");
    }
    case op_kind::exit_process: {
      const auto pids = o.on_engine ? model_.engine_pids(o.engine) : model_.server_pids(o.server);
      const auto i = o.index % (pids.size() + 1);
      const std::uint32_t pid = i < pids.size() ? pids[i] : 9999;
      meet("exit_process", npos, o.on_engine ? npos : o.server);
      model_.exit_process(o.on_engine ? o.engine : o.server, o.on_engine, pid);
      if (auto f = fault(action::exit_process{o.on_engine ? en : sn, pid_ref{"", pid}}))
        return f;
      // The process-exited notice crosses the link (S22): on a healthy one it has arrived
      // within the quiet gap, which is what the model assumes.
      w().run_for(quiet_gap);
      return collect();
    }
    case op_kind::crash_server:
      for (auto* p : meet("crash_server", npos, o.server)) {
        if (p->fixed)
          continue;
        p->a.add(ERROR_SEM_TIMEOUT);
        p->a.add(std::holds_alternative<api::connect>(p->c) ? RPC_S_SERVER_UNAVAILABLE
                                                            : RPC_E_DISCONNECTED);
        p->a.because(std::holds_alternative<api::connect>(p->c) ? "S3" : "S9");
        p->server_crashed = true;
        sc_.steps[p->step].expect = p->a.single();
      }
      model_.crash(o.server);
      // The model knows a silent crash (leases and timeouts only): the machine kind.
      return fault(action::crash_server{sn, crash_how::machine});
    case op_kind::restart_server: {
      auto met = meet("restart_server", npos, o.server);
      model_.restart(o.server);
      for (auto* p : met) {
        if (p->fixed || !p->ci)
          continue;
        p->a.add(model_.predict(p->engine, p->c, &*p->ci));  // It may reach the new incarnation.
        p->incarnation = model_.incarnation(o.server);  // Then in doubt, not dead, if it does.
        p->server_crashed = false;
        sc_.steps[p->step].expect = p->a.single();
      }
      return fault(action::restart_server{sn});
    }
    case op_kind::advance:
      w().run_for(o.span);
      return collect();
    case op_kind::check:
      break;
  }
  return std::nullopt;
}

std::optional<std::string> harness::fault(step_action a) {
  step s;
  s.at = w().now();
  s.what = std::move(a);
  sc_.steps.push_back(std::move(s));
  player_->play(sc_.steps.size() - 1);
  return oracle_says();
}

std::optional<std::string> harness::call(const op& o, api::call c, step_action a,
                                         const connect_intent* ci, const allowed* given) {
  const auto& en = world_.engines[o.engine].name;
  auto expected = given ? *given : model_.predict(o.engine, c, ci);
  if (ci && model_.clicon(ci->server)) {
    // S16: connects to one reverse-connection server race for its one client's place.
    for (auto& p : pending_)
      if (p.ci && p.ci->server == ci->server && !p.fixed) {
        expected.add(protocol::RPC_S_SERVER_UNAVAILABLE);
        p.a.add(protocol::RPC_S_SERVER_UNAVAILABLE);
        sc_.steps[p.step].expect = p.a.single();
      }
    if (o.nowait)
      model_.clicon_maybe_taken(ci->server);
  }
  step s;
  s.at = w().now();
  s.what = std::move(a);
  s.expect = expected.single();
  sc_.steps.push_back(std::move(s));
  const auto index = sc_.steps.size() - 1;
  player_->play(index);
  const auto number = ++calls_[en];
  std::ostringstream where;
  where << "step " << index + 1 << " (" << log_.back() << ")";

  // S12: handle 0 is answered at once from the engine's own machine, in the same instant.
  if (takes_handle(c) && api::handle_of(c) == 0 && !model_.engine_crashed(o.engine) &&
      !w().result_of(en, number)) {
    if (!sc_.steps[index].expect)
      sc_.steps[index].expect = expected.representative();
    // In the reproducer the engine crashes in the same instant: a call answered at once does
    // not notice, one still in flight ends with E_ABORT instead of its expected result.
    fault(action::crash_engine{en, crash_how::machine});
    return "S12: " + where.str() + " on handle 0 was not answered at once";
  }

  if (o.nowait) {
    pending_call p;
    p.engine = o.engine;
    p.number = number;
    p.c = c;
    if (ci)
      p.ci = *ci;
    p.step = index;
    p.where = where.str();
    p.a = expected;
    p.handle = api::handle_of(c);
    if (ci)
      p.server = ci->server;
    else if (p.handle != 0)
      p.server = model_.live_server(o.engine, p.handle);
    if (ci)
      p.incarnation = model_.incarnation(ci->server);
    pending_.push_back(std::move(p));
    return collect();  // It may have completed at once (malformed options, a dead handle).
  }

  // Run until the call completes; every call is bounded (S15), so give up a second past it.
  sim_time limit = 6s;
  if (std::holds_alternative<api::connect>(c))
    limit = 31s;
  if (auto* x = std::get_if<api::wait_server_end>(&c))
    limit = 6s + std::chrono::milliseconds(x->timeout_ms);
  const auto bound = w().now() + limit;
  auto step_len = 2ms;
  while (!w().result_of(en, number) && w().now() < bound) {
    w().run_for(step_len);
    if (step_len < 200ms)
      step_len *= 2;
  }
  const auto r = w().result_of(en, number);
  if (!r) {
    results_[en].push_back("none");
    return "S15: " + where.str() + " did not complete within its bound";
  }
  results_[en].push_back(protocol::to_string(r->hr));
  if (std::holds_alternative<api::connect>(c) && r->hr == protocol::S_OK)
    names_[r->handle] = std::get<action::connect>(sc_.steps[index].what).as;
  if (auto v = oracle_says(/*handles=*/false))  // The model has not seen this result yet.
    return *v;
  if (!expected.contains(r->hr)) {
    // The reproducer must fail here too: expect one of the results the model allows.
    sc_.steps[index].expect = expected.representative();
    return rule_for(expected, r->hr) + ": " + where.str() + " gave " +
           protocol::to_string(r->hr) + "; the model allows " + expected.to_string();
  }
  if (auto problem = model_.apply(o.engine, c, ci, *r); !problem.empty())
    return lead(where.str(), problem, "S18");
  // Calls a disconnect decided (S6) must be done by the time the disconnect returns.
  if (auto f = after_at_once("S6", "the disconnect of its handle"))
    return f;
  if (auto f = collect())
    return f;
  w().run_for(quiet_gap);
  return collect();
}

std::optional<std::string> harness::finish() {
  failure_ = settle_pending();
  if (!failure_)
    failure_ = settle_and_compare();
  return failure_;
}

std::optional<std::string> harness::settle_and_compare() {
  player_->finish();
  model_.heal_all();
  if (auto v = oracle_says())
    return "at the end, " + *v;
  const auto diffs = model_.convergence(w());
  if (diffs.empty())
    return std::nullopt;
  // The rules the differences name, first first, lead the message.
  std::vector<std::string> rules;
  for (const auto& d : diffs)
    for (std::size_t i = d.find("(S"); i != std::string::npos; i = d.find("S", i + 1)) {
      if (i + 1 >= d.size() || d[i] == '(')
        continue;
      std::size_t j = i + 1;
      while (j < d.size() && std::isdigit(static_cast<unsigned char>(d[j])))
        ++j;
      if (j == i + 1)
        continue;
      auto r = d.substr(i, j - i);
      if (std::find(rules.begin(), rules.end(), r) == rules.end())
        rules.push_back(r);
    }
  std::string s;
  for (const auto& r : rules)
    s += (s.empty() ? "" : ", ") + r;
  s += (s.empty() ? "S7" : "") + std::string(": after settling, the world did not converge:");
  for (const auto& d : diffs)
    s += "\n  " + d;
  return s;
}

}  // namespace dbgsim::props
