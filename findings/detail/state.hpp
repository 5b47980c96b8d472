// The client checker's shared state: the record of each client program (its engine, the handles
// it obtained and what became of them, its call in flight), the text helpers every message uses,
// and the report() every rule family files its findings with.
//
// The dispatcher (findings/checker.cpp) keeps these records as events arrive; the rule families
// (findings/detail/checks.hpp) read them. A few fields of a shared record are written by one
// family only, because they must live and die with the record (a program started again starts
// with a clean slate); each such field names its family. Internal: no public header includes
// this file, and it is not installed (only findings/*.hpp are).
#pragma once

#include "findings/checker.hpp"

#include "protocol/hresult.hpp"

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dbgsim::findings_detail {

using protocol::hresult;

/// A time as messages write it: seconds with six decimals ("12.000000s").
std::string time_text(sim_time t);

/// A handle as messages write it ("0x8000000100000001").
std::string handle_text(std::uint64_t h);

/// One call of a program: an engine call (call number ≠ 0) or a client_call (method set).
struct call_ref {
  sim_time start{0};                  ///< When it was made.
  sim_time end{0};                    ///< When it completed (a client_call: its instant).
  std::uint64_t call = 0;             ///< The engine's call number; 0 for a client_call.
  std::optional<api::call_kind> api;  ///< The call kind, if the event names one.
  std::string method;                 ///< A client_call's IDebugClient method; empty otherwise.
  std::uint64_t handle = 0;           ///< The handle argument.
  std::uint32_t pid = 0;              ///< The process argument.
  std::optional<hresult> hr;          ///< What it returned, once completed.

  /// Whether the client API answered it itself (a client_call).
  bool client() const { return call == 0; }

  /// The call as a message names it: "call 3 (list_processes)" or "client call AttachProcess".
  std::string text() const;

  /// Its result as a message names it ("S_OK"; "no HRESULT" when the event had none).
  std::string hr_text() const;
};

/// Whether a completed call failed: a FAILED HRESULT (a result without one is not judged).
inline bool failed(const call_ref& c) { return c.hr && c.hr->failed(); }

/// Whether a completed call succeeded: a SUCCEEDED HRESULT.
inline bool succeeded(const call_ref& c) { return c.hr && c.hr->succeeded(); }

/// A handle a program obtained (a connect that returned S_OK and a nonzero handle).
struct handle_rec {
  std::uint64_t seq = 0;                 ///< Order obtained within the program (findings' order).
  call_ref obtained;                     ///< The connect that returned it.
  call_ref last_use;                     ///< The last call made through it (the connect at first).
  std::optional<call_ref> disconnected;  ///< Its first disconnect that did not give E_INVALIDARG.
  std::optional<call_ref> ended;         ///< Its first end_server that completed SUCCEEDED.
  bool crashed = false;                  ///< Killed by its engine's crash.
  std::optional<call_ref> dead;          ///< The call that found its session gone (C4, handle_checks).
  bool dead_reported = false;            ///< C4 reported for it (handle_checks).

  /// Whether the program gave it up itself: a disconnect (not refused with E_INVALIDARG) or an
  /// end_server that SUCCEEDED.
  bool given_up() const { return disconnected || ended; }

  /// The call by which the program gave it up first, if it did.
  const call_ref* given_up_by() const {
    if (disconnected && ended)
      return disconnected->end <= ended->end ? &*disconnected : &*ended;
    return disconnected ? &*disconnected : ended ? &*ended : nullptr;
  }
};

/// A link of a chain of failed calls made back to back (C5, retry_checks).
struct chain_rec {
  std::vector<call_ref> calls;  ///< The chain so far, oldest first.
  bool reported = false;        ///< C5 reported for this chain.
};

/// One client program, from its program_started (or first event) to its program_ended.
struct program_rec {
  std::string name;
  std::string engine;                              ///< The engine it runs on (`actor`).
  bool ended = false;                              ///< Its program_ended was seen.
  std::map<std::uint64_t, handle_rec> handles;     ///< Every handle it obtained, by value.
  std::uint64_t next_seq = 0;                      ///< The next handle_rec::seq.
  std::optional<call_ref> open;                    ///< Its engine call in flight.
  std::optional<std::pair<std::uint64_t, call_ref>> last_given_up;  ///< Latest remote handle given up, and how (C3).
  chain_rec chain;                                 ///< Failed calls back to back (C5, retry_checks).
  std::optional<call_ref> truncated;               ///< A listing that came back truncated (C8, listing_checks).

  /// The handle record of `h`, or null if the program never obtained it (or h is 0).
  handle_rec* handle(std::uint64_t h) {
    if (h == 0)
      return nullptr;
    auto i = handles.find(h);
    return i == handles.end() ? nullptr : &i->second;
  }

  /// The handles it obtained, in the order obtained (the order findings about them come out).
  std::vector<std::pair<std::uint64_t, handle_rec*>> in_order() {
    std::vector<std::pair<std::uint64_t, handle_rec*>> out;
    for (auto& [h, rec] : handles)
      out.emplace_back(h, &rec);
    std::sort(out.begin(), out.end(),
              [](const auto& x, const auto& y) { return x.second->seq < y.second->seq; });
    return out;
  }
};

/// Everything the families share: the programs and the findings found.
struct shared_state {
  std::map<std::string, program_rec, std::less<>> programs;  ///< By name.
  std::vector<finding> found;                                ///< Every finding, in the order found.

  /// Files one finding about `prog`, at `t`.
  void report(const program_rec& prog, finding_kind kind, sim_time t, std::string message,
              std::vector<std::uint64_t> calls, std::uint64_t handle = 0, std::uint32_t pid = 0) {
    // The calls are the engine's numbers of the calls involved: client_calls have none, and a
    // call named twice (a connect that is also the last use) is named once.
    std::erase(calls, std::uint64_t{0});
    calls.erase(std::unique(calls.begin(), calls.end()), calls.end());
    found.push_back(finding{.kind = kind,
                            .program = prog.name,
                            .engine = prog.engine,
                            .t = t,
                            .handle = handle,
                            .pid = pid,
                            .calls = std::move(calls),
                            .message = std::move(message)});
  }
};

}  // namespace dbgsim::findings_detail
