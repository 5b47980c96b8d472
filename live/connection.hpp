// One TCP connection carrying frames both ways, for either end: a server's accepted connection
// (adopt) or an engine's outgoing one (connect). Reads feed protocol's streaming decoder, so a
// frame may arrive a byte at a time or many in one read; writes go out through a bounded queue,
// several frames per write when they pile up. A decode error, a read buffer or write queue past
// its bound, or a missed deadline ends the connection with a reset and a reason; nothing else
// on the runtime is affected.
#pragma once

#include "live/runtime.hpp"
#include "protocol/codec.hpp"
#include "protocol/frame.hpp"
#include "protocol/stream_decoder.hpp"
#include "vocabulary/names.hpp"

#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

// Why a connection ended: identifier, name, meaning.
#define DBGSIM_CLOSE_REASONS(X)                                                                \
  X(peer_closed, "peer_closed", "the peer closed its end")                                    \
  X(peer_reset, "peer_reset", "the peer reset the connection")                                \
  X(refused, "refused", "nothing listens where the connection was headed")                    \
  X(decode_error, "decode_error", "the bytes are not frames (docs/protocol.md, \"Decoding\")") \
  X(read_buffer_full, "read_buffer_full", "the bytes held for a partial frame passed the bound") \
  X(write_queue_full, "write_queue_full", "the bytes waiting to be sent passed the bound: the peer does not read") \
  X(handshake_timeout, "handshake_timeout", "no whole frame arrived within the handshake deadline") \
  X(idle_timeout, "idle_timeout", "no whole frame arrived within the idle deadline")           \
  X(closed_here, "closed_here", "this end closed it (close())")                               \
  X(reset_here, "reset_here", "this end reset it (reset())")                                  \
  X(io_error, "io_error", "the socket failed otherwise")

namespace dbgsim::live {

/// Why a connection ended (table DBGSIM_CLOSE_REASONS).
DBGSIM_ENUM(close_reason, DBGSIM_CLOSE_REASONS);

/// The bounds of one connection; a zero deadline is no deadline.
struct connection_limits {
  std::size_t read_chunk = 16 * 1024;  ///< Bytes asked of the socket per read.
  /// Most bytes the decoder may hold (a partial frame plus the last read); a frame is at most
  /// protocol::max_frame_size, so the default never ends a well-formed stream.
  std::size_t max_read_buffer = protocol::max_frame_size + 16 * 1024;
  std::size_t max_write_queue = 4 * 1024 * 1024;  ///< Most bytes waiting to be sent.
  real_duration handshake_deadline{0};  ///< Longest wait for the first whole frame.
  real_duration idle_deadline{0};       ///< Longest wait between whole frames after the first.
  /// How long close() waits for queued bytes to leave before it resets.
  real_duration close_linger = std::chrono::seconds(1);
};

/// One TCP connection on a runtime. Owned by shared_ptr: its pending reads and writes keep it
/// alive until they complete, so the owner may drop it at any time after close() or reset().
class connection : public std::enable_shared_from_this<connection> {
public:
  /// What the connection tells its owner, always from the runtime's thread. on_closed comes
  /// exactly once, for whatever ended it (close() and reset() included), never from inside a
  /// call of the owner's; no on_frame comes after the connection ended.
  struct handlers {
    std::function<void()> on_connected;                     ///< An outgoing connection is up.
    std::function<void(protocol::frame)> on_frame;          ///< A whole frame arrived.
    std::function<void(close_reason, const std::string&)> on_closed;  ///< It ended; detail says where.
  };

  /// The connection a server accepted on `socket`.
  static std::shared_ptr<connection> adopt(runtime& rt, asio::ip::tcp::socket socket,
                                           connection_limits limits = {});

  /// An outgoing connection to `to`; start() begins connecting. Frames sent before it is up
  /// are queued and leave once it is.
  static std::shared_ptr<connection> connect(runtime& rt, asio::ip::tcp::endpoint to,
                                             connection_limits limits = {});

  /// Starts reading (and, for an outgoing connection, connecting); call once.
  void start(handlers h);

  /// Encodes `f` and queues it; false (and nothing sent) once the connection ended. A queue
  /// past its bound ends the connection with write_queue_full.
  bool send(const protocol::frame& f);

  /// Queues raw bytes (tests send malformed streams with it); as send().
  bool send_bytes(std::vector<std::uint8_t> bytes);

  /// Ends the connection in order: queued bytes leave first (for at most close_linger), then a
  /// FIN.
  void close();

  /// Ends the connection at once with a TCP reset (SO_LINGER 0): the peer sees ECONNRESET.
  void reset();

  /// Whether frames still flow: connecting or up, and not ended.
  bool open() const { return phase_ == phase::connecting || phase_ == phase::up; }

  /// The peer as "ADDRESS:PORT".
  const std::string& peer_text() const { return peer_text_; }

  /// The peer's endpoint.
  const asio::ip::tcp::endpoint& peer() const { return peer_; }

  /// The port this end's socket is bound to (0 before it is), as a proxy in between sees it.
  std::uint16_t local_port() const {
    std::error_code ec;
    const auto at = socket_.local_endpoint(ec);
    return ec ? 0 : at.port();
  }

  /// Bytes received so far.
  std::uint64_t bytes_received() const { return bytes_in_; }

  /// Whole frames received so far.
  std::uint64_t frames_received() const { return frames_in_; }

  /// Bytes queued and not yet written.
  std::size_t queued_bytes() const { return queued_; }

  /// Bytes the decoder holds now.
  std::size_t held_bytes() const { return decoder_.held(); }

private:
  enum class phase : std::uint8_t { idle, connecting, up, closing, closed };

  connection(runtime& rt, asio::ip::tcp::socket socket, connection_limits limits, bool outgoing);

  void begin();
  void read_more();
  void on_read(const std::error_code& ec, std::size_t n);
  void write_more();
  void on_written(const std::error_code& ec, std::size_t count);
  void arm_deadline();
  void on_deadline(const std::error_code& ec);
  /// Ends the connection for `reason` with a reset; the owner hears of it.
  void fail(close_reason reason, std::string detail);
  /// Tells the owner, later, that the connection ended.
  void notify_closed(close_reason reason, std::string detail);
  void abort_socket();
  void finish_close();

  runtime& rt_;
  asio::ip::tcp::socket socket_;
  connection_limits limits_;
  bool outgoing_;
  asio::ip::tcp::endpoint peer_;
  std::string peer_text_;
  phase phase_ = phase::idle;
  handlers handlers_;
  protocol::stream_decoder decoder_;
  std::vector<std::uint8_t> chunk_;
  std::deque<std::vector<std::uint8_t>> queue_;
  std::vector<asio::const_buffer> writing_buffers_;
  std::size_t queued_ = 0;
  bool writing_ = false;
  asio::steady_timer deadline_;
  asio::steady_timer linger_;
  std::chrono::steady_clock::time_point last_frame_;
  std::uint64_t bytes_in_ = 0;
  std::uint64_t frames_in_ = 0;
};

/// "ADDRESS:PORT" for an endpoint.
std::string to_string(const asio::ip::tcp::endpoint& e);

}  // namespace dbgsim::live

namespace dbgsim {
DBGSIM_ENUM_NAMES(live::close_reason, DBGSIM_CLOSE_REASONS);
}  // namespace dbgsim
