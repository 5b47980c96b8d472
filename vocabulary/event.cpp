#include "vocabulary/event.hpp"

#include <array>

#include <fmt/format.h>

namespace dbgsim {
namespace {

constexpr std::array<std::string_view, 25> kind_names = {
    "call",           "done",           "handle_born",     "handle_dead",     "session_held",
    "session_released", "target_added", "target_removed",  "target_lost",     "session_open",
    "session_end",    "server_state",   "frame_sent",      "frame_delivered", "frame_dropped",
    "frame_served",   "connect_refused", "fault",          "timer",           "process_attached",
    "process_detached", "process_killed", "process_created", "process_exited", "options_received",
};

void append_string(std::string& out, std::string_view key, std::string_view s) {
  out += ",\"";
  out += key;
  out += "\":\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20 || c >= 0x7f)
          fmt::format_to(std::back_inserter(out), "\\u{:04x}", c);  // keeps lines ASCII
        else
          out += static_cast<char>(c);
    }
  }
  out += '"';
}

void append_number(std::string& out, std::string_view key, std::uint64_t v) {
  fmt::format_to(std::back_inserter(out), ",\"{}\":{}", key, v);
}

}  // namespace

std::string_view name_of(event_kind k) { return kind_names[static_cast<std::size_t>(k)]; }

std::string to_json_line(const event& e) {
  std::string out;
  out.reserve(160);
  fmt::format_to(std::back_inserter(out), "{{\"t\":{},\"ev\":\"{}\"", e.t.count(), name_of(e.kind));
  if (!e.actor.empty()) append_string(out, "actor", e.actor);
  if (!e.peer.empty()) append_string(out, "peer", e.peer);
  if (e.call != 0) append_number(out, "call", e.call);
  if (!e.api.empty()) append_string(out, "api", e.api);
  // Handles and sessions are printed in hex: their high bits are what S1 is about.
  if (e.handle != 0) fmt::format_to(std::back_inserter(out), ",\"handle\":\"0x{:016X}\"", e.handle);
  if (e.conn != 0) append_number(out, "conn", e.conn);
  if (e.session != 0) fmt::format_to(std::back_inserter(out), ",\"session\":\"0x{:X}\"", e.session);
  if (e.incarnation != 0) append_number(out, "inc", e.incarnation);
  if (e.pid != 0) append_number(out, "pid", e.pid);
  if (e.hr) append_string(out, "hr", protocol::to_string(*e.hr));
  if (!e.what.empty()) append_string(out, "what", e.what);
  if (!e.reason.empty()) append_string(out, "reason", e.reason);
  if (!e.detail.empty()) append_string(out, "detail", e.detail);
  if (e.value != 0) append_number(out, "value", e.value);
  if (e.frame != 0) append_number(out, "frame", e.frame);
  out += '}';
  return out;
}

}  // namespace dbgsim
