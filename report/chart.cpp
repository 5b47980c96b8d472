#include "report/chart.hpp"

#include "protocol/hresult.hpp"
#include "report/xml.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <ostream>
#include <set>

namespace dbgsim {
namespace {

constexpr double time_column = 90;  // Time labels and the marks of cut quiet spans.
constexpr double call_column = 340; // Calls and results, written left of each engine's lane.
constexpr double lane_gap = 250;    // Between lanes (an engine's gap also holds its calls).
constexpr double fault_column = 280;// Fault labels, right of the last lane.
constexpr double top = 84;
constexpr double px_per_ms = 0.6;   // 20 ms of latency is 12 px: slopes stay visible.
constexpr double row = 13;          // One line of text: labels at one instant stack by rows.
constexpr double min_step = 5;      // Events at distinct times never overlap.
constexpr double max_step = 16;     // Longer quiet spans are cut and labelled (a line of text).
constexpr double fold_height = row + 3;
constexpr double slot = 20;        // Between frames one lane sends (or receives) in one instant.
constexpr int max_passes = 8;       // Layouts tried, each with more room where labels collided.
constexpr double own_end = 6;       // How near its anchor end a drop's label may touch its arrow.

// The chart's text: XML 1.0 escaping (report/xml.hpp), shared with the JUnit report.
std::string escape(std::string_view s) { return xml_escape(s); }

// `whole` units and a fraction of `digits` decimal places, trailing zeros dropped ("9.022").
std::string decimal(std::int64_t value, std::int64_t unit, int digits) {
  std::string text = fmt::format("{}", value / unit);
  if (auto frac = value % unit; frac != 0) {
    std::string f = fmt::format("{:0{}}", frac, digits);
    while (!f.empty() && f.back() == '0')
      f.pop_back();
    text += "." + f;
  }
  return text;
}

// Readable at a glance: "850us", "21.965ms", "9.022s", in the largest unit that is at least 1.
std::string format_time(sim_time t) {
  const auto us = t.count();
  if (us < 1000)
    return fmt::format("{}us", us);
  if (us < 1000000)
    return decimal(us, 1000, 3) + "ms";
  return decimal(us, 1000000, 6) + "s";
}

// Whether an event writes a line of text at its lane (and so needs a row of its own).
bool labelled(const event& e) {
  switch (e.kind) {
    case event_kind::call:
    case event_kind::done:
    case event_kind::program_started:
    case event_kind::program_ended:
    case event_kind::client_call:
    case event_kind::session_open:
    case event_kind::session_end:
    case event_kind::target_lost:
    case event_kind::server_state:
      return true;
    default:
      return false;
  }
}

bool is_keepalive(const event& e) {
  return e.is(protocol::message_type::keepalive) || e.is(protocol::message_type::keepalive_ack);
}

// Whether an event is part of a keepalive round and nothing else: the only events a fold hides.
bool keepalive_only(const event& e) {
  return (e.kind == event_kind::frame_sent || e.kind == event_kind::frame_delivered ||
          e.kind == event_kind::frame_served) &&
         is_keepalive(e);
}

// Characters, not bytes: every UTF-8 lead byte starts one glyph.
std::size_t glyphs(std::string_view s) {
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

chart_label make_label(std::string text, double x, double y, const char* anchor, double size,
                       std::string colour, bool bold = false) {
  chart_label l;
  const double w = static_cast<double>(glyphs(text)) * 0.6 * size;
  const double x0 = anchor == std::string_view("end")      ? x - w
                    : anchor == std::string_view("middle") ? x - w / 2
                                                           : x;
  l.box = {x0, y - 0.8 * size, x0 + w, y + 0.25 * size};
  l.text = std::move(text);
  l.x = x;
  l.y = y;
  l.anchor = anchor;
  l.font_size = size;
  l.colour = std::move(colour);
  l.bold = bold;
  return l;
}

chart_label moved(chart_label l, double dx, double dy) {
  l.x += dx;
  l.y += dy;
  l.box = {l.box.x0 + dx, l.box.y0 + dy, l.box.x1 + dx, l.box.y1 + dy};
  return l;
}

bool overlap(const chart_box& a, const chart_box& b) {
  return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
}

// Whether the segment (x0,y0)–(x1,y1) passes through the inside of `b` (Liang–Barsky clipping).
bool crosses(double x0, double y0, double x1, double y1, const chart_box& b) {
  double t0 = 0, t1 = 1;
  const double dx = x1 - x0, dy = y1 - y0;
  const double p[4] = {-dx, dx, -dy, dy};
  const double q[4] = {x0 - b.x0, b.x1 - x0, y0 - b.y0, b.y1 - y0};
  for (int i = 0; i < 4; ++i) {
    if (p[i] == 0) {
      if (q[i] <= 0)
        return false;
      continue;
    }
    const double r = q[i] / p[i];
    if (p[i] < 0)
      t0 = std::max(t0, r);
    else
      t1 = std::min(t1, r);
    if (t0 >= t1)
      return false;
  }
  return true;
}

// Whether `a` crosses label `l`'s box; the arrow a drop's label marks may touch it near its end.
bool crosses(const chart_arrow& a, int index, const chart_label& l) {
  double x1 = a.x1, y1 = a.y1;
  if (index == l.arrow) {
    const double len = std::hypot(a.x1 - a.x0, a.y1 - a.y0);
    if (len <= own_end)
      return false;
    x1 -= (a.x1 - a.x0) * own_end / len;
    y1 -= (a.y1 - a.y0) * own_end / len;
  }
  return crosses(a.x0, a.y0, x1, y1, l.box);
}

// Maps simulated time to a vertical position: to scale for short gaps, cut for long ones, one
// row for a folded run of keepalive rounds. An instant is a block: frames arriving then end at
// its top, the lines of text written then fill it, frames leaving then start at its bottom.
class time_axis {
public:
  time_axis(const std::vector<event>& events, const std::set<sim_time>& marked, bool full,
            const std::map<sim_time, std::size_t>& extra_rows) {
    // Instants: distinct times, each with its events' index range.
    struct instant {
      sim_time t;
      std::size_t first, last;  // [first, last)
    };
    std::vector<instant> instants;
    for (std::size_t i = 0; i < events.size(); ++i) {
      if (instants.empty() || instants.back().t != events[i].t)
        instants.push_back({events[i].t, i, i});
      instants.back().last = i + 1;
    }
    // How many lines of text each instant needs: the most any one lane writes then.
    std::map<sim_time, std::size_t> rows;
    {
      std::map<std::pair<sim_time, std::string>, std::size_t> per_lane;
      for (const auto& e : events)
        if (labelled(e))
          rows[e.t] = std::max(rows[e.t], ++per_lane[{e.t, e.actor}]);
      for (const auto& [t, n] : extra_rows)
        rows[t] += n;
      // Frames one lane sends or receives in one instant are drawn a slot apart, not on top of
      // each other: arrivals above the instant's text, departures below it.
      std::map<std::pair<sim_time, std::string>, std::size_t> sends, arrivals;
      std::map<std::uint64_t, sim_time> sent;
      for (const auto& e : events) {
        if (e.kind == event_kind::frame_sent && e.frame != 0) {
          sent.emplace(e.frame, e.t);
          departure_slots_[e.t] = std::max(departure_slots_[e.t], sends[{e.t, e.actor}]++);
        } else if (e.kind == event_kind::frame_delivered && sent.count(e.frame) != 0 &&
                   sent[e.frame] != e.t) {
          arrival_slots_[e.t] = std::max(arrival_slots_[e.t], arrivals[{e.t, e.peer}]++);
        }
      }
    }
    const auto folds = full ? std::vector<std::pair<std::size_t, std::size_t>>{}
                            : find_folds(events, instants, marked);
    auto fold = folds.begin();
    double y = top;
    double last_in = top, last_out = top;
    sim_time last_t{0};
    bool last_was_fold = false;
    for (std::size_t i = 0; i < instants.size(); ++i) {
      const sim_time t = instants[i].t;
      double in = top;
      if (i != 0) {
        const double gap_ms = static_cast<double>((t - last_t).count()) / 1000.0;
        const double step = gap_ms * px_per_ms;
        // A fold says how much time it spans, so the quiet time around it takes no room.
        const bool at_fold = (fold != folds.end() && fold->first == i) || last_was_fold;
        in = at_fold ? last_out + 2
                     : std::max(last_in + std::clamp(step, min_step, max_step), last_out + 1);
        if (step > max_step && !at_fold)
          cuts_.push_back({(last_out + in) / 2, t - last_t});
      }
      if (fold != folds.end() && fold->first == i) {
        const std::size_t end = fold->second;
        chart_fold f;
        f.from = t;
        f.to = instants[end].t;
        f.y = in;
        for (std::size_t j = i; j <= end; ++j) {
          for (std::size_t k = instants[j].first; k < instants[j].last; ++k)
            f.rounds += events[k].kind == event_kind::frame_sent &&
                        events[k].is(protocol::message_type::keepalive);
          in_[instants[j].t] = out_[instants[j].t] = in + fold_height / 2;
          folded_.insert(instants[j].t);
        }
        folds_.push_back(f);
        last_in = in;
        last_out = in + fold_height;
        last_t = f.to;
        last_was_fold = true;
        i = end;
        ++fold;
        continue;
      }
      auto r = rows.find(t);
      const double n = r == rows.end() ? 0 : static_cast<double>(r->second);
      const double a = slots(arrival_slots_, t) * slot, d = slots(departure_slots_, t) * slot;
      in_[t] = in;
      out_[t] = in + a + n * row + (n > 0 ? 1 : 0);
      last_in = in;
      last_out = out_[t] + d;
      last_t = t;
      last_was_fold = false;
      y = last_out;
    }
    bottom_ = std::max(y, last_out) + 40;
  }
  /// The top of the instant at or after `t` (where frames arriving then end).
  double in(sim_time t) const { return at(in_, t); }
  /// The bottom of the instant at or after `t` (where frames leaving then start).
  double out(sim_time t) const { return at(out_, t); }
  /// The instant at or after `t` (the one a mark at `t` is drawn at).
  sim_time instant_of(sim_time t) const {
    auto i = in_.lower_bound(t);
    return i == in_.end() ? t : i->first;
  }
  /// The baseline of the next line of text that `lane` writes at `t` (stacked downwards).
  double text_y(sim_time t, const std::string& lane) {
    return in(t) + slots(arrival_slots_, t) * slot + row * static_cast<double>(used_[{t, lane}]++ + 1) - 3;
  }
  bool folded(sim_time t) const { return folded_.count(t) != 0; }
  double bottom() const { return bottom_; }
  struct cut {
    double y;
    sim_time span;
  };
  const std::vector<cut>& cuts() const { return cuts_; }
  const std::vector<chart_fold>& folds() const { return folds_; }

private:
  template <class Instants>
  static std::vector<std::pair<std::size_t, std::size_t>> find_folds(
      const std::vector<event>& events, const Instants& instants, const std::set<sim_time>& marked) {
    // Where each frame's ends are: the instants of its sending and of each delivery or drop.
    std::map<std::uint64_t, std::vector<std::size_t>> ends;
    for (std::size_t i = 0; i < instants.size(); ++i)
      for (std::size_t k = instants[i].first; k < instants[i].last; ++k)
        if (events[k].frame != 0 &&
            (events[k].kind == event_kind::frame_sent || events[k].kind == event_kind::frame_delivered ||
             events[k].kind == event_kind::frame_dropped))
          ends[events[k].frame].push_back(i);
    auto quiet = [&](std::size_t i) {
      if (marked.count(instants[i].t) != 0)
        return false;
      for (std::size_t k = instants[i].first; k < instants[i].last; ++k)
        if (!keepalive_only(events[k]))
          return false;
      return true;
    };
    std::vector<std::pair<std::size_t, std::size_t>> out;
    std::size_t i = 0;
    while (i < instants.size()) {
      if (!quiet(i)) {
        ++i;
        continue;
      }
      std::size_t a = i, b = i;
      while (b + 1 < instants.size() && quiet(b + 1))
        ++b;
      i = b + 1;
      // Shrink until every frame with an end inside has all its ends inside: a fold hides whole
      // arrows only, never one half of a frame that leads somewhere shown.
      for (bool changed = true; changed && a <= b;) {
        changed = false;
        for (std::size_t j = a; j <= b && !changed; ++j)
          for (std::size_t k = instants[j].first; k < instants[j].last && !changed; ++k) {
            if (events[k].frame == 0)
              continue;
            for (std::size_t e : ends[events[k].frame]) {
              if (e < a) {
                a = j + 1;
                changed = true;
              } else if (e > b) {
                if (j == 0)
                  a = b + 1;
                else
                  b = j - 1;
                changed = true;
              }
              if (changed)
                break;
            }
          }
      }
      if (a > b)
        continue;
      std::size_t rounds = 0;
      for (std::size_t j = a; j <= b; ++j)
        for (std::size_t k = instants[j].first; k < instants[j].last; ++k)
          rounds += events[k].kind == event_kind::frame_sent &&
                    events[k].is(protocol::message_type::keepalive);
      if (rounds > 0)
        out.emplace_back(a, b);
    }
    return out;
  }
  static double slots(const std::map<sim_time, std::size_t>& m, sim_time t) {
    auto i = m.find(t);
    return i == m.end() ? 0 : static_cast<double>(i->second);
  }
  double at(const std::map<sim_time, double>& m, sim_time t) const {
    auto i = m.lower_bound(t);
    return i == m.end() ? bottom_ : i->second;
  }
  std::map<sim_time, double> in_, out_;
  std::map<sim_time, std::size_t> arrival_slots_, departure_slots_;  ///< Beyond the first.
  std::set<sim_time> folded_;
  std::map<std::pair<sim_time, std::string>, std::size_t> used_;  ///< Rows taken per lane.
  std::vector<cut> cuts_;
  std::vector<chart_fold> folds_;
  double bottom_ = top;
};

// Places labels one at a time, each at the first of its candidate positions that collides with
// nothing placed before it and no arrow.
class placer {
public:
  explicit placer(chart_layout& layout) : layout_(layout) {}
  bool fits(const chart_label& l) {
    index_arrows();
    // Only what shares a band of the chart's height with `l` can collide with it.
    for (int b = band(l.box.y0); b <= band(l.box.y1); ++b) {
      for (std::size_t i : labels_[b])
        if (overlap(layout_.labels[i].box, l.box))
          return false;
      for (std::size_t i : arrows_[b])
        if (crosses(layout_.arrows[i], static_cast<int>(i), l))
          return false;
    }
    return true;
  }
  /// Places the first candidate that fits; if none does, the first (when `required`).
  bool place(const std::vector<chart_label>& candidates, bool required = true) {
    for (const auto& c : candidates)
      if (fits(c)) {
        add(c);
        return true;
      }
    if (required && !candidates.empty())
      add(candidates.front());
    return false;
  }

private:
  static int band(double y) { return static_cast<int>(std::floor(y / 64)); }
  void add(const chart_label& l) {
    for (int b = band(l.box.y0); b <= band(l.box.y1); ++b)
      labels_[b].push_back(layout_.labels.size());
    layout_.labels.push_back(l);
  }
  void index_arrows() {
    for (; indexed_ < layout_.arrows.size(); ++indexed_) {
      const auto& a = layout_.arrows[indexed_];
      for (int b = band(std::min(a.y0, a.y1)); b <= band(std::max(a.y0, a.y1)); ++b)
        arrows_[b].push_back(indexed_);
    }
  }
  chart_layout& layout_;
  std::map<int, std::vector<std::size_t>> labels_, arrows_;  ///< By 64-pixel band.
  std::size_t indexed_ = 0;
};

// A label beside a lane: its own side first, a row further down, then the other side.
std::vector<chart_label> beside_lane(const chart_label& left, const chart_label& right,
                                     bool left_first) {
  std::vector<chart_label> out;
  for (int side = 0; side < 2; ++side) {
    const chart_label& l = (side == 0) == left_first ? left : right;
    // Further than a row from its instant a label would read as another instant's: the next
    // layout pass makes room there instead.
    for (int k = 0; k < 2; ++k)
      out.push_back(moved(l, 0, row * k));
  }
  return out;
}

struct layout_pass {
  chart_layout layout;
  std::set<sim_time> crowded;  ///< Instants where a label found no free place.
};

layout_pass lay_out_once(const std::vector<event>& events, const std::vector<violation>& violations,
                         const chart_options& options,
                         const std::map<sim_time, std::size_t>& extra_rows) {
  layout_pass pass;
  chart_layout& L = pass.layout;
  // Lanes: engines in order of first appearance, then servers.
  std::vector<std::string> engines, servers;
  auto add = [](std::vector<std::string>& v, const std::string& n) {
    if (!n.empty() && std::find(v.begin(), v.end(), n) == v.end())
      v.push_back(n);
  };
  std::map<std::string, std::vector<std::string>> programs;  // Engine → its client programs.
  for (const auto& e : events) {
    if (e.kind == event_kind::call || e.kind == event_kind::handle_born ||
        e.kind == event_kind::program_started)
      add(engines, e.actor);
    else if (e.kind == event_kind::server_state || e.kind == event_kind::session_open)
      add(servers, e.actor);
    if (e.kind == event_kind::program_started)
      add(programs[e.actor], e.program);
  }
  // Each engine lane has its call column on its left; servers need none.
  std::map<std::string, double> lane;
  double x = time_column;
  for (const auto& n : engines) {
    x += call_column;
    lane.emplace(n, x);
  }
  for (const auto& n : servers) {
    x += lane_gap;
    lane.emplace(n, x);
  }
  auto x_of = [&](const std::string& n) -> double {
    auto i = lane.find(n);
    return i == lane.end() ? -1 : i->second;
  };

  std::set<sim_time> marked;
  for (const auto& v : violations)
    marked.insert(v.t);
  for (const auto& f : options.findings)
    marked.insert(f.t);
  time_axis axis(events, marked, options.full, extra_rows);
  // A mark at a time between instants belongs to the next one: fold nothing it lands on.
  {
    std::set<sim_time> at_instants;
    for (auto t : marked)
      at_instants.insert(axis.instant_of(t));
    if (at_instants != marked && !options.full) {
      at_instants.insert(marked.begin(), marked.end());
      axis = time_axis(events, at_instants, options.full, extra_rows);
    }
  }
  const double fault_x = x + 120;
  const double width = fault_x + fault_column;
  auto decor = [&](fmt::string_view format, auto&&... args) {
    L.decor.push_back(fmt::vformat(format, fmt::make_format_args(args...)));
  };
  placer labels(L);
  labels.place({make_label(options.title.empty() ? "dbgsim run" : options.title, 10, 20, "start", 14,
                           "#000", true)});
  labels.place({make_label(fmt::format("time flows down; gaps longer than {:.0f} ms are cut (≈ marks){}; "
                                       "grey arrows are keepalives; ✕ marks a dropped frame; ◆ marks "
                                       "a violation (red) or a finding (orange)",
                                       max_step / px_per_ms,
                                       options.full ? "" : ", keepalive-only rounds folded (⋯ rows)"),
                           10, 36, "start", 11, "#555")});

  // Lane headers, with the client programs each engine runs, and the lanes themselves.
  for (const auto& [name, x] : lane) {
    const bool is_engine = std::find(engines.begin(), engines.end(), name) != engines.end();
    labels.place({make_label((is_engine ? "engine " : "server ") + name, x, top - 30, "middle", 11,
                             "#000", true)});
    if (auto p = programs.find(name); p != programs.end()) {
      std::string list;
      for (const auto& n : p->second)
        list += (list.empty() ? "[" : ", [") + n + "]";
      labels.place({make_label("programs " + list, x, top - 16, "middle", 10, "#b05000")});
    }
    decor("<line x1=\"{0:.0f}\" y1=\"{1:.0f}\" x2=\"{0:.0f}\" y2=\"{2:.0f}\" stroke=\"#333\" "
          "stroke-width=\"2\"/>",
          x, top - 6, axis.bottom());
  }

  // Faults as shaded spans: a partition from its start to its heal; crashes as a band.
  std::map<std::string, sim_time> open_partitions;
  std::vector<std::pair<double, chart_label>> fault_labels;  // Placed after the arrows.
  auto shade = [&](double y0, double y1, const char* colour, const std::string& label) {
    decor("<rect x=\"0\" y=\"{:.1f}\" width=\"{:.0f}\" height=\"{:.1f}\" fill=\"{}\" "
          "fill-opacity=\"0.18\"/>",
          y0, width, std::max(y1 - y0, 3.0), colour);
    fault_labels.emplace_back(y0, make_label(label, fault_x, y0 + 11, "start", 11, colour));
  };
  for (const auto& e : events) {
    if (e.kind != event_kind::fault)
      continue;
    if (e.is(fault_kind::partition)) {
      open_partitions.emplace(ends_text(e), e.t);
    } else if (e.is(fault_kind::heal)) {
      if (ends_text(e) == "*->*") {
        for (auto& [peer, t0] : open_partitions)
          shade(axis.in(t0), axis.in(e.t), "#d08000", "partition " + peer);
        open_partitions.clear();
      } else if (auto i = open_partitions.find(ends_text(e)); i != open_partitions.end()) {
        shade(axis.in(i->second), axis.in(e.t), "#d08000", "partition " + ends_text(e));
        open_partitions.erase(i);
      }
    } else {
      shade(axis.in(e.t) - 2, axis.in(e.t) + 2, "#c00000", what_text(e) + " " + ends_text(e));
    }
  }
  for (auto& [peer, t0] : open_partitions)
    shade(axis.in(t0), axis.bottom(), "#d08000", "partition " + peer + " (not healed)");

  // The cuts of quiet time and the folds of keepalive rounds.
  std::vector<std::vector<chart_label>> cut_labels;  // Placed after the lanes' text.
  for (const auto& c : axis.cuts()) {
    decor("<line x1=\"{:.0f}\" y1=\"{:.1f}\" x2=\"{:.0f}\" y2=\"{:.1f}\" stroke=\"#bbb\" "
          "stroke-dasharray=\"2,4\"/>",
          time_column + 110, c.y, width, c.y);
    // Two cuts a few pixels apart write their labels side by side.
    const auto cut = make_label("≈ " + format_time(c.span), time_column + 4, c.y + 3.5, "start", 10, "#888");
    // Where the calls' text leaves no room, at the right edge, past every lane.
    cut_labels.push_back({cut, moved(cut, 80, 0), moved(cut, 160, 0), moved(cut, x + 20 - cut.x, 0),
                          moved(cut, width - 90 - cut.x, 0)});
  }
  for (const auto& f : axis.folds()) {
    decor("<rect x=\"{:.0f}\" y=\"{:.1f}\" width=\"{:.0f}\" height=\"{:.1f}\" fill=\"#999\" "
          "fill-opacity=\"0.12\"/>",
          time_column, f.y, width - time_column, fold_height);
    labels.place({make_label(fmt::format("⋯ {} keepalive round{}, {} – {}", f.rounds,
                                         f.rounds == 1 ? "" : "s", format_time(f.from),
                                         format_time(f.to)),
                             time_column + 4, f.y + fold_height / 2 + 4, "start", 11, "#666")});
  }
  L.folds = axis.folds();

  // Frames: sent → delivered (each copy), or sent → dropped halfway.
  struct frame_label {
    chart_label base;
    std::size_t arrow;
    sim_time t;
  };
  std::vector<frame_label> frame_labels, drop_labels;
  std::map<std::uint64_t, const event*> sent;
  std::map<std::uint64_t, std::size_t> departure;  // Frame → its slot among its lane's sends.
  std::map<std::pair<sim_time, std::string>, std::size_t> sends, arrivals;
  for (const auto& e : events) {
    if (e.kind == event_kind::frame_sent && e.frame != 0) {
      sent.emplace(e.frame, &e);
      departure.emplace(e.frame, sends[{e.t, e.actor}]++);
    }
    if ((e.kind != event_kind::frame_delivered && e.kind != event_kind::frame_dropped) || e.frame == 0)
      continue;
    auto i = sent.find(e.frame);
    if (i == sent.end())
      continue;
    const event& s = *i->second;
    // A frame delivered in the instant it was sent (a link without latency) is drawn level.
    const bool level = s.t == e.t;
    const std::size_t arrival =
        e.kind == event_kind::frame_delivered && !level ? arrivals[{e.t, e.peer}]++ : 0;
    const bool keepalive = is_keepalive(s);
    if (keepalive && !options.show_keepalives)
      continue;
    if (axis.folded(s.t) && axis.folded(e.t))
      continue;
    const double x0 = x_of(s.actor), x1 = x_of(e.peer);
    if (x0 < 0 || x1 < 0)
      continue;
    const double y0 = axis.out(s.t) + slot * static_cast<double>(departure[e.frame]);
    const double y1 = level ? y0 : axis.in(e.t) + slot * static_cast<double>(arrival);
    const char* colour = keepalive ? "#bbbbbb" : (x1 > x0 ? "#1f5fbf" : "#2a8a2a");
    if (e.kind == event_kind::frame_delivered) {
      L.arrows.push_back({x0, y0, x1, y1, colour, false});
      if (!keepalive)
        frame_labels.push_back({make_label(what_text(s), 0, 0, "middle", 10, colour),
                                L.arrows.size() - 1, e.t});
    } else {
      // A third of the way, so that the words after the ✕ end before the receiver's lane.
      const double xm = x0 + (x1 - x0) / 3, ym = std::max(y1, y0 + 4);
      L.arrows.push_back({x0, y0, xm, ym, "#c00000", true});
      // The ✕ sits on the arrow's end and the words run on past it, away from the line.
      const bool rightwards = x1 > x0;
      const std::string words = what_text(s) + " (" + reason_text(e) + ")";
      chart_label l = rightwards ? make_label("✕ " + words, xm - 3.3, ym + 4, "start", 11, "#c00000")
                                 : make_label(words + " ✕", xm + 3.3, ym + 4, "end", 11, "#c00000");
      l.arrow = static_cast<int>(L.arrows.size() - 1);
      drop_labels.push_back({l, L.arrows.size() - 1, e.t});
    }
  }

  // API calls and results at the engine lanes; session and target changes as small notes.
  for (const auto& e : events) {
    const double x = x_of(e.actor);
    if (x < 0 || !labelled(e))
      continue;
    const double y = axis.folded(e.t) ? axis.in(e.t) : axis.text_y(e.t, e.actor);
    std::string text;
    std::string colour = "#000";
    bool left = true;
    bool dot = false;
    double size = 11;
    if (e.kind == event_kind::call) {
      std::string arg = e.handle != 0 ? fmt::format(" h={:#x}", e.handle) : "";
      if (e.pid != 0)
        arg += fmt::format(" pid={}", e.pid);
      // A client program's call is labelled with the program that made it.
      const std::string who = e.program.empty() ? "" : "[" + e.program + "] ";
      text = fmt::format("{}#{} {}{} →", who, e.call, api_text(e), arg);
    } else if (e.kind == event_kind::done) {
      const bool ok = e.hr && e.hr->succeeded();
      std::string res = e.hr ? protocol::to_string(*e.hr) : "?";
      if (e.handle != 0)
        res += fmt::format(" h={:#x}", e.handle);
      text = fmt::format("#{} ← {}", e.call, res);
      colour = ok ? "#006000" : "#a00000";
    } else if (e.kind == event_kind::client_call) {
      text = fmt::format("[{}] {} ← {} (refused by the API)", e.program, e.detail,
                         e.hr ? protocol::to_string(*e.hr) : "?");
      colour = "#a00000";
    } else if (e.kind == event_kind::program_started || e.kind == event_kind::program_ended) {
      text = "[" + e.program + "] " +
             (e.kind == event_kind::program_started
                  ? "started: " + e.detail
                  : "ended (" + reason_text(e) + ", " +
                        std::to_string(static_cast<std::int32_t>(e.value)) + ")");
      colour = "#b05000";
      left = false;
      dot = true;
      size = 10;
    } else {
      text = std::string(name_of(e.kind)) +
             (!e.reason ? (what_text(e).empty() ? "" : " " + what_text(e))
                        : " (" + reason_text(e) + ")");
      colour = "#555";
      left = false;
      dot = true;
      size = 10;
    }
    const std::size_t before = L.labels.size();
    if (!labels.place(beside_lane(make_label(text, x - 6, y, "end", size, colour),
                                  make_label(text, x + 6, y, "start", size, colour), left)))
      pass.crowded.insert(e.t);
    if (dot)
      decor("<circle cx=\"{:.0f}\" cy=\"{:.1f}\" r=\"3\" fill=\"{}\"/>", x, L.labels[before].y - 4,
            colour);
  }

  for (const auto& c : cut_labels)
    labels.place(c);

  // Violations and findings: marked on their lane at their instant, told in full below.
  std::vector<chart_label> notes;
  auto mark = [&](const std::string& lane_name, sim_time t, const std::string& short_text,
                  const std::string& long_text, const char* colour) {
    const sim_time at = axis.instant_of(t);
    double x = x_of(lane_name);
    if (x < 0)
      x = lane.empty() ? time_column : lane.begin()->second;
    const double y = axis.in(at) + 1;
    decor("<path d=\"M{0:.0f},{1:.1f} l5,5 l-5,5 l-5,-5 z\" fill=\"{2}\"/>"
          "<path d=\"M0,{1:.1f} l8,5 l-8,5 z\" fill=\"{2}\"/>",
          x, y - 5, colour);
    if (!labels.place(beside_lane(make_label(short_text, x + 8, y + 4, "start", 11, colour, true),
                                  make_label(short_text, x - 8, y + 4, "end", 11, colour, true),
                                  false)))
      pass.crowded.insert(at);
    notes.push_back(make_label(long_text, 10, 0, "start", 11, colour, true));
  };
  for (const auto& v : violations) {
    std::string where;
    for (const auto& e : v.events)
      if (x_of(e.actor) >= 0)
        where = e.actor;
    mark(where, v.t, v.rule, fmt::format("{} at {}: {}", v.rule, format_time(v.t), v.message),
         "#ff0000");
  }
  for (const auto& f : options.findings) {
    const std::string name = fmt::format("{} {} [{}]", rule_of(f.kind), name_of(f.kind), f.program);
    mark(f.engine, f.t, name, fmt::format("{} at {}: {}", name, format_time(f.t), f.message),
         "#b05000");
  }

  // Frame labels along their arrows, drop labels at their ✕; a frame label may slide along its
  // arrow and sit above or below it.
  for (const auto& d : drop_labels) {
    std::vector<chart_label> candidates;
    // Within a row of its ✕ or not at all: further away it would name another arrow, and the next
    // pass makes room at its instant instead.
    for (double dy : {0.0, row, -row})
      candidates.push_back(moved(d.base, 0, dy));
    // Below the arrow's end the words may run back under it instead.
    const chart_arrow& a = L.arrows[d.arrow];
    const bool rightwards = std::string_view(d.base.anchor) == "start";
    const std::string words = d.base.text.substr(rightwards ? std::string_view("✕ ").size() : 0,
                                                 d.base.text.size() - std::string_view("✕ ").size());
    chart_label back = rightwards
                           ? make_label(words + " ✕", a.x1 + 3.3, a.y1 + 4, "end", 11, d.base.colour)
                           : make_label("✕ " + words, a.x1 - 3.3, a.y1 + 4, "start", 11, d.base.colour);
    back.arrow = d.base.arrow;
    candidates.push_back(moved(back, 0, row));
    if (!labels.place(candidates))
      pass.crowded.insert(d.t);
  }
  for (const auto& f : frame_labels) {
    const chart_arrow& a = L.arrows[f.arrow];
    const double w = f.base.box.x1 - f.base.box.x0;
    const double slope = a.x1 == a.x0 ? 0 : std::abs((a.y1 - a.y0) / (a.x1 - a.x0));
    const double lift = slope * w / 2;
    std::vector<chart_label> candidates;
    for (double gap : {0.0, row, 2 * row, 3 * row})
      for (double at : {0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8, 0.1, 0.9})
        for (bool above : {true, false}) {
          const double px = a.x0 + (a.x1 - a.x0) * at, py = a.y0 + (a.y1 - a.y0) * at;
          candidates.push_back(
              moved(f.base, px, above ? py - 3 - lift - gap : py + 10 + lift + gap));
        }
    // A label that fits nowhere near its arrow is left out rather than drawn over something.
    if (!labels.place(candidates, false))
      pass.crowded.insert(f.t);
  }
  for (auto& [y0, l] : fault_labels) {
    std::vector<chart_label> candidates;
    for (int k = 0; k < 80; ++k)
      candidates.push_back(moved(l, 0, row * k));
    labels.place(candidates);
  }

  // Time labels on the left where they fit (a fold's label gives its span).
  sim_time last_t{-1};
  for (const auto& e : events) {
    if (e.t == last_t || axis.folded(e.t))
      continue;
    last_t = e.t;
    labels.place({make_label(format_time(e.t), 10, axis.in(e.t) + 3, "start", 10, "#888")}, false);
  }

  // The violations and findings in full, one a line, under the chart.
  double y = axis.bottom() + 10;
  if (!notes.empty()) {
    labels.place({make_label("violations and findings:", 10, y, "start", 11, "#000", true)});
    for (auto& n : notes) {
      y += row + 2;
      labels.place({moved(n, 0, y)});
    }
  }
  L.width = width;
  L.height = y + 20;
  for (const auto& l : L.labels) {
    L.width = std::max(L.width, std::ceil(l.box.x1) + 10);
    L.height = std::max(L.height, std::ceil(l.box.y1) + 10);
  }
  return pass;
}

}  // namespace

chart_layout lay_out_chart(const std::vector<event>& events, const std::vector<violation>& violations,
                           const chart_options& options) {
  // Where a label found no free place, the next pass gives that instant another row of text.
  std::map<sim_time, std::size_t> extra;
  layout_pass pass = lay_out_once(events, violations, options, extra);
  for (int i = 1; i < max_passes && !pass.crowded.empty(); ++i) {
    for (auto t : pass.crowded)
      ++extra[t];
    pass = lay_out_once(events, violations, options, extra);
  }
  return std::move(pass.layout);
}

std::vector<std::string> label_collisions(const chart_layout& layout) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < layout.labels.size(); ++i) {
    const auto& l = layout.labels[i];
    for (std::size_t j = i + 1; j < layout.labels.size(); ++j)
      if (overlap(l.box, layout.labels[j].box))
        out.push_back(fmt::format("label \"{}\" overlaps label \"{}\"", l.text, layout.labels[j].text));
    for (std::size_t a = 0; a < layout.arrows.size(); ++a)
      if (crosses(layout.arrows[a], static_cast<int>(a), l)) {
        const auto& r = layout.arrows[a];
        out.push_back(fmt::format("label \"{}\" is crossed by the arrow ({:.1f},{:.1f})-({:.1f},{:.1f})",
                                  l.text, r.x0, r.y0, r.x1, r.y1));
      }
  }
  return out;
}

void write_chart(std::ostream& out, const std::vector<event>& events,
                 const std::vector<violation>& violations, const chart_options& options) {
  const chart_layout L = lay_out_chart(events, violations, options);
  fmt::memory_buffer svg;
  auto put = [&](fmt::string_view format, auto&&... args) {
    fmt::vformat_to(std::back_inserter(svg), format, fmt::make_format_args(args...));
  };
  put("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{:.0f}\" height=\"{:.0f}\" "
      "font-family=\"monospace\" font-size=\"11\">\n",
      L.width, L.height);
  put("<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" "
      "markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" "
      "fill=\"context-stroke\"/></marker></defs>\n");
  put("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
  for (const auto& d : L.decor)
    put("{}\n", d);
  for (const auto& a : L.arrows) {
    if (a.dropped)
      put("<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"{}\" "
          "stroke-dasharray=\"4,3\"/>\n",
          a.x0, a.y0, a.x1, a.y1, a.colour);
    else
      put("<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"{}\" "
          "marker-end=\"url(#arrow)\"/>\n",
          a.x0, a.y0, a.x1, a.y1, a.colour);
  }
  for (const auto& l : L.labels) {
    put("<text x=\"{:.1f}\" y=\"{:.1f}\"", l.x, l.y);
    if (std::string_view(l.anchor) != "start")
      put(" text-anchor=\"{}\"", l.anchor);
    if (l.font_size != 11)
      put(" font-size=\"{:.0f}\"", l.font_size);
    if (l.bold)
      put(" font-weight=\"bold\"");
    put(" fill=\"{}\">{}</text>\n", l.colour, escape(l.text));
  }
  put("</svg>\n");
  out.write(svg.data(), static_cast<std::streamsize>(svg.size()));
}

}  // namespace dbgsim
