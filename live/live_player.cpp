#include "live/live_player.hpp"

#include "client_runtime/program_runner.hpp"
#include "findings/checker.hpp"
#include "live/engine_host.hpp"
#include "live/live_programs.hpp"
#include "live/proxy.hpp"
#include "live/runtime.hpp"
#include "live/server_host.hpp"
#include "protocol/transport.hpp"
#include "vocabulary/overloaded.hpp"

#include <algorithm>
#include <limits>
#include <map>
#include <memory>
#include <numeric>
#include <set>
#include <sstream>
#include <variant>

namespace dbgsim::live {
namespace {

using tcp = asio::ip::tcp;

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

// As the simulated player binds `as` names (scenario/player.cpp), so that a name's failure reads
// the same in both runs.
struct binding {
  std::size_t step = 0;
  std::string api;
  bool done = false;
  std::optional<protocol::hresult> hr;
  std::uint64_t value = 0;
  bool bound = false;
};

struct unbound {
  std::string name;
  std::string why;
};

}  // namespace

bool live_report::passed() const {
  if (timed_out || !violations.empty() || !client_failures.empty())
    return false;
  for (const auto& st : outcome.steps)
    if (!st.failures.empty())
      return false;
  return true;
}

std::string live_unsupported(const scenario& s) {
  for (const auto& sv : s.topo.servers) {
    auto o = protocol::parse_server_options(sv.listen);
    const auto* t = std::get_if<protocol::transport_options>(&o);
    if (t == nullptr || t->kind != protocol::transport_kind::tcp || t->clicon)
      return "server " + sv.name + " listens on '" + sv.listen + "': live mode carries tcp only";
  }
  for (const auto& st : s.steps) {
    const auto k = kind_of(st.what);
    if (k == action_kind::start_server || k == action_kind::wait_server_end)
      return "step at line " + std::to_string(st.pos.line) + " uses " +
             std::string(action_name(st.what)) +
             ": a server started by an engine would be a process of its own";
  }
  return {};
}

namespace {

struct live_server {
  const server_spec* spec = nullptr;
  server_config config;
  std::unique_ptr<server_host> host;
  std::uint32_t incarnation = 0;
};

class live_run {
public:
  live_run(const scenario& sc, const live_options& o)
      : s(sc), opts(o), rt(o.time_scale), begun(std::chrono::steady_clock::now()),
        refuse_all(rt.context()) {
    // Opened and bound, never listening: a connect to it is refused. (The acceptor constructor
    // that takes an endpoint also listens, and then the kernel completes the handshake of every
    // connect into a backlog nobody accepts from: silence, not a refusal.)
    refuse_all.open(tcp::v4());
    refuse_all.bind(tcp::endpoint(asio::ip::address_v4::loopback(), 0));
    rt.keep_events(true);
    out.steps.resize(s.steps.size());
    auto pids = std::make_shared<std::uint32_t>(1000);
    for (const auto& m : s.topo.machines) {
      auto& mm = machine_named(m.name, pids);
      for (const auto& p : m.processes)
        mm.add(p);
    }
    for (const auto& e : s.topo.engines)
      machine_named(machine_of(e), pids);
    for (const auto& sv : s.topo.servers) {
      machine_named(machine_of(sv), pids);
      auto& ls = servers[sv.name];
      ls.spec = &sv;
      ls.config.name = sv.name;
      ls.config.machine = machine_of(sv);
      ls.config.listen = std::get<protocol::transport_options>(protocol::parse_server_options(sv.listen));
      ls.config.times = s.topo.times;
    }
    for (const auto& e : s.topo.engines) {
      for (const auto& sv : s.topo.servers) {
        auto [to_server, to_engine] = params_between(machine_of(e), machine_of(sv));
        auto p = std::make_unique<proxy>(rt.context(), closed_endpoint(), s.seed + proxies.size(),
                                         o.time_scale, to_server, to_engine);
        const std::string engine = e.name;
        p->on_refused([this, engine](std::uint16_t port) { engines.at(engine)->refused(port); });
        p->on_connected([this](std::uint16_t engine_port, std::uint16_t onward_port) {
          onward[onward_port] = engine_port;
        });
        proxies[{machine_of(e), sv.name}] = std::move(p);
      }
      engine_config c;
      c.name = e.name;
      c.machine = machine_of(e);
      c.times = s.topo.times;
      c.mode = e.mode;
      c.detach_on_exit = e.detach_on_exit;
      c.protocol_version = e.protocol_version;
      engine_host_options ho;
      const std::string em = machine_of(e);
      ho.where = [this, em](const route& r) -> std::optional<tcp::endpoint> {
        for (const auto& [name, ls] : servers)
          if (ls.config.machine == r.server_machine &&
              protocol::endpoint_of(ls.config.listen) == r.endpoint)
            return tcp::endpoint(asio::ip::address_v4::loopback(),
                                 proxies.at({em, name})->port());
        return std::nullopt;
      };
      ho.machine_named_by = [this](const std::string& n) { return machine_named_in(s.topo, n); };
      ho.on_connected = [this](const route& r, std::uint16_t port) { engine_ports[port] = r; };
      engines[e.name] = std::make_unique<engine_host>(rt, c, machines.at(machine_of(e)), ho);
    }
  }

  live_report run() {
    order.resize(s.steps.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return s.steps[a].at < s.steps[b].at; });
    for (const auto& sv : s.topo.servers)
      starts.push_back(sv.name);
    std::stable_sort(starts.begin(), starts.end(), [&](const auto& a, const auto& b) {
      return servers.at(a).spec->start < servers.at(b).spec->start;
    });
    start_programs();
    tick();
    const auto& t = s.topo.times;
    sim_time bound = t.connect_timeout + t.rpc_timeout;
    for (const auto& st : s.steps)
      if (const auto* a = std::get_if<action::wait_server_end>(&st.what))
        bound = std::max(bound, a->timeout + t.rpc_timeout);
    // As a world: programs run until they return or their timeout, and only then does the
    // network settle.
    sim_time limit = (s.steps.empty() ? sim_time(0) : s.steps[order.back()].at) + bound;
    if (programs)
      limit = std::max(limit, programs->deadline() + bound);
    const auto quiet = [&] { return issued_all && in_flight == 0 && !(programs && programs->running()); };
    if (!wait(quiet, limit - rt.now()))
      return finish(false);
    // Settling, as world::settle: every link healed, then time past every bound.
    for (auto& [key, p] : proxies) {
      p->heal(direction::to_server);
      p->heal(direction::to_engine);
    }
    fault(fault_kind::heal, "*", "*");
    const auto span = t.connect_timeout + t.lease + t.keepalive + t.rpc_timeout + t.shutdown_grace;
    wait([&] { return in_flight == 0; }, span);
    if (!wait([] { return false; }, span) && past_deadline())
      return finish(false);
    return finish(true);
  }

private:
  const scenario& s;
  live_options opts;
  runtime rt;
  std::chrono::steady_clock::time_point begun;
  tcp::socket refuse_all;  // Bound, never listening: a connection to it is refused.
  std::map<std::string, machine> machines;
  std::map<std::string, live_server> servers;
  std::vector<std::unique_ptr<server_host>> gone;  // Crashed or replaced incarnations.
  std::map<std::pair<std::string, std::string>, std::unique_ptr<proxy>> proxies;  // (engine machine, server)
  std::map<std::string, std::unique_ptr<engine_host>> engines;
  // The scenario's client programs; declared after the engines they call, so that they stop
  // (and their threads are joined) before the engines go.
  std::unique_ptr<live_programs> program_world;
  std::unique_ptr<program_runner> programs;
  std::map<std::uint16_t, std::uint16_t> onward;   // Proxy's port towards a server → engine's port.
  std::map<std::uint16_t, route> engine_ports;     // Engine's port → its route.
  std::map<std::string, binding> handles, pids;
  std::vector<std::size_t> order;
  std::vector<std::string> starts;  // Servers by start time.
  std::size_t next_step = 0, next_start = 0;
  std::set<std::size_t> completed, calls_issued;
  std::size_t in_flight = 0;
  bool issued_all = false;
  run_outcome out;

  machine& machine_named(const std::string& name, std::shared_ptr<std::uint32_t> pids) {
    auto i = machines.find(name);
    if (i == machines.end())
      i = machines.emplace(name, machine(name, std::move(pids))).first;
    return i->second;
  }

  tcp::endpoint closed_endpoint() { return refuse_all.local_endpoint(); }

  std::pair<link_params, link_params> params_between(const std::string& engine_m,
                                                     const std::string& server_m) const {
    for (const auto& l : s.topo.links) {
      const auto a = machine_named_in(s.topo, l.a), b = machine_named_in(s.topo, l.b);
      if (a == engine_m && b == server_m)
        return {l.a_to_b, l.b_to_a};
      if (b == engine_m && a == server_m)
        return {l.b_to_a, l.a_to_b};
    }
    return {};
  }

  bool past_deadline() const { return std::chrono::steady_clock::now() - begun > opts.deadline; }

  // Runs the runtime until `done` or `span` (simulated) has passed, within the run's deadline.
  bool wait(const std::function<bool()>& done, sim_time span) {
    const auto left = opts.deadline - (std::chrono::steady_clock::now() - begun);
    const auto limit = std::min<real_duration>(rt.real(std::max(span, sim_time(0))),
                                               std::chrono::duration_cast<real_duration>(left));
    return rt.run_until([&] { return done() || past_deadline(); }, limit) && !past_deadline();
  }

  void fault(fault_kind what, std::string a, std::string b, std::string detail = {}) {
    rt.record(fault_event(what, std::move(a), std::move(b), std::move(detail)));
  }

  // -- client programs ---------------------------------------------------------------------

  void start_programs() {
    if (s.clients.empty())
      return;
    program_world = std::make_unique<live_programs>(
        rt, [this](const std::string& name) -> engine_host& { return *engines.at(name); });
    programs = run_programs(*program_world, s, s.seed);
    program_world->deliver_to(*programs);
  }

  // -- time --------------------------------------------------------------------------------

  void start_server(live_server& ls) {
    server_host_options so;
    so.port = 0;
    so.incarnation = ++ls.incarnation;
    so.limits = connection_limits{};  // A scenario's engines keep their own time.
    if (ls.host)
      gone.push_back(std::move(ls.host));
    ls.host = std::make_unique<server_host>(rt, ls.config, machines.at(ls.config.machine), so);
    const tcp::endpoint at(asio::ip::address_v4::loopback(), ls.host->port());
    for (auto& [key, p] : proxies)
      if (key.second == ls.config.name)
        p->retarget(at);
  }

  void tick() {
    for (;;) {
      const sim_time now = rt.now();
      const sim_time step_at =
          next_step < order.size() ? s.steps[order[next_step]].at : sim_time::max();
      const sim_time start_at = next_start < starts.size()
                                    ? servers.at(starts[next_start]).spec->start
                                    : sim_time::max();
      const sim_time due = std::min(step_at, start_at);
      if (due == sim_time::max()) {
        issued_all = true;
        return;
      }
      if (due > now) {
        rt.start_timer(due - now, [this] { tick(); });
        return;
      }
      // Servers start before steps due at the same time, as in a world.
      if (start_at <= step_at)
        start_server(servers.at(starts[next_start++]));
      else
        play(order[next_step++]);
    }
  }

  // -- names -------------------------------------------------------------------------------

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
    if (b.hr->succeeded())
      why += std::string(" with no ") + what;
    return unbound{name, why};
  }

  std::variant<std::uint64_t, unbound> resolve(const handle_ref& h) const {
    return h.name.empty() ? std::variant<std::uint64_t, unbound>(h.value)
                          : lookup(handles, h.name, "handle");
  }
  std::variant<std::uint64_t, unbound> resolve(const pid_ref& p) const {
    return p.name.empty() ? std::variant<std::uint64_t, unbound>(std::uint64_t{p.value})
                          : lookup(pids, p.name, "pid");
  }

  void bind_pending(std::map<std::string, binding>& table, const std::string& name, std::size_t i,
                    std::string api) {
    if (name.empty())
      return;
    binding b;
    b.step = i;
    b.api = std::move(api);
    table[name] = b;
  }

  void bind_result(std::map<std::string, binding>& table, const std::string& name, std::size_t i,
                   protocol::hresult hr, std::uint64_t value, bool ok) {
    auto it = table.find(name);
    if (name.empty() || it == table.end() || it->second.step != i)
      return;
    it->second.done = true;
    it->second.hr = hr;
    it->second.bound = ok;
    it->second.value = value;
  }

  template <class Ref>
  std::optional<std::uint64_t> need(std::size_t i, const Ref& r) {
    auto v = resolve(r);
    if (auto* u = std::get_if<unbound>(&v)) {
      fail(i, u->name + " bound", u->why);
      return std::nullopt;
    }
    return std::get<std::uint64_t>(v);
  }

  void fail(std::size_t i, const std::string& expected, const std::string& got) {
    out.steps[i].failures.push_back("expected " + expected + ", got " + got);
  }

  // -- calls -------------------------------------------------------------------------------

  void issue(std::size_t i, const std::string& engine, api::call c) {
    calls_issued.insert(i);
    ++in_flight;
    engines.at(engine)->call(std::move(c), [this, i](const api::result& r) {
      --in_flight;
      judge(i, r);
    });
  }

  void judge(std::size_t i, const api::result& r) {
    if (!completed.insert(i).second)
      return;
    const auto& st = s.steps[i];
    out.steps[i].hr = r.hr;
    if (st.expect && r.hr != *st.expect)
      fail(i, protocol::to_string(*st.expect), protocol::to_string(r.hr));
    std::visit(overloaded{
                   [&](const action::connect& a) {
                     bind_result(handles, a.as, i, r.hr, r.handle, r.hr == protocol::S_OK);
                   },
                   [&](const action::find_process& a) {
                     bind_result(pids, a.as, i, r.hr, r.pid, r.hr.succeeded() && r.pid != 0);
                   },
                   [&](const action::create_process& a) {
                     bind_result(pids, a.as, i, r.hr, r.pid, r.hr.succeeded() && r.pid != 0);
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

  // Every proxy on the link between machines a and b, with the direction a → b as it sees it.
  template <class F>
  void on_link(const std::string& a, const std::string& b, F f) {
    const auto ma = machine_named_in(s.topo, a), mb = machine_named_in(s.topo, b);
    for (auto& [key, p] : proxies) {
      const auto& sm = servers.at(key.second).config.machine;
      if (key.first == ma && sm == mb)
        f(key, *p, direction::to_server);
      else if (key.first == mb && sm == ma)
        f(key, *p, direction::to_engine);
    }
  }

  using proxy_key = std::pair<std::string, std::string>;
  std::map<std::pair<proxy_key, direction>, link_params> current;  // What set_link left.

  void set_link(const action::set_link& a) {
    auto one = [&](const std::string& from, const std::string& to) {
      on_link(from, to, [&](const proxy_key& k, proxy& p, direction d) {
        auto it = current.find({k, d});
        if (it == current.end()) {
          auto [ts, te] = params_between(k.first, servers.at(k.second).config.machine);
          it = current.emplace(std::make_pair(k, d), d == direction::to_server ? ts : te).first;
        }
        auto& lp = it->second;
        if (a.latency)
          lp.latency = *a.latency;
        if (a.jitter)
          lp.jitter = *a.jitter;
        if (a.loss)
          lp.loss = *a.loss;
        if (a.duplicate)
          lp.duplicate = *a.duplicate;
        p.set_params(d, lp);
      });
      fault(fault_kind::set_link, machine_named_in(s.topo, from), machine_named_in(s.topo, to));
    };
    one(a.ends.from, a.ends.to);
    if (a.ends.both)
      one(a.ends.to, a.ends.from);
  }

  void cut(const link_ends& e, bool partition) {
    auto one = [&](const std::string& from, const std::string& to) {
      on_link(from, to, [&](const proxy_key&, proxy& p, direction d) {
        partition ? p.partition(d) : p.heal(d);
      });
      fault(partition ? fault_kind::partition : fault_kind::heal, machine_named_in(s.topo, from),
            machine_named_in(s.topo, to));
    };
    one(e.from, e.to);
    if (e.both)
      one(e.to, e.from);
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
      std::string state = "not started";
      bool running = false;
      if (const auto& ls = servers.at(c.server); ls.host) {
        v = ls.host->inspect();
        state = std::string(name_of(v.state));
        running = v.state == server_state::listening || v.state == server_state::shutting_down;
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
      const auto v = engines.at(c.engine)->inspect();
      if (c.live) {
        if (!c.handle) {
          fail(i, "a handle to judge `live` on", "no handle given");
        } else if (auto h = need(i, *c.handle)) {
          const auto& lh = v.live_handles;
          const bool live = std::binary_search(lh.begin(), lh.end(), *h);
          const auto label = c.handle->name.empty() ? hex(*h) : c.handle->name;
          if (live != *c.live)
            fail(i, label + " live: " + (*c.live ? "true" : "false"),
                 label + " live: " + (live ? "true" : "false"));
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
      for (const auto& [pid, p] : machines.at(machine_named_in(s.topo, c.machine)).processes())
        running.push_back(pid);
      if (pid_list(running) != pid_list(*c.pids))
        fail(i, "pids: " + pid_list(*c.pids), "pids: " + pid_list(running));
    }
  }

  // -- steps -------------------------------------------------------------------------------

  void play(std::size_t i) {
    out.steps[i].played = !is_call(kind_of(s.steps[i].what));
    try {
      issue_step(i);
    } catch (const std::exception& e) {
      fail(i, std::string(action_name(s.steps[i].what)), std::string("error: ") + e.what());
    }
    if (calls_issued.count(i) != 0)
      out.steps[i].played = true;
  }

  void issue_step(std::size_t i) {
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
                issue(i, a.engine, api::describe_process{*h, static_cast<std::uint32_t>(*p)});
            },
            [&](const action::attach& a) {
              auto h = need(i, a.handle);
              auto p = h ? need(i, a.pid) : std::nullopt;
              if (h && p)
                issue(i, a.engine, api::attach{*h, static_cast<std::uint32_t>(*p)});
            },
            [&](const action::create_process& a) {
              if (auto h = need(i, a.handle)) {
                bind_pending(pids, a.as, i, "create_process");
                issue(i, a.engine, api::create_process{*h, a.command_line});
              }
            },
            [&](const action::detach& a) {
              if (auto p = need(i, a.pid))
                issue(i, a.engine, api::detach{static_cast<std::uint32_t>(*p)});
            },
            [&](const action::terminate& a) {
              if (auto p = need(i, a.pid))
                issue(i, a.engine, api::terminate{static_cast<std::uint32_t>(*p)});
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
              const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(a.timeout).count();
              const std::int64_t most = std::numeric_limits<std::uint32_t>::max();
              issue(i, a.engine,
                    api::wait_server_end{static_cast<std::uint32_t>(std::clamp<std::int64_t>(ms, 0, most))});
            },
            [&](const action::partition& a) { cut(a.ends, true); },
            [&](const action::heal& a) { cut(a.ends, false); },
            [&](const action::reset& a) {
              on_link(a.a, a.b, [](const proxy_key&, proxy& p, direction) { p.reset(); });
              fault(fault_kind::reset, machine_named_in(s.topo, a.a), machine_named_in(s.topo, a.b));
            },
            [&](const action::half_open& a) {
              on_link(a.a, a.b, [&](const proxy_key&, proxy& p, direction) { p.half_open(a.server_gone); });
              fault(fault_kind::half_open, machine_named_in(s.topo, a.a),
                    machine_named_in(s.topo, a.b), a.server_gone ? "server end gone" : "engine end gone");
            },
            [&](const action::set_link& a) { set_link(a); },
            [&](const action::crash_server& a) {
              auto& ls = servers.at(a.server);
              fault(fault_kind::crash_server, a.server, "", std::string(name_of(a.how)));
              if (a.how == crash_how::machine) {
                // A machine that is off sends nothing: the proxies forget the server ends before
                // the host's own resets could reach an engine, and swallow new connections.
                for (auto& [key, p] : proxies)
                  if (key.second == a.server)
                    p->machine_down();
                if (ls.host)
                  ls.host->crash();
                return;
              }
              // A process that dies: its kernel resets its connections (the host does), and its
              // port refuses until the restart.
              if (ls.host)
                ls.host->crash();
              for (auto& [key, p] : proxies)
                if (key.second == a.server)
                  p->retarget(closed_endpoint());
            },
            [&](const action::restart_server& a) {
              fault(fault_kind::restart_server, a.server, "");
              start_server(servers.at(a.server));
            },
            [&](const action::crash_engine& a) {
              fault(fault_kind::crash_engine, a.engine, "", std::string(name_of(a.how)));
              if (a.how == crash_how::machine) {
                // The engine's machine goes silent: its connections go half-open with the engine
                // end gone before the host's own resets could reach a server.
                const auto em = machine_named_in(s.topo, a.engine);
                for (auto& [key, p] : proxies)
                  if (key.first == em)
                    p->half_open(false, [&](std::uint16_t port) {
                      auto r = engine_ports.find(port);
                      return r != engine_ports.end() && r->second.engine == a.engine;
                    });
              }
              engines.at(a.engine)->crash();
            },
            [&](const action::exit_process& a) {
              if (auto p = need(i, a.pid)) {
                const auto pid = static_cast<std::uint32_t>(*p);
                const auto m = machine_named_in(s.topo, a.machine);
                if (machines.at(m).remove(pid)) {
                  event e;
                  e.kind = event_kind::process_exited;
                  e.actor = "world";
                  e.peer = m;
                  e.pid = pid;
                  rt.record(std::move(e));
                  for (auto& [n, ls] : servers)
                    if (ls.host && ls.config.machine == m)
                      ls.host->process_exited(pid);
                  for (const auto& es : s.topo.engines)
                    if (machine_of(es) == m)
                      engines.at(es.name)->process_exited(pid);
                }
              }
            },
            [&](const action::check& a) { check(i, a); },
        },
        s.steps[i].what);
  }

  // -- the end -----------------------------------------------------------------------------

  live_report finish(bool ended) {
    live_report r;
    r.timed_out = !ended;
    if (!ended) {
      std::string pending;
      if (next_step < order.size())
        pending += std::to_string(order.size() - next_step) + " step(s) not yet issued";
      if (in_flight != 0)
        pending += std::string(pending.empty() ? "" : ", ") + std::to_string(in_flight) +
                   " call(s) in flight";
      if (programs)
        for (const auto& p : programs->status())
          if (!p.ended)
            pending += std::string(pending.empty() ? "" : ", ") + "client " + p.name +
                       (p.started ? " still running" : " not started");
      r.pending = pending.empty() ? "settling" : pending;
    }
    for (std::size_t i : calls_issued)
      if (completed.count(i) == 0 && s.steps[i].expect)
        fail(i, protocol::to_string(*s.steps[i].expect), "no result: the call never completed");
    for (auto& [name, ls] : servers) {
      server_summary sum;
      if (ls.host) {
        const auto v = ls.host->inspect();
        sum.sessions = v.sessions.size();
        for (const auto& ss : v.sessions)
          sum.attached += ss.attached.size();
        sum.running = v.state == server_state::listening || v.state == server_state::shutting_down;
      }
      out.servers[name] = sum;
    }
    for (auto& [name, e] : engines) {
      const auto v = e->inspect();
      engine_summary sum;
      sum.handles = v.live_handles.size();
      sum.targets = v.local_targets.size();
      for (const auto& hs : v.sessions)
        sum.targets += hs.targets.size();
      out.engines[name] = sum;
    }
    // A server names an engine by its connection's peer address; the oracle matches sessions
    // by the engine's name and connection, which the proxies' ports lead back to.
    std::map<std::string, route> by_peer;
    for (const auto& [onward_port, engine_port] : onward)
      if (auto i = engine_ports.find(engine_port); i != engine_ports.end())
        by_peer["127.0.0.1:" + std::to_string(onward_port)] = i->second;
    r.events = rt.events();
    oracle judge(s.topo.times);
    for (const auto& [name, e] : engines)
      for (const auto& [first, last] : e->instants())
        for (std::size_t k = first; k < last && k < r.events.size(); ++k)
          r.events[k].t = r.events[first].t;
    // A server's handler records its events microseconds apart (a session's end, then the kill
    // of its process, S21), which the oracle reads as time passing between them. Events of one
    // server in a row, less than same_instant of real time apart, share the first one's time.
    const auto same_instant = std::chrono::microseconds(200);
    sim_time prev_original = r.events.empty() ? sim_time(0) : r.events.front().t;
    for (std::size_t k = 1; k < r.events.size(); ++k) {
      auto& e = r.events[k];
      const auto& prev = r.events[k - 1];
      const sim_time original = e.t;
      if (servers.count(e.actor) != 0 && prev.actor == e.actor &&
          rt.real(original - prev_original) < same_instant)
        e.t = prev.t;
      prev_original = original;
    }
    client_checker clients;
    for (auto& e : r.events) {
      if (servers.count(e.actor) != 0) {
        if (auto i = by_peer.find(e.peer); i != by_peer.end()) {
          e.peer = i->second.engine;
          e.conn = i->second.conn;
        }
      }
      judge.observe(e);
      clients.observe(e);
    }
    judge.finish(rt.now(), ended);
    r.violations = judge.violations();
    r.findings = clients.findings();
    r.client_failures = judge_clients(s, r.findings);
    out.clients = client_outcomes(s, r.findings);
    r.outcome = std::move(out);
    r.real_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - begun).count();
    return r;
  }
};

}  // namespace

live_report run_live(const scenario& s, const live_options& options) {
  live_run run(s, options);
  return run.run();
}

}  // namespace dbgsim::live
