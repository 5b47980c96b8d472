// Handles: C1 (a handle left live when the program returned), C2 (a call through a handle the
// program had given up) and C4 (a handle whose session was found gone, used again or kept).
//
// What a handle is, for these rules, is what the program did with it: obtained by a connect
// that returned S_OK, given up by a disconnect or end_server of its own that completed
// SUCCEEDED, dead once a call through it reported its session gone, or killed by its engine's
// crash. The three rules split the handles between them so that one mistake is one finding:
// a dead handle is C4's (never also C1), a given-up one is C2's, and a crashed one nobody's
// (the program could do nothing about it).
#include "findings/detail/checks.hpp"

#include <fmt/format.h>

namespace dbgsim::findings_detail {

namespace {

/// Whether a completed call says the handle's session is gone (S8, S10, S19): the engine keeps
/// the handle live for the program to disconnect, and nothing through it will work again.
bool session_gone(const call_ref& c) {
  return c.hr == protocol::RPC_E_DISCONNECTED || c.hr == protocol::RPC_S_CALL_FAILED;
}

std::string_view ending_text(reason_kind reason) {
  return reason == reason_kind::threw ? "threw" : "returned";
}

}  // namespace

void handle_checks::on_call(program_rec& prog, const call_ref& c) {
  auto* h = prog.handle(c.handle);
  if (!h)
    return;
  const bool disconnect = c.api == api::call_kind::disconnect;
  if (h->disconnected || (h->ended && !disconnect)) {
    // C2: the program gave the handle up and went on using it. After an end_server the handle
    // stays live until disconnected (S8), so a disconnect then is the clean-up, not a use; a
    // disconnect after a disconnect is a use of a handle the program already let go.
    const call_ref& by = h->disconnected ? *h->disconnected : *h->ended;
    st_.report(prog, finding_kind::use_after_disconnect, c.start,
               fmt::format("{} went through handle {} at {}, after the program had given it up: "
                           "its {} completed {} at {}",
                           c.text(), handle_text(c.handle), time_text(c.start), by.text(),
                           by.hr_text(), time_text(by.end)),
               {by.call, c.call}, c.handle, c.pid);
    return;
  }
  if (h->ended)
    return;  // End then Disconnect: the right clean-up (S8).
  if (h->dead && !h->dead_reported && !h->crashed && !c.client() && !disconnect) {
    // C4: the handle's session is gone; only a disconnect makes sense through it now.
    h->dead_reported = true;
    st_.report(prog, finding_kind::dead_handle_kept, c.start,
               fmt::format("{} went through handle {} at {}, after {} through it failed with {} "
                           "at {}: its session was gone and only a disconnect was left to do",
                           c.text(), handle_text(c.handle), time_text(c.start), h->dead->text(),
                           h->dead->hr_text(), time_text(h->dead->end)),
               {h->dead->call, c.call}, c.handle, c.pid);
  }
}

void handle_checks::on_done(program_rec& prog, const call_ref& c) {
  // C4's mark: a call other than a disconnect found the session gone, on a handle the program
  // had not given up itself (a call after its own end_server is C2's, and RPC_E_DISCONNECTED is
  // then what the program asked for) and that its engine's crash had not killed.
  if (c.api == api::call_kind::disconnect || !session_gone(c))
    return;
  auto* h = prog.handle(c.handle);
  if (!h || h->given_up() || h->crashed || h->dead)
    return;
  h->dead = c;
}

void handle_checks::on_end(program_rec& prog, reason_kind reason, sim_time t) {
  // A program stopped at its timeout did not get to clean up: C6 says so, and nothing here.
  if (reason == reason_kind::hung)
    return;
  for (auto& [value, h] : prog.in_order()) {
    if (h->crashed)
      continue;
    if (h->dead) {
      // C4 at the end: the handle was found dead and the program returned without letting
      // it go (at most one C4 per handle, so not if a later call was already reported).
      if (h->dead_reported || h->disconnected)
        continue;
      h->dead_reported = true;
      st_.report(prog, finding_kind::dead_handle_kept, t,
                 fmt::format("the program {} at {} without disconnecting handle {}, after {} "
                             "through it failed with {} at {}: its session was gone",
                             ending_text(reason), time_text(t), handle_text(value),
                             h->dead->text(), h->dead->hr_text(), time_text(h->dead->end)),
                 {h->dead->call}, value, h->dead->pid);
      continue;
    }
    if (h->given_up())
      continue;
    // C1: obtained, never given up, still live.
    const bool unused = h->last_use.call == h->obtained.call && !h->last_use.client();
    const std::string last =
        unused ? fmt::format("never used after that connect")
               : fmt::format("last used at {} ({})", time_text(h->last_use.start), h->last_use.text());
    st_.report(prog, finding_kind::leaked_handle, t,
               fmt::format("handle {}, obtained at {} ({}), was never disconnected or ended when "
                           "the program {} at {}; {}",
                           handle_text(value), time_text(h->obtained.end), h->obtained.text(),
                           ending_text(reason), time_text(t), last),
               {h->obtained.call, h->last_use.call}, value);
  }
}

}  // namespace dbgsim::findings_detail
