#include "scenario/client_world.hpp"

#include "findings/checker.hpp"

#include <algorithm>
#include <set>
#include <sstream>

namespace dbgsim {
namespace {

using namespace std::chrono_literals;

/// The world's servers: name (also its machine), port, processes at the start.
struct server_shape {
  std::string_view name;
  int port;
  std::vector<process> processes;
};

const std::vector<server_shape>& server_shapes() {
  static const std::vector<server_shape> shapes = {
      {"srv", 5005, {{4242, "notepad.exe", "Notepad", {}}, {4343, "calc.exe", "Calculator", {}}}},
      {"srv2", 5006, {{5252, "svc.exe", "Service", {}}}},
  };
  return shapes;
}

constexpr std::string_view engine_name = "eng";
constexpr std::string_view bystander_name = "eng2";

link_params params(sim_time latency, sim_time jitter, double loss, double duplicate) {
  link_params p;
  p.latency = latency;
  p.jitter = jitter;
  p.loss = loss;
  p.duplicate = duplicate;
  return p;
}

/// What the decoders' `server` index names in world `w`.
std::size_t server_index(const client_world& w, std::uint8_t s) {
  return w.second_server ? s % 2u : 0u;
}

link_ends ends_of(const std::string& engine, const std::string& server, std::uint8_t way) {
  switch (way % 3) {
    case 1: return {engine, server, false};
    case 2: return {server, engine, false};
    default: return {engine, server, true};
  }
}

action::set_link set_link_to(link_ends ends, const link_params& p) {
  return action::set_link{std::move(ends), p.latency, p.jitter, p.loss, p.duplicate};
}

}  // namespace

const std::vector<client_link_profile>& client_link_profiles() {
  // Against the semantics' default timing (connect 30 s, other calls 5 s, lease 5 s): healthy
  // links, slow and jittery ones, lossy and duplicating ones, one slower than a call's bound and
  // one that carries nothing without being a partition.
  static const std::vector<client_link_profile> profiles = {
      {"healthy", params(0ms, 0ms, 0, 0)},
      {"5ms", params(5ms, 0ms, 0, 0)},
      {"jittery", params(20ms, 50ms, 0, 0)},
      {"lossy", params(2ms, 0ms, 0.2, 0)},
      {"duplicating", params(2ms, 0ms, 0, 0.5)},
      {"lossy-duplicating", params(5ms, 5ms, 0.3, 0.3)},
      {"slow", params(3s, 0ms, 0, 0)},          // A round trip past a call's 5 s bound.
      {"black-hole", params(0ms, 0ms, 1.0, 0)},  // Carries nothing, without being a partition.
  };
  return profiles;
}

scenario to_scenario(const client_world& w, std::vector<finding_kind> declared) {
  std::sort(declared.begin(), declared.end());
  declared.erase(std::unique(declared.begin(), declared.end()), declared.end());
  const auto& profiles = client_link_profiles();
  const link_params first = profiles[w.link % profiles.size()].params;

  scenario s;
  s.name = "client world: " + w.program;
  s.seed = w.seed;
  const std::size_t servers = w.second_server ? 2 : 1;
  std::vector<std::string> engines = {std::string(engine_name)};
  if (w.second_engine)
    engines.emplace_back(bystander_name);
  for (std::size_t i = 0; i < servers; ++i) {
    const auto& sh = server_shapes()[i];
    s.topo.machines.push_back({std::string(sh.name), sh.processes});
    s.topo.servers.push_back(
        {std::string(sh.name), "", "tcp:port=" + std::to_string(sh.port), sim_time{0}});
  }
  for (const auto& e : engines) {
    s.topo.machines.push_back({e, {}});
    engine_spec spec;
    spec.name = e;
    s.topo.engines.push_back(spec);
    for (std::size_t i = 0; i < servers; ++i)
      s.topo.links.push_back({e, std::string(server_shapes()[i].name), first, first});
  }

  client_spec c;
  c.name = std::string(client_world_client);
  c.engine = std::string(engine_name);
  c.program = w.program;
  c.args = w.args;
  c.timeout = w.timeout;
  c.expect_findings = std::move(declared);
  s.clients.push_back(std::move(c));

  auto add = [&](sim_time at, step_action a) {
    s.steps.push_back(step{at, std::move(a), std::nullopt, {}});
  };
  // The bystander holds a session on srv from the start until after the recovery, so that the
  // faults meet a server with more than the program's session.
  if (w.second_engine)
    add(0ms, action::connect{std::string(bystander_name), std::string(client_world_options), "b"});

  sim_time at{0};
  std::vector<bool> crashed(servers, false);
  std::size_t taken = 0;
  for (const auto& f : w.faults) {
    if (taken++ == client_world_max_faults || at + f.after > client_world_max_time)
      break;
    at += f.after;
    if (!f.kind)
      continue;  // advance: the time passes, nothing else.
    const std::size_t si = server_index(w, f.server);
    const std::string srv(server_shapes()[si].name);
    const std::string eng(engine_name);
    switch (*f.kind) {
      case action_kind::partition: add(at, action::partition{ends_of(eng, srv, f.way)}); break;
      case action_kind::heal: add(at, action::heal{ends_of(eng, srv, f.way)}); break;
      case action_kind::reset: add(at, action::reset{eng, srv}); break;
      case action_kind::half_open: add(at, action::half_open{eng, srv, f.way % 2 == 0}); break;
      case action_kind::set_link:
        add(at, set_link_to(ends_of(eng, srv, f.way),
                            profiles[f.profile % profiles.size()].params));
        break;
      case action_kind::crash_server:
        add(at, action::crash_server{srv});
        crashed[si] = true;
        break;
      case action_kind::restart_server:
        add(at, action::restart_server{srv});
        crashed[si] = false;
        break;
      case action_kind::exit_process: {
        const auto& ps = server_shapes()[si].processes;
        add(at, action::exit_process{srv, pid_ref{"", ps[f.process % ps.size()].pid}});
        break;
      }
      default: break;  // Not a client world fault: the decoders never give one.
    }
  }
  // The recovery: every link healed and back to its first profile, every crashed server
  // restarted. Only after a schedule that did something, so that a world without faults is the
  // plain world.
  const bool any = std::any_of(w.faults.begin(), w.faults.end(),
                               [](const client_fault& f) { return f.kind.has_value(); });
  const sim_time recover = at + client_world_recovery;
  if (any) {
    for (const auto& e : engines)
      for (std::size_t i = 0; i < servers; ++i) {
        const std::string srv(server_shapes()[i].name);
        add(recover, action::heal{{e, srv, true}});
        add(recover, set_link_to({e, srv, true}, first));
      }
    for (std::size_t i = 0; i < servers; ++i)
      if (crashed[i])
        add(recover, action::restart_server{std::string(server_shapes()[i].name)});
  }
  if (w.second_engine)
    add(recover + 1s, action::disconnect{std::string(bystander_name), handle_ref{"b", 0}});
  return s;
}

std::vector<finding_kind> client_findings(const std::vector<finding>& findings) {
  std::set<finding_kind> kinds;
  for (const auto& f : findings)
    if (f.program == client_world_client)
      kinds.insert(f.kind);
  return {kinds.begin(), kinds.end()};
}

std::vector<finding_kind> unexpected_findings(const std::vector<finding_kind>& found,
                                              const std::vector<finding_kind>& allowed) {
  std::vector<finding_kind> out;
  for (auto k : found)
    if (std::find(allowed.begin(), allowed.end(), k) == allowed.end())
      out.push_back(k);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<finding_kind> allowed_and_found(const std::vector<finding_kind>& allowed,
                                            const std::vector<finding_kind>& found) {
  std::vector<finding_kind> out;
  for (auto k : found)
    if (std::find(allowed.begin(), allowed.end(), k) != allowed.end())
      out.push_back(k);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::string findings_text(const std::vector<finding_kind>& kinds) {
  if (kinds.empty())
    return "none";
  std::string out;
  for (auto k : kinds) {
    if (!out.empty())
      out += ", ";
    out += std::string(rule_of(k)) + " " + std::string(name_of(k));
  }
  return out;
}

std::string describe_world(const client_world& w) {
  std::ostringstream os;
  const auto& profiles = client_link_profiles();
  os << "client world{" << w.program << " [";
  for (std::size_t i = 0; i < w.args.size(); ++i)
    os << (i == 0 ? "" : " ") << w.args[i];
  os << "] seed " << w.seed << ", links " << profiles[w.link % profiles.size()].name
     << (w.second_server ? ", srv2" : "") << (w.second_engine ? ", eng2" : "") << "; faults:";
  if (w.faults.empty())
    os << " none";
  sim_time at{0};
  for (const auto& f : w.faults) {
    at += f.after;
    os << ' ' << at.count() / 1000 << "ms ";
    if (!f.kind) {
      os << "advance";
      continue;
    }
    os << name_of(*f.kind);
    const char* srv = server_index(w, f.server) == 0 ? "srv" : "srv2";
    switch (*f.kind) {
      case action_kind::partition:
      case action_kind::heal:
        os << '(' << srv << (f.way % 3 == 1 ? ", eng->" : f.way % 3 == 2 ? ", ->eng" : "") << ')';
        break;
      case action_kind::set_link:
        os << '(' << srv << ", " << profiles[f.profile % profiles.size()].name << ')';
        break;
      case action_kind::half_open:
        os << '(' << srv << (f.way % 2 == 0 ? ", server gone)" : ", engine gone)");
        break;
      case action_kind::exit_process: {
        const auto& ps = server_shapes()[server_index(w, f.server)].processes;
        os << '(' << ps[f.process % ps.size()].pid << ')';
        break;
      }
      default: os << '(' << srv << ')';
    }
  }
  os << '}';
  return os.str();
}

}  // namespace dbgsim
