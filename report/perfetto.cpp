#include "report/perfetto.hpp"

#include "protocol/hresult.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <ostream>

namespace dbgsim {

void write_perfetto(std::ostream& out, const std::vector<event>& events,
                    const std::vector<violation>& violations,
                    const std::vector<finding>& findings) {
  using nlohmann::json;
  json trace = json::array();
  std::map<std::string, int> tid;  // One track per actor, numbered in order of appearance.
  auto track = [&](const std::string& actor) {
    auto [i, fresh] = tid.emplace(actor, static_cast<int>(tid.size()) + 1);
    if (fresh)
      trace.push_back({{"ph", "M"}, {"name", "thread_name"}, {"pid", 1}, {"tid", i->second},
                       {"args", {{"name", actor}}}});
    return i->second;
  };
  // A client program's calls go on a track of its own, named after it, rather than its engine's.
  auto lane = [&](const event& e) {
    return track(e.program.empty() ? e.actor.str() : "program " + e.program);
  };
  std::map<std::pair<std::string, std::uint64_t>, const event*> calls;
  for (const auto& e : events) {
    const auto ts = e.t.count();  // Trace-event timestamps are µs, as ours are.
    switch (e.kind) {
      case event_kind::call:
        calls[{e.actor, e.call}] = &e;
        break;
      case event_kind::done: {
        auto i = calls.find({e.actor, e.call});
        if (i == calls.end())
          break;
        const event& c = *i->second;
        trace.push_back({{"ph", "X"}, {"name", api_text(c)}, {"cat", "call"}, {"pid", 1},
                         {"tid", lane(c)}, {"ts", c.t.count()},
                         {"dur", (e.t - c.t).count()},
                         {"args", {{"call", e.call},
                                   {"hr", e.hr ? protocol::to_string(*e.hr) : ""},
                                   {"detail", c.detail}}}});
        calls.erase(i);
        break;
      }
      case event_kind::program_started:
      case event_kind::program_ended:
        trace.push_back({{"ph", "i"}, {"s", "t"},
                         {"name", std::string(name_of(e.kind)) + (e.reason ? " " + reason_text(e) : "")},
                         {"cat", "program"}, {"pid", 1}, {"tid", lane(e)}, {"ts", ts},
                         {"args", {{"engine", e.actor.str()}, {"detail", e.detail}, {"value", e.value}}}});
        break;
      case event_kind::client_call:
        trace.push_back({{"ph", "i"}, {"s", "t"},
                         {"name", e.detail + " " + (e.hr ? protocol::to_string(*e.hr) : "")},
                         {"cat", "call"}, {"pid", 1}, {"tid", lane(e)}, {"ts", ts}});
        break;
      case event_kind::frame_sent:
        trace.push_back({{"ph", "i"}, {"s", "t"}, {"name", "send " + what_text(e)}, {"cat", "frame"},
                         {"pid", 1}, {"tid", track(e.actor)}, {"ts", ts}});
        trace.push_back({{"ph", "s"}, {"id", e.frame}, {"name", what_text(e)}, {"cat", "frame"},
                         {"pid", 1}, {"tid", track(e.actor)}, {"ts", ts}});
        break;
      case event_kind::frame_delivered:
        trace.push_back({{"ph", "i"}, {"s", "t"}, {"name", "recv " + what_text(e)}, {"cat", "frame"},
                         {"pid", 1}, {"tid", track(e.peer)}, {"ts", ts}});
        trace.push_back({{"ph", "f"}, {"bp", "e"}, {"id", e.frame}, {"name", what_text(e)},
                         {"cat", "frame"}, {"pid", 1}, {"tid", track(e.peer)}, {"ts", ts}});
        break;
      case event_kind::frame_dropped:
        trace.push_back({{"ph", "i"}, {"s", "t"}, {"name", "drop " + what_text(e) + " (" + reason_text(e) + ")"},
                         {"cat", "drop"}, {"pid", 1}, {"tid", track(e.actor)}, {"ts", ts}});
        break;
      case event_kind::fault:
        trace.push_back({{"ph", "i"}, {"s", "g"}, {"name", what_text(e) + " " + ends_text(e)},
                         {"cat", "fault"}, {"pid", 1}, {"tid", track("world")}, {"ts", ts}});
        break;
      case event_kind::session_open:
      case event_kind::session_end:
      case event_kind::session_held:
      case event_kind::session_released:
      case event_kind::target_lost:
      case event_kind::server_state:
      case event_kind::handle_born:
      case event_kind::handle_dead:
        trace.push_back({{"ph", "i"}, {"s", "t"},
                         {"name", std::string(name_of(e.kind)) + (e.reason ? " " + reason_text(e) : "") +
                                      (what_text(e).empty() ? "" : " " + what_text(e))},
                         {"cat", "state"}, {"pid", 1}, {"tid", track(e.actor)}, {"ts", ts}});
        break;
      default:
        break;
    }
  }
  for (const auto& v : violations)
    trace.push_back({{"ph", "i"}, {"s", "g"}, {"name", v.rule + ": " + v.message},
                     {"cat", "violation"}, {"pid", 1}, {"tid", track("oracle")},
                     {"ts", v.t.count()}});
  for (const auto& f : findings)
    trace.push_back({{"ph", "i"}, {"s", "g"},
                     {"name", std::string(rule_of(f.kind)) + " " + std::string(name_of(f.kind)) +
                                  ": " + f.message},
                     {"cat", "finding"}, {"pid", 1}, {"tid", track("program " + f.program)},
                     {"ts", f.t.count()}});
  // Invalid UTF-8 from a scenario file becomes U+FFFD, so the document stays valid JSON.
  out << json{{"traceEvents", trace}, {"displayTimeUnit", "ms"}}.dump(
             -1, ' ', false, json::error_handler_t::replace)
      << '\n';
}

}  // namespace dbgsim
