// What the live tests share: a peer that speaks raw bytes over a blocking socket on 127.0.0.1,
// so a test controls exactly how bytes are cut and when they go, and a listener on port 0 that
// hands the runtime's connections to the test.
#pragma once

#include "live/connection.hpp"
#include "live/runtime.hpp"
#include "protocol/codec.hpp"

#include <asio/ip/tcp.hpp>
#include <asio/read.hpp>
#include <asio/write.hpp>

#include <chrono>
#include <cstdint>
#include <fstream>
#include <memory>
#include <optional>
#include <span>
#include <sstream>
#include <string>
#include <thread>
#include <variant>
#include <vector>

namespace dbgsim::live::testing {

using namespace std::chrono_literals;

/// The loopback address every live test listens on and connects to.
inline asio::ip::address loopback() { return asio::ip::make_address("127.0.0.1"); }

/// A blocking client socket of its own io_context: the test's raw end of a connection.
class raw_peer {
public:
  /// Connects to 127.0.0.1:`port` (the kernel completes it even before the accept runs).
  explicit raw_peer(std::uint16_t port) : socket_(context_) {
    socket_.connect(asio::ip::tcp::endpoint(loopback(), port));
    socket_.set_option(asio::ip::tcp::no_delay(true));
  }

  /// Writes `bytes` in one write call.
  void write(std::span<const std::uint8_t> bytes) {
    asio::write(socket_, asio::buffer(bytes.data(), bytes.size()));
  }

  /// Writes one frame.
  void write(const protocol::frame& f) { write(protocol::encode(f)); }

  /// Whether a write fails (the far end reset the connection); never throws.
  bool write_fails(std::span<const std::uint8_t> bytes) {
    std::error_code ec;
    asio::write(socket_, asio::buffer(bytes.data(), bytes.size()), ec);
    return static_cast<bool>(ec);
  }

  /// Reads until one whole frame is in, or the stream ends or fails (then nothing); waits at
  /// most `limit`.
  std::optional<protocol::frame> read_frame(std::chrono::milliseconds limit = 5000ms) {
    set_timeout(limit);
    for (;;) {
      if (auto r = decoder_.next()) {
        if (auto* d = std::get_if<protocol::decoded>(&*r))
          return std::move(d->value);
        return std::nullopt;
      }
      std::uint8_t buf[4096];
      std::error_code ec;
      const auto n = socket_.read_some(asio::buffer(buf), ec);
      if (ec) {
        last_error_ = ec;
        return std::nullopt;
      }
      decoder_.feed(std::span<const std::uint8_t>(buf, n));
    }
  }

  /// Reads until the stream ends; returns its error (eof for a FIN, connection_reset for a RST).
  std::error_code read_to_end(std::chrono::milliseconds limit = 5000ms) {
    set_timeout(limit);
    for (;;) {
      std::uint8_t buf[4096];
      std::error_code ec;
      const auto n = socket_.read_some(asio::buffer(buf), ec);
      if (ec)
        return ec;
      decoder_.feed(std::span<const std::uint8_t>(buf, n));
    }
  }

  /// The error that ended the last failed read.
  std::error_code last_error() const { return last_error_; }

  /// Closes with a reset, so the far end sees ECONNRESET.
  void reset() {
    std::error_code ignored;
    socket_.set_option(asio::socket_base::linger(true, 0), ignored);
    socket_.close(ignored);
  }

  /// Closes with a FIN.
  void close() {
    std::error_code ignored;
    socket_.shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
    socket_.close(ignored);
  }

  /// The socket, for tests that need more.
  asio::ip::tcp::socket& socket() { return socket_; }

private:
  void set_timeout(std::chrono::milliseconds limit) {
    // SO_RCVTIMEO bounds each blocking read, so a test that waits for nothing fails in time.
    timeval tv{static_cast<time_t>(limit.count() / 1000),
               static_cast<suseconds_t>((limit.count() % 1000) * 1000)};
    ::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }

  asio::io_context context_;
  asio::ip::tcp::socket socket_;
  protocol::stream_decoder decoder_;
  std::error_code last_error_;
};

/// The resident memory of this process in KiB (VmRSS of /proc/self/status), or -1.
inline long resident_kib() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) {
      std::istringstream s(line.substr(6));
      long kib = -1;
      s >> kib;
      return kib;
    }
  }
  return -1;
}

}  // namespace dbgsim::live::testing
