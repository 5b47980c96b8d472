// What an actor needs from the world it lives in: the simulated clock, the trace, the random
// source, the machines, and where to send frames. sim::world implements it; actors never see the
// world itself, so the same actors run in any harness that offers these few things.
#pragma once

#include "actors/seam.hpp"
#include "vocabulary/event.hpp"
#include "vocabulary/inspection.hpp"
#include "vocabulary/machine.hpp"
#include "vocabulary/timing.hpp"
#include "protocol/hresult.hpp"

#include <caf/actor_cast.hpp>
#include <caf/check_typed_input.hpp>
#include <caf/mailbox_element.hpp>
#include <caf/message_id.hpp>
#include <caf/replies_to.hpp>

#include <cstdint>
#include <functional>
#include <string>

namespace dbgsim {

/// The world as seen from inside an actor. All calls happen on the world's one scheduler thread.
class environment {
public:
  virtual ~environment() = default;

  /// The current simulated time.
  virtual sim_time now() const = 0;

  /// Appends an event to the trace, stamping it with the current time.
  virtual void record(event e) = 0;

  /// A uniformly distributed number in [0, 1), from the world's one seeded random source.
  virtual double draw_unit() = 0;

  /// A uniformly distributed number in [0, n], from the world's one seeded random source.
  virtual std::uint64_t draw_upto(std::uint64_t n) = 0;

  /// Enqueues `content` at `to` after `after` of simulated time: the world's delayed_send. Use
  /// dbgsim::send_later below, which checks the message against the receiver's interface.
  /// Messages due at one time arrive in the order they were sent, as CAF's clock orders its own.
  /// Why the world keeps them rather than CAF's clock: CAF 0.17 spends three allocations on a
  /// delayed message, and a world of 10,000 engines has some 30,000 timers pending. An actor
  /// may still use delayed_send: the world runs CAF's clock too, and at one time its own go
  /// first.
  virtual void schedule(sim_time after, caf::strong_actor_ptr to,
                        caf::mailbox_element_ptr content) = 0;

  /// Enqueues (timer_atom, id) at `to` after `after`, as schedule does, keeping only the id
  /// until then. Use dbgsim::start_timer below.
  virtual void schedule_timer(sim_time after, caf::strong_actor_ptr to, std::uint64_t id) = 0;

  /// A new frame number (1, 2, ...), so the trace can pair a frame's sending and delivery.
  virtual std::uint64_t next_frame_id() = 0;

  /// The name of the running server at `endpoint` on `machine_name`, or "".
  virtual symbol server_name_at(symbol machine_name, symbol endpoint) const = 0;

  /// The link actor between two machines (created on first use with no delay and no faults).
  virtual link_handle link_between(const std::string& a, const std::string& b) = 0;

  /// The machine named `name`.
  virtual dbgsim::machine& machine_named(const std::string& name) = 0;

  /// The machine a name stands for: an engine's or a server's machine, or else the name itself.
  virtual std::string machine_named_by(const std::string& name) const = 0;

  /// The machine an engine runs on ("" for no such engine).
  virtual symbol machine_of_engine(symbol engine) const = 0;

  /// The running server listening at `endpoint` on `machine_name`, or an invalid handle.
  virtual server_handle server_at(symbol machine_name, symbol endpoint) const = 0;

  /// server_at and server_name_at in one search (a link delivering a frame needs both): the
  /// running server's handle, with `name` set to its name; or an invalid handle and "".
  virtual server_handle server_and_name_at(symbol machine_name, symbol endpoint,
                                           symbol& name) const = 0;

  /// Whether connects to `endpoint` on `machine_name` go unanswered rather than refused: no
  /// server runs there and the last one that did crashed with its machine (crash how: machine),
  /// which sends nothing, not even a refusal (S3).
  virtual bool unanswered_at(symbol machine_name, symbol endpoint) const = 0;

  /// The engine actor named `name`, or an invalid handle (none, or crashed).
  virtual engine_handle engine_named(symbol name) const = 0;

  /// Starts a server on `machine_name` for engine `engine` (StartProcessServer, S13).
  virtual protocol::hresult start_server(const std::string& engine, const std::string& machine_name,
                                         const std::string& options, std::string& name) = 0;

  /// A server has ended (S8, S16): it no longer listens; engines that started it are told.
  virtual void server_ended(const std::string& server) = 0;

  /// Registers how to inspect an engine's state (the small inspection interface); an engine
  /// calls it once when it starts.
  virtual void register_engine(const std::string& name, std::function<engine_view()> inspect) = 0;
  /// Registers how to inspect a server's state; each incarnation calls it when it starts, and
  /// the latest registration of a name wins.
  virtual void register_server(const std::string& name, std::function<server_view()> inspect) = 0;
};

/// Sends `xs...` to `to` (a typed handle, or an actor's own pointer) after `after`, through the
/// world's schedule; like CAF's send, it does not compile unless `to` accepts the message.
template <class Handle, class... Ts>
void send_later(environment& env, const Handle& to, sim_time after, Ts&&... xs) {
  using message = caf::detail::type_list<caf::detail::strip_and_convert_t<Ts>...>;
  static_assert(caf::response_type_unbox<caf::signatures_of_t<Handle>, message>::valid,
                "the receiver does not accept this message");
  if (to)
    env.schedule(after, caf::actor_cast<caf::strong_actor_ptr>(to),
                 caf::make_mailbox_element(nullptr, caf::make_message_id(), {},
                                           std::forward<Ts>(xs)...));
}

/// Sends actor `self` (timer_atom, id) after `after`, through the world's schedule.
template <class Self>
void start_timer(environment& env, Self* self, sim_time after, std::uint64_t id) {
  using message = caf::detail::type_list<timer_atom, std::uint64_t>;
  static_assert(caf::response_type_unbox<caf::signatures_of_t<Self*>, message>::valid,
                "the actor does not accept (timer_atom, std::uint64_t)");
  env.schedule_timer(after, caf::actor_cast<caf::strong_actor_ptr>(self), id);
}

}  // namespace dbgsim
