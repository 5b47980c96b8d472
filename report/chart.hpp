// A message sequence chart of a run as one self-contained SVG file: a lane per engine and
// server, time downward, an arrow per frame, API calls and results at the engine lanes, faults as
// shaded spans and oracle violations in red. Quiet stretches are compressed and labelled so a
// run of a few hundred frames stays readable.
#pragma once

#include "vocabulary/event.hpp"
#include "findings/checker.hpp"
#include "oracle/oracle.hpp"

#include <iosfwd>
#include <string>
#include <vector>

namespace dbgsim {

/// What the chart shows.
struct chart_options {
  std::string title;             ///< Printed at the top (the scenario's name).
  bool show_keepalives = true;   ///< Keepalive frames are drawn faint; false leaves them out.
  std::vector<finding> findings; ///< Findings about client programs, drawn in orange.
};

/// Writes the chart of `events` (a world's trace) and `violations` as SVG.
void write_chart(std::ostream& out, const std::vector<event>& events,
                 const std::vector<violation>& violations, const chart_options& options = {});

}  // namespace dbgsim
