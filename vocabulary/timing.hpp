// Simulated time and the protocol's timing parameters.
#pragma once

#include <chrono>
#include <cstdint>

namespace dbgsim {

/// A span of simulated time; also a point in simulated time as the span since the world started.
using sim_time = std::chrono::microseconds;

/// The timing parameters of docs/semantics.md (the scenario file's `defaults:`).
struct timing {
  sim_time connect_timeout = std::chrono::seconds(30);  ///< Bound of a connect (S3, S15).
  sim_time rpc_timeout = std::chrono::seconds(5);       ///< Bound of every other remote call (S9, S15).
  sim_time keepalive = std::chrono::seconds(1);         ///< Engine's keepalive interval (S7).
  sim_time lease = std::chrono::seconds(5);             ///< Silence after which a session ends (S7, S22).
  sim_time shutdown_grace = std::chrono::seconds(10);   ///< Longest a shutting-down server waits (S8).
  friend bool operator==(const timing&, const timing&) = default;
};

}  // namespace dbgsim
