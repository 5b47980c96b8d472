// A run as Chrome trace-event JSON, which the Perfetto UI (ui.perfetto.dev) and chrome://tracing
// open: a track per engine, server and link; API calls as slices from call to result; frames as
// flow arrows from sender to receiver; faults, session changes and violations as instants.
#pragma once

#include "vocabulary/event.hpp"
#include "findings/checker.hpp"
#include "oracle/oracle.hpp"

#include <iosfwd>
#include <vector>

namespace dbgsim {

/// Writes `events` and `violations` as a trace-event JSON document.
void write_perfetto(std::ostream& out, const std::vector<event>& events,
                    const std::vector<violation>& violations,
                    const std::vector<finding>& findings = {});

}  // namespace dbgsim
