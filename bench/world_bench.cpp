// Prints the four figures of the world issue in one run, so that they read as ratios of each
// other on a shared, noisy machine:
//   1. small worlds per second (2 engines, 1 server, 20 calls with faults);
//   2. simulated frames delivered per second in a large world (1,000 engines, 4 servers);
//   3. bare CAF test_coordinator ping-pong messages per second, and (2) as a ratio of it;
//   4. time compression of a realistic world (20 ms links, 5 s leases, 100 engines, 10 minutes);
//   5. the overhead of a client program (docs/clients.md): IDebugClient calls per wall second,
//      answered at once (handle 0) and through a 20 ms link, and simulated s per wall s;
//   6. a 10,000-engine world, each engine holding one idle session, run for 60 simulated
//      seconds: resident memory per engine with its session, from the process's own accounting.
// Every rate is printed beside the same run's bare CAF figure, since these machines vary 2x
// from one run to the next: judge by the ratios (scripts/bench prints them with their bars).
// Figures 1, 2 and 4 also print their messaging floor: the ratio a world would reach if each CAF
// message it handles cost one bare ping-pong message and nothing else did (docs/performance.md).
// Usage: world_bench [--quick] [--only small|large|caf|realistic|client|idle]
//   --quick: smaller sizes, for a smoke run; --only: one figure, for profiling it alone.
#include "scenario/player.hpp"
#include "world/world.hpp"

#include <dbgsim/dbgeng.h>

#include <caf/all.hpp>
#include <caf/scheduler/test_coordinator.hpp>

#include <fmt/format.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include <unistd.h>

using namespace dbgsim;
using namespace std::chrono_literals;
using wall = std::chrono::steady_clock;  // Benchmarks measure wall time; worlds never see it.

namespace {

double seconds_since(wall::time_point t0) {
  return std::chrono::duration<double>(wall::now() - t0).count();
}

topology make_topology(int engines, int servers, link_params lp) {
  topology t;
  for (int s = 0; s < servers; ++s) {
    std::string name = "srv" + std::to_string(s);
    machine_spec m{name, {}};
    for (std::uint32_t p = 0; p < 8; ++p)
      m.processes.push_back({4000 + 4 * p, "app" + std::to_string(p) + ".exe", "App", {}});
    t.machines.push_back(m);
    t.servers.push_back({name, "", "tcp:port=5005,password=pw", 0ms});
  }
  for (int e = 0; e < engines; ++e) {
    engine_spec spec;
    spec.name = "eng" + std::to_string(e);
    t.engines.push_back(spec);
    t.links.push_back({spec.name, "srv" + std::to_string(e % servers), lp, lp});
  }
  return t;
}

std::string options_for(int server) {
  return "tcp:server=srv" + std::to_string(server) + ",port=5005,password=pw";
}

/// What a world delivered and what it cost in CAF messages (world::messages_handled).
struct world_count {
  std::size_t frames = 0;
  std::uint64_t messages = 0;
};

// One small world: 20 calls, with a partition, a heal and a reset in between.
world_count small_world(std::uint64_t seed) {
  link_params lp;
  lp.latency = 2ms;
  lp.jitter = 3ms;
  lp.loss = 0.02;
  lp.duplicate = 0.02;
  world w(make_topology(2, 1, lp), seed, {mutant::none, false});
  std::uint64_t h[2] = {0, 0};
  w.on_complete([&](const std::string& e, std::uint64_t n, const api::result& r) {
    if (n == 1 && r.hr == protocol::S_OK)
      h[e == "eng1"] = r.handle;
  });
  for (int e = 0; e < 2; ++e)
    w.call("eng" + std::to_string(e), api::connect{options_for(0)});
  w.run_for(20ms);
  for (int e = 0; e < 2; ++e) {
    auto name = "eng" + std::to_string(e);
    w.call(name, api::list_processes{h[e], 8});
    w.call(name, api::find_process{h[e], "app1.exe", true});
    w.call(name, api::describe_process{h[e], 4000});
    w.call(name, api::attach{h[e], 4000u + 4u * static_cast<std::uint32_t>(e)});
  }
  w.run_for(20ms);
  w.partition("eng0", "srv0");
  for (int e = 0; e < 2; ++e) {
    auto name = "eng" + std::to_string(e);
    w.call(name, api::list_processes{h[e], 2});
    w.call(name, api::disconnect{h[e]});
    w.call(name, api::process_options{true});
  }
  w.run_for(50ms);
  w.heal("eng0", "srv0");
  for (int e = 0; e < 2; ++e) {
    auto name = "eng" + std::to_string(e);
    w.call(name, api::detach{4000u + 4u * static_cast<std::uint32_t>(e)});
    w.call(name, api::connect{options_for(0)});
  }
  w.run_for(50ms);
  w.reset("eng1", "srv0");
  w.call("eng0", api::list_processes{0, 8});
  w.call("eng1", api::disconnect{0});
  w.run_until_quiet(w.now() + 60s);
  return {w.event_count(event_kind::frame_delivered), w.messages_handled()};
}

// Bare CAF: two actors bouncing a counter under the test coordinator.
caf::behavior ping_pong(caf::event_based_actor* self) {
  return {[=](int n, const caf::actor& other) {
    if (n > 0)
      self->send(other, n - 1, caf::actor_cast<caf::actor>(self));
  }};
}

double bare_caf_messages_per_second(int messages) {
  caf::actor_system_config cfg;
  cfg.set("scheduler.policy", caf::atom("testing"));
  caf::actor_system sys(cfg);
  auto& sched = dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler());
  auto a = sys.spawn(ping_pong);
  auto b = sys.spawn(ping_pong);
  auto t0 = wall::now();
  caf::anon_send(a, messages, b);
  auto n = sched.run();
  auto s = seconds_since(t0);
  caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(b, caf::exit_reason::user_shutdown);
  sched.run();
  return static_cast<double>(n) / s;
}

// The handle each engine's last connect returned, kept up to date as calls complete.
std::shared_ptr<std::map<std::string, std::uint64_t>> record_handles(world& w) {
  auto handles = std::make_shared<std::map<std::string, std::uint64_t>>();
  w.on_complete([handles](const std::string& e, std::uint64_t, const api::result& r) {
    if (r.handle != 0)
      (*handles)[e] = r.handle;
  });
  return handles;
}

// A large world churning connect / list / disconnect; returns frames delivered, the messages
// that took, and wall time.
std::pair<world_count, double> large_world(int engines, int rounds) {
  link_params lp;
  lp.latency = 10ms;
  lp.jitter = 2ms;
  world w(make_topology(engines, 4, lp), 1, {mutant::none, false});
  const auto handle = record_handles(w);
  // Timed from here, so the messages that built the world are left out of its count too.
  const auto built = w.messages_handled();
  auto t0 = wall::now();
  for (int round = 0; round < rounds; ++round) {
    for (int e = 0; e < engines; ++e)
      w.call("eng" + std::to_string(e), api::connect{options_for(e % 4)});
    w.run_for(50ms);
    for (int e = 0; e < engines; ++e) {
      auto name = "eng" + std::to_string(e);
      w.call(name, api::list_processes{(*handle)[name], 16});
    }
    w.run_for(50ms);
    for (int e = 0; e < engines; ++e) {
      auto name = "eng" + std::to_string(e);
      w.call(name, api::disconnect{(*handle)[name]});
    }
    w.run_for(50ms);
  }
  return {{w.event_count(event_kind::frame_delivered), w.messages_handled() - built},
          seconds_since(t0)};
}

struct realistic_figure {
  double simulated_s = 0;
  double wall_s = 0;
  std::uint64_t messages = 0;
  std::size_t frames = 0;
};

// 100 engines debugging for 10 simulated minutes: keepalives, a list every 10 s each.
realistic_figure realistic_world(int engines, sim_time span) {
  link_params lp;
  lp.latency = 20ms;
  world w(make_topology(engines, 4, lp), 1, {mutant::none, false});
  const auto handle = record_handles(w);
  const auto built = w.messages_handled();  // As in large_world: the timed part's messages.
  auto t0 = wall::now();
  for (int e = 0; e < engines; ++e)
    w.call("eng" + std::to_string(e), api::connect{options_for(e % 4)});
  w.run_for(1s);
  for (int e = 0; e < engines; ++e) {
    auto name = "eng" + std::to_string(e);
    w.call(name, api::attach{(*handle)[name], 4000u + 4u * static_cast<std::uint32_t>(e / 4 % 8)});
  }
  while (w.now() < span) {
    w.run_for(10s);
    for (int e = 0; e < engines; ++e) {
      auto name = "eng" + std::to_string(e);
      w.call(name, api::list_processes{(*handle)[name], 16});
    }
  }
  const double simulated = std::chrono::duration<double>(w.now()).count();
  return {simulated, seconds_since(t0), w.messages_handled() - built,
          w.event_count(event_kind::frame_delivered)};
}

// The messaging floor of a figure: its value if each CAF message a world handles cost what one
// bare ping-pong message costs and nothing else did. Printed beside the figure, it says how far
// any bar is from the messages alone, on any machine (scripts/bench sets the bars beside it).
void print_floor(const char* figure, double floor, double value) {
  fmt::print("  {} messaging floor: {:.4g} (this run reached {:.0f}% of it)\n", figure, floor,
             100 * value / floor);
}

}  // namespace

// argv[1]: "local" (handle 0, answered in the instant) or "remote" (through srv); argv[2]: calls.
DBGSIM_CLIENT_PROGRAM(bench_lister) {
  const bool remote = std::strcmp(argv[1], "remote") == 0;
  const int calls = std::atoi(argv[2]);
  ULONG64 server = 0;
  if (remote && FAILED(client->ConnectProcessServer("tcp:server=srv0,port=5005,password=pw", &server)))
    return 1;
  ULONG ids[16];
  ULONG actual = 0;
  for (int i = 0; i < calls; ++i)
    client->GetRunningProcessSystemIds(server, ids, 16, &actual);
  if (remote)
    client->DisconnectProcessServer(server);
  return 0;
}

namespace {

// The process's resident memory in bytes, from /proc/self/statm (its own accounting).
double resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  long pages_total = 0, pages_resident = 0;
  statm >> pages_total >> pages_resident;
  return static_cast<double>(pages_resident) * static_cast<double>(sysconf(_SC_PAGESIZE));
}

struct idle_figure {
  double bytes_per_engine = 0;
  double wall_s = 0;
  double simulated_s = 0;
};

// `engines` engines each connect once and hold the session, idle, for 60 simulated seconds.
idle_figure idle_world(int engines) {
  link_params lp;
  lp.latency = 5ms;
  const double before = resident_bytes();
  auto t0 = wall::now();
  idle_figure f;
  {
    world w(make_topology(engines, 4, lp), 1, {mutant::none, false});
    for (int e = 0; e < engines; ++e)
      w.call("eng" + std::to_string(e), api::connect{options_for(e % 4)});
    w.run_until(60s);
    f.bytes_per_engine = (resident_bytes() - before) / engines;
    f.simulated_s = std::chrono::duration<double>(w.now()).count();
  }
  f.wall_s = seconds_since(t0);
  return f;
}

// One program making `calls` listings: API calls per wall second and simulated s per wall s.
struct client_figure {
  double calls_per_s = 0;
  double simulated_per_wall = 0;
};

client_figure client_program(bool remote, int calls) {
  link_params lp;
  lp.latency = 20ms;
  scenario s;
  s.name = "client bench";
  s.topo = make_topology(1, 1, lp);
  client_spec c;
  c.name = "bench";
  c.engine = "eng0";
  c.program = "bench_lister";
  c.args = {remote ? "remote" : "local", std::to_string(calls)};
  c.timeout = std::chrono::hours(24);
  s.clients.push_back(c);
  run_options o;
  o.keep_trace = false;
  o.settle = false;
  o.max_steps = 0;
  auto t0 = wall::now();
  auto r = run_scenario(s, o);
  const double wall_s = seconds_since(t0);
  return {calls / wall_s, std::chrono::duration<double>(r.end).count() / wall_s};
}

}  // namespace

int main(int argc, char** argv) {
  bool quick = false;
  std::string only;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--quick") == 0) {
      quick = true;
    } else if (std::strcmp(argv[i], "--only") == 0 && i + 1 < argc) {
      only = argv[++i];
    } else {
      fmt::print(stderr, "usage: world_bench [--quick] [--only small|large|caf|realistic|client|idle]\n");
      return 2;
    }
  }
  auto wanted = [&](const char* figure) { return only.empty() || only == figure; };
  const int small_worlds = quick ? 50 : 2000;
  const int large_engines = quick ? 50 : 1000;
  const int idle_engines = quick ? 1000 : 10000;
  const int rounds = quick ? 2 : 5;
  const auto span = quick ? sim_time(30s) : sim_time(600s);
  // `figure NAME VALUE` lines, after the readable ones, are what scripts/bench reads.
  std::vector<std::pair<std::string, double>> figures;

  // First, so that every rate below is read beside it (a machine's speed drifts during a run).
  const double caf_rate = bare_caf_messages_per_second(quick ? 100000 : 2000000);
  const double caf_millions = caf_rate / 1e6;
  fmt::print("bare CAF test_coordinator ping-pong: {:.0f} messages/s\n", caf_rate);
  figures.emplace_back("bare_caf_messages_per_s", caf_rate);

  // First after the bare CAF figure: the resident-memory delta must not be lowered by heap
  // that earlier figures freed and this world would reuse (10,000 engines measured after the
  // others read ~25% less than measured alone).
  if (wanted("idle")) {
    const auto idle = idle_world(idle_engines);
    fmt::print("idle world ({} engines, each holding one idle session, 4 servers, 60 simulated s): "
               "{:.0f} bytes of resident memory per engine with its session, {:.0f} simulated s "
               "in {:.2f} wall s\n",
               idle_engines, idle.bytes_per_engine, idle.simulated_s, idle.wall_s);
    figures.emplace_back("idle_bytes_per_engine", idle.bytes_per_engine);
    figures.emplace_back("idle_wall_s", idle.wall_s);
  }

  if (wanted("small")) {
    auto t0 = wall::now();
    world_count total;
    for (int i = 0; i < small_worlds; ++i) {
      const auto one = small_world(static_cast<std::uint64_t>(i) + 1);
      total.frames += one.frames;
      total.messages += one.messages;
    }
    const double small_s = seconds_since(t0);
    const double rate = small_worlds / small_s;
    const double per_world = static_cast<double>(total.messages) / small_worlds;
    fmt::print("small worlds (2 engines, 1 server, 20 calls with faults): {:.0f} worlds/s, {:.0f} "
               "per million bare CAF messages/s ({} worlds in {:.2f} s, {} frames delivered, "
               "{:.1f} CAF messages a world)\n",
               rate, rate / caf_millions, small_worlds, small_s, total.frames, per_world);
    print_floor("small", 1e6 / per_world, rate / caf_millions);
    figures.emplace_back("small_worlds_per_s", rate);
    figures.emplace_back("small_worlds_per_mcaf", rate / caf_millions);
    figures.emplace_back("small_floor_per_mcaf", 1e6 / per_world);
  }

  if (wanted("large")) {
    auto [large, large_s] = large_world(large_engines, rounds);
    const double frames_per_s = static_cast<double>(large.frames) / large_s;
    const double floor = static_cast<double>(large.frames) / static_cast<double>(large.messages);
    fmt::print("large world ({} engines, 4 servers, {} churn rounds): {:.0f} frames delivered/s, "
               "{:.3f} of bare CAF messages/s ({} frames in {:.2f} s, {:.2f} CAF messages a "
               "frame)\n",
               large_engines, rounds, frames_per_s, frames_per_s / caf_rate, large.frames, large_s,
               1 / floor);
    print_floor("large", floor, frames_per_s / caf_rate);
    figures.emplace_back("large_frames_per_s", frames_per_s);
    figures.emplace_back("large_frames_per_caf", frames_per_s / caf_rate);
    figures.emplace_back("large_floor_per_caf", floor);
  }

  if (wanted("realistic")) {
    const auto r = realistic_world(quick ? 20 : 100, span);
    const double compression = r.simulated_s / r.wall_s;
    const double floor = 1e6 * r.simulated_s / static_cast<double>(r.messages);
    fmt::print("time compression (20 ms links, 5 s leases, {} engines, {:.0f} simulated s): "
               "{:.0f} simulated s per wall s, {:.0f} per million bare CAF messages/s ({:.2f} "
               "wall s, {:.0f} CAF messages and {:.0f} frames a simulated s)\n",
               quick ? 20 : 100, r.simulated_s, compression, compression / caf_millions, r.wall_s,
               static_cast<double>(r.messages) / r.simulated_s,
               static_cast<double>(r.frames) / r.simulated_s);
    print_floor("compression", floor, compression / caf_millions);
    figures.emplace_back("compression", compression);
    figures.emplace_back("compression_per_mcaf", compression / caf_millions);
    figures.emplace_back("compression_floor_per_mcaf", floor);
  }

  if (wanted("client")) {
    const int calls = quick ? 2000 : 50000;
    const auto local = client_program(false, calls);
    const auto remote = client_program(true, calls / 10);
    fmt::print("client program, handle-0 listings (answered in the instant): {:.0f} API calls "
               "per wall s ({:.4f} per bare CAF message/s)\n",
               local.calls_per_s, local.calls_per_s / caf_rate);
    fmt::print("client program, listings through a 20 ms link: {:.0f} API calls per wall s "
               "({:.4f} per bare CAF message/s), {:.0f} simulated s per wall s\n",
               remote.calls_per_s, remote.calls_per_s / caf_rate, remote.simulated_per_wall);
    figures.emplace_back("client_local_calls_per_s", local.calls_per_s);
    figures.emplace_back("client_remote_calls_per_s", remote.calls_per_s);
  }

  for (const auto& [name, value] : figures)
    fmt::print("figure {} {:.4f}\n", name, value);
  return 0;
}
