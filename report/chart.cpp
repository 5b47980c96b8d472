#include "report/chart.hpp"

#include "protocol/hresult.hpp"
#include "report/xml.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <ostream>
#include <set>

namespace dbgsim {
namespace {

constexpr double time_column = 90;  // Time labels and the marks of cut quiet spans.
constexpr double call_column = 340; // Calls and results, written left of each engine's lane.
constexpr double lane_gap = 250;    // Between lanes (an engine's gap also holds its calls).
constexpr double fault_column = 280;// Fault labels, right of the last lane.
constexpr double top = 70;
constexpr double px_per_ms = 0.8;   // 20 ms of latency is 16 px: slopes stay visible.
constexpr double row = 13;          // One line of text: labels at one instant stack by rows.
constexpr double min_step = 5;      // Events at distinct times never overlap.
constexpr double max_step = 48;     // Longer quiet spans are cut and labelled.

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

// Maps simulated time to a vertical position: to scale for short gaps, cut for long ones.
class time_axis {
public:
  explicit time_axis(const std::vector<event>& events) {
    // How many lines of text each instant needs: the most any one lane writes then.
    std::map<sim_time, std::size_t> rows;
    {
      std::map<std::pair<sim_time, std::string>, std::size_t> per_lane;
      for (const auto& e : events)
        if (labelled(e))
          rows[e.t] = std::max(rows[e.t], ++per_lane[{e.t, e.actor}]);
    }
    double y = top;
    bool first = true;
    sim_time last{0};
    double last_rows = 0;
    for (const auto& e : events) {
      if (!first && e.t == last)
        continue;
      if (!first) {
        const double gap_ms = static_cast<double>((e.t - last).count()) / 1000.0;
        const double step = gap_ms * px_per_ms;
        if (step > max_step)
          cuts_.push_back({y + last_rows * row + max_step / 2, e.t - last});
        y += std::max(std::clamp(step, min_step, max_step), last_rows * row);
      }
      ys_[e.t] = y;
      last = e.t;
      auto r = rows.find(e.t);
      last_rows = r == rows.end() ? 0 : static_cast<double>(r->second);
      first = false;
    }
    bottom_ = y + last_rows * row + 40;
  }
  double y(sim_time t) const {
    auto i = ys_.lower_bound(t);
    return i == ys_.end() ? bottom_ : i->second;
  }
  /// The y of the next line of text that `lane` writes at `t` (stacked downwards).
  double text_y(sim_time t, const std::string& lane) {
    return y(t) + row * static_cast<double>(used_[{t, lane}]++);
  }
  double bottom() const { return bottom_; }
  struct cut {
    double y;
    sim_time span;
  };
  const std::vector<cut>& cuts() const { return cuts_; }

private:
  std::map<sim_time, double> ys_;
  std::map<std::pair<sim_time, std::string>, std::size_t> used_;  ///< Rows taken per lane.
  std::vector<cut> cuts_;
  double bottom_ = top;
};

}  // namespace

void write_chart(std::ostream& out, const std::vector<event>& events,
                 const std::vector<violation>& violations, const chart_options& options) {
  // Lanes: engines in order of first appearance, then servers.
  std::vector<std::string> engines, servers;
  auto add = [](std::vector<std::string>& v, const std::string& n) {
    if (!n.empty() && std::find(v.begin(), v.end(), n) == v.end())
      v.push_back(n);
  };
  for (const auto& e : events) {
    if (e.kind == event_kind::call || e.kind == event_kind::handle_born)
      add(engines, e.actor);
    else if (e.kind == event_kind::server_state || e.kind == event_kind::session_open)
      add(servers, e.actor);
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

  time_axis axis(events);
  const double fault_x = x + 120;
  const double width = fault_x + fault_column;
  const double height = axis.bottom() + 20;

  fmt::memory_buffer svg;
  auto put = [&](fmt::string_view format, auto&&... args) {
    fmt::vformat_to(std::back_inserter(svg), format, fmt::make_format_args(args...));
  };
  put("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{:.0f}\" height=\"{:.0f}\" "
      "font-family=\"monospace\" font-size=\"11\">\n",
      width, height);
  put("<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" "
      "markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" "
      "fill=\"context-stroke\"/></marker></defs>\n");
  put("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
  put("<text x=\"10\" y=\"20\" font-size=\"14\" font-weight=\"bold\">{}</text>\n",
      escape(options.title.empty() ? "dbgsim run" : options.title));
  put("<text x=\"10\" y=\"36\" fill=\"#555\">time flows down; gaps longer than {:.0f} ms are cut "
      "(≈ marks); grey arrows are keepalives; ✕ marks a dropped frame</text>\n",
      max_step / px_per_ms);

  // Faults as shaded spans: a partition from its start to its heal; crashes as a band.
  std::map<std::string, sim_time> open_partitions;
  // Labels of faults that start close together stack downwards instead of overprinting.
  double last_fault_label = -100;
  auto shade = [&](double y0, double y1, const char* colour, const std::string& label) {
    const double label_y = std::max(y0 + 11, last_fault_label + row);
    last_fault_label = label_y;
    put("<rect x=\"0\" y=\"{:.1f}\" width=\"{:.0f}\" height=\"{:.1f}\" fill=\"{}\" "
        "fill-opacity=\"0.18\"/>\n<text x=\"{:.0f}\" y=\"{:.1f}\" fill=\"{}\">{}</text>\n",
        y0, width, std::max(y1 - y0, 3.0), colour, fault_x, label_y, colour, escape(label));
  };
  for (const auto& e : events) {
    if (e.kind != event_kind::fault)
      continue;
    if (e.is(fault_kind::partition)) {
      open_partitions.emplace(ends_text(e), e.t);
    } else if (e.is(fault_kind::heal)) {
      if (ends_text(e) == "*->*") {
        for (auto& [peer, t0] : open_partitions)
          shade(axis.y(t0), axis.y(e.t), "#d08000", "partition " + peer);
        open_partitions.clear();
      } else if (auto i = open_partitions.find(ends_text(e)); i != open_partitions.end()) {
        shade(axis.y(i->second), axis.y(e.t), "#d08000", "partition " + ends_text(e));
        open_partitions.erase(i);
      }
    } else {
      shade(axis.y(e.t) - 2, axis.y(e.t) + 2, "#c00000", what_text(e) + " " + ends_text(e));
    }
  }
  for (auto& [peer, t0] : open_partitions)
    shade(axis.y(t0), axis.bottom(), "#d08000", "partition " + peer + " (not healed)");

  // Lanes and the cuts of quiet time.
  for (const auto& [name, x] : lane) {
    const bool is_engine = std::find(engines.begin(), engines.end(), name) != engines.end();
    put("<text x=\"{:.0f}\" y=\"{:.0f}\" text-anchor=\"middle\" font-weight=\"bold\">{} {}</text>\n",
        x, top - 14, is_engine ? "engine" : "server", escape(name));
    put("<line x1=\"{0:.0f}\" y1=\"{1:.0f}\" x2=\"{0:.0f}\" y2=\"{2:.0f}\" stroke=\"#333\" "
        "stroke-width=\"2\"/>\n",
        x, top - 6, axis.bottom());
  }
  for (const auto& c : axis.cuts())
    put("<text x=\"{:.0f}\" y=\"{:.1f}\" fill=\"#888\">≈ {}</text>\n<line x1=\"{:.0f}\" y1=\"{:.1f}\" "
        "x2=\"{:.0f}\" y2=\"{:.1f}\" stroke=\"#bbb\" stroke-dasharray=\"2,4\"/>\n",
        time_column + 4, c.y + 4, format_time(c.span), time_column + 110, c.y, width, c.y);

  // Frames: sent → delivered (each copy), or sent → dropped halfway.
  std::map<std::uint64_t, const event*> sent;
  for (const auto& e : events) {
    if (e.kind == event_kind::frame_sent && e.frame != 0)
      sent.emplace(e.frame, &e);
    if ((e.kind != event_kind::frame_delivered && e.kind != event_kind::frame_dropped) || e.frame == 0)
      continue;
    auto i = sent.find(e.frame);
    if (i == sent.end())
      continue;
    const event& s = *i->second;
    const bool keepalive = s.is(protocol::message_type::keepalive) ||
                           s.is(protocol::message_type::keepalive_ack);
    if (keepalive && !options.show_keepalives)
      continue;
    const double x0 = x_of(s.actor), x1 = x_of(e.peer);
    if (x0 < 0 || x1 < 0)
      continue;
    const double y0 = axis.y(s.t), y1 = axis.y(e.t);
    const char* colour = keepalive ? "#bbbbbb" : (x1 > x0 ? "#1f5fbf" : "#2a8a2a");
    if (e.kind == event_kind::frame_delivered) {
      put("<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"{}\" "
          "marker-end=\"url(#arrow)\"/>\n",
          x0, y0, x1, y1, colour);
      if (!keepalive)
        put("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\" fill=\"{}\" font-size=\"10\">{}</text>\n",
            (x0 + x1) / 2, (y0 + y1) / 2 - 3, colour, escape(what_text(s)));
    } else {
      const double xm = (x0 + x1) / 2, ym = std::max(y1, y0 + 4);
      put("<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#c00000\" "
          "stroke-dasharray=\"4,3\"/>\n<text x=\"{:.1f}\" y=\"{:.1f}\" fill=\"#c00000\" "
          "text-anchor=\"middle\">✕ {} ({})</text>\n",
          x0, y0, xm, ym, xm, ym + 4, escape(what_text(s)), escape(reason_text(e)));
    }
  }

  // API calls and results at the engine lanes; session and target changes as small notes.
  std::map<std::pair<std::string, std::uint64_t>, std::string> call_names;
  for (const auto& e : events) {
    const double x = x_of(e.actor);
    if (x < 0)
      continue;
    const double y = labelled(e) ? axis.text_y(e.t, e.actor) : axis.y(e.t);
    if (e.kind == event_kind::call) {
      call_names[{e.actor, e.call}] = api_text(e);
      std::string arg = e.handle != 0 ? fmt::format(" h={:#x}", e.handle) : "";
      if (e.pid != 0)
        arg += fmt::format(" pid={}", e.pid);
      // A client program's call is labelled with the program that made it.
      const std::string who = e.program.empty() ? "" : "[" + e.program + "] ";
      put("<text x=\"{:.0f}\" y=\"{:.1f}\" text-anchor=\"end\" fill=\"#000\">{}#{} {}{} →</text>\n",
          x - 6, y + 4, escape(who), e.call, escape(api_text(e)), escape(arg));
    } else if (e.kind == event_kind::done) {
      const bool ok = e.hr && e.hr->succeeded();
      std::string res = e.hr ? protocol::to_string(*e.hr) : "?";
      if (e.handle != 0)
        res += fmt::format(" h={:#x}", e.handle);
      put("<text x=\"{:.0f}\" y=\"{:.1f}\" text-anchor=\"end\" fill=\"{}\">#{} ← {}</text>\n",
          x - 6, y + 4, ok ? "#006000" : "#a00000", e.call, escape(res));
    } else if (e.kind == event_kind::client_call) {
      put("<text x=\"{:.0f}\" y=\"{:.1f}\" text-anchor=\"end\" fill=\"#a00000\">[{}] {} ← {} "
          "(refused by the API)</text>\n",
          x - 6, y + 4, escape(e.program), escape(e.detail),
          escape(e.hr ? protocol::to_string(*e.hr) : "?"));
    } else if (e.kind == event_kind::program_started || e.kind == event_kind::program_ended) {
      std::string label = "[" + e.program + "] " +
                          (e.kind == event_kind::program_started
                               ? "started: " + e.detail
                               : "ended (" + reason_text(e) + ", " + std::to_string(static_cast<std::int32_t>(e.value)) + ")");
      put("<circle cx=\"{:.0f}\" cy=\"{:.1f}\" r=\"3\" fill=\"#b05000\"/>\n<text x=\"{:.0f}\" "
          "y=\"{:.1f}\" fill=\"#b05000\" font-size=\"10\">{}</text>\n",
          x, y, x + 6, y + 4, escape(label));
    } else if (e.kind == event_kind::session_open || e.kind == event_kind::session_end ||
               e.kind == event_kind::target_lost || e.kind == event_kind::server_state) {
      std::string label = std::string(name_of(e.kind)) +
                          (!e.reason ? (what_text(e).empty() ? "" : " " + what_text(e))
                                     : " (" + reason_text(e) + ")");
      put("<circle cx=\"{:.0f}\" cy=\"{:.1f}\" r=\"3\" fill=\"#555\"/>\n<text x=\"{:.0f}\" "
          "y=\"{:.1f}\" fill=\"#555\" font-size=\"10\">{}</text>\n",
          x, y, x + 6, y + 4, escape(label));
    }
  }

  // Violations, in red, at the right edge.
  for (const auto& v : violations) {
    const double y = axis.y(v.t);
    put("<line x1=\"0\" y1=\"{0:.1f}\" x2=\"{1:.0f}\" y2=\"{0:.1f}\" stroke=\"#ff0000\"/>\n"
        "<text x=\"{2:.0f}\" y=\"{3:.1f}\" fill=\"#ff0000\" font-weight=\"bold\">{4} at {5}: {6}</text>\n",
        y, width, 10.0, y - 3, escape(v.rule), format_time(v.t), escape(v.message));
  }

  // Findings about client programs, in orange, at the right edge like violations.
  for (const auto& f : options.findings) {
    const double y = axis.y(f.t);
    put("<line x1=\"0\" y1=\"{0:.1f}\" x2=\"{1:.0f}\" y2=\"{0:.1f}\" stroke=\"#e07000\" "
        "stroke-dasharray=\"4 3\"/>\n"
        "<text x=\"{2:.0f}\" y=\"{3:.1f}\" fill=\"#b05000\" font-weight=\"bold\">{4} {5} [{6}] at {7}: {8}</text>\n",
        y, width, 10.0, y - 3, rule_of(f.kind), name_of(f.kind), escape(f.program),
        format_time(f.t), escape(f.message));
  }

  // Time labels on the left, at most one every 14 px.
  double last_label = -100;
  sim_time last_t{-1};
  for (const auto& e : events) {
    const double y = axis.y(e.t);
    if (e.t == last_t || y - last_label < 14)
      continue;
    put("<text x=\"10\" y=\"{:.1f}\" fill=\"#888\" font-size=\"10\">{}</text>\n", y + 3,
        format_time(e.t));
    last_label = y;
    last_t = e.t;
  }
  put("</svg>\n");
  out.write(svg.data(), static_cast<std::streamsize>(svg.size()));
}

}  // namespace dbgsim
