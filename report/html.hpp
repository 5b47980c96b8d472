// One self-contained HTML report of a run or a sweep: the counts, one section per failure group
// (its signature, how many failed that way, the seed and the command that replay it, the chart of
// that seed inline) and the seed's trace collapsed under a <details> element. Inline CSS and SVG
// only: no script, no fonts, nothing fetched, so it opens offline and attaches to any CI job.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <utility>
#include <vector>

namespace dbgsim {

/// One failure group (a sweep's signature, or one failed scenario of a run).
struct html_group {
  std::string signature;            ///< "S6", "C1 leaked-handle".
  std::uint64_t count = 0;          ///< How many seeds (or scenarios) failed this way.
  std::string scenario;             ///< The scenario file of the replayed run.
  std::uint64_t seed = 0;           ///< The replayed run's seed.
  std::string first;                ///< Its failure, one line.
  std::vector<std::string> notes;   ///< Further lines shown under it (swarm choices).
  std::string replay;               ///< The command that replays it.
  std::string chart_svg;            ///< write_chart's SVG of the run, put in as it is.
  std::string trace;                ///< The run's trace as JSON lines.
  std::size_t trace_events = 0;     ///< How many events the trace holds.
};

/// What the report shows.
struct html_report {
  std::string title;                                        ///< "dbgsim sweep s15-…".
  std::vector<std::pair<std::string, std::string>> facts;   ///< ("scenario", "…"), ("mutant", …).
  std::string unit = "seeds";                               ///< What was counted: seeds, scenarios.
  std::uint64_t total = 0;                                  ///< Runs.
  std::uint64_t passed = 0;                                 ///< Runs that passed.
  std::uint64_t failed = 0;                                 ///< Runs that failed.
  std::vector<html_group> groups;                           ///< In the order they are listed.
};

/// Writes `report` as one HTML5 document; every text is escaped, the charts go in as given.
void write_html(std::ostream& out, const html_report& report);

}  // namespace dbgsim
