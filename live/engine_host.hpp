// The reference engine live: engine_core on real sockets, as the engine actor (actors/engine.cpp)
// hosts it in a world. Each connection the core opens is a TCP connection to the endpoint the
// host's `where` function gives for its route (the server's real port, or a fault proxy's);
// nothing listening is the core's on_refused (S3), a peer's close or reset its on_reset (S19).
// A call completes through the function its caller handed in, exactly once.
#pragma once

#include "actors/config.hpp"
#include "actors/engine_core.hpp"
#include "live/connection.hpp"
#include "live/runtime.hpp"
#include "vocabulary/api.hpp"
#include "vocabulary/inspection.hpp"
#include "vocabulary/machine.hpp"
#include "vocabulary/route.hpp"

#include <asio/ip/tcp.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <utility>
#include <vector>
#include <string>

namespace dbgsim::live {

/// Where an engine host's connections go and how it names machines.
struct engine_host_options {
  /// The endpoint a route connects to; none: nothing is there (the core hears a refusal).
  std::function<std::optional<asio::ip::tcp::endpoint>(const route&)> where;
  /// The machine that `server=` names (engine_io::machine_named_by); empty: the name itself.
  std::function<std::string(const std::string&)> machine_named_by;
  /// Called once a connection is up, with its route and the port its socket is bound to (what
  /// a proxy sees as the engine end's port).
  std::function<void(const route&, std::uint16_t local_port)> on_connected;
};

/// One engine on a runtime.
class engine_host {
public:
  /// Called with a call's result.
  using complete_fn = std::function<void(const api::result&)>;

  /// An engine configured by `config` on machine `local` (which outlives it).
  engine_host(runtime& rt, engine_config config, machine& local, engine_host_options options);
  ~engine_host();
  engine_host(const engine_host&) = delete;
  engine_host& operator=(const engine_host&) = delete;

  /// Issues `c` for the client program called `program` ("" for none); `done` gets its result,
  /// now or later, exactly once. Records the `call` and `done` events as a world does. Returns
  /// the call's number (1, 2, ...).
  std::uint64_t call(api::call c, complete_fn done, std::string program = {});

  /// The connection whose socket is bound to `local_port` was refused beyond a proxy (S3).
  void refused(std::uint16_t local_port);

  /// The engine process dies: the core's crash, every connection reset, calls in flight E_ABORT.
  void crash();

  /// A process this engine attached locally exited.
  void process_exited(std::uint32_t pid);

  /// The core's state.
  engine_view inspect() const;

  /// Calls issued and not yet completed.
  std::size_t calls_in_flight() const;

  /// The engine's name.
  const std::string& name() const;

  /// For each call, and each other handler of the core that recorded more than one event, the
  /// events it recorded before returning, as [first, last) indices into the runtime's kept
  /// events (a call's `call` event first). They happen at one instant for the core (S5, S12:
  /// answered at once; S20: a session released with its last target), but the real clock moves
  /// between them, so a live player stamps them with the first one's time.
  const std::vector<std::pair<std::size_t, std::size_t>>& instants() const;

  struct impl;

private:
  std::shared_ptr<impl> impl_;
};

}  // namespace dbgsim::live
