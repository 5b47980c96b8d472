#include "props/lifecycle.hpp"

#include "props/commands.hpp"
#include "props/harness.hpp"
#include "scenario/player.hpp"
#include "scenario_files/writer.hpp"

#include "props/detail/quiet_check.hpp"

#include <rapidcheck.h>
#include <rapidcheck/state.h>

#include <cstdlib>
#include <memory>
#include <sstream>

namespace dbgsim::props {

namespace {

/// The last failing case seen. RapidCheck accepts every failing shrink it tries, so once
/// shrinking ends the last failing run is the shrunk counterexample.
struct failing_case {
  std::string message;
  std::vector<std::string> commands;
  std::string world;
  scenario sc;
};

std::string one_line(const case_world& w) {
  std::ostringstream os;
  showValue(w, os);
  return os.str();
}

}  // namespace

lifecycle_result run_lifecycle_property(const lifecycle_options& options) {
  lifecycle_result result;
  if (options.cases < 1 || options.cases > max_cases || options.max_size < 1 ||
      options.max_size > max_size) {
    result.internal_error = "cases must be 1.." + std::to_string(max_cases) + " and size 1.." +
                            std::to_string(max_size);
    return result;
  }
  std::optional<failing_case> last;
  int runs = 0, first_failure = 0;
  std::string internal;

  auto property = [&] {
    if (!internal.empty())
      return;  // The run broke: let RapidCheck finish (every shrink "passes") and report that.
    const auto w = *gen_case_world();
    const auto world_seed = *rc::gen::inRange<std::uint64_t>(1, 1000000);
    command_list commands;
    try {
      commands = *rc::state::gen::commands(initial_shape(w), &gen_command);
    } catch (const std::bad_alloc&) {
      internal = "internal error: out of memory generating a case";
      return;
    }
    std::optional<std::string> failure;
    std::unique_ptr<harness> hp;
    try {
      hp = std::make_unique<harness>(w, world_seed, options.bug, /*keep_trace=*/false,
                                     options.oracle);
      ++runs;
      try {
        rc::state::runAll(commands, initial_shape(w), *hp);
      } catch (const rc::detail::CaseResult& r) {
        if (r.type != rc::detail::CaseResult::Type::Failure)
          throw;
        failure = hp->last_failure().value_or(r.description);
      }
      if (!failure)
        failure = hp->finish();
    } catch (const rc::detail::CaseResult&) {
      throw;
    } catch (const std::exception& e) {
      internal = std::string("internal error: ") + e.what();
      return;
    }
    auto& h = *hp;
    if (first_failure == 0)
      result.counts.add(h.counts());
    if (failure) {
      if (first_failure == 0)
        first_failure = runs;
      last = failing_case{*failure, h.log(), one_line(w), h.played()};
    }
    if (options.progress)
      options.progress(runs, first_failure != 0);
    if (options.on_case)
      options.on_case(h.log());
    if (failure)
      RC_FAIL(*failure);
  };

  const auto outcome = detail::check_quietly(
      property, "lifecycle", "handle lifecycle against the reference model",
      {options.seed, options.cases, options.max_size, options.shrink});

  if (!internal.empty()) {
    result.internal_error = internal;
    result.cases = runs;
    return result;
  }
  if (rc::detail::SuccessResult ok; outcome.match(ok)) {
    result.passed = true;
    result.cases = ok.numSuccess;
    return result;
  }
  result.cases = first_failure != 0 ? first_failure : runs;
  result.shrink_runs = runs - result.cases;
  if (last) {
    result.message = last->message;
    result.commands = last->commands;
    result.world = last->world;
    result.reproducer = last->sc;
    result.reproducer->name = std::string("prop-") + std::string(name_of(options.bug)) + "-" +
                              std::to_string(options.seed);
    result.reproducer->description = last->message;
    result.rules = rules_of_failure(last->message);
  } else {
    std::ostringstream os;
    rc::detail::printResultMessage(outcome, os);
    result.message = os.str();
  }
  return result;
}

std::pair<bool, std::string> replay_fails(const scenario& s, mutant bug) {
  run_options ro;
  ro.bug = bug;
  ro.keep_trace = false;
  ro.settle = true;
  const auto report = run_scenario(s, ro);
  if (report.passed())
    return {false, "passed"};
  if (!report.failures.empty()) {
    const auto& f = report.failures.front();
    return {true, "step " + std::to_string(f.step + 1) + ": expected " + f.expected + ", got " +
                      f.got};
  }
  if (report.violations.empty())  // A client whose findings were not as declared.
    return {true, report.signature()};
  const auto& v = report.violations.front();
  return {true, "oracle: " + v.rule + ": " + v.message};
}

std::string reproducer_text(const lifecycle_result& r, mutant bug) {
  std::ostringstream comment;
  comment << "Found by the handle-lifecycle property";
  if (bug != mutant::none)
    comment << " with the planted bug " << name_of(bug) << " (replay with --mutant "
            << name_of(bug) << ")";
  comment << ".\nFailure: " << r.message << "\nWorld: " << r.world << "\nShrunk commands:";
  for (std::size_t i = 0; i < r.commands.size(); ++i)
    comment << "\n  " << i + 1 << ". " << r.commands[i];
  std::ostringstream out;
  if (r.reproducer)
    write_scenario(out, *r.reproducer, comment.str());
  return out.str();
}

int default_cases(int normal) {
  if (const char* n = std::getenv("DBGSIM_PROP_CASES"); n != nullptr && *n != '\0') {
    const int v = std::atoi(n);
    if (v > 0)
      return v;
  }
  if (const char* l = std::getenv("DBGSIM_PROP_LONG"); l != nullptr && *l != '\0' &&
                                                       std::string(l) != "0")
    return normal * 100;
  return normal;
}

}  // namespace dbgsim::props
