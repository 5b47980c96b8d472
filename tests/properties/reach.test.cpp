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

namespace dbgsim::props::testing {
namespace {

using namespace protocol;

case_world one_engine_one_server() {
  case_world w;
  case_server s;
  s.name = "s1";
  s.processes = {{4242, "notepad.exe", "Notepad", {}}};
  w.servers.push_back(s);
  case_engine e;
  e.name = "e1";
  w.engines.push_back(e);
  return w;
}

std::uint64_t connected(model& m) {
  connect_intent ci{0, connect_kind::good};
  api::result r;
  r.hr = S_OK;
  r.handle = 0x8000000100000001ull;
  EXPECT_EQ(m.apply(0, api::connect{m.connect_options(0, ci.kind)}, &ci, r), "");
  return r.handle;
}

// S19: nothing but a reset allows RPC_S_CALL_FAILED; a session in doubt behind a partition
// allows the timeout (S9) and RPC_E_DISCONNECTED, not it.
TEST(LifecycleModel, ASessionInDoubtAllowsTheTimeoutNotTheResetsHresult_S9_S19) {
  model m(one_engine_one_server());
  const auto h = connected(m);
  EXPECT_EQ(m.predict(0, api::list_processes{h, 64}).to_string(), "S_OK");
  m.partition(0, 0, direction::both);
  const auto a = m.predict(0, api::list_processes{h, 64});
  EXPECT_TRUE(a.contains(ERROR_SEM_TIMEOUT)) << a.to_string();
  EXPECT_FALSE(a.contains(RPC_S_CALL_FAILED)) << a.to_string();
  EXPECT_FALSE(m.predict(0, api::describe_process{h, 9999}).contains(RPC_S_CALL_FAILED));
}

// S19: after a reset the engine knows: later calls give RPC_E_DISCONNECTED, disconnect S_OK.
TEST(LifecycleModel, AfterAResetLaterCallsGiveDisconnected_S19) {
  model m(one_engine_one_server());
  const auto h = connected(m);
  m.reset(0, 0);
  EXPECT_EQ(m.predict(0, api::list_processes{h, 64}).to_string(), "RPC_E_DISCONNECTED");
  EXPECT_EQ(m.predict(0, api::disconnect{h}).to_string(), "S_OK");
}

// S4: an engine of another protocol version is refused with RPC_E_VERSION_MISMATCH.
TEST(LifecycleModel, AnotherProtocolVersionIsRefused_S4) {
  auto w = one_engine_one_server();
  w.engines[0].protocol_version = protocol::protocol_version + 1;
  model m(w);
  connect_intent ci{0, connect_kind::good};
  const auto a = m.predict(0, api::connect{m.connect_options(0, ci.kind)}, &ci);
  EXPECT_EQ(a.to_string(), "RPC_E_VERSION_MISMATCH");
  EXPECT_EQ(a.rule(), "S4");
}

// The run refuses sizes beyond its limits as an internal error, not as a property failure.
TEST(LifecycleRunner, OutOfRangeCasesAreAnErrorNotAFailure) {
  lifecycle_options o;
  o.cases = max_cases + 1;
  const auto r = run_lifecycle_property(o);
  EXPECT_FALSE(r.passed);
  EXPECT_FALSE(r.internal_error.empty());
  EXPECT_TRUE(r.rules.empty());
  o.cases = 1;
  o.max_size = max_size + 1;
  EXPECT_FALSE(run_lifecycle_property(o).internal_error.empty());
}

}  // namespace
}  // namespace dbgsim::props::testing
