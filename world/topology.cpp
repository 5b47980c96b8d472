#include "world/topology.hpp"

#include "protocol/transport.hpp"

#include <algorithm>
#include <iterator>
#include <map>
#include <tuple>
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
  // Two servers on one machine differ by port or pipe. Ports collide when their ranges
  // overlap (`port=5000:5010` holds 5005); pipe and COM port names collide regardless of case,
  // as Windows compares them (`COM1` is `com1` and `COM01`, pipe `Debug` is `DEBUG`).
  struct bound {
    std::string machine;
    protocol::transport_kind kind;
    unsigned lo = 0, hi = 0;  // tcp and ssl: the ports held.
    std::string folded;       // npipe, spipe and com: the name in lower case.
    std::size_t index = 0;
  };
  auto port_text = [](const bound& b) {
    return b.lo == b.hi ? std::to_string(b.lo) : std::to_string(b.lo) + ":" + std::to_string(b.hi);
  };
  using protocol::transport_kind;
  auto is_port = [](transport_kind k) { return k == transport_kind::tcp || k == transport_kind::ssl; };
  auto is_pipe = [](transport_kind k) { return k == transport_kind::npipe || k == transport_kind::spipe; };
  // By machine, then by the first port or folded name, so that a clash is found by a lookup.
  std::map<std::string, std::map<unsigned, bound>> ports;  // machine → low port → server
  std::map<std::tuple<std::string, bool, std::string>, bound> names_at;  // machine, pipe?, name
  for (std::size_t i = 0; i < t.servers.size(); ++i) {
    const auto& s = t.servers[i];
    const auto opts =
        std::get<protocol::transport_options>(protocol::parse_server_options(s.listen));
    bound b;
    b.machine = machine_of(s);
    b.kind = opts.kind;
    b.index = i;
    const bound* clash = nullptr;
    std::string at;
    if (is_port(opts.kind)) {
      b.lo = opts.port.value_or(0);
      b.hi = opts.port_high.value_or(b.lo);
      auto& mine = ports[b.machine];
      // The range starting at or below b.hi with the highest start is the only one that can
      // overlap b, as ranges already held do not overlap each other.
      auto it = mine.upper_bound(b.hi);
      if (it != mine.begin() && std::prev(it)->second.hi >= b.lo)
        clash = &std::prev(it)->second;
      if (clash) {
        at = (clash->lo == b.lo && clash->hi == b.hi)
                 ? "tcp:" + port_text(b)
                 : "overlapping ports (tcp:" + port_text(*clash) + " and tcp:" + port_text(b) + ")";
      } else {
        mine.emplace(b.lo, b);
      }
    } else {
      const auto name = is_pipe(opts.kind) ? opts.pipe.value_or("") : opts.com_port.value_or("");
      const auto prefix = is_pipe(opts.kind) ? std::string("npipe:") : std::string("com:");
      b.folded = protocol::endpoint_key(prefix + name);  // As the world finds listeners.
      auto key = std::tuple{b.machine, is_pipe(opts.kind), b.folded};
      auto it = names_at.find(key);
      if (it != names_at.end()) {
        clash = &it->second;
        const auto theirs = protocol::endpoint_of(std::get<protocol::transport_options>(
            protocol::parse_server_options(t.servers[clash->index].listen)));
        const auto mine_ep = prefix + name;
        at = theirs == mine_ep ? mine_ep
                               : theirs + " and " + mine_ep +
                                     " (Windows compares pipe and COM port names regardless of case)";
      } else {
        names_at.emplace(key, b);
      }
    }
    if (clash)
      return problem({part::server, i, 0, field::listen},
                     "servers " + show(t.servers[clash->index].name) + " and " + show(s.name) +
                         " both listen at " + at + " on machine " + show(b.machine) +
                         "; two servers on one machine differ by port or pipe",
                     topology_place{part::server, clash->index, 0, field::listen});
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
