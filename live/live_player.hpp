// The live player: plays a scenario on real loopback sockets in real time. Each server listens on
// a free loopback port (server_host), each engine (engine_host) reaches each server through a
// fault proxy per link and server (live/proxy.hpp), every step is issued at its time multiplied
// by the time scale, faults go to the proxies and hosts, and the live trace is judged by the same
// oracle as a simulated run's. What it gathers compares with a simulated run (live/compare.hpp).
#pragma once

#include "live/compare.hpp"
#include "oracle/oracle.hpp"
#include "scenario/scenario.hpp"
#include "vocabulary/event.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace dbgsim::live {

/// How to play a scenario live.
struct live_options {
  double time_scale = 1.0;  ///< Real duration per simulated duration (0.05: 20 times faster).
  std::chrono::seconds deadline{300};  ///< Real time the whole run may take.
};

/// What a live run gave.
struct live_report {
  run_outcome outcome;                  ///< Per step and final state, for the comparison.
  std::vector<violation> violations;    ///< The oracle's findings on the live trace.
  std::vector<finding> findings;        ///< The client checker's findings on the live trace.
  std::vector<client_failure> client_failures;  ///< Clients whose findings were not as declared.
  std::vector<event> events;            ///< The live trace, server ends named as the engines.
  double real_seconds = 0;              ///< Real time the run took.
  bool timed_out = false;               ///< The deadline passed before the run ended.
  std::string pending;                  ///< What was still pending at the deadline.
  /// No step failed, the oracle found nothing, every client's findings were as declared and
  /// the run ended in time.
  bool passed() const;
};

/// Why `s` cannot be played live ("" when it can): the actions and servers live mode does not
/// carry.
std::string live_unsupported(const scenario& s);

/// Plays `s` live. Precondition: live_unsupported(s) is "".
live_report run_live(const scenario& s, const live_options& options);

}  // namespace dbgsim::live
