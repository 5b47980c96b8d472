// A message sequence chart of a run as one self-contained SVG file: a lane per engine and
// server, time downward, an arrow per frame, API calls and results at the engine lanes (each
// client program's calls labelled with its name), faults as shaded spans, oracle violations and
// client findings marked on their lanes. Quiet stretches are compressed and labelled, and runs of
// rounds in which nothing but keepalives happen are folded into one row, so a long run stays
// about two screens tall. Labels are placed so that none overlaps another or an arrow.
#pragma once

#include "vocabulary/event.hpp"
#include "findings/checker.hpp"
#include "oracle/oracle.hpp"

#include <cstddef>
#include <iosfwd>
#include <string>
#include <vector>

namespace dbgsim {

/// What the chart shows.
struct chart_options {
  std::string title;             ///< Printed at the top (the scenario's name).
  bool show_keepalives = true;   ///< Keepalive frames are drawn faint; false leaves them out.
  std::vector<finding> findings; ///< Findings about client programs, marked in orange.
  bool full = false;             ///< Every frame drawn: runs of keepalive-only rounds not folded.
};

/// A rectangle of the chart, in SVG pixels (y grows downwards).
struct chart_box {
  double x0 = 0, y0 = 0, x1 = 0, y1 = 0;
};

/// A straight line drawn for a frame: sent → delivered, or sent → where it was dropped.
struct chart_arrow {
  double x0 = 0, y0 = 0, x1 = 0, y1 = 0;
  std::string colour;
  bool dropped = false;  ///< Dashed, ending in the drop's ✕.
};

/// A line of text and the box it is taken to cover: a monospace glyph is 0.6 em wide, 0.8 em
/// above the baseline and 0.25 em below it (DejaVu Sans Mono and Liberation Mono both are).
struct chart_label {
  std::string text;
  double x = 0, y = 0;       ///< The anchor point; y is the baseline.
  const char* anchor = "start";  ///< SVG text-anchor: start, middle or end.
  double font_size = 11;
  std::string colour = "#000";
  bool bold = false;
  chart_box box;              ///< What the text covers.
  int arrow = -1;             ///< The arrow the label names (its ✕ may touch that arrow's end).
};

/// A run of keepalive-only rounds drawn as one row.
struct chart_fold {
  sim_time from{0}, to{0};  ///< The first and the last instant folded.
  std::size_t rounds = 0;   ///< Keepalive requests sent in it, each answered in it.
  double y = 0;             ///< The row's top.
};

/// Everything the chart draws that can collide, and its size; write_chart renders it.
struct chart_layout {
  double width = 0, height = 0;
  std::vector<chart_arrow> arrows;
  std::vector<chart_label> labels;
  std::vector<chart_fold> folds;
  std::vector<std::string> decor;  ///< Lanes, shading, marks: SVG elements drawn under the rest.
};

/// Lays out the chart of `events` (a world's trace) and `violations`.
chart_layout lay_out_chart(const std::vector<event>& events,
                           const std::vector<violation>& violations,
                           const chart_options& options = {});

/// Every collision in `layout`, one line each: two labels whose boxes overlap, or a label whose
/// box an arrow crosses (its own arrow only within 6 px of the end it marks). Empty if none.
std::vector<std::string> label_collisions(const chart_layout& layout);

/// Writes the chart of `events` (a world's trace) and `violations` as SVG.
void write_chart(std::ostream& out, const std::vector<event>& events,
                 const std::vector<violation>& violations, const chart_options& options = {});

}  // namespace dbgsim
