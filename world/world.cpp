#include "world/world.hpp"

#include "actors/engine.hpp"
#include "actors/environment.hpp"
#include "actors/link.hpp"
#include "actors/messages.hpp"
#include "actors/server.hpp"
#include "protocol/transport.hpp"
#include "world/delayed_messages.hpp"
#include "world/random.hpp"
#include "world/system_pool.hpp"

#include <caf/all.hpp>
#include <caf/scheduler/test_coordinator.hpp>

#include <algorithm>
#include <array>
#include <limits>
#include <map>
#include <memory>
#include <ostream>
#include <set>
#include <string_view>
#include <unordered_map>

namespace dbgsim {
namespace {

// The driver turns world calls into CAF requests, so that engines see exactly what any other
// client actor would send them.
// It names an engine by its number (engine_entry::index), not its name, so that a completion
// finds its call without comparing strings.
caf::behavior driver_actor(caf::event_based_actor* self,
                           std::function<void(std::uint32_t, std::uint64_t, api::result)> done) {
  return {
      [=](call_atom, const engine_handle& engine, std::uint32_t index, std::uint64_t n,
          const api::call& c) {
        self->request(engine, caf::infinite, call_atom::value, n, c)
            .then([=](api::result& r) { done(index, n, std::move(r)); },
                  [=](caf::error&) { done(index, n, api::status(protocol::E_ABORT)); });
      },
  };
}

std::string seconds_of(sim_time t) {
  const auto us = t.count();
  auto frac = std::to_string(us % 1000000);
  return std::to_string(us / 1000000) + "." + std::string(6 - frac.size(), '0') + frac + "s";
}

/// Orders pairs of strings lexicographically, and lets a map keyed by them be searched with a
/// pair of string views (no copy of either string).
struct pair_of_views_less {
  using is_transparent = void;
  template <class A, class B>
  bool operator()(const A& x, const B& y) const {
    const std::string_view x1 = x.first, y1 = y.first;
    if (x1 != y1)
      return x1 < y1;
    return std::string_view(x.second) < std::string_view(y.second);
  }
};

std::pair<std::string, std::string> ordered(const std::string& a, const std::string& b) {
  return a <= b ? std::pair{a, b} : std::pair{b, a};
}

}  // namespace

struct world::impl final : environment {
  /// A call the world issued: what it is, the client program that made it ("" for none; moved
  /// into the done event), and its result once it has one.
  struct made_call {
    api::call_kind kind;
    std::string program;
    bool in_flight = true;
    std::optional<api::result> result{};
  };
  /// One engine's calls, call n at n - 1, for a completion to find without comparing names.
  /// Never iterated: name order (engines) is the order wherever one can reach the trace.
  struct engine_calls {
    const std::string* name;  ///< Its key in engines (a map's keys stay put).
    std::vector<made_call> made;
  };

  struct endpoint_server;  // Defined with the records below; servers_at returns them.

  // -- construction --------------------------------------------------------------------------

  impl(topology topo, std::uint64_t seed, world_options opts)
      : options(opts),
        times(topo.times),
        rng(seed),
        system(lease.system()),
        sched(lease.scheduler()),
        clock(lease.clock()),
        origin(clock.current_time),
        judge(topo.times) {
    if (!options.make_engine)
      options.make_engine = reference_engine();
    if (!options.make_server)
      options.make_server = reference_server();
    try {
      build(std::move(topo));
    } catch (...) {
      // A factory that throws halfway leaves actors the destructor, which does not run, would
      // have quit: the lease could not give the system back with them alive.
      quit_all();
      throw;
    }
  }

  ~impl() override { quit_all(); }

  /// Quits every actor of the world and runs them until they have exited, so that the lease
  /// finds none alive (the system goes back to the pool) and no actor_system waits on them.
  void quit_all() {
    std::vector<caf::actor> all;
    for (auto& [name, e] : engines)
      all.push_back(caf::actor_cast<caf::actor>(e.actor));
    for (auto& [name, s] : servers)
      for (auto& a : s.incarnations)
        all.push_back(caf::actor_cast<caf::actor>(a));
    for (auto& [key, l] : links)
      all.push_back(caf::actor_cast<caf::actor>(l));
    all.push_back(driver);
    for (auto& a : all)
      if (a)
        caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
    handled += sched.run();
    later.clear();  // Undelivered, as CAF's clock would deliver them to actors that quit.
  }

  void build(topology topo) {
    // Validated before anything is spawned: a half-built world would leave live actors for the
    // actor_system's destructor to wait on.
    if (auto p = validate(topo)) {
      std::string first;
      if (p->first)
        first = " as entry " + std::to_string(p->first->index + 1);
      throw topology_error(text_of(*p, first));
    }
    for (auto& m : topo.machines) {
      auto& mach = machine_named(m.name);
      for (auto& p : m.processes) {
        mach.add(p);
        // Created processes are numbered above every listed one, on every machine.
        *next_pid = std::max(*next_pid, (p.pid / 4 + 1) * 4);
      }
    }
    for (auto& e : topo.engines) {
      names.insert(e.name);
      engine_config cfg;
      cfg.name = e.name;
      cfg.machine = dbgsim::machine_of(e);
      cfg.times = times;
      cfg.mode = e.mode;
      cfg.detach_on_exit = e.detach_on_exit;
      cfg.protocol_version = e.protocol_version;
      cfg.bug = options.bug;
      machine_named(cfg.machine);
      auto& [name, entry] = *engines.emplace(e.name, engine_entry{cfg.machine, {}}).first;
      engine_by_name.emplace(symbol(name), &entry);
      entry.index = static_cast<std::uint32_t>(by_number.size());
      by_number.push_back({&name, {}});
      entry.actor = options.make_engine(system, static_cast<environment*>(this), cfg);
    }
    for (auto& s : topo.servers) {
      names.insert(s.name);
      auto parsed = protocol::parse_server_options(s.listen);
      server_config cfg;
      cfg.name = s.name;
      cfg.machine = dbgsim::machine_of(s);
      cfg.listen = std::get<protocol::transport_options>(parsed);
      cfg.times = times;
      cfg.bug = options.bug;
      machine_named(cfg.machine);
      server_entry entry;
      entry.config = cfg;
      entry.endpoint = protocol::endpoint_of(cfg.listen);
      const auto key = protocol::endpoint_key(entry.endpoint);
      auto made = servers.emplace(s.name, std::move(entry)).first;
      by_endpoint[{cfg.machine, key}].emplace(s.name, made);
      endpoint_cache.clear();  // An endpoint's list of servers changed.
      if (s.start.count() == 0) {
        start_incarnation(s.name);
      } else {
        std::string name = s.name;
        actions.emplace(s.start, [name](world::impl& w) { w.start_incarnation(name); });
      }
    }
    for (auto& l : topo.links) {
      auto a = resolve(l.a);
      auto b = resolve(l.b);
      if (ordered(a, b).first == a)
        make_link(a, b, l.a_to_b, l.b_to_a);
      else
        make_link(b, a, l.b_to_a, l.a_to_b);
    }
    driver = system.spawn(driver_actor, [this](std::uint32_t e, std::uint64_t n, api::result r) {
      completed(e, n, std::move(r));
    });
    handled += sched.run();
  }

  link_handle make_link(const std::string& a, const std::string& b, link_params ab,
                        link_params ba) {
    auto l = system.spawn(link_actor, static_cast<environment*>(this), a, b, ab, ba);
    links.emplace(ordered(a, b), l);
    return l;
  }

  void start_incarnation(const std::string& name) {
    auto& s = servers.at(name);
    s.running = true;
    s.machine_down = false;
    ++s.incarnation;
    s.incarnations.push_back(
        options.make_server(system, static_cast<environment*>(this), s.config, s.incarnation));
  }

  // -- environment ---------------------------------------------------------------------------

  sim_time now() const override {
    return std::chrono::duration_cast<sim_time>(clock.current_time - origin);
  }

  void record(event e) override {
    e.t = now();
    ++recorded;
    ++per_kind[static_cast<std::size_t>(e.kind)];
    judge.observe(e);
    clients.observe(e);
    if (options.keep_trace)
      trace.push_back(std::move(e));
  }

  double draw_unit() override { return rng.unit(); }
  std::uint64_t draw_upto(std::uint64_t n) override { return rng.upto(n); }

  link_handle link_between(const std::string& a, const std::string& b) override {
    auto i = links.find(ordered(a, b));
    if (i != links.end())
      return i->second;
    auto key = ordered(a, b);
    return make_link(key.first, key.second, {}, {});
  }

  dbgsim::machine& machine_named(const std::string& name) override {
    auto i = machines.find(name);
    if (i == machines.end())
      i = machines.emplace(name, dbgsim::machine(name, next_pid)).first;
    return i->second;
  }

  std::string machine_named_by(const std::string& name) const override { return resolve(name); }

  symbol machine_of_engine(symbol engine) const override {
    auto i = engine_by_name.find(engine);
    return i == engine_by_name.end() ? symbol{} : i->second->machine;
  }

  /// The servers at an endpoint, in name order, running or not: by_endpoint's entry (an index,
  /// since a scan of every server made 20,000 start_server steps quadratic), found once per
  /// (machine, endpoint) as routes spell them and then by a hash of two pointers, since every
  /// frame delivered to a server looks one up. Null when no server was ever there.
  auto servers_at(symbol machine_name, symbol endpoint) const
      -> const std::vector<endpoint_server>* {
    const std::pair key{machine_name, endpoint};
    if (auto c = endpoint_cache.find(key); c != endpoint_cache.end())
      return &c->second;
    const auto windows_key = protocol::endpoint_key(endpoint);
    auto at = by_endpoint.find(
        std::pair<std::string_view, std::string_view>{machine_name.view(), windows_key});
    if (at == by_endpoint.end())
      return nullptr;  // Not cached: a server started there later must be found.
    std::vector<endpoint_server> list;
    for (const auto& [name, s] : at->second)  // In name order, as a scan of servers was.
      list.push_back({symbol(name), s});
    return &endpoint_cache.emplace(key, std::move(list)).first->second;
  }

  /// The running server at an endpoint (the first running one in name order), or null.
  auto running_at(symbol machine_name, symbol endpoint) const -> const endpoint_server* {
    if (const auto* list = servers_at(machine_name, endpoint))
      for (const auto& s : *list)
        if (s.entry->second.running)
          return &s;
    return nullptr;
  }

  server_handle server_at(symbol machine_name, symbol endpoint) const override {
    const auto* s = running_at(machine_name, endpoint);
    return s == nullptr ? server_handle{} : s->entry->second.incarnations.back();
  }

  server_handle server_and_name_at(symbol machine_name, symbol endpoint,
                                   symbol& name) const override {
    const auto* s = running_at(machine_name, endpoint);
    if (s == nullptr) {
      name = symbol{};
      return {};
    }
    name = s->name;
    return s->entry->second.incarnations.back();
  }

  void schedule(sim_time after, caf::strong_actor_ptr to,
                caf::mailbox_element_ptr content) override {
    later.add(now() + after, std::move(to), std::move(content));
  }

  void schedule_timer(sim_time after, caf::strong_actor_ptr to, std::uint64_t id) override {
    later.add_timer(now() + after, std::move(to), id);
  }

  std::uint64_t next_frame_id() override { return ++frames; }

  symbol server_name_at(symbol machine_name, symbol endpoint) const override {
    const auto* s = running_at(machine_name, endpoint);
    return s == nullptr ? symbol{} : s->name;
  }

  bool unanswered_at(symbol machine_name, symbol endpoint) const override {
    const auto* list = servers_at(machine_name, endpoint);
    if (list == nullptr)
      return false;
    bool down = false;
    for (const auto& s : *list) {
      if (s.entry->second.running)
        return false;
      down = down || s.entry->second.machine_down;
    }
    return down;
  }

  engine_handle engine_named(symbol name) const override {
    auto i = engine_by_name.find(name);
    if (i == engine_by_name.end() || i->second->crashed)
      return {};
    return i->second->actor;
  }

  protocol::hresult start_server(const std::string& engine, const std::string& machine_name,
                                 const std::string& options_text, std::string& name) override {
    auto parsed = protocol::parse_server_options(options_text);
    if (std::holds_alternative<protocol::options_error>(parsed))
      return protocol::E_INVALIDARG;
    auto opts = std::get<protocol::transport_options>(parsed);
    auto endpoint = protocol::endpoint_of(opts);
    if (server_at(machine_name, endpoint))
      return protocol::E_FAIL;  // The endpoint is taken, as binding a used port fails.
    auto& count = started_by[engine];
    name = engine + ".server" + std::to_string(++count);
    names.insert(name);
    server_config cfg;
    cfg.name = name;
    cfg.machine = machine_name;
    cfg.listen = opts;
    cfg.times = times;
    cfg.bug = options.bug;
    server_entry entry;
    entry.config = cfg;
    entry.endpoint = endpoint;
    auto made = servers.emplace(name, std::move(entry)).first;
    by_endpoint[{machine_name, protocol::endpoint_key(endpoint)}].emplace(name, made);
    endpoint_cache.clear();  // An endpoint's list of servers changed.
    start_incarnation(name);
    return protocol::S_OK;
  }

  void server_ended(const std::string& server) override {
    auto i = servers.find(server);
    if (i == servers.end())
      return;
    i->second.running = false;
    for (auto& [name, e] : engines)
      if (!e.crashed)
        caf::anon_send(e.actor, srv_end_atom::value, server);
  }

  void register_engine(const std::string& name, std::function<engine_view()> f) override {
    engine_views[name] = std::move(f);
  }

  void register_server(const std::string& name, std::function<server_view()> f) override {
    server_views[name] = std::move(f);
  }

  // -- calls ---------------------------------------------------------------------------------

  // The world, not the engine, records a call and its completion: the oracle holds the engine to
  // the bound recorded here (S15), so the system under test cannot choose or hide its deadline.
  void record_call(const std::string& engine, engine_calls& calls, const api::call& c,
                   const std::string& program) {
    const auto n = static_cast<std::uint64_t>(calls.made.size() + 1);
    event e;
    e.kind = event_kind::call;
    e.actor = engine;
    e.call = n;
    e.api = api::kind_of(c);
    e.handle = api::handle_of(c);
    e.pid = api::pid_of(c);
    e.detail = api::text_of(c);
    e.value = static_cast<std::uint64_t>(api::bound_of(c, times).count());
    e.program = program;
    calls.made.push_back({*e.api, program});
    ++in_flight;
    record(std::move(e));
  }

  void completed(std::uint32_t engine, std::uint64_t n, api::result r) {
    auto& calls = by_number[engine];
    if (n == 0 || n > calls.made.size() || !calls.made[n - 1].in_flight)
      return;  // Answered twice: the engine broke S15; the oracle reports the missing answer.
    auto& made = calls.made[n - 1];
    const std::string& name = *calls.name;
    event e;
    e.kind = event_kind::done;
    e.actor = name;
    e.call = n;
    e.api = made.kind;
    e.hr = r.hr;
    e.handle = r.handle;
    e.pid = r.pid;
    // How many ids came back tells a count-only listing from a truncated one (C8).
    if (e.api == api::call_kind::list_processes)
      e.value = r.pids.size();
    e.program = std::move(made.program);  // Its last use: the call is answered once.
    made.in_flight = false;
    --in_flight;
    record(std::move(e));
    if (on_complete)
      on_complete(name, n, r);
    // Not `made`: the callback may have issued calls on this engine, which grow calls.made.
    calls.made[n - 1].result = std::move(r);
  }

  // -- helpers ---------------------------------------------------------------------------

  /// The server `name`; a name the world does not have is the caller's mistake.
  auto server_named(const std::string& name) {
    auto i = servers.find(name);
    if (i == servers.end())
      throw std::invalid_argument("no server named '" + name + "'");
    return i;
  }

  std::string resolve(const std::string& name) const {
    if (auto i = engines.find(name); i != engines.end())
      return i->second.machine;
    if (auto i = servers.find(name); i != servers.end())
      return i->second.config.machine;
    return name;
  }

  /// Sends `message` to every link that touches machine `m`, in key order (deterministic): the
  /// connections of a process on `m` can only be on those.
  template <class... Ts>
  void to_links_of(const std::string& m, const Ts&... message) {
    for (auto& [key, l] : links)
      if (key.first == m || key.second == m)
        caf::anon_send(l, message...);
  }

  void fault(fault_kind what, std::string a, std::string b, std::string detail = {}) {
    record(fault_event(what, std::move(a), std::move(b), std::move(detail)));
  }

  /// When CAF's clock has its next message due (an actor's own delayed_send); max() for none.
  sim_time next_caf_timer() const {
    if (!clock.has_pending_timeout())
      return sim_time::max();
    return std::chrono::duration_cast<sim_time>(clock.schedule().begin()->first - origin);
  }

  sim_time next_timer() const { return std::min(later.next_due(), next_caf_timer()); }

  /// Delivers the next due delayed message: the world's own before CAF's at one time.
  void ship_next_timer() {
    if (!later.empty() && later.next_due() <= next_caf_timer())
      later.ship_next();
    else
      clock.trigger_timeout();
  }

  void set_time(sim_time t) {
    auto tp = origin + t;
    if (tp > clock.current_time)
      clock.current_time = tp;
  }

  // Runs every ready job. Re-entry (a completion callback issuing a call) only queues: the
  // outer drain runs the new jobs in order.
  void drain() {
    if (draining)
      return;
    draining = true;
    handled += sched.run();
    draining = false;
  }

  void run_until(sim_time t) {
    for (;;) {
      drain();
      const auto timer = next_timer();
      const auto action = actions.empty() ? sim_time::max() : actions.begin()->first;
      const auto next = std::min(timer, action);
      if (next > t)
        break;
      if (options.max_steps != 0 && ++steps > options.max_steps)
        throw run_budget_exceeded(options.max_steps, next);
      set_time(next);
      if (action <= timer) {
        auto node = actions.extract(actions.begin());
        node.mapped()(*this);
        continue;
      }
      ship_next_timer();
    }
    set_time(t);
  }

  struct engine_entry {
    symbol machine;
    engine_handle actor;
    bool crashed = false;
    std::uint32_t index = 0;  ///< Its number, in topology order: its place in by_number.
  };
  struct server_entry {
    server_config config;
    std::string endpoint;
    std::uint32_t incarnation = 0;
    bool running = false;
    /// Crashed with its machine (crash how: machine) and not restarted: connects to its
    /// endpoint go unanswered instead of refused.
    bool machine_down = false;
    std::vector<server_handle> incarnations;  ///< Every incarnation's actor, the current one last.
  };

  /// A server at an endpoint, with its name as the trace spells it.
  struct endpoint_server {
    symbol name;
    std::map<std::string, server_entry>::const_iterator entry;
  };
  struct symbol_pair_hash {
    std::size_t operator()(const std::pair<symbol, symbol>& p) const noexcept {
      return p.first.hash() * 31u + p.second.hash();
    }
  };

  world_options options;
  timing times;
  random_source rng;
  /// This thread's pooled actor system, held until every handle below is gone.
  system_lease lease;
  caf::actor_system& system;
  caf::scheduler::test_coordinator& sched;
  caf::detail::test_actor_clock& clock;
  caf::actor_clock::time_point origin;
  /// The world's delayed messages (environment::schedule): after the lease, so that they and
  /// the actors they hold are gone before it gives the system back.
  delayed_messages later;
  oracle judge;
  client_checker clients;
  std::vector<event> trace;
  std::size_t recorded = 0;
  std::array<std::size_t, 32> per_kind{};
  std::set<std::string> names;
  std::map<std::string, dbgsim::machine> machines;
  /// Shared by every machine, so that created processes have ids unique across machines:
  /// an engine names its targets by pid alone (S20).
  std::shared_ptr<std::uint32_t> next_pid = std::make_shared<std::uint32_t>(1000);
  std::map<std::string, engine_entry> engines;
  std::map<std::string, server_entry> servers;
  /// Every server by (machine, endpoint_key), running or not: server_at's index. Keyed as
  /// Windows compares endpoints, so that a connect to pipe `debug` finds a server listening on
  /// `Debug`, and a start_server on `COM01` finds `COM1` taken.
  /// Its servers are in name order, each with its entry (map iterators never move), and it is
  /// searched without copying the key: every frame delivered to a server looks one up.
  std::map<std::pair<std::string, std::string>,
           std::map<std::string, std::map<std::string, server_entry>::const_iterator>,
           pair_of_views_less>
      by_endpoint;
  /// servers_at's cache, by (machine, endpoint) as routes spell them; only searched, never
  /// walked, and cleared whenever by_endpoint gains a server.
  mutable std::unordered_map<std::pair<symbol, symbol>, std::vector<endpoint_server>,
                             symbol_pair_hash>
      endpoint_cache;
  /// engines, by name: only searched (every frame delivered to an engine looks it up).
  std::unordered_map<symbol, engine_entry*> engine_by_name;
  std::map<std::pair<std::string, std::string>, link_handle> links;
  std::map<std::string, std::uint64_t> started_by;
  std::map<std::string, std::function<engine_view()>> engine_views;
  std::map<std::string, std::function<server_view()>> server_views;
  using action_list = std::multimap<sim_time, std::function<void(world::impl&)>>;
  action_list actions;
  /// Actions scheduled through world::at, by id, for cancel(); an entry goes when its action runs.
  std::map<std::uint64_t, action_list::iterator> actions_by_id;
  std::uint64_t last_action_id = 0;
  std::vector<engine_calls> by_number;
  std::size_t in_flight = 0;  ///< Calls issued but not yet completed.
  std::function<void(const std::string&, std::uint64_t, const api::result&)> on_complete;
  caf::actor driver;
  world* owner = nullptr;
  bool draining = false;
  std::uint64_t frames = 0;
  std::uint64_t steps = 0;  ///< Steps taken by run_until (the run budget counts them).
  std::uint64_t handled = 0;  ///< Messages the scheduler has run (each job is one message).
};

run_budget_exceeded::run_budget_exceeded(std::uint64_t b, sim_time t)
    : std::runtime_error("the run budget of " + std::to_string(b) +
                         " steps is used up at simulated time " + seconds_of(t) +
                         " (a keepalive or timer far shorter than the run?); "
                         "raise it with --max-steps N, or 0 for no limit"),
      budget(b),
      at(t) {}

world::world(topology topo, std::uint64_t seed, world_options options)
    : impl_(std::make_unique<impl>(std::move(topo), seed, options)) {
  impl_->owner = this;
}

world::~world() = default;

std::uint64_t world::call(const std::string& engine, api::call c, const std::string& program) {
  auto i = impl_->engines.find(engine);
  if (i == impl_->engines.end())
    throw std::invalid_argument("no engine named '" + engine + "'");
  auto& calls = impl_->by_number[i->second.index];
  impl_->record_call(i->first, calls, c, program);
  const auto n = static_cast<std::uint64_t>(calls.made.size());
  caf::anon_send(impl_->driver, call_atom::value, i->second.actor, i->second.index, n,
                 std::move(c));
  impl_->drain();
  return n;
}

std::optional<api::result> world::result_of(const std::string& engine, std::uint64_t call) const {
  auto i = impl_->engines.find(engine);
  if (i == impl_->engines.end())
    return std::nullopt;
  const auto& made = impl_->by_number[i->second.index].made;
  if (call == 0 || call > made.size())
    return std::nullopt;
  return made[call - 1].result;
}

void world::on_complete(
    std::function<void(const std::string&, std::uint64_t, const api::result&)> f) {
  impl_->on_complete = std::move(f);
}

void world::partition(const std::string& from, const std::string& to) {
  auto a = impl_->resolve(from), b = impl_->resolve(to);
  impl_->fault(fault_kind::partition, a, b);
  caf::anon_send(impl_->link_between(a, b), partition_atom::value, a, b);
  impl_->drain();
}

void world::heal(const std::string& from, const std::string& to) {
  auto a = impl_->resolve(from), b = impl_->resolve(to);
  impl_->fault(fault_kind::heal, a, b);
  caf::anon_send(impl_->link_between(a, b), heal_atom::value, a, b);
  impl_->drain();
}

void world::heal_all() {
  impl_->fault(fault_kind::heal, "*", "*");
  for (auto& [key, l] : impl_->links) {
    caf::anon_send(l, heal_atom::value, key.first, key.second);
    caf::anon_send(l, heal_atom::value, key.second, key.first);
  }
  impl_->drain();
}

void world::reset(const std::string& a, const std::string& b) {
  auto ma = impl_->resolve(a), mb = impl_->resolve(b);
  impl_->fault(fault_kind::reset, ma, mb);
  caf::anon_send(impl_->link_between(ma, mb), reset_atom::value, std::string{});
  impl_->drain();
}

void world::half_open(const std::string& a, const std::string& b, bool server_gone) {
  auto ma = impl_->resolve(a), mb = impl_->resolve(b);
  impl_->fault(fault_kind::half_open, ma, mb, server_gone ? "server end gone" : "engine end gone");
  caf::anon_send(impl_->link_between(ma, mb), half_open_atom::value, std::string{}, server_gone);
  impl_->drain();
}

void world::set_link(const std::string& from, const std::string& to, link_params params) {
  auto a = impl_->resolve(from), b = impl_->resolve(to);
  impl_->fault(fault_kind::set_link, a, b,
               "latency=" + std::to_string(params.latency.count()) + "us jitter=" +
                   std::to_string(params.jitter.count()) + "us loss=" + std::to_string(params.loss) +
                   " duplicate=" + std::to_string(params.duplicate));
  caf::anon_send(impl_->link_between(a, b), params_atom::value, a, b, params);
  impl_->drain();
}

void world::crash_server(const std::string& server, crash_how how) {
  auto i = impl_->server_named(server);
  impl_->fault(fault_kind::crash_server, server, "", std::string(name_of(how)));
  // A machine that goes off stops answering at the endpoint even if the server had ended.
  if (how == crash_how::machine)
    i->second.machine_down = true;
  if (!i->second.running || i->second.incarnations.empty())
    return;
  i->second.running = false;
  caf::anon_send(i->second.incarnations.back(), crash_atom::value);
  // A process that dies on a machine that stays up has its sockets reset by the kernel: the
  // engines hear a reset at once (S19). The server is no longer running when the links act,
  // so they tell only the engine ends. A machine that is off sends nothing.
  if (how == crash_how::process)
    impl_->to_links_of(i->second.config.machine, reset_atom::value, i->second.config.machine,
                       protocol::endpoint_key(i->second.endpoint));
  impl_->drain();
}

void world::restart_server(const std::string& server) {
  auto i = impl_->server_named(server);
  impl_->fault(fault_kind::restart_server, server, "");
  if (i->second.running) {
    // A restart of a running server is a crash followed by a start.
    i->second.running = false;
    caf::anon_send(i->second.incarnations.back(), crash_atom::value);
    impl_->drain();
  }
  impl_->start_incarnation(server);
  impl_->drain();
}

void world::crash_engine(const std::string& engine, crash_how how) {
  auto i = impl_->engines.find(engine);
  if (i == impl_->engines.end())
    throw std::invalid_argument("no engine named '" + engine + "'");
  impl_->fault(fault_kind::crash_engine, engine, "", std::string(name_of(how)));
  if (i->second.crashed)
    return;
  i->second.crashed = true;
  caf::anon_send(i->second.actor, crash_atom::value);
  // A dead process's kernel resets its sockets: every server end of its connections is told
  // as by a reset, and ends its sessions at once (S19, S21). The engine is crashed when the
  // links act, so only the server ends hear it. A machine that is off sends nothing.
  if (how == crash_how::process)
    impl_->to_links_of(i->second.machine, reset_atom::value, engine);
  impl_->drain();
}

void world::exit_process(const std::string& machine_name, std::uint32_t pid) {
  auto m = impl_->resolve(machine_name);
  auto& mach = impl_->machine_named(m);
  auto* p = mach.find(pid);
  if (p == nullptr)
    return;
  auto attached = p->attached;
  mach.remove(pid);
  event e;
  e.kind = event_kind::process_exited;
  e.actor = "world";
  e.peer = m;
  e.pid = pid;
  impl_->record(std::move(e));
  if (!attached)
    return;
  // The owner is a server (a session attached it) or an engine (a local attach).
  if (auto s = impl_->servers.find(attached->owner); s != impl_->servers.end()) {
    if (s->second.running)
      caf::anon_send(s->second.incarnations.back(), exited_atom::value, pid);
  } else if (auto eng = impl_->engine_named(attached->owner)) {
    caf::anon_send(eng, exited_atom::value, pid);
  }
  impl_->drain();
}

std::uint64_t world::at(sim_time t, std::function<void(world&)> action) {
  const auto id = ++impl_->last_action_id;
  auto it = impl_->actions.emplace(t, [id, action = std::move(action)](world::impl& w) {
    w.actions_by_id.erase(id);
    action(*w.owner);
  });
  impl_->actions_by_id.emplace(id, it);
  return id;
}

void world::cancel(std::uint64_t action) {
  auto i = impl_->actions_by_id.find(action);
  if (i == impl_->actions_by_id.end())
    return;
  impl_->actions.erase(i->second);
  impl_->actions_by_id.erase(i);
}

void world::note(event e) { impl_->record(std::move(e)); }

sim_time world::now() const { return impl_->now(); }

void world::run_until(sim_time t) { impl_->run_until(t); }

void world::run_until_quiet(sim_time limit) {
  // Step from one pending timer to the next until no call or action is left.
  while (now() < limit && (impl_->in_flight != 0 || !impl_->actions.empty())) {
    auto next = std::min({impl_->next_timer(),
                          impl_->actions.empty() ? sim_time::max() : impl_->actions.begin()->first,
                          limit});
    run_until(std::max(next, now()));
    if (next == sim_time::max())
      break;
  }
}

void world::settle() {
  heal_all();
  const auto& t = impl_->times;
  // Long enough for every bound to expire after the network healed: a connect timeout, then a
  // lease (plus the keepalive that detects it and an rpc round) and a shutdown grace.
  const auto span = t.connect_timeout + t.lease + t.keepalive + t.rpc_timeout + t.shutdown_grace;
  run_until_quiet(now() + span);
  run_for(span);
  impl_->judge.finish(now(), true);
}

engine_view world::inspect_engine(const std::string& engine) const {
  auto i = impl_->engine_views.find(engine);
  if (i == impl_->engine_views.end())
    throw std::invalid_argument("no engine named '" + engine + "'");
  return i->second();
}

server_view world::inspect_server(const std::string& server) const {
  auto i = impl_->server_views.find(server);
  if (i == impl_->server_views.end())
    throw std::invalid_argument("no server named '" + server + "'");
  return i->second();
}

const std::vector<event>& world::events() const { return impl_->trace; }

std::size_t world::event_count() const { return impl_->recorded; }

std::uint64_t world::steps_taken() const { return impl_->steps; }

std::uint64_t world::messages_handled() const { return impl_->handled; }

std::size_t world::event_count(event_kind k) const {
  return impl_->per_kind[static_cast<std::size_t>(k)];
}

void world::write_trace(std::ostream& out) const {
  out << to_json_lines(impl_->trace);
}

const std::vector<violation>& world::violations() const { return impl_->judge.violations(); }

const std::vector<finding>& world::findings() const { return impl_->clients.findings(); }

std::size_t world::calls_in_flight() const { return impl_->in_flight; }

std::string world::machine_of(const std::string& name) const { return impl_->resolve(name); }

std::vector<process> world::processes_on(const std::string& name) const {
  std::vector<process> out;
  auto i = impl_->machines.find(impl_->resolve(name));
  if (i != impl_->machines.end())
    for (const auto& [pid, p] : i->second.processes())
      out.push_back(p);
  return out;
}

}  // namespace dbgsim
