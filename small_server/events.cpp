#include "small_server/events.hpp"

namespace dbgsim::small {
namespace {

event on_route(event_kind k, const route& r) {
  event e;
  e.kind = k;
  e.peer = r.engine;
  e.conn = r.conn;
  return e;
}

protocol::message_type type_name(const protocol::frame& f) { return protocol::type_of(f.body); }

}  // namespace

event server_state(dbgsim::server_state s, std::uint32_t incarnation, const std::string& machine,
                   const std::string& password) {
  event e;
  e.kind = event_kind::server_state;
  e.what = s;
  e.incarnation = incarnation;
  e.peer = machine;
  if (s == dbgsim::server_state::listening)
    e.detail = password;
  return e;
}

event session_open(const route& r, std::uint64_t session, std::uint32_t incarnation,
                   const std::string& password, std::uint16_t version) {
  auto e = on_route(event_kind::session_open, r);
  e.session = session;
  e.incarnation = incarnation;
  e.detail = password;
  e.value = version;
  return e;
}

event session_end(const route& r, std::uint64_t session, std::uint32_t incarnation,
                  reason_kind why) {
  auto e = on_route(event_kind::session_end, r);
  e.session = session;
  e.incarnation = incarnation;
  e.reason = why;
  return e;
}

event frame_served(const route& r, const protocol::frame& f) {
  auto e = on_route(event_kind::frame_served, r);
  e.session = f.session;
  e.incarnation = f.incarnation;
  e.what = type_name(f);
  return e;
}

event frame_dropped(const route& r, const protocol::frame& f, reason_kind why) {
  auto e = on_route(event_kind::frame_dropped, r);
  e.session = f.session;
  e.incarnation = f.incarnation;
  e.what = type_name(f);
  e.reason = why;
  return e;
}

event timer(dbgsim::timer_kind k, const route& r, std::uint64_t session) {
  event e;
  e.kind = event_kind::timer;
  e.what = k;
  e.conn = r.conn;
  e.session = session;
  return e;
}

}  // namespace dbgsim::small
