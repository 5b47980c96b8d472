// Busy retries: C5. A program that retries a failing call with no pause (no Sleep, no wait for an
// event) spins: against a partitioned or ended server every attempt fails the same way, and in
// a real debugger it burns a core and floods the log. Binary Ninja's adapter retries its connect
// 300 times, but 100 ms apart: that is the pause this rule asks for.
//
// A chain is a run of failed calls (FAILED HRESULT; an engine call's done and a client_call both
// count) where each one was made at the exact instant the one before it ended. A call that
// failed after a while (a timeout) still chains with a call made the instant it returned: it
// is the pause *between* calls that counts. A success, or any simulated time between one call's
// end and the next one's start, breaks the chain. The fourth link is reported, once per chain.
#include "findings/detail/checks.hpp"

#include <fmt/format.h>

namespace dbgsim::findings_detail {

namespace {

/// How many failed calls back to back make a busy retry: "more than three" (the table).
constexpr std::size_t busy_chain = 4;

}  // namespace

void retry_checks::on_completed(program_rec& prog, const call_ref& c) {
  auto& chain = prog.chain;
  if (!failed(c)) {
    chain = chain_rec{};
    return;
  }
  if (chain.calls.empty() || chain.calls.back().end != c.start)
    chain = chain_rec{};
  chain.calls.push_back(c);
  if (chain.calls.size() < busy_chain || chain.reported)
    return;
  chain.reported = true;
  std::string links;
  std::vector<std::uint64_t> calls;
  // The handle and process are named when every link shares them (a retry of one call).
  std::uint64_t handle = c.handle;
  std::uint32_t pid = c.pid;
  for (const auto& link : chain.calls) {
    links += fmt::format("{}{} {}", links.empty() ? "" : ", ", link.text(), link.hr_text());
    calls.push_back(link.call);
    if (link.handle != handle)
      handle = 0;
    if (link.pid != pid)
      pid = 0;
  }
  st_.report(prog, finding_kind::busy_retry, c.end,
             fmt::format("{} failed calls in a row from {} to {}, each made the instant the one "
                         "before it failed: {}",
                         chain.calls.size(), time_text(chain.calls.front().start),
                         time_text(c.end), links),
             std::move(calls), handle, pid);
}

}  // namespace dbgsim::findings_detail
