// Planted bugs: each breaks one rule of docs/semantics.md the way a real implementation might,
// so that tests, properties and fuzzers can show they catch it. All are off by default.
#pragma once

#include "vocabulary/names.hpp"

#include <span>
#include <string_view>
#include <vector>

// The table of planted bugs: identifier, the name users write, the rules it breaks (comma-separated),
// what it does.
// `none` is the correct reference implementation and must stay first.
#define DBGSIM_MUTANTS(X)                                                                        \
  X(none, "none", "", "the reference implementation, no planted bug")                            \
  X(reuse_handles, "reuse-handles", "S1", "the engine hands out a released handle value again")  \
  X(no_lease_expiry, "no-lease-expiry", "S7", "the server never reaps silent sessions")          \
  X(release_on_ack, "release-on-ack", "S6",                                                      \
    "the engine kills a handle only when the disconnect ack arrives")                            \
  X(accept_stale_incarnation, "accept-stale-incarnation", "S10",                                 \
    "the server serves frames of an older incarnation")                                          \
  X(duplicate_connect, "duplicate-connect", "S11",                                               \
    "the server opens a second session for a duplicated connect frame")                          \
  X(skip_password, "skip-password", "S14",                                                       \
    "the server skips the password check when none is presented")                                \
  X(late_reply_revives, "late-reply-revives", "S3",                                              \
    "the engine accepts a connect reply after the connect timed out")                            \
  X(foreign_handle, "foreign-handle", "S5", "the engine accepts a handle another engine issued") \
  X(keep_attached, "keep-attached", "S21",                                                       \
    "the server leaves processes attached when a session ends")                                  \
  X(disconnect_ends_targets, "disconnect-ends-targets", "S20",                                   \
    "the engine sends the disconnect frame while a target holds the session")                    \
  X(target_leaks_session, "target-leaks-session", "S20",                                         \
    "the engine never releases a session once its last target goes")                             \
  X(keep_calls_on_disconnect, "keep-calls-on-disconnect", "S6",                                  \
    "the engine leaves the handle's calls in flight running when it is disconnected")            \
  X(reset_wrong_hresult, "reset-wrong-hresult", "S19",                                           \
    "a reset fails the calls in flight with RPC_E_DISCONNECTED")                                 \
  X(timeout_wrong_hresult, "timeout-wrong-hresult", "S9",                                        \
    "an rpc timeout fails the call with RPC_S_CALL_FAILED")                                      \
  X(accept_other_version, "accept-other-version", "S4",                                          \
    "the server accepts a connect of another remoting protocol version")                         \
  X(local_calls_wait, "local-calls-wait", "S12",                                                 \
    "the engine answers handle-0 calls a millisecond late, as if over the network")              \
  X(reset_keeps_session, "reset-keeps-session", "S19",                                           \
    "the server keeps the session of a connection that was reset")

namespace dbgsim {

/// One planted bug; `none` is the correct reference implementation.
DBGSIM_NAMED_ENUM(mutant, DBGSIM_MUTANTS);

/// Every mutant except `none`, in declaration order.
std::span<const mutant> all_mutants();

/// The mutant a name stands for, or nothing.
std::optional<mutant> mutant_from_name(std::string_view name);

/// The rules the mutant breaks, as the table writes them ("S1", or "S6,S20" for several; ""
/// for none).
std::string_view rule_of(mutant m);

/// The rules the mutant breaks, one each ("S6", "S20"); empty for none. A harness that catches
/// the mutant must report one of these.
std::vector<std::string_view> rules_of(mutant m);

/// What the mutant does, in one line.
std::string_view description_of(mutant m);

}  // namespace dbgsim
