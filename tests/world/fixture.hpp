// Small worlds and helpers shared by the sim tests.
#pragma once

#include "world/world.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>

namespace dbgsim::testing {

using namespace std::chrono_literals;

inline constexpr const char* password = "s3cret";
inline const std::string connect_options = "tcp:server=srv,port=5005,password=s3cret";

/// Engines `eng` (and `eng2`), a server `srv` with a password, and notepad (4242) and calc
/// (4343) running on the server's machine.
inline topology small_topology(int engines = 2, link_params lp = {}) {
  topology t;
  t.machines.push_back({"srv", {{4242, "notepad.exe", "Notepad", {}}, {4343, "calc.exe", "Calc", {}}}});
  t.servers.push_back({"srv", "", "tcp:port=5005,password=s3cret", 0ms});
  for (int i = 0; i < engines; ++i) {
    engine_spec e;
    e.name = i == 0 ? "eng" : "eng" + std::to_string(i + 1);
    t.engines.push_back(e);
    t.links.push_back({e.name, "srv", lp, lp});
  }
  return t;
}

/// The options a rules test builds its world with: the planted bug named by DBGSIM_MUTANT, if
/// set (so that tests/world/rules_under_mutant.sh can show each `Rules.Sn_*` test fails under the
/// mutants of rule n), none otherwise. An unknown name ends the run with status 3, never as a
/// test failure, so that a typo cannot pass for a caught mutant.
inline world_options env_options() {
  world_options o;
  const char* name = std::getenv("DBGSIM_MUTANT");
  if (name == nullptr || *name == '\0')
    return o;
  auto m = mutant_from_name(name);
  if (!m) {
    std::fprintf(stderr, "DBGSIM_MUTANT=%s names no mutant\n", name);
    std::exit(3);
  }
  o.bug = *m;
  return o;
}

/// Issues a call and runs the world until it completes (or 120 s pass); the result's hr is
/// 0xFFFFFFFF if it never completed.
inline api::result run_call(world& w, const std::string& engine, api::call c) {
  auto n = w.call(engine, std::move(c));
  const auto limit = w.now() + 120s;
  while (!w.result_of(engine, n) && w.now() < limit)
    w.run_for(10ms);
  if (auto r = w.result_of(engine, n))
    return *r;
  return api::status(protocol::hresult{0xFFFFFFFF});
}

/// Connects `engine` with the standard options and returns the handle (0 on failure).
inline std::uint64_t connect(world& w, const std::string& engine = "eng",
                             const std::string& options = connect_options) {
  auto r = run_call(w, engine, api::connect{options});
  return r.hr == protocol::S_OK ? r.handle : 0;
}

/// The oracle's findings as text, for failure messages.
inline std::string describe(const std::vector<violation>& vs) {
  std::ostringstream out;
  for (const auto& v : vs)
    out << v.rule << " at " << v.t.count() << "us: " << v.message << "\n";
  return out.str();
}

/// Settles the world (heal, let every bound pass, the oracle's final checks) and expects the
/// oracle to have found nothing.
inline void expect_clean(world& w) {
  w.settle();
  EXPECT_TRUE(w.violations().empty()) << describe(w.violations());
}

/// Whether the oracle reported `rule`.
inline bool reported(const world& w, const std::string& rule) {
  for (const auto& v : w.violations())
    if (v.rule == rule)
      return true;
  return false;
}

/// Counts events of a kind (and, if given, with `what` or `reason` equal to `text`).
inline std::size_t count(const world& w, event_kind k, const std::string& text = "") {
  std::size_t n = 0;
  for (const auto& e : w.events())
    if (e.kind == k && (text.empty() || what_text(e) == text || reason_text(e) == text))
      ++n;
  return n;
}

}  // namespace dbgsim::testing
