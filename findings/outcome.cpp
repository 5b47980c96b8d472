// How a program ended: C6 (it had not returned by its timeout and was stopped) and C7 (it
// returned non-zero, or an exception escaped it). A hung program is usually one blocked in a
// call that never gives up (a WaitForProcessServerEnd with an infinite timeout, a wait for a
// debug event from a target that is gone), or a retry loop without an end; the call in flight
// when it was stopped is named, because that is where to look.
#include "findings/detail/checks.hpp"

#include <fmt/format.h>

namespace dbgsim::findings_detail {

void outcome_checks::on_end(program_rec& prog, const event& e) {
  const reason_kind reason = e.reason.value_or(reason_kind::returned);
  if (reason == reason_kind::hung) {
    const std::string where =
        prog.open ? fmt::format("; {} through handle {}, made at {}, was still in flight",
                                prog.open->text(), handle_text(prog.open->handle),
                                time_text(prog.open->start))
                  : std::string("; no call of it was in flight");
    st_.report(prog, finding_kind::hung_program, e.t,
               fmt::format("the program had not returned by its timeout and was stopped at {}{}",
                           time_text(e.t), where),
               prog.open ? std::vector<std::uint64_t>{prog.open->call} : std::vector<std::uint64_t>{},
               prog.open ? prog.open->handle : 0, prog.open ? prog.open->pid : 0);
    return;
  }
  if (reason == reason_kind::threw) {
    st_.report(prog, finding_kind::program_failed, e.t,
               fmt::format("an exception escaped the program at {}: {}", time_text(e.t),
                           e.detail.empty() ? std::string("(no text)") : e.detail),
               {});
    return;
  }
  if (e.value == 0)
    return;
  // The return code travels as the int's 32 bits widened (static_cast<std::uint32_t>(int)):
  // shown both as the int the program returned and as its bits (an HRESULT, often).
  const auto bits = static_cast<std::uint32_t>(e.value);
  st_.report(prog, finding_kind::program_failed, e.t,
             fmt::format("the program returned {} (0x{:08X}) at {}", static_cast<std::int32_t>(bits),
                         bits, time_text(e.t)),
             {});
}

}  // namespace dbgsim::findings_detail
