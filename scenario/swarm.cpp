#include "scenario/swarm.hpp"

#include "world/random.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

namespace dbgsim {
namespace {

using namespace std::chrono_literals;

std::string ms_text(sim_time t) {
  return fmt::format("{}ms", std::chrono::duration_cast<std::chrono::milliseconds>(t).count());
}

struct chooser {
  random_source rng;

  bool chance(unsigned percent) { return rng.upto(99) < percent; }
  std::uint64_t between(std::uint64_t lo, std::uint64_t hi) { return lo + rng.upto(hi - lo); }
  // A time on a whole millisecond, so that a written scenario reads back to the same value.
  sim_time time_in(sim_time lo, sim_time hi) {
    const auto a = std::chrono::duration_cast<std::chrono::milliseconds>(lo).count();
    const auto b = std::chrono::duration_cast<std::chrono::milliseconds>(hi).count();
    return std::chrono::milliseconds(between(static_cast<std::uint64_t>(a),
                                             static_cast<std::uint64_t>(std::max(a, b))));
  }
};

step make_step(sim_time at, step_action a) {
  step st;
  st.at = at;
  st.what = std::move(a);
  return st;
}

}  // namespace

swarm_result swarm(const scenario& input, std::uint64_t seed) {
  swarm_result out{input, {}};
  auto& s = out.s;
  // The file's assertions were written for the file's faults; under extra faults its calls
  // rightly return other things, so only the oracle judges a swarm run.
  std::erase_if(s.steps,
                [](const step& st) { return std::holds_alternative<action::check>(st.what); });
  for (auto& st : s.steps) {
    st.expect.reset();
    if (auto* l = std::get_if<action::list_processes>(&st.what))
      l->pids.reset();
  }
  // Its own stream, apart from the world's (which is seeded with `seed` directly): the tag keeps
  // the two from sharing a sequence.
  chooser pick{random_source(seed ^ 0x5357'4152'4D00'0000ull)};

  // The engine–server pairs on different machines: where faults can act.
  std::vector<std::pair<std::string, std::string>> pairs;
  for (const auto& e : s.topo.engines)
    for (const auto& v : s.topo.servers)
      if (machine_named_in(s.topo, e.name) != machine_named_in(s.topo, v.name))
        pairs.emplace_back(e.name, v.name);

  sim_time span = 1s;
  for (const auto& st : s.steps)
    span = std::max(span, st.at);
  const auto lease = s.topo.times.lease;

  // Noise on each pair's link, on top of what the file gives it.
  for (const auto& [e, v] : pairs) {
    if (!pick.chance(50))
      continue;
    const auto me = machine_named_in(s.topo, e), mv = machine_named_in(s.topo, v);
    auto it = std::find_if(s.topo.links.begin(), s.topo.links.end(), [&](const link_spec& l) {
      const auto a = machine_named_in(s.topo, l.a), b = machine_named_in(s.topo, l.b);
      return (a == me && b == mv) || (a == mv && b == me);
    });
    if (it == s.topo.links.end()) {
      s.topo.links.push_back({e, v, {}, {}});
      it = std::prev(s.topo.links.end());
    }
    std::vector<std::string> what;
    if (pick.chance(50)) {
      const double loss = static_cast<double>(pick.between(1, 15)) / 100;
      it->a_to_b.loss = it->b_to_a.loss = std::max({loss, it->a_to_b.loss, it->b_to_a.loss});
      what.push_back(fmt::format("loss {:.2f}", it->a_to_b.loss));
    }
    if (pick.chance(50)) {
      const double dup = static_cast<double>(pick.between(1, 20)) / 100;
      it->a_to_b.duplicate = it->b_to_a.duplicate =
          std::max({dup, it->a_to_b.duplicate, it->b_to_a.duplicate});
      what.push_back(fmt::format("duplicate {:.2f}", it->a_to_b.duplicate));
    }
    if (what.empty() || pick.chance(50)) {
      const sim_time jitter = std::chrono::milliseconds(pick.between(1, 50));
      it->a_to_b.jitter = std::max(it->a_to_b.jitter, jitter);
      it->b_to_a.jitter = std::max(it->b_to_a.jitter, jitter);
      what.push_back("jitter " + ms_text(jitter));
    }
    std::string line;
    for (const auto& w : what)
      line += (line.empty() ? "" : ", ") + w;
    out.choices.push_back(fmt::format("{} on {}<->{}", line, e, v));
  }

  if (!pairs.empty()) {
    auto pair = [&] { return pairs[pick.between(0, pairs.size() - 1)]; };
    if (pick.chance(50)) {
      auto [e, v] = pair();
      const bool towards_server = pick.chance(50);
      const auto from = towards_server ? e : v, to = towards_server ? v : e;
      const auto at = pick.time_in(0ms, span);
      const auto heal_at = at + pick.time_in(100ms, 2 * lease);
      s.steps.push_back(make_step(at, action::partition{{from, to, false}}));
      s.steps.push_back(make_step(heal_at, action::heal{{from, to, false}}));
      out.choices.push_back(fmt::format("one-way partition {}->{} from {} to {}", from, to,
                                        ms_text(at), ms_text(heal_at)));
    }
    if (pick.chance(30)) {
      auto [e, v] = pair();
      const auto at = pick.time_in(0ms, span);
      const auto heal_at = at + pick.time_in(100ms, 2 * lease);
      s.steps.push_back(make_step(at, action::partition{{e, v, true}}));
      s.steps.push_back(make_step(heal_at, action::heal{{e, v, true}}));
      out.choices.push_back(
          fmt::format("partition {}<->{} from {} to {}", e, v, ms_text(at), ms_text(heal_at)));
    }
    if (pick.chance(40)) {
      auto [e, v] = pair();
      const auto at = pick.time_in(0ms, span);
      s.steps.push_back(make_step(at, action::reset{e, v}));
      out.choices.push_back(fmt::format("reset {}<->{} at {}", e, v, ms_text(at)));
    }
    if (pick.chance(20)) {
      auto [e, v] = pair();
      const auto at = pick.time_in(0ms, span);
      const bool server_gone = pick.chance(50);
      s.steps.push_back(make_step(at, action::half_open{e, v, server_gone}));
      out.choices.push_back(fmt::format("half-open {}<->{} at {} ({} end gone)", e, v, ms_text(at),
                                        server_gone ? "server" : "engine"));
    }
  }
  if (!s.topo.servers.empty() && pick.chance(30)) {
    const auto& v = s.topo.servers[pick.between(0, s.topo.servers.size() - 1)].name;
    const auto at = pick.time_in(0ms, span);
    const auto back = at + pick.time_in(10ms, lease);
    s.steps.push_back(make_step(at, action::crash_server{v}));
    s.steps.push_back(make_step(back, action::restart_server{v}));
    out.choices.push_back(
        fmt::format("crash {} at {}, restart at {}", v, ms_text(at), ms_text(back)));
  }
  if (out.choices.empty())
    out.choices.push_back("no extra faults");
  return out;
}

}  // namespace dbgsim
