#include "actors/link.hpp"

#include "protocol/codec.hpp"
#include "protocol/transport.hpp"

#include <caf/all.hpp>

#include <variant>

namespace dbgsim {
namespace {

// The header fields the trace shows, read without trusting the rest of the frame: a link
// carries bytes and never decodes a payload.
void describe(const packet& p, event& e) {
  e.conn = p.via.conn;
  e.frame = p.id;
  const auto peeked = protocol::peek_header(p.bytes);
  const auto* h = std::get_if<protocol::frame_header>(&peeked);
  if (h == nullptr)
    return;
  e.session = h->session;
  e.incarnation = h->incarnation;
  e.what = h->type;
  e.value = p.bytes.size();
}

// What the link's handlers share. Why a struct made per message instead of helper lambdas
// captured by every handler: each capture copied the link's name and the helpers into every
// handler, ~670 bytes of behaviour per link, and a 10,000-engine world has 10,000 links.
struct link_ops {
  link_handle::stateful_pointer<link_state> self;
  environment* env;

  link_state& st() const { return self->state; }

  void record(event_kind kind, const packet& p, symbol peer,
              std::optional<reason_kind> reason) const {
    event e;
    e.kind = kind;
    e.actor = st().label;
    e.peer = peer;
    e.reason = reason;
    describe(p, e);
    env->record(std::move(e));
  }
  // The connection events name the engine end, since a connection id is unique only within it.
  void record_connection(event_kind kind, const route& r, std::string detail) const {
    event e;
    e.kind = kind;
    e.actor = st().label;
    e.peer = r.engine;
    e.conn = r.conn;
    e.detail = std::move(detail);
    env->record(std::move(e));
  }
  bool is_cut(symbol from) const {
    return from == st().a ? st().cut_a_to_b : st().cut_b_to_a;
  }
  // A half-open connection or a partition in the frame's direction drops it, at entry and again
  // at delivery (either can begin while it is on its way): records the drop and says so.
  bool cut_on_the_way(const packet& p) const {
    std::optional<reason_kind> why;
    if (st().half_open.count(p.via) != 0)
      why = reason_kind::half_open;
    else if (is_cut(p.from_machine))
      why = reason_kind::partition;
    if (why)
      record(event_kind::frame_dropped, p, receiver_name(p), why);
    return why.has_value();
  }
  const link_params& params_from(symbol from) const {
    return from == st().a ? st().a_to_b : st().b_to_a;
  }
  symbol receiver_name(const packet& p) const {
    if (!p.to_server)
      return p.via.engine;
    auto name = env->server_name_at(p.to_machine, p.via.endpoint);
    return name.empty() ? symbol(p.to_machine + "/" + p.via.endpoint) : name;
  }
  // Nothing listens where a connection not yet accepted is headed: the far machine refuses at
  // once (S3), and the refusal travels back like any frame, so it needs the way back open. The
  // connection stays unaccepted, so a duplicate of the frame is refused again.
  void refuse(const packet& p) const {
    record_connection(event_kind::connect_refused, p.via, p.to_machine + "/" + p.via.endpoint);
    if (is_cut(p.to_machine))
      return;
    if (auto engine = env->engine_named(p.via.engine))
      send_later(*env, engine, params_from(p.to_machine).latency, refused_atom::value, p.via);
  }
};

}  // namespace

link_handle::behavior_type link_actor(link_handle::stateful_pointer<link_state> self,
                                      environment* env, std::string a, std::string b,
                                      link_params a_to_b, link_params b_to_a) {
  auto& st = self->state;
  st.a = std::move(a);
  st.b = std::move(b);
  st.a_to_b = a_to_b;
  st.b_to_a = b_to_a;
  st.label = st.a + "<->" + st.b;
  const link_ops ops{self, env};

  // The most frequent first (a frame's delivery, then its entry), for the reason engine.cpp gives.
  return {
      // A frame leaves the link at the far end. A partition that opened meanwhile cuts it too.
      [ops](deliver_atom, packet& p) {
        auto& s = ops.st();
        if (ops.cut_on_the_way(p))
          return;
        // Engines and servers have different interfaces (actors/seam.hpp), so the receiver is
        // looked up, and the packet sent, through the handle of its side.
        if (!p.to_server) {
          auto to_engine = ops.env->engine_named(p.via.engine);
          if (!to_engine) {
            ops.record(event_kind::frame_dropped, p, ops.receiver_name(p), reason_kind::no_listener);
            return;
          }
          ops.record(event_kind::frame_delivered, p, ops.receiver_name(p), std::nullopt);
          ops.self->send(to_engine, std::move(p));
          return;
        }
        // Found: only frames of opened connections entered the link, and connections stay.
        auto c = s.connections.find(p.via);
        if (c->second == connection_phase::reset) {
          ops.record(event_kind::frame_dropped, p, ops.receiver_name(p), reason_kind::reset);
          return;
        }
        symbol receiver;
        auto to_server = ops.env->server_and_name_at(p.to_machine, p.via.endpoint, receiver);
        if (!to_server) {
          // A machine that is off answers nothing, not even a refusal: the engine's connect
          // timeout finds it (S3). The opening stays, so a restarted server accepts a later copy.
          if (c->second == connection_phase::opening &&
              ops.env->unanswered_at(p.to_machine, p.via.endpoint)) {
            ops.record(event_kind::frame_dropped, p, ops.receiver_name(p), reason_kind::machine_down);
            return;
          }
          if (c->second == connection_phase::opening)
            return ops.refuse(p);
          ops.record(event_kind::frame_dropped, p, ops.receiver_name(p), reason_kind::no_listener);
          return;
        }
        if (c->second == connection_phase::opening) {
          // The first frame to arrive carries the opening: the server learns of the connection
          // just before the frame, and a later server at the endpoint (a restart) inherits it.
          c->second = connection_phase::accepted;
          ops.record_connection(event_kind::connection_accepted, p.via, receiver);
          ops.self->send(to_server, accept_atom::value, p.via);
        }
        ops.record(event_kind::frame_delivered, p, receiver, std::nullopt);
        ops.self->send(to_server, std::move(p));
      },
      // A frame enters the link: decide its fate now, with draws in a fixed order (loss, then
      // delay, then duplication and the copy's delay), so one seed gives one history.
      [ops](packet& p) {
        auto& s = ops.st();
        if (s.connections.count(p.via) == 0) {
          // Without an opening the link would learn of the connection only now, and a fault
          // could have missed it: the seam asks engines to open first (docs/world.md).
          ops.record(event_kind::frame_dropped, p, ops.receiver_name(p), reason_kind::not_open);
          return;
        }
        if (ops.cut_on_the_way(p))
          return;
        const link_params& lp = ops.params_from(p.from_machine);
        if (lp.loss > 0 && ops.env->draw_unit() < lp.loss) {
          ops.record(event_kind::frame_dropped, p, ops.receiver_name(p), reason_kind::loss);
          return;
        }
        auto delay = [&] {
          auto extra = lp.jitter.count() > 0
                           ? ops.env->draw_upto(static_cast<std::uint64_t>(lp.jitter.count()))
                           : 0;
          return lp.latency + sim_time(static_cast<sim_time::rep>(extra));
        };
        const bool twice = lp.duplicate > 0 && ops.env->draw_unit() < lp.duplicate;
        auto first = delay();
        if (twice) {
          auto second = delay();
          send_later(*ops.env, ops.self, second, deliver_atom::value, p);
        }
        send_later(*ops.env, ops.self, first, deliver_atom::value, std::move(p));
      },
      // An engine opens a connection before its first frame, so that a reset or a half-open
      // fault finds it from its first moment. Opening it again changes nothing.
      [ops](open_atom, const route& r) {
        if (ops.self->state.connections.emplace(r, connection_phase::opening).second)
          ops.record_connection(event_kind::connection_opened, r, r.server_machine + "/" + r.endpoint);
      },
      [ops](partition_atom, const std::string& from, const std::string&) {
        (from == ops.self->state.a ? ops.self->state.cut_a_to_b : ops.self->state.cut_b_to_a) = true;
      },
      [ops](heal_atom, const std::string& from, const std::string&) {
        (from == ops.self->state.a ? ops.self->state.cut_a_to_b : ops.self->state.cut_b_to_a) = false;
      },
      [ops](params_atom, const std::string& from, const std::string&, const link_params& lp) {
        (from == ops.self->state.a ? ops.self->state.a_to_b : ops.self->state.b_to_a) = lp;
      },
      // S19: both ends are told at once, as with a TCP reset. A connection no server has
      // accepted yet has no server end to tell: the reset ends its opening instead, so that its
      // first frame, if still on its way, reaches no server.
      [ops](reset_atom, const std::string& engine) {
        for (auto& [r, phase] : ops.self->state.connections) {
          if (!engine.empty() && r.engine != engine)
            continue;
          if (auto e = ops.env->engine_named(r.engine))
            ops.self->send(e, reset_atom::value, r);
          if (phase != connection_phase::accepted)
            phase = connection_phase::reset;
          else if (auto s = ops.env->server_at(r.server_machine, r.endpoint))
            ops.self->send(s, reset_atom::value, r);
        }
      },
      // A server process crashed: its kernel resets every connection the process had, so the
      // engine end of each accepted one is told as by a reset (S19). The server end is gone with
      // the process, and a connection still opening was never the process's: it meets the
      // endpoint as it finds it (refused, S3). A connection is reset by a crash once.
      [ops](reset_atom, const std::string& server_machine, const std::string& endpoint_key) {
        auto& s = ops.self->state;
        for (const auto& [r, phase] : s.connections) {
          if (phase != connection_phase::accepted || r.server_machine != server_machine ||
              protocol::endpoint_key(r.endpoint) != endpoint_key || s.crash_reset.count(r) != 0)
            continue;
          s.crash_reset.insert(r);
          if (auto e = ops.env->engine_named(r.engine))
            ops.self->send(e, reset_atom::value, r);
        }
      },
      // One end silently gone: that end forgets the connection, the other is told nothing and
      // every later frame of the connection vanishes. A server end exists once it accepted.
      [ops](half_open_atom, const std::string& engine, bool server_gone) {
        for (const auto& [r, phase] : ops.self->state.connections) {
          if (!engine.empty() && r.engine != engine)
            continue;
          ops.self->state.half_open.insert(r);
          if (!server_gone) {
            if (auto gone = ops.env->engine_named(r.engine))
              ops.self->send(gone, reset_atom::value, r);
          } else if (phase == connection_phase::accepted) {
            if (auto gone = ops.env->server_at(r.server_machine, r.endpoint))
              ops.self->send(gone, reset_atom::value, r);
          }
        }
      },
  };
}

}  // namespace dbgsim
