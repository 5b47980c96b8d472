// The client checker's rule families, one class and one file each, as the oracle's
// (oracle/detail/checks.hpp):
//
//   file                   class            rules        what they judge
//   findings/handles.cpp   handle_checks    C1 C2 C4     a handle's life: given up, used after, dead
//   findings/fallback.cpp  fallback_checks  C3           handle 0 after a remote handle was given up
//   findings/retries.cpp   retry_checks     C5           failed calls back to back
//   findings/outcome.cpp   outcome_checks   C6 C7        how the program ended
//   findings/listing.cpp   listing_checks   C8           a truncated process listing
//
// The dispatcher (findings/checker.cpp) keeps the shared records (findings/detail/state.hpp) and
// calls each family's hooks for the events it needs, in a fixed order, so that findings of one
// event come out in the same order every run. A family reads the shared records, writes only the
// fields of them marked as its own, and files findings through the shared state. Every hook is
// called before the dispatcher records the event itself, so a family sees what the program had
// done *before* the call it judges. Internal, as state.hpp.
#pragma once

#include "findings/detail/state.hpp"

namespace dbgsim::findings_detail {

/// C1, C2, C4: what the program did with each handle it obtained.
class handle_checks {
public:
  /// Files findings into `st`.
  explicit handle_checks(shared_state& st) : st_(st) {}
  /// C2 and C4 at a call the program made (an engine call or a client_call).
  void on_call(program_rec& prog, const call_ref& c);
  /// C4: a completed engine call that found its handle's session gone marks the handle dead.
  void on_done(program_rec& prog, const call_ref& c);
  /// C1 and C4 when the program ended (`reason` of its program_ended), at `t`.
  void on_end(program_rec& prog, reason_kind reason, sim_time t);

private:
  shared_state& st_;
};

/// C3: a call through handle 0 after the program gave up a remote handle.
class fallback_checks {
public:
  /// Files findings into `st`.
  explicit fallback_checks(shared_state& st) : st_(st) {}
  /// C3 at a call the program made.
  void on_call(program_rec& prog, const call_ref& c);

private:
  shared_state& st_;
};

/// C5: more than three failed calls back to back.
class retry_checks {
public:
  /// Files findings into `st`.
  explicit retry_checks(shared_state& st) : st_(st) {}
  /// Extends or breaks the program's chain with a call that completed (done or client_call).
  void on_completed(program_rec& prog, const call_ref& c);

private:
  shared_state& st_;
};

/// C6, C7: how the program ended.
class outcome_checks {
public:
  /// Files findings into `st`.
  explicit outcome_checks(shared_state& st) : st_(st) {}
  /// C6 (hung) and C7 (non-zero return, exception) at the program's program_ended `e`.
  void on_end(program_rec& prog, const event& e);

private:
  shared_state& st_;
};

/// C8: a truncated process listing the program went on from.
class listing_checks {
public:
  /// Files findings into `st`.
  explicit listing_checks(shared_state& st) : st_(st) {}
  /// C8: the program's next call after a truncated listing must list again through its handle.
  void on_call(program_rec& prog, const call_ref& c);
  /// Notes a listing that came back truncated (S_FALSE with some ids).
  void on_done(program_rec& prog, const call_ref& c, std::uint64_t returned);
  /// C8 when the program ended with a truncated listing not followed up.
  void on_end(program_rec& prog, reason_kind reason, sim_time t);

private:
  shared_state& st_;
};

}  // namespace dbgsim::findings_detail
