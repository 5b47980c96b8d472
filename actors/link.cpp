#include "actors/link.hpp"

#include "protocol/codec.hpp"
#include "protocol/message.hpp"

#include <caf/all.hpp>

#include <cstring>

namespace dbgsim {
namespace {

// The header fields the trace shows, read without trusting the rest of the frame: a link
// carries bytes and never decodes a payload.
void describe(const packet& p, event& e) {
  e.conn = p.via.conn;
  e.frame = p.id;
  const auto& b = p.bytes;
  if (b.size() < protocol::frame_header_size)
    return;
  std::uint16_t type = 0;
  std::uint64_t session = 0;
  std::uint32_t incarnation = 0;
  // Little-endian on the wire; assemble byte by byte so the host's order does not matter.
  type = static_cast<std::uint16_t>(b[6] | (b[7] << 8));
  for (int i = 7; i >= 0; --i)
    session = (session << 8) | b[8 + i];
  for (int i = 3; i >= 0; --i)
    incarnation = (incarnation << 8) | b[16 + i];
  e.session = session;
  e.incarnation = incarnation;
  e.what = static_cast<protocol::message_type>(type);
  e.value = b.size();
}

bool is_connect_request(const packet& p) {
  return p.bytes.size() >= 8 &&
         static_cast<std::uint16_t>(p.bytes[6] | (p.bytes[7] << 8)) ==
             static_cast<std::uint16_t>(protocol::message_type::connect_request);
}

}  // namespace

link_handle::behavior_type link_actor(link_handle::stateful_pointer<link_state> self,
                                      environment* env, std::string a, std::string b,
                                      link_params a_to_b, link_params b_to_a) {
  auto& st = self->state;
  st.a = std::move(a);
  st.b = std::move(b);
  st.a_to_b = a_to_b;
  st.b_to_a = b_to_a;
  const std::string link_name = st.a + "<->" + st.b;

  auto record = [=](event_kind kind, const packet& p, std::string peer,
                    std::optional<reason_kind> reason) {
    event e;
    e.kind = kind;
    e.actor = link_name;
    e.peer = std::move(peer);
    e.reason = reason;
    describe(p, e);
    env->record(std::move(e));
  };
  auto is_cut = [self](const std::string& from) {
    auto& s = self->state;
    return from == s.a ? s.cut_a_to_b : s.cut_b_to_a;
  };
  auto params_from = [self](const std::string& from) -> const link_params& {
    auto& s = self->state;
    return from == s.a ? s.a_to_b : s.b_to_a;
  };
  auto receiver_name = [env](const packet& p) {
    if (!p.to_server)
      return p.via.engine;
    auto name = env->server_name_at(p.to_machine, p.via.endpoint);
    return name.empty() ? p.to_machine + "/" + p.via.endpoint : name;
  };

  return {
      // A frame enters the link: decide its fate now, with draws in a fixed order (loss, then
      // delay, then duplication and the copy's delay), so one seed gives one history.
      [=](packet& p) {
        auto& s = self->state;
        s.routes.insert(p.via);
        if (s.half_open.count(p.via) != 0) {
          record(event_kind::frame_dropped, p, receiver_name(p), reason_kind::half_open);
          return;
        }
        if (is_cut(p.from_machine)) {
          record(event_kind::frame_dropped, p, receiver_name(p), reason_kind::partition);
          return;
        }
        const link_params& lp = params_from(p.from_machine);
        if (lp.loss > 0 && env->draw_unit() < lp.loss) {
          record(event_kind::frame_dropped, p, receiver_name(p), reason_kind::loss);
          return;
        }
        auto delay = [&] {
          auto extra = lp.jitter.count() > 0
                           ? env->draw_upto(static_cast<std::uint64_t>(lp.jitter.count()))
                           : 0;
          return lp.latency + sim_time(static_cast<sim_time::rep>(extra));
        };
        const bool twice = lp.duplicate > 0 && env->draw_unit() < lp.duplicate;
        auto first = delay();
        if (twice) {
          auto second = delay();
          self->delayed_send(self, second, deliver_atom::value, p);
        }
        self->delayed_send(self, first, deliver_atom::value, std::move(p));
      },
      // A frame leaves the link at the far end. A partition that opened meanwhile cuts it too.
      [=](deliver_atom, packet& p) {
        auto& s = self->state;
        if (s.half_open.count(p.via) != 0) {
          record(event_kind::frame_dropped, p, receiver_name(p), reason_kind::half_open);
          return;
        }
        if (is_cut(p.from_machine)) {
          record(event_kind::frame_dropped, p, receiver_name(p), reason_kind::partition);
          return;
        }
        // Engines and servers have different interfaces (actors/seam.hpp), so the receiver is
        // looked up, and the packet sent, through the handle of its side.
        server_handle to_server;
        engine_handle to_engine;
        if (p.to_server)
          to_server = env->server_at(p.to_machine, p.via.endpoint);
        else
          to_engine = env->engine_named(p.via.engine);
        if (!to_server && !to_engine) {
          if (p.to_server && is_connect_request(p)) {
            // Nothing listens there: the far machine refuses at once (S3), and the refusal
            // travels back like any frame, so it needs the way back open.
            event e;
            e.kind = event_kind::connect_refused;
            e.actor = link_name;
            e.peer = p.via.engine;
            e.conn = p.via.conn;
            e.detail = p.to_machine + "/" + p.via.endpoint;
            env->record(std::move(e));
            if (!is_cut(p.to_machine)) {
              auto engine = env->engine_named(p.via.engine);
              if (engine)
                self->delayed_send(engine, params_from(p.to_machine).latency, refused_atom::value,
                                   p.via);
            }
            return;
          }
          record(event_kind::frame_dropped, p, receiver_name(p), reason_kind::no_listener);
          return;
        }
        record(event_kind::frame_delivered, p, receiver_name(p), std::nullopt);
        if (to_server)
          self->send(to_server, std::move(p));
        else
          self->send(to_engine, std::move(p));
      },
      [=](partition_atom, const std::string& from, const std::string&) {
        (from == self->state.a ? self->state.cut_a_to_b : self->state.cut_b_to_a) = true;
      },
      [=](heal_atom, const std::string& from, const std::string&) {
        (from == self->state.a ? self->state.cut_a_to_b : self->state.cut_b_to_a) = false;
      },
      [=](params_atom, const std::string& from, const std::string&, const link_params& lp) {
        (from == self->state.a ? self->state.a_to_b : self->state.b_to_a) = lp;
      },
      // S19: both ends are told at once, as with a TCP reset.
      [=](reset_atom, const std::string& engine) {
        for (const auto& r : self->state.routes) {
          if (!engine.empty() && r.engine != engine)
            continue;
          if (auto e = env->engine_named(r.engine))
            self->send(e, reset_atom::value, r);
          if (auto s = env->server_at(r.server_machine, r.endpoint))
            self->send(s, reset_atom::value, r);
        }
      },
      // One end silently gone: that end forgets the connection, the other is told nothing and
      // every later frame of the connection vanishes.
      [=](half_open_atom, const std::string& engine, bool server_gone) {
        for (const auto& r : self->state.routes) {
          if (!engine.empty() && r.engine != engine)
            continue;
          self->state.half_open.insert(r);
          if (!server_gone) {
            if (auto gone = env->engine_named(r.engine))
              self->send(gone, reset_atom::value, r);
          } else if (auto gone = env->server_at(r.server_machine, r.endpoint)) {
            self->send(gone, reset_atom::value, r);
          }
        }
      },
  };
}

}  // namespace dbgsim
