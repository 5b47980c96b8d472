#include "live/proxy.hpp"

#include "protocol/stream_decoder.hpp"

#include <array>
#include <chrono>
#include <deque>
#include <map>
#include <utility>
#include <variant>
#include <vector>

namespace dbgsim::live {
namespace {

using tcp = asio::ip::tcp;
using clock_type = std::chrono::steady_clock;
using bytes = std::vector<std::uint8_t>;

constexpr std::size_t index_of(direction d) { return d == direction::to_server ? 0 : 1; }

// Closes a socket so that its peer sees a reset rather than an orderly end.
void abort_socket(tcp::socket& s) {
  asio::error_code ignored;
  if (!s.is_open())
    return;
  s.set_option(asio::socket_base::linger(true, 0), ignored);
  s.close(ignored);
}

// One end of a proxied connection: its socket, what is queued for writing, and the frames its
// incoming bytes are cut into.
struct side {
  explicit side(asio::io_context& io) : sock(io) {}
  tcp::socket sock;
  std::deque<bytes> out;
  bool writing = false;
  bool close_when_written = false;  // The other end ended in order: end this one once flushed.
  std::array<std::uint8_t, 16 * 1024> buf{};
  protocol::stream_decoder decoder;
  bytes raw;               // Bytes fed to the decoder and not yet cut into a frame.
  bool undecodable = false;  // The stream failed to decode: carried as it comes from now on.
};

}  // namespace

struct proxy::state : std::enable_shared_from_this<proxy::state> {
  state(asio::io_context& ctx, tcp::endpoint srv, std::uint64_t seed, double scale)
      : io(ctx), acceptor(ctx, tcp::endpoint(asio::ip::address_v4::loopback(), 0)), server(srv),
        rng(seed), time_scale(scale) {}
  asio::io_context& io;
  tcp::acceptor acceptor;
  tcp::endpoint server;
  std::mt19937_64 rng;
  double time_scale;
  std::array<link_params, 2> params;
  std::array<bool, 2> cut{};
  refused_fn refused;
  std::function<void(std::uint16_t, std::uint16_t)> connected;
  proxy_counts counts;
  std::set<std::shared_ptr<proxy::connection>> connections;
  bool closed = false;
  bool blackhole = false;  // The server's machine is down: onward connections are not made.

  void accept();
  clock_type::duration real(sim_time t) const {
    return std::chrono::duration_cast<clock_type::duration>(
        std::chrono::duration<double, std::micro>(static_cast<double>(t.count()) * time_scale));
  }
  // The draws of actors/link.cpp, in its order: loss, duplication, then each copy's delay.
  double unit() { return std::uniform_real_distribution<double>(0.0, 1.0)(rng); }
  sim_time delay(const link_params& lp) {
    const auto extra = lp.jitter.count() > 0
                           ? std::uniform_int_distribution<sim_time::rep>(0, lp.jitter.count())(rng)
                           : 0;
    return lp.latency + sim_time(extra);
  }
};

struct proxy::connection : std::enable_shared_from_this<proxy::connection> {
  connection(std::shared_ptr<proxy::state> s)
      : st(std::move(s)), engine(st->io), server(st->io),
        timers{asio::steady_timer(st->io), asio::steady_timer(st->io)} {}

  std::shared_ptr<proxy::state> st;
  side engine, server;
  std::uint16_t engine_port = 0;
  bool onward = false;     // The onward connect has started.
  bool connected = false;  // ... and succeeded.
  std::vector<bytes> waiting;  // Frames to the server while the onward connect is under way.
  bool half_open = false;
  bool machine_down = false;  // Half-open by the server machine's crash: a restart carries it on.
  bool dead = false;
  std::uint64_t seq = 0;
  // Frames held for their delay, per direction, by (due, order of entry).
  std::array<std::map<std::pair<clock_type::time_point, std::uint64_t>, bytes>, 2> held;
  std::array<asio::steady_timer, 2> timers;

  side& from(direction d) { return d == direction::to_server ? engine : server; }
  side& to(direction d) { return d == direction::to_server ? server : engine; }

  void start() { read(direction::to_server); }

  void read(direction d) {
    auto self = shared_from_this();
    side& s = from(d);
    s.sock.async_read_some(asio::buffer(s.buf), [self, d](asio::error_code ec, std::size_t n) {
      if (self->dead)
        return;
      side& s = self->from(d);
      if (ec) {
        if (ec != asio::error::operation_aborted)
          self->ended(d, ec);
        return;
      }
      if (!self->half_open)
        self->cut_frames(d, std::span<const std::uint8_t>(s.buf.data(), n));
      self->read(d);
    });
  }

  void cut_frames(direction d, std::span<const std::uint8_t> chunk) {
    side& s = from(d);
    if (s.undecodable)
      return enter(d, bytes(chunk.begin(), chunk.end()));
    s.decoder.feed(chunk);
    s.raw.insert(s.raw.end(), chunk.begin(), chunk.end());
    while (auto r = s.decoder.next()) {
      if (const auto* ok = std::get_if<protocol::decoded>(&*r)) {
        bytes frame(s.raw.begin(), s.raw.begin() + static_cast<std::ptrdiff_t>(ok->size));
        s.raw.erase(s.raw.begin(), s.raw.begin() + static_cast<std::ptrdiff_t>(ok->size));
        ++st->counts.frames_in;
        enter(d, std::move(frame));
      } else {
        // The receiver judges bytes that are not a frame (it records the decode error); the
        // proxy carries them unchanged rather than guess where frames resume.
        s.undecodable = true;
        auto rest = std::move(s.raw);
        s.raw.clear();
        enter(d, std::move(rest));
        return;
      }
    }
  }

  // A frame enters the proxy: its fate is decided now, as the simulated link decides it.
  void enter(direction d, bytes frame) {
    const auto i = index_of(d);
    if (half_open || st->cut[i]) {
      ++st->counts.dropped;
      return;
    }
    const link_params lp = st->params[i];
    if (lp.loss > 0 && st->unit() < lp.loss) {
      ++st->counts.dropped;
      return;
    }
    const bool twice = lp.duplicate > 0 && st->unit() < lp.duplicate;
    const auto first = st->delay(lp);
    if (twice) {
      ++st->counts.duplicated;
      hold(d, st->delay(lp), frame);
    }
    hold(d, first, std::move(frame));
  }

  void hold(direction d, sim_time delay, bytes frame) {
    auto& q = held[index_of(d)];
    if (delay.count() == 0 && q.empty())
      return leave(d, std::move(frame));
    const auto due = clock_type::now() + st->real(delay);
    const bool earliest = q.empty() || due < q.begin()->first.first;
    q.emplace(std::make_pair(due, seq++), std::move(frame));
    if (earliest)
      arm(d);
  }

  void arm(direction d) {
    auto& q = held[index_of(d)];
    auto& t = timers[index_of(d)];
    if (q.empty())
      return;
    t.expires_at(q.begin()->first.first);
    auto self = shared_from_this();
    t.async_wait([self, d](asio::error_code ec) {
      if (ec || self->dead)
        return;
      auto& q = self->held[index_of(d)];
      const auto now = clock_type::now();
      while (!q.empty() && q.begin()->first.first <= now && !self->dead) {
        auto frame = std::move(q.begin()->second);
        q.erase(q.begin());
        self->leave(d, std::move(frame));
      }
      self->arm(d);
    });
  }

  // A frame leaves the proxy at the far end; a partition that opened meanwhile cuts it too.
  void leave(direction d, bytes frame) {
    if (half_open || st->cut[index_of(d)]) {
      ++st->counts.dropped;
      return;
    }
    if (d == direction::to_server && !connected && st->blackhole) {
      // A machine that is off answers nothing, not even a refusal (S3).
      ++st->counts.dropped;
      ++st->counts.blackholed;
      return;
    }
    if (d == direction::to_server && !connected) {
      waiting.push_back(std::move(frame));
      if (!onward)
        connect_onward();
      return;
    }
    ++st->counts.forwarded;
    write(to(d), std::move(frame));
  }

  void connect_onward() {
    onward = true;
    auto self = shared_from_this();
    server.sock.async_connect(st->server, [self](asio::error_code ec) {
      if (self->dead)
        return;
      if (!ec) {
        self->connected = true;
        asio::error_code ignored;
        self->server.sock.set_option(tcp::no_delay(true), ignored);
        if (self->st->connected)
          self->st->connected(self->engine_port, self->server.sock.local_endpoint(ignored).port());
        for (auto& f : self->waiting) {
          ++self->st->counts.forwarded;
          self->write(self->server, std::move(f));
        }
        self->waiting.clear();
        self->read(direction::to_engine);
        return;
      }
      // Nothing listens: the frames that carried the opening are gone, and a later frame tries
      // again (the simulated link's connection stays unaccepted).
      asio::error_code ignored;
      self->server.sock.close(ignored);
      self->onward = false;
      self->st->counts.dropped += self->waiting.size();
      self->waiting.clear();
      ++self->st->counts.refused;
      self->refuse();
    });
  }

  void refuse() {
    const auto back = index_of(direction::to_engine);
    if (st->cut[back] || half_open)
      return;
    auto self = shared_from_this();
    auto t = std::make_shared<asio::steady_timer>(st->io, st->real(st->params[back].latency));
    t->async_wait([self, t](asio::error_code ec) {
      if (ec || self->dead || self->st->cut[index_of(direction::to_engine)])
        return;
      if (self->st->refused)
        self->st->refused(self->engine_port);
    });
  }

  void write(side& s, bytes frame) {
    s.out.push_back(std::move(frame));
    if (!s.writing)
      write_next(s);
  }

  void write_next(side& s) {
    if (s.out.empty()) {
      s.writing = false;
      if (s.close_when_written) {
        asio::error_code ignored;
        s.sock.shutdown(tcp::socket::shutdown_both, ignored);
        s.sock.close(ignored);
      }
      return;
    }
    s.writing = true;
    auto self = shared_from_this();
    asio::async_write(s.sock, asio::buffer(s.out.front()),
                      [self, &s](asio::error_code ec, std::size_t) {
                        if (self->dead)
                          return;
                        if (ec) {
                          s.writing = false;
                          return;  // The read on that socket sees the end and tears down.
                        }
                        s.out.pop_front();
                        self->write_next(s);
                      });
  }

  // The end that `d` reads from is gone: an orderly end ends the other side once what is held
  // for it is written, a reset resets it, and a half-open connection just ends.
  void ended(direction d, asio::error_code ec) {
    side& other = to(d);
    if (half_open || ec != asio::error::eof) {
      kill();
      return;
    }
    held[index_of(d)].clear();
    other.close_when_written = true;
    if (!other.writing) {
      asio::error_code ignored;
      other.sock.shutdown(tcp::socket::shutdown_both, ignored);
      other.sock.close(ignored);
    }
    asio::error_code ignored;
    from(d).sock.close(ignored);
    finish();
  }

  // Both sockets reset, everything held forgotten, the connection gone from the proxy.
  void kill() {
    abort_socket(engine.sock);
    abort_socket(server.sock);
    finish();
  }

  void finish() {
    dead = true;
    for (auto& t : timers)
      t.cancel();
    for (auto& q : held)
      q.clear();
    waiting.clear();
    st->connections.erase(shared_from_this());
  }

  // The restarted server takes over a connection its machine's crash left half-open: the old
  // server end is replaced by a fresh one, made when the engine's next frame leaves the proxy.
  void revive() {
    machine_down = false;
    half_open = false;
    onward = false;
    connected = false;
    server.sock = tcp::socket(st->io);
    server.out.clear();
    server.writing = false;
    server.close_when_written = false;
    server.decoder = protocol::stream_decoder{};
    server.raw.clear();
    server.undecodable = false;
  }

  void go_half_open(bool server_gone) {
    half_open = true;
    for (auto& q : held) {
      st->counts.dropped += q.size();
      q.clear();
    }
    waiting.clear();
    // The gone end is reset (it forgets the connection); the other end hears nothing. A server
    // end exists only once the onward connection is made.
    if (server_gone)
      abort_socket(server.sock);
    else
      abort_socket(engine.sock);
  }
};

void proxy::state::accept() {
  auto c = std::make_shared<proxy::connection>(shared_from_this());
  acceptor.async_accept(c->engine.sock, [self = shared_from_this(), c](asio::error_code ec) {
    if (ec || self->closed)
      return;
    asio::error_code ignored;
    c->engine_port = c->engine.sock.remote_endpoint(ignored).port();
    c->engine.sock.set_option(tcp::no_delay(true), ignored);
    ++self->counts.connections;
    self->connections.insert(c);
    c->start();
    self->accept();
  });
}

proxy::proxy(asio::io_context& io, asio::ip::tcp::endpoint server, std::uint64_t seed,
             double time_scale, link_params to_server, link_params to_engine)
    : st_(std::make_shared<state>(io, server, seed, time_scale)) {
  st_->params = {to_server, to_engine};
  st_->accept();
}

proxy::~proxy() { close(); }

std::uint16_t proxy::port() const { return st_->acceptor.local_endpoint().port(); }

void proxy::retarget(asio::ip::tcp::endpoint server) {
  st_->server = server;
  st_->blackhole = false;
  for (const auto& c : st_->connections)
    if (c->machine_down)
      c->revive();
}

void proxy::on_refused(refused_fn f) { st_->refused = std::move(f); }

void proxy::on_connected(std::function<void(std::uint16_t, std::uint16_t)> f) {
  st_->connected = std::move(f);
}

void proxy::set_params(direction d, link_params p) { st_->params[index_of(d)] = p; }

void proxy::partition(direction d) { st_->cut[index_of(d)] = true; }

void proxy::heal(direction d) { st_->cut[index_of(d)] = false; }

void proxy::reset() {
  auto all = st_->connections;
  for (const auto& c : all)
    c->kill();
}

void proxy::half_open(bool server_gone, std::function<bool(std::uint16_t)> only) {
  for (const auto& c : st_->connections)
    if (!only || only(c->engine_port))
      c->go_half_open(server_gone);
}

void proxy::machine_down() {
  st_->blackhole = true;
  for (const auto& c : st_->connections) {
    if (c->half_open)
      continue;  // Already half-open by a fault: it stays what that fault made it.
    c->go_half_open(true);
    c->machine_down = true;
  }
}

void proxy::close() {
  if (st_->closed)
    return;
  st_->closed = true;
  asio::error_code ignored;
  st_->acceptor.close(ignored);
  reset();
}

const proxy_counts& proxy::counts() const { return st_->counts; }

}  // namespace dbgsim::live
