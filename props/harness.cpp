#include "props/harness.hpp"

#include "world/world.hpp"
#include "scenario/player.hpp"

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

std::optional<std::string> harness::oracle_says() const {
  const auto& vs = player_->w().violations();
  if (vs.empty() || !use_oracle_)
    return std::nullopt;
  const auto& v = vs.front();
  return "oracle: " + v.rule + " at " + std::to_string(v.t.count()) + "us: " + v.message;
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
  return failure_;
}

std::optional<std::string> harness::run_op(const op& o) {
  {
    std::ostringstream line;
    show(o, line);
    log_.push_back(line.str());
  }
  const auto& en = world_.engines[o.engine].name;
  const auto& sn = world_.servers[o.server].name;
  switch (o.kind) {
    case op_kind::connect: {
      connect_intent ci{o.server, o.ck};
      const auto options = model_.connect_options(o.server, o.ck);
      const auto as = "h" + std::to_string(sc_.steps.size() + 1);  // Unique: the step's number.
      return call(o, api::connect{options}, action::connect{en, options, as}, &ci);
    }
    case op_kind::disconnect: {
      const auto h = pick_handle(o);
      return call(o, api::disconnect{h}, action::disconnect{en, handle_arg(h)}, nullptr);
    }
    case op_kind::end_server: {
      const auto h = pick_handle(o);
      return call(o, api::end_server{h}, action::end_server{en, handle_arg(h)}, nullptr);
    }
    case op_kind::list_processes: {
      const auto h = pick_handle(o);
      action::list_processes a{en, handle_arg(h), model_.exact_listing(o.engine, h, o.max), o.max};
      return call(o, api::list_processes{h, o.max}, a, nullptr);
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
    case op_kind::partition:
      model_.partition(o.engine, o.server, o.dir);
      return fault(action::partition{ends(o)});
    case op_kind::heal:
      model_.heal(o.engine, o.server, o.dir);
      return fault(action::heal{ends(o)});
    case op_kind::set_link: {
      model_.set_link(o.engine, o.server, o.dir, o.params);
      action::set_link a;
      a.ends = ends(o);
      a.latency = o.params.latency;
      a.jitter = o.params.jitter;
      a.loss = o.params.loss;
      a.duplicate = o.params.duplicate;
      return fault(a);
    }
    case op_kind::crash_server:
      model_.crash(o.server);
      return fault(action::crash_server{sn});
    case op_kind::restart_server:
      model_.restart(o.server);
      return fault(action::restart_server{sn});
    case op_kind::advance:
      w().run_for(o.span);
      return oracle_says();
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
                                         const connect_intent* ci) {
  const auto& en = world_.engines[o.engine].name;
  const auto expected = model_.predict(o.engine, c, ci);
  step s;
  s.at = w().now();
  s.what = std::move(a);
  s.expect = expected.single();
  sc_.steps.push_back(std::move(s));
  const auto index = sc_.steps.size() - 1;
  player_->play(index);
  const auto number = ++calls_[en];

  // Run until the call completes; every call is bounded (S15), so give up a second past it.
  const auto bound = std::holds_alternative<api::connect>(c) ? w().now() + 31s : w().now() + 6s;
  auto step_len = 2ms;
  while (!w().result_of(en, number) && w().now() < bound) {
    w().run_for(step_len);
    if (step_len < 200ms)
      step_len *= 2;
  }
  const auto r = w().result_of(en, number);
  std::ostringstream where;
  where << "step " << index + 1 << " (" << log_.back() << ")";
  if (!r) {
    results_[en].push_back("none");
    return "S15: " + where.str() + " did not complete within its bound";
  }
  results_[en].push_back(protocol::to_string(r->hr));
  if (std::holds_alternative<api::connect>(c) && r->hr == protocol::S_OK)
    names_[r->handle] = std::get<action::connect>(sc_.steps[index].what).as;
  if (auto v = oracle_says())
    return *v;
  if (!expected.contains(r->hr)) {
    // The reproducer must fail here too: expect one of the results the model allows.
    sc_.steps[index].expect = expected.representative();
    return where.str() + " gave " + protocol::to_string(r->hr) + "; the model allows " +
           expected.to_string();
  }
  if (auto problem = model_.apply(o.engine, c, ci, *r); !problem.empty())
    return where.str() + ": " + problem;
  w().run_for(quiet_gap);
  return oracle_says();
}

std::optional<std::string> harness::finish() {
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
  std::string s = "after settling, the world did not converge:";
  for (const auto& d : diffs)
    s += "\n  " + d;
  return s;
}

}  // namespace dbgsim::props
