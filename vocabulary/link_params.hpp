// The fault parameters of one direction of a link: plain data shared by the topology, scenario
// files, the property suite and the link actor.
#pragma once

#include "vocabulary/timing.hpp"

namespace dbgsim {

/// Fault parameters of one direction of a link.
struct link_params {
  sim_time latency{0};     ///< Fixed delay per frame.
  sim_time jitter{0};      ///< Extra delay per frame, uniform in [0, jitter].
  double loss = 0;         ///< Probability that a frame is lost.
  double duplicate = 0;    ///< Probability that a frame is delivered twice.
  friend bool operator==(const link_params&, const link_params&) = default;
};

}  // namespace dbgsim
