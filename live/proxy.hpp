// The fault proxy: one per link of a live scenario. It listens on a loopback port, and for every
// connection an engine makes to it, connects onward to the real server port and carries the
// frames of both directions with the link's faults applied to real traffic, as the simulated
// link (actors/link.cpp) applies them to packets: a frame entering the proxy is dropped (half-open,
// partition, loss) or held for its delay (latency plus jitter) and forwarded, once or twice
// (duplication), unless a partition opened or the connection went half-open meanwhile. Frames are
// cut out of the byte stream by the streaming decoder, so loss and duplication act on whole frames.
//
// The onward connection is made when the first frame of the engine's connection leaves the
// proxy, as the simulated link carries a connection's opening with its first frame: a frame cut
// on the way takes the opening with it, and nothing listening at the server port is a refusal
// (S3) that travels back only when the way back is open.
//
// Everything runs on the io_context it is given, on that context's thread(s) only: the owner
// calls the fault members from a handler of the same context (or before it runs).
#pragma once

#include "vocabulary/link_params.hpp"

#include <asio.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <set>

namespace dbgsim::live {

/// One direction of traffic through a proxy.
enum class direction { to_server, to_engine };

/// What a proxy has carried, for the trace's frame counts and for tests.
struct proxy_counts {
  std::uint64_t connections = 0;  ///< Engine connections accepted.
  std::uint64_t frames_in = 0;    ///< Whole frames cut out of the streams, both directions.
  std::uint64_t forwarded = 0;    ///< Frame copies written onward.
  std::uint64_t dropped = 0;      ///< Frames lost, cut by a partition or vanished half-open.
  std::uint64_t duplicated = 0;   ///< Frames forwarded twice.
  std::uint64_t refused = 0;      ///< Onward connections nothing listened for.
  std::uint64_t blackholed = 0;   ///< Frames a blackhole swallowed (a subset of dropped).
};

/// A TCP proxy applying one link's faults, per frame and per direction.
class proxy {
public:
  /// Called when an onward connection was refused, with the engine end's port (the port the
  /// engine's socket is bound to), once the refusal has travelled back.
  using refused_fn = std::function<void(std::uint16_t engine_port)>;

  /// A proxy on a free loopback port towards `server`; `seed` seeds its random choices and
  /// every duration of `params` is multiplied by `time_scale` on the wire.
  proxy(asio::io_context& io, asio::ip::tcp::endpoint server, std::uint64_t seed,
        double time_scale, link_params to_server = {}, link_params to_engine = {});
  ~proxy();
  proxy(const proxy&) = delete;
  proxy& operator=(const proxy&) = delete;

  /// The loopback port engines connect to.
  std::uint16_t port() const;

  /// Where onward connections go from now on (a restarted server listens on a new port). It ends
  /// a blackhole, and the connections the server's machine crash left half-open are carried to
  /// the new server from their next frame on, as a simulated link lets a restarted server inherit
  /// them (their old frames are answered unknown-session, S10).
  void retarget(asio::ip::tcp::endpoint server);

  /// Called at every refusal (see refused_fn).
  void on_refused(refused_fn f);

  /// Called when an onward connection is up, with the engine end's port and the port of the
  /// proxy's own end towards the server (what the server sees as its peer's port).
  void on_connected(std::function<void(std::uint16_t engine_port, std::uint16_t onward_port)> f);

  /// New parameters for one direction, for frames entering from now on.
  void set_params(direction d, link_params p);

  /// Cuts one direction: frames entering it or leaving it from now on are dropped.
  void partition(direction d);

  /// Restores one direction.
  void heal(direction d);

  /// Resets every connection: both sockets closed with SO_LINGER 0, so both ends see a real RST.
  void reset();

  /// Makes every connection half-open: one end's socket is reset (that end forgets the
  /// connection), the other is told nothing and every later frame of the connection vanishes.
  /// `only`, if given, picks the connections by their engine end's port.
  void half_open(bool server_gone, std::function<bool(std::uint16_t engine_port)> only = {});

  /// The server's machine stops answering (crash how: machine): every connection goes half-open
  /// with the server end gone, and new connections are accepted but go nowhere (a blackhole:
  /// nothing is forwarded, so an engine's connect times out, S3) until retarget().
  void machine_down();

  /// Stops listening and closes every connection.
  void close();

  /// What it has carried so far.
  const proxy_counts& counts() const;

  struct connection;

private:
  struct state;
  std::shared_ptr<state> st_;
};

}  // namespace dbgsim::live
