#include "fuzz/disconnect_input.hpp"

#include "protocol/message.hpp"

#include <array>
#include <string>
#include <vector>

namespace dbgsim::fuzz {
namespace {

using namespace std::chrono_literals;

const std::array<std::string, 4> engine_names = {"eng1", "eng2", "eng3", "eng4"};
const std::array<std::string, 2> server_names = {"srv1", "srv2"};
const std::array<std::string, 2> passwords = {"pw1", "pw2"};
const std::array<int, 2> ports = {5005, 5006};

/// Delays between steps, by the low nibble of a record's first byte. Zeros are common so that
/// steps land in one instant: a disconnect issued with a call still in flight.
constexpr std::array<sim_time, 16> delays = {0ms,  0ms,  0ms,   0ms,   1ms,   2ms,   5ms,   10ms,
                                             20ms, 50ms, 100ms, 200ms, 300ms, 500ms, 800ms, 1000ms};

/// Link profiles, by a nibble: latency, jitter, loss, duplicate.
link_params profile(std::uint8_t nibble) {
  auto lp = [](sim_time latency, sim_time jitter, double loss, double duplicate) {
    link_params p;
    p.latency = latency;
    p.jitter = jitter;
    p.loss = loss;
    p.duplicate = duplicate;
    return p;
  };
  switch (nibble & 15) {
    case 1: return lp(1ms, 0ms, 0, 0);
    case 2: return lp(5ms, 0ms, 0, 0);
    case 3: return lp(20ms, 10ms, 0, 0);
    case 4: return lp(2ms, 0ms, 0.2, 0);
    case 5: return lp(2ms, 0ms, 0, 0.5);
    case 6: return lp(2ms, 0ms, 0, 1.0);
    case 7: return lp(1ms, 20ms, 0, 0);         // Reorders frames.
    case 8: return lp(5ms, 0ms, 0.5, 0.3);
    case 9: return lp(200ms, 0ms, 0, 0);        // A round trip beyond the connect timeout.
    case 10: return lp(50ms, 200ms, 0, 0);
    case 11: return lp(0ms, 0ms, 1.0, 0);       // Carries nothing, without being a partition.
    case 12: return lp(1ms, 5ms, 0.1, 0.3);
    default: return lp(0ms, 0ms, 0, 0);
  }
}

// A record's op byte names a scenario action (scenario/scenario.hpp's table). Those the fuzzer
// does not generate (start_server, wait_server_end, check) are not in `ops`.
using op = action_kind;

/// Actions by a record's op byte (mod 32): the disconnect path's calls appear more than once.
constexpr std::array<op, 32> ops = {
    op::connect,        op::disconnect,     op::end_server,    op::list_processes,
    op::find_process,   op::describe_process, op::attach,      op::create_process,
    op::detach,         op::terminate,      op::detach_all,    op::terminate_all,
    op::end_session,    op::process_options, op::partition,    op::heal,
    op::reset,          op::half_open,      op::set_link,      op::crash_server,
    op::restart_server, op::crash_engine,   op::exit_process,  op::connect,
    op::connect,        op::disconnect,     op::disconnect,    op::disconnect,
    op::attach,         op::partition,      op::heal,          op::list_processes,
};

/// What the decoder knows while it reads: the topology's shape and the names bound so far.
struct context {
  int engines = 1;
  int servers = 1;
  bool password[2] = {false, false};
  bool shared_machine = false;
  std::vector<std::string> handles;  ///< Bound by connect's `as`, in file order.
  std::vector<std::string> pids;     ///< Bound by create_process' and find_process' `as`.

  const std::string& server(std::uint8_t b) const { return server_names[b % servers]; }
  const std::string& machine_of_server(int i) const {
    return i == 1 && shared_machine ? server_names[0] : server_names[i];
  }

  /// A handle argument: mostly a recently bound name (whichever engine bound it), sometimes a
  /// literal no engine returned.
  handle_ref handle(std::uint8_t b) const {
    const unsigned k = b % 16;
    if (k == 10 || handles.empty())
      return {"", (k & 1) != 0 ? 0x1234u : 0u};
    if (k == 11)
      return {"", 0x1234};
    if (k == 12)
      return {"", 0xffffffffffffffffu};
    const std::size_t back = k < 10 ? k % handles.size() : 0;
    return {handles[handles.size() - 1 - back], 0};
  }

  /// A pid argument: a process of the topology, one that never existed, or a bound name.
  pid_ref pid(std::uint8_t b) const {
    const unsigned k = b % 8;
    switch (k) {
      case 0: return {"", 4242};
      case 1: return {"", 4343};
      case 2: return {"", 5252};
      case 3: return {"", 9999};
      default:
        if (pids.empty())
          return {"", 4242};
        return {pids[pids.size() - 1 - (k - 4) % pids.size()], 0};
    }
  }

  /// Link ends between an engine and a server: both ways, or one direction.
  link_ends ends(const std::string& engine, std::uint8_t b) const {
    const std::string& srv = server(b);
    switch ((b >> 1) & 3) {
      case 1: return {engine, srv, false};
      case 2: return {srv, engine, false};
      default: return {engine, srv, true};
    }
  }

  /// Connect options for the server `b` picks: the right password, none, or a wrong one; now and
  /// then a port nobody listens on (S3) or a string that does not parse (S2).
  std::string connect_options(std::uint8_t b) const {
    const int s = b % servers;
    const int port = ((b >> 3) & 3) == 1 ? 5999 : ports[s];
    if (((b >> 3) & 3) == 2)
      return "tcp:server=" + machine_of_server(s) + ",port=";
    std::string o = "tcp:server=" + machine_of_server(s) + ",port=" + std::to_string(port);
    switch ((b >> 1) & 3) {
      case 1: break;                          // No password.
      case 2: o += ",password=nope"; break;   // A wrong one.
      default:
        if (password[s])
          o += ",password=" + passwords[s];
    }
    return o;
  }
};

topology decode_topology(byte_reader& in, context& cx, std::uint64_t& seed) {
  const std::uint8_t shape = in.byte();
  cx.engines = 1 + (shape & 3);
  cx.servers = 1 + ((shape >> 2) & 1);
  cx.password[0] = (shape & 8) != 0;
  cx.password[1] = (shape & 16) != 0;
  cx.shared_machine = cx.servers == 2 && (shape & 32) != 0;
  const std::uint8_t modes = in.byte();
  seed = 1 + static_cast<std::uint64_t>(in.byte());

  topology t;
  t.times = fuzz_timing();
  t.machines.push_back({"srv1",
                        {{4242, "notepad.exe", "Notepad", {}},
                         {4343, "calc.exe", "Calculator", {}},
                         {4444, "notepad.exe", "Notepad", {}}}});
  if (cx.servers == 2 && !cx.shared_machine)
    t.machines.push_back({"srv2", {{5252, "svc.exe", "Service", {}}}});
  else if (cx.servers == 2)
    t.machines[0].processes.push_back({5252, "svc.exe", "Service", {}});
  for (int s = 0; s < cx.servers; ++s) {
    std::string listen = "tcp:port=" + std::to_string(ports[s]);
    if (cx.password[s])
      listen += ",password=" + passwords[s];
    t.servers.push_back({server_names[s], cx.machine_of_server(s), listen, 0ms});
  }
  for (int e = 0; e < cx.engines; ++e) {
    engine_spec spec;
    spec.name = engine_names[e];
    spec.mode = (modes >> e & 1) != 0 ? disconnect_mode::sync : disconnect_mode::async;
    spec.detach_on_exit = (modes >> (4 + e) & 1) != 0;
    if (e == cx.engines - 1 && (shape & 64) != 0)
      spec.protocol_version = protocol::protocol_version + 1;  // S4: every connect is refused.
    t.engines.push_back(spec);
  }
  // One byte per (engine, server) pair whether or not the topology has it, so that a step
  // record always starts at the same offset.
  for (int e = 0; e < 4; ++e) {
    for (int s = 0; s < 2; ++s) {
      const std::uint8_t b = in.byte();
      if (e >= cx.engines || s >= cx.servers || (s == 1 && cx.shared_machine) || b == 0)
        continue;
      t.links.push_back({engine_names[e], server_names[s], profile(b & 15), profile(b >> 4)});
    }
  }
  return t;
}

/// Decodes one step record; returns nothing for a record that adds no step.
std::optional<step_action> decode_action(context& cx, const std::string& engine, std::uint8_t code,
                                         std::uint8_t a, std::uint8_t b) {
  switch (ops[code % ops.size()]) {
    case op::connect: {
      std::string as = "h" + std::to_string(cx.handles.size() + 1);
      cx.handles.push_back(as);
      return action::connect{engine, cx.connect_options(a), as};
    }
    case op::disconnect: return action::disconnect{engine, cx.handle(a)};
    case op::end_server: return action::end_server{engine, cx.handle(a)};
    case op::list_processes: {
      static constexpr std::array<std::uint32_t, 4> maxes = {64, 1, 2, 64};
      return action::list_processes{engine, cx.handle(a), std::nullopt, maxes[b % 4]};
    }
    case op::find_process: {
      static const std::array<std::string, 4> exes = {"notepad.exe", "calc.exe", "svc.exe",
                                                      "none.exe"};
      std::string as = "p" + std::to_string(cx.pids.size() + 1);
      cx.pids.push_back(as);
      return action::find_process{engine, cx.handle(a), exes[b % 4], (b & 4) != 0, as};
    }
    case op::describe_process: return action::describe_process{engine, cx.handle(a), cx.pid(b)};
    case op::attach: return action::attach{engine, cx.handle(a), cx.pid(b)};
    case op::create_process: {
      std::string as = "p" + std::to_string(cx.pids.size() + 1);
      cx.pids.push_back(as);
      return action::create_process{engine, cx.handle(a), (b & 1) != 0 ? "app.exe -x" : "app.exe",
                                    as};
    }
    case op::detach: return action::detach{engine, cx.pid(b)};
    case op::terminate: return action::terminate{engine, cx.pid(b)};
    case op::detach_all: return action::detach_all{engine};
    case op::terminate_all: return action::terminate_all{engine};
    case op::end_session: {
      static constexpr std::array<api::end_mode, 3> modes = {
          api::end_mode::passive, api::end_mode::active_detach, api::end_mode::active_terminate};
      return action::end_session{engine, modes[a % 3]};
    }
    case op::process_options: return action::process_options{engine, (a & 1) != 0};
    case op::partition: return action::partition{cx.ends(engine, a)};
    case op::heal: return action::heal{cx.ends(engine, a)};
    case op::reset: return action::reset{engine, cx.server(a)};
    case op::half_open: return action::half_open{engine, cx.server(a), (a & 2) == 0};
    case op::set_link: {
      const link_params p = profile(b);
      return action::set_link{cx.ends(engine, a), p.latency, p.jitter, p.loss, p.duplicate};
    }
    // Machine crashes, as the seed corpora were found with (the byte layout has no room for the
    // kind, and the corpora's inputs must keep catching the planted bugs they were kept for).
    case op::crash_server: return action::crash_server{cx.server(a), crash_how::machine};
    case op::restart_server: return action::restart_server{cx.server(a)};
    case op::crash_engine: return action::crash_engine{engine, crash_how::machine};
    case op::exit_process:
      return action::exit_process{cx.machine_of_server(a % cx.servers), cx.pid(b)};
    case op::start_server:
    case op::wait_server_end:
    case op::check:
      break;  // Not in `ops`.
  }
  return std::nullopt;
}

}  // namespace

timing fuzz_timing() {
  timing t;
  // Keepalives dominate the cost of a settled run (settling lasts about twice the sum of these
  // bounds), so the keepalive is long next to the others; a 200 ms link (profile 9) still makes a
  // connect's reply arrive after its timeout.
  t.connect_timeout = 300ms;
  t.rpc_timeout = 200ms;
  t.keepalive = 250ms;
  t.lease = 750ms;
  t.shutdown_grace = 250ms;
  return t;
}

scenario decode_disconnect_input(std::span<const std::uint8_t> input) {
  byte_reader in(input);
  context cx;
  scenario s;
  s.name = "disconnect_fuzzer input";
  s.topo = decode_topology(in, cx, s.seed);
  sim_time at{0};
  while (in.remaining() > 0 && s.steps.size() < max_steps) {
    const std::uint8_t time = in.byte();
    const std::uint8_t code = in.byte();
    const std::uint8_t a = in.byte();
    const std::uint8_t b = in.byte();
    at += delays[time & 15];
    if (at > max_time)
      break;
    const std::string& engine = engine_names[((time >> 4) & 3) % cx.engines];
    if (auto what = decode_action(cx, engine, code, a, b))
      s.steps.push_back(step{at, std::move(*what), std::nullopt, {}});
  }
  return s;
}

}  // namespace dbgsim::fuzz
