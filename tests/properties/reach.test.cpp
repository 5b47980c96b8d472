// What the lifecycle property reaches: over 1,000 cases of a fixed seed every operation kind
// runs, and each cause the rules name for calls in flight (S6 disconnect, S8 end-server, S9
// faults, S19 reset and half-open, a server or engine crash) meets calls in flight. A generator
// change that stops reaching one of them fails here, not silently in the mutant runs.
#include "check.hpp"

#include "props/props.hpp"

#include <sstream>

namespace dbgsim::props::testing {
namespace {

TEST(LifecycleReach, EveryOperationKindRunsAndEveryCauseMeetsCallsInFlight_S6_S9_S19) {
  lifecycle_options o;
  o.cases = 1000;
  o.seed = 1;
  const auto r = run_lifecycle_property(o);
  ASSERT_TRUE(r.internal_error.empty()) << r.internal_error;
  ASSERT_TRUE(r.passed) << r.message;
  std::ostringstream shown;
  r.counts.print(shown);
  for (auto k : generated_kinds()) {
    const std::string name(dbgsim::name_of(k));
    auto i = r.counts.ops.find(name);
    EXPECT_TRUE(i != r.counts.ops.end() && i->second > 0) << name << " never ran\n" << shown.str();
  }
  for (const char* nowait : {"connect (no wait)", "list_processes (no wait)",
                             "describe_process (no wait)", "find_process (no wait)"}) {
    auto i = r.counts.ops.find(nowait);
    EXPECT_TRUE(i != r.counts.ops.end() && i->second > 0) << nowait << " never ran\n"
                                                          << shown.str();
  }
  for (const char* cause : {"disconnect", "end_server", "partition", "set_link", "reset",
                            "half_open", "crash_server", "crash_engine"}) {
    auto i = r.counts.met.find(cause);
    EXPECT_TRUE(i != r.counts.met.end() && i->second > 0)
        << cause << " never met a call in flight\n" << shown.str();
  }
}

// Failures name their rule first, so that `dbgsim prop` can print `rules:` for harnesses.
TEST(LifecycleReach, FailureMessagesOpenWithTheirRules) {
  EXPECT_EQ(rules_of_failure("S6: step 3 gave S_OK"), (std::vector<std::string>{"S6"}));
  EXPECT_EQ(rules_of_failure("S20, S22: after settling"),
            (std::vector<std::string>{"S20", "S22"}));
  EXPECT_EQ(rules_of_failure("at the end, S7: oracle at 5us: x"), (std::vector<std::string>{"S7"}));
  EXPECT_TRUE(rules_of_failure("step 3 (e1 connect s1)").empty());
}

}  // namespace
}  // namespace dbgsim::props::testing
