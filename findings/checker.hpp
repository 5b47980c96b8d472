// The client checker: judges client programs (docs/clients.md, C1...C8) from the events of their
// calls, as the oracle judges engines and servers (oracle/oracle.hpp) from theirs. It reads
// events only: the `program` field of `call`, `done` and `client_call`, `program_started` and
// `program_ended`, and `handle_dead` for engine crashes.
#pragma once

#include "vocabulary/event.hpp"
#include "vocabulary/finding.hpp"
#include "vocabulary/timing.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace dbgsim {

/// One thing a client program did wrong.
struct finding {
  finding_kind kind = finding_kind::program_failed;
  std::string program;               ///< The client's name (the scenario's `clients:` name).
  std::string engine;                ///< The engine it ran on.
  sim_time t{0};                     ///< When the checker saw it.
  std::uint64_t handle = 0;          ///< The server handle involved, 0 if none.
  std::uint32_t pid = 0;             ///< The process involved, 0 if none.
  std::vector<std::uint64_t> calls;  ///< The engine's call numbers involved, oldest first.
  std::string message;               ///< What the program did, in a sentence.
};

/// Checks docs/clients.md on a stream of events.
class client_checker {
public:
  client_checker();
  ~client_checker();
  client_checker(client_checker&&) noexcept;
  client_checker& operator=(client_checker&&) noexcept;

  /// Checks one more event; events arrive in trace order, times never decrease.
  void observe(const event& e);

  /// Every finding so far, in the order found.
  const std::vector<finding>& findings() const;

private:
  struct state;
  std::unique_ptr<state> st_;
};

/// A finding as one line: "C1 leaked-handle ide at 12.000000s: handle 0x... obtained ...".
std::string to_string(const finding& f);

}  // namespace dbgsim
