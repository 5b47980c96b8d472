// Local fallback: C3. Handle 0 means the engine's own machine for listing, finding, describing,
// attaching and creating (S12). A program that keeps its server handle in one field and zeroes
// it when it disconnects (Binary Ninja's adapter, Pybag) sends every later call through 0, and
// what it meant for the remote machine then runs, without an error, on the local one.
//
// So a call through handle 0 of one of those kinds is reported once the program has given up a
// remote handle (a disconnect or end_server that completed SUCCEEDED). A program that never
// gave one up and calls through 0 means the local machine; a disconnect or end_server of 0 is
// not one of those kinds (S12 answers it E_INVALIDARG, and nothing runs anywhere).
#include "findings/detail/checks.hpp"

#include <fmt/format.h>

namespace dbgsim::findings_detail {

namespace {

/// Calls that handle 0 answers from the engine's own machine (S12).
bool local_on_zero(const std::optional<api::call_kind>& k) {
  return k == api::call_kind::list_processes || k == api::call_kind::find_process ||
         k == api::call_kind::describe_process || k == api::call_kind::attach ||
         k == api::call_kind::create_process;
}

}  // namespace

void fallback_checks::on_call(program_rec& prog, const call_ref& c) {
  if (c.handle != 0 || !local_on_zero(c.api) || !prog.last_given_up)
    return;
  const auto& [remote, by] = *prog.last_given_up;
  st_.report(prog, finding_kind::local_fallback, c.start,
             fmt::format("{} went through handle 0 at {}, so it ran on engine {}'s own machine, "
                         "after the program gave up remote handle {} by its {} at {}",
                         c.text(), time_text(c.start), prog.engine, handle_text(remote),
                         by.text(), time_text(by.end)),
             {by.call, c.call}, 0, c.pid);
}

}  // namespace dbgsim::findings_detail
