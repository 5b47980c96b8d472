// An actor's end of the links: what every engine and server does to put frames on links and take
// them off. A frame goes out encoded in a packet with its world frame number and a `frame_sent`
// event, to the link towards the far machine (each link looked up once); bytes that come in and
// do not decode are a `frame_dropped` event with reason `decode_error`. The reference engine and
// server use it, and so may any engine or server written against the seam (the small server
// does), so that every implementation traces its frames alike.
#pragma once

#include "actors/environment.hpp"
#include "actors/messages.hpp"
#include "actors/seam.hpp"
#include "protocol/frame.hpp"
#include "vocabulary/event.hpp"
#include "vocabulary/route.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>

namespace dbgsim {

/// The frames of one actor (an engine or one server incarnation) on the links of its machine.
/// The sending members take the actor's own pointer: CAF checks each message against the link's
/// interface (link_handle) at the call site.
class frame_port {
public:
  /// The port of actor `name` on machine `machine`, living in `env` (which outlives it).
  frame_port(environment* env, symbol name, symbol machine);

  /// Records `e` as the actor's own (sets its `actor`).
  void record(event e);

  /// Asks the link towards r's server machine to open connection `r`: an engine does so once,
  /// before the connection's first frame (docs/world.md, "The seam").
  template <class Self>
  void open(Self* self, const route& r) {
    self->send(link_to(r.server_machine), open_atom::value, r);
  }

  /// Sends `f` on connection `r` towards its server; `call` is the API call it serves (0: none).
  template <class Self>
  void send_to_server(Self* self, const route& r, const protocol::frame& f, std::uint64_t call) {
    auto p = outgoing(r, true, r.server_machine, f, r.server_machine, call);
    self->send(link_to(p.to_machine), std::move(p));
  }

  /// Sends `f` on connection `r` towards its engine. The frame is recorded as sent even when the
  /// engine is gone for good, but then nothing carries it anywhere.
  template <class Self>
  void send_to_engine(Self* self, const route& r, const protocol::frame& f) {
    auto p = outgoing(r, false, env_->machine_of_engine(r.engine), f, r.engine, 0);
    if (!p.to_machine.empty())
      self->send(link_to(p.to_machine), std::move(p));
  }

  /// The frame `p` carries; or nothing, after recording that it did not decode (`peer`: whom the
  /// trace names as its sender).
  std::optional<protocol::frame> receive(const packet& p, const std::string& peer);

private:
  /// Encodes `f` into a numbered packet and records its frame_sent.
  packet outgoing(const route& r, bool to_server, symbol to_machine, const protocol::frame& f,
                  symbol peer, std::uint64_t call);

  /// The link to `far_machine`. Links live as long as the world, so each one found is kept: a
  /// frame then costs one lookup by the far machine instead of the world's by both names.
  link_handle link_to(symbol far_machine);

  environment* env_;
  symbol name_;
  symbol machine_;
  /// The first link found, outside the map: an engine's frames mostly go to one server machine,
  /// and a map costs an idle engine some 150 bytes (its node and its first bucket array).
  symbol first_machine_;
  link_handle first_link_;
  /// The others by far machine; only searched (a server's holds one link per engine machine it
  /// serves).
  std::unordered_map<symbol, link_handle> more_links_;
};

/// What the io of the reference engine and of the reference server share around their cores:
/// the clock, the trace, the actor's own timers and its frame port. `Io` is the core's interface
/// (engine_io, server_io) and `Handle` the actor's (engine_handle, server_handle).
template <class Io, class Handle>
class actor_io : public Io {
public:
  /// The io of actor `self`, named `name`, on machine `machine`, living in `env`.
  actor_io(typename Handle::pointer self, environment* env, symbol name, symbol machine)
      : self_(self), env_(env), name_(name), machine_(machine), port_(env, name, machine) {}

  /// The simulated time.
  sim_time now() const override { return env_->now(); }

  /// Records `e` as the actor's own.
  void record(event e) override { port_.record(std::move(e)); }

  /// Sends the actor (timer_atom, id) after `after`.
  void start_timer(std::uint64_t id, sim_time after) override {
    dbgsim::start_timer(*env_, self_, after, id);
  }

protected:
  typename Handle::pointer self_;
  environment* env_;
  symbol name_;
  symbol machine_;
  frame_port port_;
};

}  // namespace dbgsim
