#include "live/compare.hpp"

#include "scenario/client_world.hpp"

#include "vocabulary/overloaded.hpp"
#include "world/world.hpp"

#include <algorithm>
#include <numeric>
#include <set>
#include <variant>

namespace dbgsim::live {
namespace {

std::string hr_text(const step_outcome& o) {
  if (!o.played)
    return "not issued";
  if (!o.hr)
    return "no result";
  return protocol::to_string(*o.hr);
}

std::string failures_text(const step_outcome& o) {
  if (!o.played)
    return "not issued";
  if (o.failures.empty())
    return "as expected";
  std::string out;
  for (const auto& f : o.failures)
    out += (out.empty() ? "" : "; ") + f;
  return out;
}

// Which final-state quantities the scenario's `check` steps assert, as "server NAME sessions".
std::set<std::string> checked_quantities(const scenario& s) {
  std::set<std::string> out;
  for (const auto& st : s.steps) {
    const auto* c = std::get_if<action::check>(&st.what);
    if (c == nullptr)
      continue;
    if (!c->server.empty()) {
      if (c->sessions)
        out.insert("server " + c->server + " sessions");
      if (c->attached)
        out.insert("server " + c->server + " attached");
      if (c->running)
        out.insert("server " + c->server + " running");
    }
    if (!c->engine.empty()) {
      if (c->handles || c->live)
        out.insert("engine " + c->engine + " handles");
      if (c->targets)
        out.insert("engine " + c->engine + " targets");
    }
  }
  return out;
}

template <class T>
std::string value_text(const T& v) {
  if constexpr (std::is_same_v<T, bool>)
    return v ? "true" : "false";
  else
    return std::to_string(v);
}

}  // namespace

std::string engine_of(const step& st) {
  return std::visit(
      [](const auto& a) -> std::string {
        if constexpr (requires { a.engine; })
          return a.engine;
        else
          return {};
      },
      st.what);
}

std::string duration_text(sim_time t) {
  const auto us = t.count();
  if (us % 1'000'000 == 0)
    return std::to_string(us / 1'000'000) + "s";
  if (us % 1'000 == 0)
    return std::to_string(us / 1'000) + "ms";
  return std::to_string(us) + "us";
}

std::vector<difference> compare(const scenario& s, const run_outcome& live,
                                const run_outcome& simulated) {
  std::vector<difference> out;
  const step_outcome none;
  for (std::size_t i = 0; i < s.steps.size(); ++i) {
    const auto& st = s.steps[i];
    const auto& l = i < live.steps.size() ? live.steps[i] : none;
    const auto& m = i < simulated.steps.size() ? simulated.steps[i] : none;
    const auto kind = kind_of(st.what);
    std::string subject = engine_of(st);
    subject += (subject.empty() ? "" : " ") + std::string(action_name(st.what));
    if (is_call(kind)) {
      if (l.played != m.played || l.hr != m.hr) {
        difference d{i, subject, hr_text(l), hr_text(m), !st.expect, {}};
        d.why = st.expect ? "the step expects " + protocol::to_string(*st.expect)
                          : "the step has no expect";
        out.push_back(std::move(d));
        continue;
      }
    }
    // A check, a list's `pids:`, a name that did not resolve: the step's own judgement.
    if (l.played != m.played || l.failures != m.failures) {
      difference d{i, subject, failures_text(l), failures_text(m), false,
                   "the step asserts its outcome"};
      out.push_back(std::move(d));
    }
  }
  const auto checked = checked_quantities(s);
  auto final_diff = [&](const std::string& subject, const std::string& l, const std::string& m) {
    if (l == m)
      return;
    const bool asserted = checked.count(subject) != 0;
    out.push_back({std::nullopt, subject, l, m, !asserted,
                   asserted ? "a check step asserts it" : "no check step asserts it"});
  };
  std::set<std::string> servers, engines;
  for (const auto& [n, _] : live.servers)
    servers.insert(n);
  for (const auto& [n, _] : simulated.servers)
    servers.insert(n);
  for (const auto& [n, _] : live.engines)
    engines.insert(n);
  for (const auto& [n, _] : simulated.engines)
    engines.insert(n);
  auto get = [](const auto& table, const std::string& n) {
    auto i = table.find(n);
    return i == table.end() ? std::optional<typename std::decay_t<decltype(table)>::mapped_type>{}
                            : std::optional(i->second);
  };
  for (const auto& n : servers) {
    const auto l = get(live.servers, n), m = get(simulated.servers, n);
    auto text = [](const auto& v, auto member) {
      return v ? value_text((*v).*member) : std::string("absent");
    };
    final_diff("server " + n + " sessions", text(l, &server_summary::sessions),
               text(m, &server_summary::sessions));
    final_diff("server " + n + " attached", text(l, &server_summary::attached),
               text(m, &server_summary::attached));
    final_diff("server " + n + " running", text(l, &server_summary::running),
               text(m, &server_summary::running));
  }
  for (const auto& c : s.clients) {
    const auto l = get(live.clients, c.name), m = get(simulated.clients, c.name);
    auto text = [](const auto& v) {
      return v ? findings_text((*v).findings) : std::string("absent");
    };
    if (text(l) != text(m))
      out.push_back({std::nullopt, "client " + c.name + " findings", text(l), text(m), false,
                     "the client's expect: findings asserts them"});
  }
  for (const auto& n : engines) {
    const auto l = get(live.engines, n), m = get(simulated.engines, n);
    auto text = [](const auto& v, auto member) {
      return v ? value_text((*v).*member) : std::string("absent");
    };
    final_diff("engine " + n + " handles", text(l, &engine_summary::handles),
               text(m, &engine_summary::handles));
    final_diff("engine " + n + " targets", text(l, &engine_summary::targets),
               text(m, &engine_summary::targets));
  }
  return out;
}

std::string describe(const scenario& s, const difference& d) {
  std::string out;
  if (d.step)
    out = "step " + std::to_string(*d.step + 1) + " (t=" + duration_text(s.steps[*d.step].at) +
          ") " + d.subject;
  else
    out = "final " + d.subject;
  out += ": live " + d.live + ", simulated " + d.simulated;
  out += d.allowed ? " (allowed: " : " (not allowed: ";
  return out + d.why + ")";
}

std::map<std::string, client_summary> client_outcomes(const scenario& s,
                                                      const std::vector<finding>& findings) {
  std::map<std::string, client_summary> out;
  for (const auto& c : s.clients)
    out[c.name].findings = findings_about(findings, c.name);
  return out;
}

run_outcome simulate(const scenario& s, const run_options& options, run_report* report) {
  run_options o = options;
  o.keep_trace = true;
  player p(s, o);
  std::vector<std::size_t> order(s.steps.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return s.steps[a].at < s.steps[b].at; });
  // Which call number each call step got: the world numbers an engine's calls 1, 2, ... in the
  // order issued, and records a `call` event for each as it issues it.
  std::map<std::pair<std::string, std::uint64_t>, std::size_t> call_step;
  run_outcome out;
  out.steps.resize(s.steps.size());
  for (auto i : order) {
    const auto before = p.w().event_count();
    p.play(i);
    // A call step whose names did not resolve issued nothing.
    out.steps[i].played = !is_call(kind_of(s.steps[i].what));
    const auto& events = p.w().events();
    for (std::size_t k = before; k < events.size(); ++k)
      if (events[k].kind == event_kind::call && events[k].program.empty()) {
        call_step[{events[k].actor, events[k].call}] = i;
        out.steps[i].played = true;
      }
  }
  p.finish();
  for (const auto& e : p.w().events())
    if (e.kind == event_kind::done && e.program.empty()) {
      auto it = call_step.find({e.actor, e.call});
      if (it != call_step.end())
        out.steps[it->second].hr = e.hr;
    }
  auto r = p.report();
  for (const auto& f : r.failures)
    out.steps[f.step].failures.push_back("expected " + f.expected + ", got " + f.got);
  for (const auto& sv : s.topo.servers) {
    server_summary sum;
    try {
      const auto v = p.w().inspect_server(sv.name);
      sum.sessions = v.sessions.size();
      for (const auto& ss : v.sessions)
        sum.attached += ss.attached.size();
      sum.running = v.state == server_state::listening || v.state == server_state::shutting_down;
    } catch (const std::invalid_argument&) {
    }
    out.servers[sv.name] = sum;
  }
  for (const auto& en : s.topo.engines) {
    const auto v = p.w().inspect_engine(en.name);
    engine_summary sum;
    sum.handles = v.live_handles.size();
    sum.targets = v.local_targets.size();
    for (const auto& hs : v.sessions)
      sum.targets += hs.targets.size();
    out.engines[en.name] = sum;
  }
  out.clients = client_outcomes(s, r.findings);
  if (report != nullptr)
    *report = std::move(r);
  return out;
}

}  // namespace dbgsim::live
