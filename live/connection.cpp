#include "live/connection.hpp"

#include <asio/connect.hpp>
#include <asio/post.hpp>
#include <asio/write.hpp>

#include <algorithm>
#include <span>
#include <variant>

namespace dbgsim::live {
namespace {

/// Most queued frames handed to one write: enough to coalesce a burst, few enough that one
/// write's buffer list stays small.
constexpr std::size_t max_buffers_per_write = 64;

close_reason reason_of(const std::error_code& ec) {
  if (ec == asio::error::eof)
    return close_reason::peer_closed;
  if (ec == asio::error::connection_reset || ec == asio::error::broken_pipe)
    return close_reason::peer_reset;
  if (ec == asio::error::connection_refused)
    return close_reason::refused;
  return close_reason::io_error;
}

}  // namespace

std::string to_string(const asio::ip::tcp::endpoint& e) {
  const auto a = e.address();
  const std::string host = a.is_v6() ? "[" + a.to_string() + "]" : a.to_string();
  return host + ":" + std::to_string(e.port());
}

connection::connection(runtime& rt, asio::ip::tcp::socket socket, connection_limits limits,
                       bool outgoing)
    : rt_(rt), socket_(std::move(socket)), limits_(limits), outgoing_(outgoing),
      chunk_(std::max<std::size_t>(limits.read_chunk, 1)), deadline_(rt.context()),
      linger_(rt.context()) {}

std::shared_ptr<connection> connection::adopt(runtime& rt, asio::ip::tcp::socket socket,
                                              connection_limits limits) {
  std::error_code ec;
  auto peer = socket.remote_endpoint(ec);
  auto c = std::shared_ptr<connection>(new connection(rt, std::move(socket), limits, false));
  c->peer_ = peer;
  c->peer_text_ = ec ? std::string("(gone)") : to_string(peer);
  return c;
}

std::shared_ptr<connection> connection::connect(runtime& rt, asio::ip::tcp::endpoint to,
                                                connection_limits limits) {
  auto c = std::shared_ptr<connection>(
      new connection(rt, asio::ip::tcp::socket(rt.context()), limits, true));
  c->peer_ = to;
  c->peer_text_ = to_string(to);
  c->phase_ = phase::connecting;
  return c;
}

void connection::start(handlers h) {
  handlers_ = std::move(h);
  if (!outgoing_) {
    phase_ = phase::up;
    return begin();
  }
  auto self = shared_from_this();
  socket_.async_connect(peer_, [self](const std::error_code& ec) {
    if (self->phase_ != phase::connecting)
      return;  // Reset or closed while connecting.
    if (ec)
      return self->fail(reason_of(ec), ec.message());
    self->phase_ = phase::up;
    if (self->handlers_.on_connected)
      self->handlers_.on_connected();
    if (self->phase_ == phase::up)
      self->begin();
  });
}

void connection::begin() {
  std::error_code ignored;
  // Frames are small requests and replies: Nagle's delay would add up to 40 ms to each.
  socket_.set_option(asio::ip::tcp::no_delay(true), ignored);
  last_frame_ = std::chrono::steady_clock::now();
  arm_deadline();
  read_more();
  if (!queue_.empty() && !writing_)
    write_more();
}

void connection::read_more() {
  auto self = shared_from_this();
  socket_.async_read_some(asio::buffer(chunk_),
                          [self](const std::error_code& ec, std::size_t n) { self->on_read(ec, n); });
}

void connection::on_read(const std::error_code& ec, std::size_t n) {
  if (phase_ != phase::up)
    return;
  if (ec) {
    if (ec == asio::error::eof) {
      // The peer ended the stream; a partial frame left over is worth a word in the log.
      if (auto e = decoder_.finish())
        return fail(close_reason::peer_closed, std::string(name_of(e->code)) + " at byte " +
                                                   std::to_string(e->offset) + ": " + e->detail);
    }
    return fail(reason_of(ec), ec == asio::error::eof ? std::string() : ec.message());
  }
  bytes_in_ += n;
  decoder_.feed(std::span<const std::uint8_t>(chunk_.data(), n));
  while (phase_ == phase::up) {
    auto r = decoder_.next();
    if (!r)
      break;
    if (auto* e = std::get_if<protocol::decode_error>(&*r))
      return fail(close_reason::decode_error, std::string(name_of(e->code)) + " at byte " +
                                                  std::to_string(e->offset) + ": " + e->detail);
    ++frames_in_;
    last_frame_ = std::chrono::steady_clock::now();
    if (handlers_.on_frame)
      handlers_.on_frame(std::move(std::get<protocol::decoded>(*r).value));
  }
  if (phase_ != phase::up)
    return;
  if (decoder_.held() > limits_.max_read_buffer)
    return fail(close_reason::read_buffer_full,
                "holds " + std::to_string(decoder_.held()) + " bytes at byte " +
                    std::to_string(bytes_in_) + ", bound " +
                    std::to_string(limits_.max_read_buffer));
  read_more();
}

bool connection::send(const protocol::frame& f) { return send_bytes(protocol::encode(f)); }

bool connection::send_bytes(std::vector<std::uint8_t> bytes) {
  if (!open())
    return false;
  if (queued_ + bytes.size() > limits_.max_write_queue) {
    fail(close_reason::write_queue_full, std::to_string(queued_) + " bytes unsent, bound " +
                                             std::to_string(limits_.max_write_queue));
    return false;
  }
  queued_ += bytes.size();
  queue_.push_back(std::move(bytes));
  if (phase_ == phase::up && !writing_)
    write_more();
  return true;
}

void connection::write_more() {
  writing_ = true;
  writing_buffers_.clear();
  const std::size_t count = std::min(queue_.size(), max_buffers_per_write);
  for (std::size_t i = 0; i < count; ++i)
    writing_buffers_.push_back(asio::buffer(queue_[i]));
  auto self = shared_from_this();
  asio::async_write(socket_, writing_buffers_,
                    [self, count](const std::error_code& ec, std::size_t) {
                      self->on_written(ec, count);
                    });
}

void connection::on_written(const std::error_code& ec, std::size_t count) {
  writing_ = false;
  if (ec) {
    if (phase_ == phase::up)
      fail(reason_of(ec), ec.message());
    else if (phase_ == phase::closing)
      abort_socket();
    return;
  }
  for (std::size_t i = 0; i < count && !queue_.empty(); ++i) {
    queued_ -= queue_.front().size();
    queue_.pop_front();
  }
  if (phase_ != phase::up && phase_ != phase::closing)
    return;
  if (!queue_.empty())
    return write_more();
  if (phase_ == phase::closing)
    finish_close();
}

void connection::arm_deadline() {
  const auto d = frames_in_ == 0 && limits_.handshake_deadline.count() > 0
                     ? limits_.handshake_deadline
                     : limits_.idle_deadline;
  if (d.count() <= 0)
    return;
  deadline_.expires_at(last_frame_ + d);
  auto self = shared_from_this();
  deadline_.async_wait([self](const std::error_code& ec) { self->on_deadline(ec); });
}

void connection::on_deadline(const std::error_code& ec) {
  if (ec || phase_ != phase::up)
    return;
  const bool first = frames_in_ == 0 && limits_.handshake_deadline.count() > 0;
  const auto d = first ? limits_.handshake_deadline : limits_.idle_deadline;
  if (d.count() <= 0)
    return;
  // One timer per connection, looked at when due rather than re-armed by every frame.
  if (std::chrono::steady_clock::now() < last_frame_ + d)
    return arm_deadline();
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
  fail(first ? close_reason::handshake_timeout : close_reason::idle_timeout,
       "no whole frame for " + std::to_string(ms) + " ms, at byte " + std::to_string(bytes_in_));
}

void connection::close() {
  if (!open())
    return;
  const bool was_up = phase_ == phase::up;
  phase_ = phase::closing;
  deadline_.cancel();
  notify_closed(close_reason::closed_here, "");
  if (!was_up || (!writing_ && queue_.empty()))
    return finish_close();
  linger_.expires_after(limits_.close_linger);
  auto self = shared_from_this();
  linger_.async_wait([self](const std::error_code& ec) {
    if (!ec && self->phase_ == phase::closing)
      self->abort_socket();  // The peer does not read: give up on the rest.
  });
}

void connection::reset() {
  if (phase_ == phase::closed)
    return;
  const bool tell = open();
  abort_socket();
  if (tell)
    notify_closed(close_reason::reset_here, "");
}

void connection::fail(close_reason reason, std::string detail) {
  if (!open())
    return;
  abort_socket();
  notify_closed(reason, std::move(detail));
}

void connection::notify_closed(close_reason reason, std::string detail) {
  auto self = shared_from_this();
  asio::post(rt_.context(), [self, reason, detail = std::move(detail)] {
    if (self->handlers_.on_closed)
      self->handlers_.on_closed(reason, detail);
    // Whatever the handlers captured (often the owner's state) is let go with the connection.
    self->handlers_ = {};
  });
}

void connection::abort_socket() {
  phase_ = phase::closed;
  std::error_code ignored;
  deadline_.cancel();
  linger_.cancel();
  if (socket_.is_open()) {
    socket_.set_option(asio::socket_base::linger(true, 0), ignored);
    socket_.close(ignored);
  }
  queue_.clear();
  queued_ = 0;
}

void connection::finish_close() {
  phase_ = phase::closed;
  std::error_code ignored;
  deadline_.cancel();
  linger_.cancel();
  socket_.shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  socket_.close(ignored);
  queue_.clear();
  queued_ = 0;
}

}  // namespace dbgsim::live
