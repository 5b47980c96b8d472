#include "props/client_property.hpp"

#include "scenario/player.hpp"
#include "scenario_files/writer.hpp"

#include "props/detail/quiet_check.hpp"

#include <rapidcheck.h>

#include <algorithm>
#include <sstream>

namespace dbgsim::props {
namespace {

using namespace std::chrono_literals;


/// The gaps between faults, shortest first (RapidCheck shrinks an element towards the first):
/// an instant, a call's length, a lease, a backoff's worth.
const std::vector<sim_time> gaps = {0ms, 10ms, 100ms, 500ms, 1s, 2s, 3s, 5s, 7s, 10s};

/// The schedule's entries; an advance first, so that a shrunk fault becomes no fault.
const std::vector<std::optional<action_kind>> kinds = [] {
  std::vector<std::optional<action_kind>> k = {std::nullopt};
  k.insert(k.end(), client_fault_kinds.begin(), client_fault_kinds.end());
  return k;
}();

rc::Gen<client_fault> gen_client_fault() {
  return rc::gen::exec([] {
    client_fault f;
    f.after = *rc::gen::elementOf(gaps);
    f.kind = *rc::gen::elementOf(kinds);
    f.server = *rc::gen::inRange<std::uint8_t>(0, 2);
    f.way = *rc::gen::inRange<std::uint8_t>(0, 3);
    f.profile = *rc::gen::inRange<std::uint8_t>(
        0, static_cast<std::uint8_t>(client_link_profiles().size()));
    f.process = *rc::gen::inRange<std::uint8_t>(0, 2);
    return f;
  });
}

/// The last failing case seen. RapidCheck accepts every failing shrink it tries, so once
/// shrinking ends the last failing run is the shrunk counterexample.
struct failing_case {
  client_world world;
  std::vector<finding_kind> found, unexpected;
  std::vector<std::string> rules;
  std::string message;
};

}  // namespace

rc::Gen<client_world> gen_client_world(const std::string& program,
                                       const std::vector<std::string>& args) {
  return rc::gen::exec([program, args] {
    client_world w;
    w.program = program;
    w.args = args;
    w.seed = *rc::gen::inRange<std::uint64_t>(1, 1000000);
    // One time in four each: RapidCheck shrinks a bool towards false, the plain world.
    w.second_server = *rc::gen::inRange(0, 4) == 3;
    w.second_engine = *rc::gen::inRange(0, 4) == 3;
    // Healthy links half the time, otherwise any profile.
    w.link = *rc::gen::inRange(0, 2) == 0
                 ? 0
                 : *rc::gen::inRange<std::uint8_t>(
                       0, static_cast<std::uint8_t>(client_link_profiles().size()));
    w.faults = *rc::gen::container<std::vector<client_fault>>(gen_client_fault());
    if (w.faults.size() > client_world_max_faults)
      w.faults.resize(client_world_max_faults);
    return w;
  });
}

client_property_result run_client_property(const client_property_options& options) {
  client_property_result result;
  if (options.cases < 1 || options.cases > max_client_cases || options.max_size < 1 ||
      options.max_size > max_client_size) {
    result.internal_error = "cases must be 1.." + std::to_string(max_client_cases) +
                            " and size 1.." + std::to_string(max_client_size);
    return result;
  }
  std::optional<failing_case> last;
  int runs = 0, first_failure = 0;
  std::string internal;

  auto property = [&] {
    if (!internal.empty())
      return;  // The run broke: let RapidCheck finish (every shrink "passes") and report that.
    const auto w = *gen_client_world(options.program, options.args);
    run_report report;
    try {
      run_options ro;
      ro.keep_trace = false;
      ro.settle = true;
      report = run_scenario(to_scenario(w), ro);
    } catch (const std::exception& e) {
      internal = std::string("internal error: ") + e.what() + " in " + describe_world(w);
      return;
    }
    ++runs;
    failing_case c{w, client_findings(report.findings), {}, {}, {}};
    c.unexpected = unexpected_findings(c.found, options.allowed);
    for (const auto& v : report.violations)
      c.rules.push_back(v.rule);
    const bool failed = !c.unexpected.empty() || !c.rules.empty();
    if (failed) {
      std::ostringstream m;
      if (!report.violations.empty())
        m << report.violations.front().rule << ": oracle at " << report.violations.front().t.count()
          << "us: " << report.violations.front().message;
      for (const auto& f : report.findings) {
        if (f.program != client_world_client ||
            std::find(c.unexpected.begin(), c.unexpected.end(), f.kind) == c.unexpected.end())
          continue;
        if (m.tellp() > 0)
          m << "; ";
        m << rule_of(f.kind) << ' ' << name_of(f.kind) << " at " << f.t.count() << "us: "
          << f.message;
      }
      c.message = m.str();
      if (first_failure == 0)
        first_failure = runs;
      last = c;
    }
    if (options.progress)
      options.progress(runs, first_failure != 0);
    if (failed)
      RC_FAIL(c.message);
  };

  const auto outcome = detail::check_quietly(
      property, "client", "a client program under generated faults",
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
  if (!last) {
    std::ostringstream os;
    rc::detail::printResultMessage(outcome, os);
    result.message = os.str();
    return result;
  }
  result.message = last->message;
  result.world = last->world;
  result.found = last->found;
  result.unexpected = last->unexpected;
  result.rules = last->rules;
  result.reproducer = to_scenario(last->world, allowed_and_found(options.allowed, last->found));
  result.reproducer->name = "prop-client-" + options.program + "-" + std::to_string(options.seed);
  result.reproducer->description =
      "Found by `dbgsim prop --client " + options.program + "`: allowed " +
      findings_text(options.allowed) + ", found " + findings_text(last->found) + ".";
  return result;
}

std::pair<bool, std::string> client_replay_fails(const scenario& s) {
  run_options ro;
  ro.keep_trace = false;
  ro.settle = true;
  const auto report = run_scenario(s, ro);
  if (report.passed())
    return {false, "passed"};
  if (!report.violations.empty()) {
    const auto& v = report.violations.front();
    return {true, "oracle: " + v.rule + ": " + v.message};
  }
  if (!report.client_failures.empty()) {
    const auto& c = report.client_failures.front();
    return {true, report.signature() + ": client `" + c.client + "` expected findings " +
                      findings_text(c.expected) + ", got " + findings_text(c.got)};
  }
  const auto& f = report.failures.front();
  return {true, "step " + std::to_string(f.step + 1) + ": expected " + f.expected + ", got " +
                    f.got};
}

std::string client_reproducer_text(const client_property_result& r,
                                   const client_property_options& options) {
  std::ostringstream comment;
  comment << "Found by the client property: dbgsim prop --client " << options.program << " --seed "
          << options.seed << "\nAllowed: " << findings_text(options.allowed)
          << "; found: " << findings_text(r.found) << "; declared: allowed and found, so that the "
          << "replay fails on " << findings_text(r.unexpected)
          << (r.rules.empty() ? "" : " and the oracle's findings") << "\nFailure: " << r.message
          << "\nWorld: " << describe_world(r.world);
  std::ostringstream out;
  if (r.reproducer)
    write_scenario(out, *r.reproducer, comment.str());
  return out.str();
}

}  // namespace dbgsim::props
