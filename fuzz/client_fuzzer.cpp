// Fuzzing a client program: the input picks a bundled program and a schedule of faults around it
// (fuzz/client_input.hpp, scenario/client_world.hpp), which a scenario player runs to the end and
// settles. A finding about the program outside what its row of fuzz_clients() allows, or an
// oracle violation, is a crash: the target prints each unexpected finding ("C7 program-failed
// program at 3.000000s: ...") or the rule violated, and aborts, so libFuzzer keeps the input;
// `dbgsim repro --client FINDING` turns it into a scenario file that `dbgsim run` replays.
#include "client_runtime/program_catalog.hpp"
#include "fuzz/client_input.hpp"
#include "fuzz/written_scenario.hpp"
#include "scenario/client_world.hpp"
#include "scenario/player.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

/// Every row of the table names a program this executable bundles: checked once, so that a
/// renamed program fails loudly instead of every input failing to load.
const bool table_checked = [] {
  for (const auto& c : dbgsim::fuzz::fuzz_clients())
    if (dbgsim::program_catalog::process().find(c.program) == nullptr) {
      std::fprintf(stderr, "client_fuzzer: fuzz_clients() names %s, which is not bundled\n",
                   c.program.c_str());
      std::exit(2);
    }
  return true;
}();

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  (void)table_checked;
  const auto world = dbgsim::fuzz::decode_client_input({data, size});
  const auto& allowed = dbgsim::fuzz::allowed_of_client_input({data, size});
  const auto s = dbgsim::to_scenario(world, allowed);
#ifdef DBGSIM_FUZZ_REPLAY
  // Replaying the corpus in the normal build also checks what `dbgsim repro` relies on.
  dbgsim::fuzz::check_written_scenario(s, "client_fuzzer");
#endif
  dbgsim::run_options options;
  options.keep_trace = false;  // The oracle and the checker judge as events arrive.
  options.settle = true;
  const auto report = dbgsim::run_scenario(s, options);
  const auto found = dbgsim::client_findings(report.findings);
  const auto unexpected = dbgsim::unexpected_findings(found, allowed);
  if (report.violations.empty() && unexpected.empty())
    return 0;
  for (const auto& v : report.violations)
    std::fprintf(stderr, "client_fuzzer: %s violated at %lldus: %s\n", v.rule.c_str(),
                 static_cast<long long>(v.t.count()), v.message.c_str());
  for (const auto& f : report.findings) {
    bool out = false;
    for (auto k : unexpected)
      out = out || k == f.kind;
    if (out)
      std::fprintf(stderr, "client_fuzzer: %s %s %s at %lldus: %s\n",
                   std::string(dbgsim::rule_of(f.kind)).c_str(),
                   std::string(dbgsim::name_of(f.kind)).c_str(), f.program.c_str(),
                   static_cast<long long>(f.t.count()), f.message.c_str());
  }
  std::fprintf(stderr,
               "client_fuzzer: %s, allowed %s, found %s; %s; turn the input into a scenario "
               "with: dbgsim repro --client FILE\n",
               world.program.c_str(), dbgsim::findings_text(allowed).c_str(),
               dbgsim::findings_text(found).c_str(), dbgsim::describe_world(world).c_str());
  std::abort();
}
