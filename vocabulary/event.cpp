#include "vocabulary/event.hpp"

#include <utility>

#include <fmt/format.h>

#include <iterator>

namespace dbgsim {
namespace {

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

// Writes one field if the event sets it. The switch covers every row of DBGSIM_EVENT_FIELDS
// (-Wswitch), so a new field cannot be forgotten here.
void append_field(std::string& out, const event& e, event_field f) {
  const auto key = name_of(f);
  switch (f) {
    case event_field::actor: if (!e.actor.empty()) append_string(out, key, e.actor); return;
    case event_field::peer: if (!e.peer.empty()) append_string(out, key, e.peer); return;
    case event_field::to: if (!e.to.empty()) append_string(out, key, e.to); return;
    case event_field::call: if (e.call != 0) append_number(out, key, e.call); return;
    case event_field::api: if (e.api) append_string(out, key, name_of(*e.api)); return;
    // Handles and sessions are printed in hex: their high bits are what S1 is about.
    case event_field::handle:
      if (e.handle != 0) fmt::format_to(std::back_inserter(out), ",\"handle\":\"0x{:016X}\"", e.handle);
      return;
    case event_field::conn: if (e.conn != 0) append_number(out, key, e.conn); return;
    case event_field::session:
      if (e.session != 0) fmt::format_to(std::back_inserter(out), ",\"session\":\"0x{:X}\"", e.session);
      return;
    case event_field::inc: if (e.incarnation != 0) append_number(out, key, e.incarnation); return;
    case event_field::pid: if (e.pid != 0) append_number(out, key, e.pid); return;
    case event_field::hr: if (e.hr) append_string(out, key, protocol::to_string(*e.hr)); return;
    case event_field::what:
      if (!std::holds_alternative<std::monostate>(e.what)) append_string(out, key, name_of(e.what));
      return;
    case event_field::reason: if (e.reason) append_string(out, key, name_of(*e.reason)); return;
    case event_field::detail: if (!e.detail.empty()) append_string(out, key, e.detail); return;
    case event_field::value: if (e.value != 0) append_number(out, key, e.value); return;
    case event_field::frame: if (e.frame != 0) append_number(out, key, e.frame); return;
    case event_field::program: if (!e.program.empty()) append_string(out, key, e.program); return;
  }
}

}  // namespace

std::string_view name_of(const event_what& w) {
  return std::visit(
      [](const auto& v) -> std::string_view {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::monostate>)
          return "";
        else if constexpr (std::is_same_v<T, protocol::message_type>)
          return protocol::name_of(v);
        else
          return dbgsim::name_of(v);
      },
      w);
}

event frame_sent_event(const protocol::frame& f, symbol peer, std::uint64_t conn,
                       std::size_t size, std::uint64_t frame, std::uint64_t call) {
  event e;
  e.kind = event_kind::frame_sent;
  e.peer = std::move(peer);
  e.conn = conn;
  e.session = f.session;
  e.incarnation = f.incarnation;
  e.what = protocol::type_of(f.body);
  e.call = call;
  e.value = size;
  e.frame = frame;
  return e;
}

event fault_event(fault_kind what, std::string a, std::string b, std::string detail) {
  event e;
  e.kind = event_kind::fault;
  e.actor = "world";
  e.what = what;
  e.peer = std::move(a);
  e.to = std::move(b);
  e.detail = std::move(detail);
  return e;
}

std::string to_json_line(const event& e) {
  std::string out;
  out.reserve(160);
  fmt::format_to(std::back_inserter(out), "{{\"t\":{},\"ev\":\"{}\"", e.t.count(), name_of(e.kind));
  for (auto f : all_values<event_field>())
    append_field(out, e, f);
  out += '}';
  return out;
}

std::string to_json_lines(const std::vector<event>& events) {
  std::string out;
  for (const auto& e : events) {
    out += to_json_line(e);
    out += '\n';
  }
  return out;
}

}  // namespace dbgsim
