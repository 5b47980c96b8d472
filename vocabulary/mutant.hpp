// Planted bugs: each breaks one rule of docs/semantics.md the way a real implementation might,
// so that tests, properties and fuzzers can show they catch it. All are off by default.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace dbgsim {

/// One planted bug; `none` is the correct reference implementation.
enum class mutant : std::uint8_t {
  none,
  reuse_handles,             ///< Engine hands out a released handle value again (S1).
  no_lease_expiry,           ///< Server never reaps silent sessions (S7).
  release_on_ack,            ///< Engine kills a handle only when the disconnect ack arrives (S6).
  accept_stale_incarnation,  ///< Server serves frames of an older incarnation (S10).
  duplicate_connect,         ///< Server opens a second session for a duplicated connect frame (S11).
  skip_password,             ///< Server skips the password check when none is presented (S14).
  late_reply_revives,        ///< Engine accepts a connect reply after the connect timed out (S3).
  foreign_handle,            ///< Engine accepts a handle another engine issued (S5).
  keep_attached,             ///< Server leaves processes attached when a session ends (S21).
  disconnect_ends_targets,   ///< Engine sends the disconnect frame while a target holds the session (S20).
  target_leaks_session,      ///< Engine never releases a session once its last target goes (S20).
};

/// Every mutant except `none`, in declaration order.
std::span<const mutant> all_mutants();

/// The mutant's name as users write it ("reuse-handles"; "none").
std::string_view name_of(mutant m);

/// The mutant a name stands for, or nothing.
std::optional<mutant> mutant_from_name(std::string_view name);

/// The rule the mutant breaks ("S1").
std::string_view rule_of(mutant m);

}  // namespace dbgsim
