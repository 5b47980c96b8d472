// The findings about a client program (docs/clients.md): what a user's own dbgeng code did wrong,
// judged from the calls it made and what they returned. Declared once here; the checker
// (findings/), scenario files' `expect: { findings: [...] }`, reports and docs derive from it.
#pragma once

#include "vocabulary/names.hpp"

// The table of findings: identifier, the stable name (scenario files, reports, traces), its rule
// in docs/clients.md, and what it means.
#define DBGSIM_FINDINGS(X)                                                                         \
  X(leaked_handle, "leaked-handle", "C1",                                                          \
    "when the program returned, a server handle it obtained was still live: never disconnected "  \
    "or ended (e.g. overwritten by a second connect)")                                            \
  X(use_after_disconnect, "use-after-disconnect", "C2",                                            \
    "a call through a handle the program had already disconnected or ended")                      \
  X(local_fallback, "local-fallback", "C3",                                                        \
    "a call through handle 0 (the engine's own machine) after the program disconnected or ended " \
    "a remote handle: what it meant for the remote machine runs locally")                         \
  X(dead_handle_kept, "dead-handle-kept", "C4",                                                    \
    "after a call through a handle failed because its session was gone (RPC_E_DISCONNECTED, "     \
    "RPC_S_CALL_FAILED), the program called through it again or returned without disconnecting "  \
    "it")                                                                                         \
  X(busy_retry, "busy-retry", "C5",                                                                \
    "more than three failed calls in a row with no simulated time between one's end and the "    \
    "next one's start")                                                                           \
  X(hung_program, "hung-program", "C6", "the program had not returned by its timeout")            \
  X(program_failed, "program-failed", "C7",                                                       \
    "the program returned non-zero, or an exception escaped it")                                  \
  X(ignored_truncation, "ignored-truncation", "C8",                                                \
    "a process listing came back S_FALSE (more processes than the buffer held, some ids "        \
    "returned) and the program went on without listing again through that handle")

#define DBGSIM_FINDING_RULE(id, name, rule, meaning) rule,
#define DBGSIM_FINDING_MEANING(id, name, rule, meaning) meaning,

namespace dbgsim {

/// A kind of finding about a client program (table DBGSIM_FINDINGS).
DBGSIM_NAMED_ENUM(finding_kind, DBGSIM_FINDINGS);

/// The rule of docs/clients.md a finding kind stands for ("C1").
constexpr std::string_view rule_of(finding_kind k) {
  constexpr std::array<std::string_view, value_count<finding_kind>> rules{
      DBGSIM_FINDINGS(DBGSIM_FINDING_RULE)};
  return rules[static_cast<std::size_t>(k)];
}

/// What a finding kind means, one sentence (docs/clients.md, `dbgsim list findings`).
constexpr std::string_view meaning_of(finding_kind k) {
  constexpr std::array<std::string_view, value_count<finding_kind>> meanings{
      DBGSIM_FINDINGS(DBGSIM_FINDING_MEANING)};
  return meanings[static_cast<std::size_t>(k)];
}

}  // namespace dbgsim
