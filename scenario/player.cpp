// The player: issues a scenario's steps on a world at their times, judges each call's result when
// it completes, evaluates `check:` steps, and gathers what failed into a run_report.
#include "scenario/player.hpp"

#include "client_runtime/program_runner.hpp"
#include "vocabulary/overloaded.hpp"
#include "world/world.hpp"

#include <algorithm>
#include <chrono>
#include <limits>
#include <map>
#include <set>
#include <sstream>
#include <string_view>
#include <utility>
#include <variant>

namespace dbgsim {
namespace {

std::string pid_list(std::vector<std::uint32_t> pids) {
  std::sort(pids.begin(), pids.end());
  std::string out = "[";
  for (std::size_t i = 0; i < pids.size(); ++i)
    out += (i == 0 ? "" : ", ") + std::to_string(pids[i]);
  return out + "]";
}

std::string hex(std::uint64_t v) {
  std::ostringstream out;
  out << "0x" << std::hex << v;
  return out.str();
}

bool succeeded(protocol::hresult hr) { return (hr.value & 0x80000000u) == 0; }

// What a name bound by `as` stands for: issued and waiting, bound, or failed.
struct binding {
  std::size_t step = 0;        // The step whose `as` names it (the latest one issued).
  std::string api;             // That step's action ("connect").
  bool done = false;
  std::optional<protocol::hresult> hr;  // Its result, once done.
  std::uint64_t value = 0;     // The handle or pid, when bound.
  bool bound = false;
};

// A name that did not resolve: the reason, as a step failure's `got`.
struct unbound {
  std::string name;
  std::string why;
};

/// The simulated world as a place to run programs: the runner's calls are the world's own.
class world_programs final : public program_host {
public:
  explicit world_programs(world& w) : w_(w) {}
  sim_time now() const override { return w_.now(); }
  std::uint64_t at(sim_time t, std::function<void()> action) override {
    return w_.at(t, [a = std::move(action)](world&) { a(); });
  }
  void cancel(std::uint64_t action) override { w_.cancel(action); }
  void note(event e) override { w_.note(std::move(e)); }
  std::uint64_t call(const std::string& engine, api::call c, const std::string& program) override {
    return w_.call(engine, std::move(c), program);
  }
  std::optional<api::result> result_of(const std::string& engine, std::uint64_t n) override {
    return w_.result_of(engine, n);
  }
  std::vector<std::uint32_t> targets_of(const std::string& engine) const override {
    const auto v = w_.inspect_engine(engine);
    std::vector<std::uint32_t> out = v.local_targets;
    for (const auto& h : v.sessions)
      out.insert(out.end(), h.targets.begin(), h.targets.end());
    return out;
  }

private:
  world& w_;
};

}  // namespace

struct player::impl {
  impl(const scenario& sc, const run_options& o)
      : s(sc),
        opts(o),
        seed(o.seed.value_or(sc.seed)),
        w(sc.topo, seed, world_options{o.bug, o.keep_trace, o.make_engine, o.make_server,
                                       o.max_steps.value_or(default_budget(sc))}) {
    for (const auto& l : sc.topo.links) {
      const auto a = w.machine_of(l.a), b = w.machine_of(l.b);
      links[{a, b}] = l.a_to_b;
      links[{b, a}] = l.b_to_a;
    }
    if (!sc.clients.empty())
      programs = run_programs(host, sc, seed);
    w.on_complete([this](const std::string& engine, std::uint64_t n, const api::result& r) {
      if (programs && programs->completed(engine, n, r))
        return;
      auto i = calls.find({engine, n});
      if (i != calls.end())
        judge(i->second, r);
    });
  }

  // Calls still in flight complete (aborted) while the world shuts its actors down, after the
  // tables below are gone: stop listening first. Programs still running stop before the world
  // goes (programs is declared after w).
  ~impl() {
    w.on_complete({});
    programs.reset();
  }

  const scenario& s;
  run_options opts;
  std::uint64_t seed;
  world w;
  world_programs host{w};
  std::unique_ptr<program_runner> programs;  ///< The scenario's clients, if it has any.
  std::set<std::size_t> played;
  std::map<std::pair<std::string, std::uint64_t>, std::size_t> calls;  // (engine, call) → step
  std::set<std::size_t> completed;  // Steps whose call completed.
  std::map<std::string, binding> handles, pids;
  std::map<std::pair<std::string, std::string>, link_params> links;     // Direction → parameters.
  std::vector<step_failure> failures;
  bool finished = false;

  void fail(std::size_t i, std::string expected, std::string got) {
    step_failure f;
    f.step = i;
    f.action = std::string(action_name(s.steps[i].what));
    f.pos = s.steps[i].pos;
    f.t = w.now();
    f.expected = std::move(expected);
    f.got = std::move(got);
    failures.push_back(std::move(f));
  }

  // -- names -----------------------------------------------------------------------------

  static std::variant<std::uint64_t, unbound> lookup(const std::map<std::string, binding>& table,
                                                     const std::string& name, const char* what) {
    auto i = table.find(name);
    if (i == table.end())
      return unbound{name, name + " is not bound: no step has bound it yet"};
    const auto& b = i->second;
    if (b.bound)
      return b.value;
    if (!b.done)
      return unbound{name, name + " is not bound: its " + b.api + " (step " +
                               std::to_string(b.step + 1) + ") has not completed"};
    auto why = name + " is not bound: its " + b.api + " gave " + protocol::to_string(*b.hr);
    if (succeeded(*b.hr))
      why += std::string(" with no ") + what;
    return unbound{name, why};
  }

  std::variant<std::uint64_t, unbound> resolve(const handle_ref& h) const {
    if (h.name.empty())
      return h.value;
    return lookup(handles, h.name, "handle");
  }

  std::variant<std::uint64_t, unbound> resolve(const pid_ref& p) const {
    if (p.name.empty())
      return std::uint64_t{p.value};
    return lookup(pids, p.name, "pid");
  }

  void bind_pending(std::map<std::string, binding>& table, const std::string& name, std::size_t i,
                    std::string_view api) {
    if (name.empty())
      return;
    binding b;
    b.step = i;
    b.api = std::string(api);
    table[name] = b;
  }

  void bind_result(std::map<std::string, binding>& table, const std::string& name, std::size_t i,
                   protocol::hresult hr, std::uint64_t value, bool ok) {
    if (name.empty())
      return;
    auto it = table.find(name);
    if (it == table.end() || it->second.step != i)
      return;  // A later step has taken the name since.
    it->second.done = true;
    it->second.hr = hr;
    it->second.bound = ok;
    it->second.value = value;
  }

  // -- calls -------------------------------------------------------------------------------

  void issue(std::size_t i, const std::string& engine, api::call c) {
    const auto n = w.call(engine, std::move(c));
    calls[{engine, n}] = i;
    // A call answered at once completed inside world::call, before its number was known here.
    if (auto r = w.result_of(engine, n); r && completed.count(i) == 0)
      judge(i, *r);
  }

  // The call of step i completed with r.
  void judge(std::size_t i, const api::result& r) {
    if (!completed.insert(i).second)
      return;
    const auto& st = s.steps[i];
    if (st.expect && r.hr != *st.expect)
      fail(i, protocol::to_string(*st.expect), protocol::to_string(r.hr));
    std::visit(overloaded{
                   [&](const action::connect& a) {
                     bind_result(handles, a.as, i, r.hr, r.handle, r.hr == protocol::S_OK);
                   },
                   [&](const action::find_process& a) {
                     bind_result(pids, a.as, i, r.hr, r.pid, succeeded(r.hr) && r.pid != 0);
                   },
                   [&](const action::create_process& a) {
                     bind_result(pids, a.as, i, r.hr, r.pid, succeeded(r.hr) && r.pid != 0);
                   },
                   [&](const action::list_processes& a) {
                     if (a.pids && pid_list(r.pids) != pid_list(*a.pids))
                       fail(i, "pids: " + pid_list(*a.pids),
                            "pids: " + pid_list(r.pids) + " (" + protocol::to_string(r.hr) + ")");
                   },
                   [](const auto&) {},
               },
               st.what);
  }

  // -- faults ------------------------------------------------------------------------------

  void both_ways(const link_ends& e, void (world::*f)(const std::string&, const std::string&)) {
    (w.*f)(e.from, e.to);
    if (e.both)
      (w.*f)(e.to, e.from);
  }

  void set_link(const action::set_link& a) {
    auto one = [&](const std::string& from, const std::string& to) {
      auto& p = links[{w.machine_of(from), w.machine_of(to)}];
      if (a.latency)
        p.latency = *a.latency;
      if (a.jitter)
        p.jitter = *a.jitter;
      if (a.loss)
        p.loss = *a.loss;
      if (a.duplicate)
        p.duplicate = *a.duplicate;
      w.set_link(from, to, p);
    };
    one(a.ends.from, a.ends.to);
    if (a.ends.both)
      one(a.ends.to, a.ends.from);
  }

  // -- checks ------------------------------------------------------------------------------

  template <class T>
  void expect_eq(std::size_t i, const char* what, const std::optional<T>& want, const T& got) {
    if (!want || *want == got)
      return;
    auto text = [&](const T& v) {
      if constexpr (std::is_same_v<T, bool>)
        return std::string(what) + ": " + (v ? "true" : "false");
      else
        return std::string(what) + ": " + std::to_string(v);
    };
    fail(i, text(*want), text(got));
  }

  void check(std::size_t i, const action::check& c) {
    if (!c.server.empty()) {
      server_view v;
      std::string state = "not started";  // Its start time has not come yet.
      bool running = false;
      try {
        v = w.inspect_server(c.server);
        state = std::string(name_of(v.state));
        running = v.state == server_state::listening || v.state == server_state::shutting_down;
      } catch (const std::invalid_argument&) {
      }
      std::size_t attached = 0;
      for (const auto& ss : v.sessions)
        attached += ss.attached.size();
      expect_eq(i, "sessions", c.sessions, v.sessions.size());
      expect_eq(i, "attached", c.attached, attached);
      if (c.running && *c.running != running)
        fail(i, std::string("running: ") + (*c.running ? "true" : "false"),
             std::string("running: ") + (running ? "true" : "false") + " (" + state + ")");
    }
    if (!c.engine.empty()) {
      const auto v = w.inspect_engine(c.engine);
      if (c.live) {
        if (!c.handle) {
          fail(i, "a handle to judge `live` on", "no handle given");
        } else {
          auto h = resolve(*c.handle);
          if (auto* u = std::get_if<unbound>(&h)) {
            fail(i, c.handle->name + " bound", u->why);
          } else {
            const auto value = std::get<std::uint64_t>(h);
            const auto& lh = v.live_handles;
            const bool live = std::binary_search(lh.begin(), lh.end(), value);
            const auto label = c.handle->name.empty() ? hex(value) : c.handle->name;
            if (live != *c.live)
              fail(i, label + " live: " + (*c.live ? "true" : "false"),
                   label + " live: " + (live ? "true" : "false"));
          }
        }
      }
      std::size_t targets = v.local_targets.size();
      for (const auto& hs : v.sessions)
        targets += hs.targets.size();
      expect_eq(i, "handles", c.handles, v.live_handles.size());
      expect_eq(i, "targets", c.targets, targets);
    }
    if (!c.machine.empty() && c.pids) {
      std::vector<std::uint32_t> running;
      for (const auto& p : w.processes_on(c.machine))
        running.push_back(p.pid);
      if (pid_list(running) != pid_list(*c.pids))
        fail(i, "pids: " + pid_list(*c.pids), "pids: " + pid_list(running));
    }
  }

  // -- steps -------------------------------------------------------------------------------

  // Resolves a handle for step i; on failure records it and returns nothing (the step is skipped).
  std::optional<std::uint64_t> need(std::size_t i, const handle_ref& h) {
    auto r = resolve(h);
    if (auto* u = std::get_if<unbound>(&r)) {
      fail(i, u->name + " bound", u->why);
      return std::nullopt;
    }
    return std::get<std::uint64_t>(r);
  }

  std::optional<std::uint32_t> need(std::size_t i, const pid_ref& p) {
    auto r = resolve(p);
    if (auto* u = std::get_if<unbound>(&r)) {
      fail(i, u->name + " bound", u->why);
      return std::nullopt;
    }
    return static_cast<std::uint32_t>(std::get<std::uint64_t>(r));
  }

  void issue_step(std::size_t i) {
    const auto& st = s.steps[i];
    std::visit(
        overloaded{
            [&](const action::connect& a) {
              bind_pending(handles, a.as, i, "connect");
              issue(i, a.engine, api::connect{a.options});
            },
            [&](const action::disconnect& a) {
              if (auto h = need(i, a.handle))
                issue(i, a.engine, api::disconnect{*h});
            },
            [&](const action::end_server& a) {
              if (auto h = need(i, a.handle))
                issue(i, a.engine, api::end_server{*h});
            },
            [&](const action::list_processes& a) {
              if (auto h = need(i, a.handle))
                issue(i, a.engine, api::list_processes{*h, a.max});
            },
            [&](const action::find_process& a) {
              if (auto h = need(i, a.handle)) {
                bind_pending(pids, a.as, i, "find_process");
                issue(i, a.engine, api::find_process{*h, a.exe, a.only_match});
              }
            },
            [&](const action::describe_process& a) {
              auto h = need(i, a.handle);
              auto p = h ? need(i, a.pid) : std::nullopt;
              if (h && p)
                issue(i, a.engine, api::describe_process{*h, *p});
            },
            [&](const action::attach& a) {
              auto h = need(i, a.handle);
              auto p = h ? need(i, a.pid) : std::nullopt;
              if (h && p)
                issue(i, a.engine, api::attach{*h, *p});
            },
            [&](const action::create_process& a) {
              if (auto h = need(i, a.handle)) {
                bind_pending(pids, a.as, i, "create_process");
                issue(i, a.engine, api::create_process{*h, a.command_line});
              }
            },
            [&](const action::detach& a) {
              if (auto p = need(i, a.pid))
                issue(i, a.engine, api::detach{*p});
            },
            [&](const action::terminate& a) {
              if (auto p = need(i, a.pid))
                issue(i, a.engine, api::terminate{*p});
            },
            [&](const action::detach_all& a) { issue(i, a.engine, api::detach_all{}); },
            [&](const action::terminate_all& a) { issue(i, a.engine, api::terminate_all{}); },
            [&](const action::end_session& a) { issue(i, a.engine, api::end_session{a.mode}); },
            [&](const action::process_options& a) {
              issue(i, a.engine, api::process_options{a.detach_on_exit});
            },
            [&](const action::start_server& a) {
              issue(i, a.engine, api::start_server{a.options});
            },
            [&](const action::wait_server_end& a) {
              using std::chrono::milliseconds;
              const auto ms = std::chrono::duration_cast<milliseconds>(a.timeout).count();
              const std::int64_t most = std::numeric_limits<std::uint32_t>::max();
              const auto bounded =
                  static_cast<std::uint32_t>(std::clamp<std::int64_t>(ms, 0, most));
              issue(i, a.engine, api::wait_server_end{bounded});
            },
            [&](const action::partition& a) { both_ways(a.ends, &world::partition); },
            [&](const action::heal& a) { both_ways(a.ends, &world::heal); },
            [&](const action::reset& a) { w.reset(a.a, a.b); },
            [&](const action::half_open& a) { w.half_open(a.a, a.b, a.server_gone); },
            [&](const action::set_link& a) { set_link(a); },
            [&](const action::crash_server& a) { w.crash_server(a.server, a.how); },
            [&](const action::restart_server& a) { w.restart_server(a.server); },
            [&](const action::crash_engine& a) { w.crash_engine(a.engine, a.how); },
            [&](const action::exit_process& a) {
              if (auto p = need(i, a.pid))
                w.exit_process(a.machine, *p);
            },
            [&](const action::check& a) { check(i, a); },
        },
        st.what);
  }

  void play(std::size_t i) {
    if (i >= s.steps.size())
      throw std::out_of_range("step " + std::to_string(i) + " does not exist");
    if (!played.insert(i).second)
      return;
    const auto at = s.steps[i].at;
    if (at > w.now())
      w.run_until(at);
    try {
      issue_step(i);
    } catch (const std::exception& e) {
      // A scenario built in code may name what does not exist; the loader rules that out for
      // files. Either way this is the step's failure, not the run's end.
      fail(i, std::string(action_name(s.steps[i].what)), std::string("error: ") + e.what());
    }
  }

  // Steps not yet played, stably sorted by `at`.
  std::vector<std::size_t> remaining() const {
    std::vector<std::size_t> order;
    for (std::size_t i = 0; i < s.steps.size(); ++i)
      if (played.count(i) == 0)
        order.push_back(i);
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return s.steps[a].at < s.steps[b].at; });
    return order;
  }

  void finish() {
    if (finished)
      return;
    for (auto i : remaining())
      play(i);
    // Every call completes within its bound (S15); the longest is a connect, or a wait.
    const auto& t = s.topo.times;
    sim_time bound = t.connect_timeout + t.rpc_timeout;
    for (const auto& st : s.steps)
      if (const auto* a = std::get_if<action::wait_server_end>(&st.what))
        bound = std::max(bound, a->timeout + t.rpc_timeout);
    // Programs run until they return or their timeout; the network settles only after that.
    auto limit = w.now() + bound;
    if (programs)
      limit = std::max(limit, programs->deadline() + bound);
    w.run_until_quiet(limit);
    if (opts.settle)
      w.settle();
    finished = true;
    // A call that never completed cannot have met its `expect`.
    for (const auto& [key, i] : calls)
      if (completed.count(i) == 0 && s.steps[i].expect)
        fail(i, protocol::to_string(*s.steps[i].expect), "no result: the call never completed");
  }
};

std::unique_ptr<program_runner> run_programs(program_host& host, const scenario& s,
                                             std::uint64_t seed) {
  std::vector<program_launch> launches;
  for (const auto& c : s.clients)
    launches.push_back({c.name, c.engine, c.program, c.args, c.start, c.timeout});
  std::map<std::string, bool> detach_on_exit;
  for (const auto& e : s.topo.engines)
    detach_on_exit[e.name] = e.detach_on_exit;
  return std::make_unique<program_runner>(host, std::move(launches), detach_on_exit, seed);
}

std::vector<client_failure> judge_clients(const scenario& s, const std::vector<finding>& findings) {
  std::vector<client_failure> out;
  for (const auto& c : s.clients)
    if (auto got = findings_about(findings, c.name); got != c.expect_findings)
      out.push_back({c.name, c.pos, c.expect_findings, std::move(got)});
  return out;
}

std::vector<finding_kind> findings_about(const std::vector<finding>& findings,
                                         const std::string& client) {
  std::set<finding_kind> kinds;
  for (const auto& f : findings)
    if (f.program == client)
      kinds.insert(f.kind);
  return {kinds.begin(), kinds.end()};
}

player::player(const scenario& s, const run_options& options)
    : impl_(std::make_unique<impl>(s, options)) {}

player::~player() = default;

void player::play(std::size_t i) { impl_->play(i); }

void player::finish() { impl_->finish(); }

world& player::w() { return impl_->w; }

run_report player::report() const {
  run_report r;
  r.seed = impl_->seed;
  r.failures = impl_->failures;
  r.violations = impl_->w.violations();
  r.findings = impl_->w.findings();
  r.client_failures = judge_clients(impl_->s, r.findings);
  r.end = impl_->w.now();
  if (impl_->opts.keep_trace)
    r.events = impl_->w.events();
  return r;
}

std::uint64_t default_budget(const scenario& s) {
  return default_base_steps + default_steps_per_step * static_cast<std::uint64_t>(s.steps.size());
}

run_report run_scenario(const scenario& s, const run_options& options) {
  player p(s, options);
  p.finish();
  return p.report();
}

std::string run_report::signature() const {
  if (!violations.empty())
    return violations.front().rule;
  for (const auto& c : client_failures) {
    // The first finding that was not declared, else the first declared one that did not come.
    for (auto k : c.got)
      if (std::find(c.expected.begin(), c.expected.end(), k) == c.expected.end())
        return std::string(rule_of(k)) + " " + std::string(name_of(k));
    for (auto k : c.expected)
      if (std::find(c.got.begin(), c.got.end(), k) == c.got.end())
        return "missing " + std::string(rule_of(k)) + " " + std::string(name_of(k));
  }
  if (!failures.empty())
    return "step " + std::to_string(failures.front().step + 1) + ": " + failures.front().action;
  return {};
}

}  // namespace dbgsim
