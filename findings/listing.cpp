// Truncated listings: C8. GetRunningProcessSystemIds through a buffer too small gives S_FALSE,
// the ids that fit and the full count (S17). A program that goes on from that has a partial
// list: the process it looks for may be among those left out. Real clients count first (a call
// with no buffer, which gives the count and no ids) and then fill a buffer of that size, and the
// careful ones pad the count (Pybag adds 100) or list again when the fill is still short,
// because a process started in between makes it so (Binary Ninja's adapter, dap-dbgeng).
//
// So a listing that came back S_FALSE with some ids must be followed, as the program's next
// call, by another listing through the same handle. A count-only listing (S_FALSE, no ids) is
// the first half of the count-then-fill pattern, not a truncation.
#include "findings/detail/checks.hpp"

#include <fmt/format.h>

namespace dbgsim::findings_detail {

void listing_checks::on_call(program_rec& prog, const call_ref& c) {
  if (!prog.truncated)
    return;
  const call_ref listing = *prog.truncated;
  prog.truncated.reset();
  if (c.api == api::call_kind::list_processes && c.handle == listing.handle)
    return;
  st_.report(prog, finding_kind::ignored_truncation, c.start,
             fmt::format("{} through handle {} came back S_FALSE at {} with only part of the "
                         "list, and the program's next call was {} through handle {} at {}, "
                         "not another listing",
                         listing.text(), handle_text(listing.handle), time_text(listing.end),
                         c.text(), handle_text(c.handle), time_text(c.start)),
             {listing.call, c.call}, listing.handle);
}

void listing_checks::on_done(program_rec& prog, const call_ref& c, std::uint64_t returned) {
  if (c.api == api::call_kind::list_processes && c.hr == protocol::S_FALSE && returned > 0)
    prog.truncated = c;
}

void listing_checks::on_end(program_rec& prog, reason_kind reason, sim_time t) {
  // A program stopped at its timeout did not get to its next call: C6 says so.
  if (!prog.truncated || reason == reason_kind::hung)
    return;
  const call_ref listing = *prog.truncated;
  prog.truncated.reset();
  st_.report(prog, finding_kind::ignored_truncation, t,
             fmt::format("{} through handle {} came back S_FALSE at {} with only part of the "
                         "list, and the program {} at {} without listing again",
                         listing.text(), handle_text(listing.handle), time_text(listing.end),
                         reason == reason_kind::threw ? "threw" : "returned", time_text(t)),
             {listing.call}, listing.handle);
}

}  // namespace dbgsim::findings_detail
