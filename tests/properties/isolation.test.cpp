// Isolation (S11): what other engines do through the same servers (connect, disconnect, invalid
// and foreign handles, describe, process options) never changes what one engine observes.
#include "check.hpp"

#include "props/props.hpp"

#include <rapidcheck/state.h>

namespace dbgsim::props::testing {
namespace {

/// Operations of other engines that must stay invisible to engine 0: they touch only their own
/// sessions (no attach, create, end-server or faults, which legitimately change what all see).
bool harmless_elsewhere(const op& o) {
  switch (o.kind) {
    case op_kind::connect:
    case op_kind::disconnect:
    case op_kind::describe_process:
    case op_kind::process_options:
    case op_kind::advance:
      return true;
    case op_kind::list_processes:
      return true;
    default:
      return false;
  }
}

bool fault(const op& o) {
  return o.kind == op_kind::partition || o.kind == op_kind::heal ||
         o.kind == op_kind::set_link || o.kind == op_kind::crash_server ||
         o.kind == op_kind::restart_server || o.kind == op_kind::reset ||
         o.kind == op_kind::half_open || o.kind == op_kind::crash_engine ||
         o.kind == op_kind::exit_process;
}

TEST(IsolationProperty, OtherEnginesNeverChangeOneEnginesObservations_S11) {
  EXPECT_TRUE(holds("other engines are invisible", 1000, [] {
    auto w = *gen_case_world(3, 2);
    RC_PRE(w.engines.size() >= 2);
    w.jitter = sim_time{0};  // No random draws: both runs see the same link delays.
    for (auto& srv : w.servers)
      srv.clicon = false;  // A reverse-connection server serves one client only (S16), by design.
    const auto commands = *rc::state::gen::commands(initial_shape(w), &gen_command);
    std::vector<op> all, alone;
    for (const auto& cmd : commands) {
      // Every call waited for: with calls in flight, what runs meanwhile (others' calls taking
      // time) decides what they meet, which is timing, not isolation.
      auto o = dynamic_cast<const step_command&>(*cmd).operation();
      o.nowait = false;
      if (fault(o))
        continue;
      if (o.engine == 0 && o.kind != op_kind::advance) {
        all.push_back(o);
        alone.push_back(o);
      } else if (harmless_elsewhere(o)) {
        all.push_back(o);
        if (o.kind == op_kind::advance)
          alone.push_back(o);
      }
    }
    const auto s = *rc::gen::inRange<std::uint64_t>(1, 1000000);
    harness with_others(w, s, mutant::none), by_itself(w, s, mutant::none);
    for (const auto& o : all)
      RC_ASSERT(!with_others.execute(o));
    for (const auto& o : alone)
      RC_ASSERT(!by_itself.execute(o));
    RC_ASSERT(!with_others.finish());
    RC_ASSERT(!by_itself.finish());
    const auto& e = w.engines.front().name;
    const auto a = with_others.results().find(e), b = by_itself.results().find(e);
    RC_ASSERT((a == with_others.results().end()) == (b == by_itself.results().end()));
    if (a != with_others.results().end())
      RC_ASSERT(a->second == b->second);
  }));
}

}  // namespace
}  // namespace dbgsim::props::testing
