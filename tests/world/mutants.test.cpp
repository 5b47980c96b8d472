// For each planted bug, one specific run in which the oracle catches it, and the same run
// passing with no bug (docs/semantics.md, "planted bugs").
#include "fixture.hpp"

#include "vocabulary/mutant.hpp"

#include <algorithm>
#include <functional>
#include <ostream>

namespace dbgsim::testing {
namespace {

struct mutant_case {
  mutant bug;
  const char* rule;  ///< The rule the oracle must report.
  std::function<topology()> make;
  std::function<void(world&)> run;
};

std::vector<mutant_case> cases() {
  link_params dup;
  dup.duplicate = 1.0;
  link_params slow;
  slow.latency = std::chrono::seconds(20);
  auto plain = [] { return small_topology(2); };
  return {
      {mutant::reuse_handles, "S1", plain,
       [](world& w) {
         auto h = connect(w);
         run_call(w, "eng", api::disconnect{h});
         connect(w);
       }},
      {mutant::no_lease_expiry, "S7", plain,
       [](world& w) {
         connect(w);
         w.crash_engine("eng", crash_how::machine);
       }},
      {mutant::release_on_ack, "S6", plain,
       [](world& w) {
         auto h = connect(w);
         w.partition("eng", "srv");
         run_call(w, "eng", api::disconnect{h});
         run_call(w, "eng", api::list_processes{h, 4});
       }},
      {mutant::accept_stale_incarnation, "S10", plain,
       [](world& w) {
         connect(w, "eng");
         w.crash_server("srv", crash_how::machine);
         w.restart_server("srv");
         connect(w, "eng2");  // Takes the new incarnation's first session id.
         w.run_for(std::chrono::seconds(2));
       }},
      {mutant::duplicate_connect, "S11", [dup] { return small_topology(1, dup); },
       [](world& w) { connect(w); }},
      {mutant::skip_password, "S14", plain,
       [](world& w) { run_call(w, "eng", api::connect{"tcp:server=srv,port=5005"}); }},
      {mutant::late_reply_revives, "S3", [slow] { return small_topology(1, slow); },
       [](world& w) {
         run_call(w, "eng", api::connect{connect_options});
         w.run_for(std::chrono::seconds(20));
       }},
      {mutant::foreign_handle, "S5", plain,
       [](world& w) {
         auto h1 = connect(w, "eng");
         connect(w, "eng2");
         run_call(w, "eng2", api::disconnect{h1});
       }},
      {mutant::keep_attached, "S21", plain,
       [](world& w) {
         auto h = connect(w);
         run_call(w, "eng", api::attach{h, 4242});
         w.reset("eng", "srv");
         w.run_for(std::chrono::seconds(1));
       }},
      {mutant::disconnect_ends_targets, "S20", plain,
       [](world& w) {
         auto h = connect(w);
         run_call(w, "eng", api::attach{h, 4242});
         run_call(w, "eng", api::disconnect{h});
       }},
      {mutant::target_leaks_session, "S20", plain,
       [](world& w) {
         auto h = connect(w);
         run_call(w, "eng", api::attach{h, 4242});
         run_call(w, "eng", api::disconnect{h});
         run_call(w, "eng", api::detach{4242});
         w.run_for(std::chrono::seconds(1));
       }},
      {mutant::keep_calls_on_disconnect, "S6", plain,
       [](world& w) {
         auto h = connect(w);
         w.partition("eng", "srv");
         w.call("eng", api::list_processes{h, 4});  // In flight when the handle is disconnected.
         run_call(w, "eng", api::disconnect{h});
         w.run_for(std::chrono::seconds(6));
       }},
      {mutant::reset_wrong_hresult, "S19", plain,
       [](world& w) {
         auto h = connect(w);
         w.partition("eng", "srv");
         w.call("eng", api::list_processes{h, 4});  // In flight at the reset.
         w.run_for(std::chrono::milliseconds(10));
         w.reset("eng", "srv");
         w.run_for(std::chrono::seconds(1));
       }},
      {mutant::timeout_wrong_hresult, "S9", plain,
       [](world& w) {
         auto h = connect(w);
         w.partition("eng", "srv");
         run_call(w, "eng", api::list_processes{h, 4});
       }},
      {mutant::accept_other_version, "S4",
       [] {
         auto t = small_topology(1);
         t.engines[0].protocol_version = protocol::protocol_version + 1;
         return t;
       },
       [](world& w) { run_call(w, "eng", api::connect{connect_options}); }},
      {mutant::reset_keeps_session, "S19", plain,
       [](world& w) {
         connect(w);
         w.reset("eng", "srv");
         w.run_for(std::chrono::seconds(1));
       }},
      {mutant::local_calls_wait, "S12", plain,
       [](world& w) { run_call(w, "eng", api::list_processes{0, 4}); }},
  };
}

// GoogleTest would otherwise print the case's bytes, pointers included, into every test's name.
void PrintTo(const mutant_case& c, std::ostream* out) {
  *out << name_of(c.bug) << " (" << c.rule << ")";
}

class Mutants : public ::testing::TestWithParam<mutant_case> {};

TEST_P(Mutants, OracleCatchesTheBugAndPassesWithoutIt) {
  const auto& c = GetParam();
  // The rule the oracle must report is one the mutant table gives the mutant (vocabulary/mutant.hpp).
  const auto own = rules_of(c.bug);
  ASSERT_NE(std::find(own.begin(), own.end(), std::string_view(c.rule)), own.end())
      << c.rule << " is not a rule of " << name_of(c.bug) << " (" << rule_of(c.bug) << ")";
  {
    world w(c.make(), 1, {c.bug, true});
    c.run(w);
    w.settle();
    EXPECT_TRUE(reported(w, c.rule))
        << name_of(c.bug) << " should break " << c.rule << "; the oracle said:\n"
        << describe(w.violations());
  }
  {
    world w(c.make(), 1, {mutant::none, true});
    c.run(w);
    w.settle();
    EXPECT_TRUE(w.violations().empty()) << describe(w.violations());
  }
}

TEST(Mutants, EveryMutantHasACase) {
  auto all = cases();
  for (auto m : all_mutants()) {
    bool found = false;
    for (const auto& c : all)
      found = found || c.bug == m;
    EXPECT_TRUE(found) << name_of(m);
  }
}

INSTANTIATE_TEST_SUITE_P(All, Mutants, ::testing::ValuesIn(cases()),
                         [](const auto& info) {
                           std::string n(name_of(info.param.bug));
                           for (auto& ch : n)
                             if (ch == '-')
                               ch = '_';
                           return n;
                         });

}  // namespace
}  // namespace dbgsim::testing
