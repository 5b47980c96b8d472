#include "world/topology.hpp"

#include "protocol/transport.hpp"

#include <algorithm>
#include <map>
#include <utility>

namespace dbgsim {
namespace {

std::string show(const std::string& s) { return "`" + s + "`"; }

using part = topology_place::part;
using field = topology_place::field;

topology_problem problem(topology_place where, std::string message,
                         std::optional<topology_place> first = std::nullopt) {
  return topology_problem{where, first, std::move(message)};
}

}  // namespace

std::string machine_of(const engine_spec& e) { return e.machine.empty() ? e.name : e.machine; }

std::string machine_of(const server_spec& s) { return s.machine.empty() ? s.name : s.machine; }

std::string machine_named_in(const topology& t, const std::string& name) {
  for (const auto& e : t.engines)
    if (e.name == name)
      return machine_of(e);
  for (const auto& s : t.servers)
    if (s.name == name)
      return machine_of(s);
  return name;
}

std::optional<topology_problem> validate(const topology& t) {
  // Machines: each listed once, each pid once per machine.
  std::map<std::string, std::size_t> machines;
  for (std::size_t i = 0; i < t.machines.size(); ++i) {
    const auto& m = t.machines[i];
    if (auto [it, fresh] = machines.emplace(m.name, i); !fresh)
      return problem({part::machine, i, 0, field::name},
                     "the machine " + show(m.name) + " is listed twice (first{at})",
                     topology_place{part::machine, it->second, 0, field::name});
    std::map<std::uint32_t, std::size_t> pids;
    for (std::size_t p = 0; p < m.processes.size(); ++p)
      if (auto [it, fresh] = pids.emplace(m.processes[p].pid, p); !fresh)
        return problem({part::process, i, p, field::pid},
                       "machine " + show(m.name) + ": pid " + std::to_string(m.processes[p].pid) +
                           " is given twice (first{at})",
                       topology_place{part::process, i, it->second, field::pid});
  }
  // Listen strings parse.
  for (std::size_t i = 0; i < t.servers.size(); ++i) {
    const auto& s = t.servers[i];
    auto parsed = protocol::parse_server_options(s.listen);
    if (auto* err = std::get_if<protocol::options_error>(&parsed))
      return problem({part::server, i, 0, field::listen},
                     "server `listen` " + show(s.listen) + ": at byte " +
                         std::to_string(err->offset) + ": " + err->message);
  }
  // Engines and servers share one namespace; each stands for its machine.
  std::map<std::string, std::pair<topology_place, std::string>> names;  // name → place, machine
  auto claim = [&](const std::string& name, topology_place where,
                   const std::string& machine) -> std::optional<topology_problem> {
    const char* kind = where.what == part::server ? "a server" : "an engine";
    if (name.empty())
      return problem(where, std::string(kind) + " needs a name");
    auto [it, fresh] = names.emplace(name, std::pair{where, machine});
    if (fresh)
      return std::nullopt;
    const char* first = it->second.first.what == part::server ? "server" : "engine";
    return problem(where,
                   "the name " + show(name) + " is already taken by the " + first +
                       "{at} (engines and servers share one namespace)",
                   it->second.first);
  };
  for (std::size_t i = 0; i < t.servers.size(); ++i)
    if (auto p = claim(t.servers[i].name, {part::server, i, 0, field::name}, machine_of(t.servers[i])))
      return p;
  for (std::size_t i = 0; i < t.engines.size(); ++i)
    if (auto p = claim(t.engines[i].name, {part::engine, i, 0, field::name}, machine_of(t.engines[i])))
      return p;
  // A machine never shares a name with an engine or server that runs elsewhere: the name would
  // mean two places.
  auto conflict = [&](const std::string& machine,
                      topology_place where) -> std::optional<topology_problem> {
    auto i = names.find(machine);
    if (i == names.end() || i->second.second == machine)
      return std::nullopt;
    const char* kind = i->second.first.what == part::server ? "server" : "engine";
    return problem(where, "the machine " + show(machine) + " has the name of the " + kind + " " +
                              show(machine) + ", which runs on machine " +
                              show(i->second.second) + "; give the machine another name");
  };
  for (std::size_t i = 0; i < t.machines.size(); ++i)
    if (auto p = conflict(t.machines[i].name, {part::machine, i, 0, field::name}))
      return p;
  for (std::size_t i = 0; i < t.servers.size(); ++i)
    if (!t.servers[i].machine.empty())
      if (auto p = conflict(t.servers[i].machine, {part::server, i, 0, field::machine}))
        return p;
  for (std::size_t i = 0; i < t.engines.size(); ++i)
    if (!t.engines[i].machine.empty())
      if (auto p = conflict(t.engines[i].machine, {part::engine, i, 0, field::machine}))
        return p;
  // Two servers on one machine differ by port or pipe.
  std::map<std::pair<std::string, std::string>, std::size_t> endpoints;
  for (std::size_t i = 0; i < t.servers.size(); ++i) {
    const auto& s = t.servers[i];
    const auto endpoint = protocol::endpoint_of(
        std::get<protocol::transport_options>(protocol::parse_server_options(s.listen)));
    const auto machine = machine_of(s);
    if (auto [it, fresh] = endpoints.emplace(std::pair{machine, endpoint}, i); !fresh)
      return problem({part::server, i, 0, field::listen},
                     "servers " + show(t.servers[it->second].name) + " and " + show(s.name) +
                         " both listen at " + endpoint + " on machine " + show(machine) +
                         "; two servers on one machine differ by port or pipe",
                     topology_place{part::server, it->second, 0, field::listen});
  }
  // One link per pair of machines.
  std::map<std::pair<std::string, std::string>, std::size_t> pairs;
  for (std::size_t i = 0; i < t.links.size(); ++i) {
    // By value: std::minmax of two temporaries would return references to them.
    auto a = machine_named_in(t, t.links[i].a), b = machine_named_in(t, t.links[i].b);
    const auto key = a <= b ? std::pair{a, b} : std::pair{b, a};
    if (auto [it, fresh] = pairs.emplace(key, i); !fresh)
      return problem({part::link, i, 0, field::ends},
                     "the link between " + show(t.links[i].a) + " and " + show(t.links[i].b) +
                         " is given twice (first{at})",
                     topology_place{part::link, it->second, 0, field::ends});
  }
  return std::nullopt;
}

std::string text_of(const topology_problem& p, const std::string& first_at) {
  auto out = p.message;
  if (auto i = out.find("{at}"); i != std::string::npos)
    out.replace(i, 4, first_at);
  return out;
}

}  // namespace dbgsim
