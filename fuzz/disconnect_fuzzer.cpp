// Structure-aware fuzzing of the disconnect path: the input encodes a small world and a timeline
// of calls and faults (fuzz/disconnect_input.hpp), which a scenario player runs to the end and
// settles. When the oracle reports a violation of docs/semantics.md, the target prints the rule,
// the message and the events involved, and aborts, so libFuzzer keeps the input as a finding;
// `dbgsim repro FINDING` turns it into a scenario file that `dbgsim run` replays.
//
// DBGSIM_MUTANT=NAME (read once at start-up) switches on a planted bug (actors/mutant.hpp), so
// that the fuzzer can show it finds each one; DBGSIM_MUTANT=list prints each name, a tab and the
// rules it breaks ("S6" or "S6,S20", as `dbgsim list mutants`), and exits.
#include "fuzz/disconnect_input.hpp"
#include "fuzz/written_scenario.hpp"
#include "scenario/scenario.hpp"
#include "scenario/player.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

dbgsim::mutant chosen_mutant() {
  const char* name = std::getenv("DBGSIM_MUTANT");
  if (name == nullptr || *name == '\0')
    return dbgsim::mutant::none;
  if (std::string_view(name) == "list") {
    for (auto m : dbgsim::all_mutants())
      std::printf("%.*s\t%.*s\n", static_cast<int>(dbgsim::name_of(m).size()),
                  dbgsim::name_of(m).data(), static_cast<int>(dbgsim::rule_of(m).size()),
                  dbgsim::rule_of(m).data());
    std::exit(0);
  }
  if (auto m = dbgsim::mutant_from_name(name))
    return *m;
  std::fprintf(stderr, "disconnect_fuzzer: DBGSIM_MUTANT=%s names no mutant; known:", name);
  for (auto m : dbgsim::all_mutants())
    std::fprintf(stderr, " %.*s", static_cast<int>(dbgsim::name_of(m).size()),
                 dbgsim::name_of(m).data());
  std::fprintf(stderr, "\n");
  std::exit(2);
}

const dbgsim::mutant bug = chosen_mutant();

void print_violation(const dbgsim::violation& v) {
  std::fprintf(stderr, "disconnect_fuzzer: %s violated at %lldus: %s\n", v.rule.c_str(),
               static_cast<long long>(v.t.count()), v.message.c_str());
  // The oracle's own excerpt: the events that make up the violation, oldest first.
  constexpr std::size_t shown = 12;
  const std::size_t from = v.events.size() > shown ? v.events.size() - shown : 0;
  for (std::size_t i = from; i < v.events.size(); ++i)
    std::fprintf(stderr, "  %s\n", dbgsim::to_json_line(v.events[i]).c_str());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto s = dbgsim::fuzz::decode_disconnect_input({data, size});
#ifdef DBGSIM_FUZZ_REPLAY
  // Replaying the corpus in the normal build also checks what `dbgsim repro` relies on.
  dbgsim::fuzz::check_written_scenario(s, "disconnect_fuzzer");
#endif
  dbgsim::run_options options;
  options.bug = bug;
  options.keep_trace = false;  // The oracle judges as events arrive; nothing needs the trace.
  options.settle = true;
  const auto report = dbgsim::run_scenario(s, options);
  if (report.violations.empty())
    return 0;
  for (const auto& v : report.violations)
    print_violation(v);
  std::fprintf(stderr,
               "disconnect_fuzzer: %zu steps, seed %llu, mutant %.*s; turn the input into a "
               "scenario with: dbgsim repro FILE%s%.*s\n",
               s.steps.size(), static_cast<unsigned long long>(s.seed),
               static_cast<int>(dbgsim::name_of(bug).size()), dbgsim::name_of(bug).data(),
               bug == dbgsim::mutant::none ? "" : " --mutant ",
               bug == dbgsim::mutant::none ? 0 : static_cast<int>(dbgsim::name_of(bug).size()),
               dbgsim::name_of(bug).data());
  std::abort();
}
