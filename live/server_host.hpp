// The reference process server live: server_core on real sockets. An acceptor on one address
// and port; each accepted connection is a route whose engine is named by the peer's
// "ADDRESS:PORT"; a connection that closes or resets is the core's on_reset (S19); the core's
// end (S8) stops listening and closes every connection once the last notices are out. Several
// hosts may share one runtime (a live player starts one per scenario server, each on port 0).
#pragma once

#include "actors/config.hpp"
#include "live/connection.hpp"
#include "live/runtime.hpp"
#include "vocabulary/inspection.hpp"
#include "vocabulary/machine.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

namespace dbgsim::live {

/// The host cannot listen where it was told: "port 5005 on 127.0.0.1 is in use".
class listen_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// What a host names the engine end of a connection's route.
enum class engine_naming : std::uint8_t {
  /// The peer's "ADDRESS:PORT", the connection id the host's own count (1, 2, ...): all a
  /// server can know of a client it does not trust.
  peer_address,
  /// The client_name of the connection's first frame when it is a connect_request, the
  /// connection id counted per name (1, 2, ...), as an engine numbers its connections: so a
  /// trace of live engines and servers pairs the two ends as a world's does. Other connections
  /// fall back to the peer's address.
  client_name,
};

/// How a host listens and bounds its connections.
struct server_host_options {
  /// The address to listen on; tests and the default keep to loopback.
  std::string bind = "127.0.0.1";
  /// Overrides the listen string's port when set; 0 lets the system choose (port() says which).
  std::optional<std::uint16_t> port;
  /// Most connections open at once; one more is reset as soon as it is accepted.
  std::size_t max_connections = 256;
  /// The bounds of each accepted connection (handshake and idle deadlines, buffers).
  connection_limits limits = default_limits();
  /// The incarnation the core starts as (a restarted server's is one more, S10).
  std::uint32_t incarnation = 1;
  /// What routes name the engine end by.
  engine_naming naming = engine_naming::peer_address;

  /// Bounds for a server on the open network: a first frame within 10 s, then one at least
  /// every 60 s (an engine's keepalives come every second), 4 MiB unsent at most.
  static connection_limits default_limits();
};

/// What a host has seen, for logs, tests and benchmarks.
struct server_host_counts {
  std::uint64_t accepted = 0;       ///< Connections accepted and served.
  std::uint64_t refused = 0;        ///< Connections reset at once: max_connections were open.
  std::uint64_t closed_badly = 0;   ///< Ended by a decode error, a bound or a deadline.
  std::uint64_t frames_in = 0;      ///< Whole frames received.
  std::uint64_t frames_out = 0;     ///< Frames sent.
};

/// One process server incarnation listening on a runtime.
class server_host {
public:
  /// Listens at once, with server_core::start(). `config.listen` must be a tcp server string
  /// without clicon; throws listen_error when the port (or every port of a range) is in use or
  /// the address is not this machine's, std::invalid_argument for another transport.
  server_host(runtime& rt, server_config config, machine& host, server_host_options options = {});
  ~server_host();
  server_host(const server_host&) = delete;
  server_host& operator=(const server_host&) = delete;

  /// The port it listens on (the one the system chose for port 0).
  std::uint16_t port() const;

  /// The server's name, as its trace events name it.
  const std::string& name() const;

  /// Ends the server as an EndProcessServer from its oldest session would (S8): shutting-down
  /// notices to every session, then the end once they are gone or the grace period ran out;
  /// with no session, it stops listening at once.
  void end();

  /// The server process dies (S10): the core's crash, every connection reset, no listening.
  void crash();

  /// A process attached through one of its sessions exited on its own.
  void process_exited(std::uint32_t pid);

  /// The core's state.
  server_view inspect() const;

  /// Whether it still serves (neither ended nor crashed).
  bool running() const;

  /// Whether it has ended or crashed and every connection it closed has let go of its socket.
  bool drained() const;

  /// Connections open now.
  std::size_t connections() const;

  /// What it has seen so far.
  const server_host_counts& counts() const;

  /// Calls `fn` once, when the server ends or crashes.
  void on_ended(std::function<void()> fn);

  struct impl;

private:
  std::shared_ptr<impl> impl_;
};

}  // namespace dbgsim::live
