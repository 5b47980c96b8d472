// Live mode's frames per second on loopback (docs/live.md), beside a bare figure of the same run:
//   1. round trips: one client connection sending a keepalive and waiting for its ack, against
//      a process server (live/server_host) on a runtime thread of its own;
//   2. pipelined: the same connection sending 100 keepalives per write, then reading 100 acks;
//   3. bare: the same two patterns against a TCP echo server on the same kind of runtime
//      (Asio, one thread, no codec, no core): what the sockets alone cost.
// Each live figure is printed with its ratio to the bare one, since these machines vary 2x from
// one run to the next. world_bench's "large world" line is the simulated figure to compare with.
// Usage: live_bench [--quick]
#include "live/server_host.hpp"
#include "protocol/codec.hpp"
#include "protocol/stream_decoder.hpp"

#include <asio/ip/tcp.hpp>
#include <asio/read.hpp>
#include <asio/write.hpp>

#include <fmt/format.h>

#include <chrono>
#include <cstring>
#include <memory>
#include <thread>
#include <variant>

using namespace dbgsim;
using namespace std::chrono_literals;
using wall = std::chrono::steady_clock;

namespace {

double seconds_since(wall::time_point t0) {
  return std::chrono::duration<double>(wall::now() - t0).count();
}

/// An echo server on a runtime's io_context: every byte read is written back.
class echo_server {
public:
  explicit echo_server(asio::io_context& io)
      : acceptor_(io, {asio::ip::make_address("127.0.0.1"), 0}) {
    accept();
  }
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

private:
  struct session : std::enable_shared_from_this<session> {
    explicit session(asio::ip::tcp::socket s) : socket(std::move(s)) {
      socket.set_option(asio::ip::tcp::no_delay(true));
    }
    void read() {
      auto self = shared_from_this();
      socket.async_read_some(asio::buffer(buf), [self](std::error_code ec, std::size_t n) {
        if (ec)
          return;
        asio::async_write(self->socket, asio::buffer(self->buf, n),
                          [self](std::error_code ec2, std::size_t) {
                            if (!ec2)
                              self->read();
                          });
      });
    }
    asio::ip::tcp::socket socket;
    std::array<std::uint8_t, 64 * 1024> buf{};
  };
  void accept() {
    acceptor_.async_accept([this](std::error_code ec, asio::ip::tcp::socket s) {
      if (!ec)
        std::make_shared<session>(std::move(s))->read();
      accept();
    });
  }
  asio::ip::tcp::acceptor acceptor_;
};

/// The client end: a blocking socket that writes bytes and reads an exact count back.
struct client {
  explicit client(std::uint16_t port) : socket(io) {
    socket.connect({asio::ip::make_address("127.0.0.1"), port});
    socket.set_option(asio::ip::tcp::no_delay(true));
  }
  void write(const std::vector<std::uint8_t>& b) { asio::write(socket, asio::buffer(b)); }
  void read(std::size_t n) {
    buf.resize(n);
    asio::read(socket, asio::buffer(buf));
  }
  asio::io_context io;
  asio::ip::tcp::socket socket;
  std::vector<std::uint8_t> buf;
};

/// Round trips and pipelined batches of `request` (answered by `reply_size` bytes each);
/// returns requests per second for each.
std::pair<double, double> measure(client& c, const std::vector<std::uint8_t>& request,
                                  std::size_t reply_size, int round_trips, int batches,
                                  int per_batch) {
  auto t0 = wall::now();
  for (int i = 0; i < round_trips; ++i) {
    c.write(request);
    c.read(reply_size);
  }
  const double rt = round_trips / seconds_since(t0);
  std::vector<std::uint8_t> batch;
  for (int i = 0; i < per_batch; ++i)
    batch.insert(batch.end(), request.begin(), request.end());
  t0 = wall::now();
  for (int i = 0; i < batches; ++i) {
    c.write(batch);
    c.read(reply_size * static_cast<std::size_t>(per_batch));
  }
  const double piped = static_cast<double>(batches) * per_batch / seconds_since(t0);
  return {rt, piped};
}

}  // namespace

int main(int argc, char** argv) {
  const bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
  const int round_trips = quick ? 2000 : 20000;
  const int batches = quick ? 200 : 2000;
  const int per_batch = 100;

  live::runtime rt;
  machine target("target");
  target.add(process{4242, "notepad.exe", "Notepad", std::nullopt});
  server_config config;
  config.name = "srv";
  config.machine = "target";
  config.listen = std::get<protocol::transport_options>(
      protocol::parse_server_options("tcp:port=5005,password=s3cret"));
  config.times.lease = 3600s;  // The benchmark's session must not end while it runs.
  live::server_host_options options;
  options.port = 0;
  live::server_host server(rt, config, target, options);
  echo_server echo(rt.context());
  auto guard = asio::make_work_guard(rt.context());
  std::thread runner([&] { rt.context().run(); });

  // The live figures: a session, then keepalives on it.
  client live_client(server.port());
  live_client.write(protocol::encode(
      protocol::frame{0, 0, protocol::connect_request{1, 1, "bench", "s3cret"}}));
  protocol::stream_decoder d;
  std::optional<protocol::frame> accepted;
  while (!accepted) {
    std::array<std::uint8_t, 256> b{};
    const auto n = live_client.socket.read_some(asio::buffer(b));
    d.feed(std::span<const std::uint8_t>(b.data(), n));
    if (auto r = d.next())
      accepted = std::get<protocol::decoded>(*r).value;
  }
  const auto& a = std::get<protocol::connect_accepted>(accepted->body);
  const auto request =
      protocol::encode(protocol::frame{a.session, a.incarnation, protocol::keepalive{2}});
  const auto reply_size =
      protocol::encode(protocol::frame{a.session, a.incarnation, protocol::keepalive_ack{2}}).size();
  auto [live_rt, live_piped] =
      measure(live_client, request, reply_size, round_trips, batches, per_batch);

  // The bare figures: the same bytes echoed.
  client bare_client(echo.port());
  auto [bare_rt, bare_piped] =
      measure(bare_client, request, request.size(), round_trips, batches, per_batch);

  guard.reset();
  asio::post(rt.context(), [&] { rt.stop(); });
  runner.join();

  fmt::print("live round trips (keepalive / ack, one connection, loopback): {:.0f} frames/s "
             "({:.0f} round trips/s), {:.3f} of bare\n",
             2 * live_rt, live_rt, live_rt / bare_rt);
  fmt::print("live pipelined ({} keepalives per write): {:.0f} frames/s, {:.3f} of bare\n",
             per_batch, 2 * live_piped, live_piped / bare_piped);
  fmt::print("bare TCP echo of the same bytes (Asio, one thread): {:.0f} round trips/s, "
             "{:.0f} pipelined messages/s\n",
             bare_rt, bare_piped);
  fmt::print("figure live_round_trip_frames_per_s {:.1f}\n", 2 * live_rt);
  fmt::print("figure live_pipelined_frames_per_s {:.1f}\n", 2 * live_piped);
  fmt::print("figure live_round_trip_per_bare {:.4f}\n", live_rt / bare_rt);
  fmt::print("figure live_pipelined_per_bare {:.4f}\n", live_piped / bare_piped);
  return 0;
}
