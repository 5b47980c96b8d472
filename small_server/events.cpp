#include "small_server/events.hpp"

namespace dbgsim::small {
namespace {

const char* text(end_reason r) {
  switch (r) {
    case end_reason::disconnect: return "disconnect";
    case end_reason::lease: return "lease";
    case end_reason::reset: return "reset";
    case end_reason::server_end: return "server_end";
    case end_reason::crash: return "crash";
  }
  return "?";
}

const char* text(drop_reason r) {
  switch (r) {
    case drop_reason::decode_error: return "decode_error";
    case drop_reason::stale_incarnation: return "stale_incarnation";
    case drop_reason::unknown_session: return "unknown_session";
    case drop_reason::unexpected: return "unexpected";
  }
  return "?";
}

event on_route(event_kind k, const route& r) {
  event e;
  e.kind = k;
  e.peer = r.engine;
  e.conn = r.conn;
  return e;
}

std::string type_name(const protocol::frame& f) {
  return std::string(protocol::name_of(protocol::type_of(f.body)));
}

}  // namespace

const char* name_of(status s) {
  switch (s) {
    case status::listening: return "listening";
    case status::shutting_down: return "shutting_down";
    case status::ended: return "ended";
    case status::crashed: return "crashed";
  }
  return "?";
}

event server_state(status s, std::uint32_t incarnation, const std::string& machine,
                   const std::string& password) {
  event e;
  e.kind = event_kind::server_state;
  e.what = name_of(s);
  e.incarnation = incarnation;
  e.peer = machine;
  if (s == status::listening)
    e.detail = password;
  return e;
}

event session_open(const route& r, std::uint64_t session, std::uint32_t incarnation,
                   const std::string& password) {
  auto e = on_route(event_kind::session_open, r);
  e.session = session;
  e.incarnation = incarnation;
  e.detail = password;
  return e;
}

event session_end(const route& r, std::uint64_t session, std::uint32_t incarnation,
                  end_reason why) {
  auto e = on_route(event_kind::session_end, r);
  e.session = session;
  e.incarnation = incarnation;
  e.reason = text(why);
  return e;
}

event frame_served(const route& r, const protocol::frame& f) {
  auto e = on_route(event_kind::frame_served, r);
  e.session = f.session;
  e.incarnation = f.incarnation;
  e.what = type_name(f);
  return e;
}

event frame_sent(const route& r, const protocol::frame& f, std::size_t size, std::uint64_t id) {
  auto e = on_route(event_kind::frame_sent, r);
  e.session = f.session;
  e.incarnation = f.incarnation;
  e.what = type_name(f);
  e.value = size;
  e.frame = id;
  return e;
}

event frame_dropped(const route& r, const protocol::frame& f, drop_reason why) {
  auto e = on_route(event_kind::frame_dropped, r);
  e.session = f.session;
  e.incarnation = f.incarnation;
  e.what = type_name(f);
  e.reason = text(why);
  return e;
}

event undecodable(const route& r, const protocol::decode_error& err) {
  auto e = on_route(event_kind::frame_dropped, r);
  e.reason = text(drop_reason::decode_error);
  e.detail = std::string(protocol::name_of(err.code)) + " at byte " + std::to_string(err.offset) +
             ": " + err.detail;
  return e;
}

event timer(timer_kind k, const route& r, std::uint64_t session) {
  event e;
  e.kind = event_kind::timer;
  e.what = k == timer_kind::lease ? "lease" : "grace";
  e.conn = r.conn;
  e.session = session;
  return e;
}

}  // namespace dbgsim::small
