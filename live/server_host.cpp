#include "live/server_host.hpp"

#include "actors/server_core.hpp"
#include "protocol/codec.hpp"
#include "protocol/transport.hpp"

#include <asio/ip/tcp.hpp>
#include <asio/post.hpp>

#include <map>
#include <optional>
#include <stdexcept>
#include <variant>
#include <vector>

namespace dbgsim::live {
namespace {

/// The call id of the EndProcessServer that end() hands the core: the last one a client would
/// reach, so that it is not one of a session's own.
constexpr std::uint32_t end_call_id = 0xFFFFFFFFu;

/// The session number people read: the session id without the core's tag in its top bits.
std::uint64_t session_number(std::uint64_t session) { return session & 0x0000FFFFFFFFFFFFull; }

}  // namespace

connection_limits server_host_options::default_limits() {
  connection_limits l;
  l.handshake_deadline = std::chrono::seconds(10);
  l.idle_deadline = std::chrono::seconds(60);
  return l;
}

struct server_host::impl final : server_io, std::enable_shared_from_this<impl> {
  impl(runtime& r, server_config c, machine& m, server_host_options o)
      : rt(r), config(std::move(c)), host_machine(m), options(std::move(o)),
        acceptor(r.context()) {}

  runtime& rt;
  server_config config;
  machine& host_machine;
  server_host_options options;
  asio::ip::tcp::acceptor acceptor;
  std::uint16_t bound_port = 0;
  std::unique_ptr<server_core> core;
  /// An open connection and its route, once it has one (at once, or at its first frame when
  /// engines are named by client_name).
  struct slot {
    std::shared_ptr<connection> c;
    std::optional<route> via;
  };
  std::map<std::uint64_t, slot> conns;        ///< By the host's connection number.
  std::map<route, std::uint64_t> by_route;    ///< The connection number of each route.
  /// Connections counted per client name (engine_naming::client_name).
  std::map<std::string, std::uint64_t, std::less<>> per_name;
  /// Connections this host ended, until they let go of their sockets (drained()).
  std::vector<std::weak_ptr<connection>> closing;
  std::uint64_t next_conn = 0;
  bool listening = false;
  bool finished = false;
  /// The route of end()'s EndProcessServer, whose acknowledgement nobody asked for.
  std::optional<route> end_route;
  server_host_counts counts;
  std::vector<std::function<void()>> ended_listeners;

  // server_io ---------------------------------------------------------------------------------

  sim_time now() const override { return rt.now(); }

  void record(event e) override {
    e.actor = config.name;
    if (e.kind == event_kind::session_open)
      rt.log("session " + std::to_string(session_number(e.session)) + " from " + e.peer +
             " started");
    else if (e.kind == event_kind::session_end)
      rt.log("session " + std::to_string(session_number(e.session)) + " from " + e.peer +
             " ended (" + reason_text(e) + ")");
    rt.record(std::move(e));
  }

  void send(const route& r, const protocol::frame& f) override {
    if (end_route && *end_route == r) {
      if (const auto* ack = std::get_if<protocol::end_server_ack>(&f.body);
          ack != nullptr && ack->call_id == end_call_id) {
        end_route.reset();
        return;
      }
    }
    auto bytes = protocol::encode(f);
    record(frame_sent_event(f, r.engine, r.conn, bytes.size(), rt.next_frame_id(), 0));
    ++counts.frames_out;
    // As in a world, a frame for a connection that is gone is recorded as sent and goes nowhere.
    if (auto i = by_route.find(r); i != by_route.end())
      conns.at(i->second).c->send_bytes(std::move(bytes));
  }

  void start_timer(std::uint64_t id, sim_time after) override {
    std::weak_ptr<impl> self = weak_from_this();
    rt.start_timer(after, [self, id] {
      if (auto s = self.lock())
        s->core->on_timer(id);
    });
  }

  machine& host() override { return host_machine; }

  void ended() override {
    // The core ends in the middle of serving a frame whose reply (a disconnect_ack) it sends
    // after this returns: the connections close once that call is over.
    stop_listening();
    std::weak_ptr<impl> self = weak_from_this();
    asio::post(rt.context(), [self] {
      if (auto s = self.lock())
        s->finish(false);
    });
  }

  // The host -----------------------------------------------------------------------------------

  void listen() {
    const auto& l = config.listen;
    if (l.kind != protocol::transport_kind::tcp)
      throw std::invalid_argument("live mode serves tcp only, not " +
                                  std::string(protocol::name_of(l.kind)));
    if (l.clicon)
      throw std::invalid_argument("live mode does not make reverse connections (clicon=)");
    std::error_code ec;
    const auto address = asio::ip::make_address(options.bind, ec);
    if (ec)
      throw listen_error("'" + options.bind + "' is not an IP address");
    std::uint16_t lo = options.port.value_or(l.port.value_or(0));
    std::uint16_t hi = options.port ? lo : l.port_high.value_or(lo);
    if (!options.port && !l.port)
      throw std::invalid_argument("the listen string names no port");
    for (std::uint32_t p = lo; p <= hi; ++p) {
      if (try_bind(address, static_cast<std::uint16_t>(p), ec))
        break;
      if (ec != asio::error::address_in_use || p == hi) {
        const std::string where = (lo == hi ? "port " + std::to_string(lo)
                                            : "ports " + std::to_string(lo) + "-" +
                                                  std::to_string(hi)) +
                                  " on " + options.bind;
        if (ec == asio::error::address_in_use)
          throw listen_error(where + (lo == hi ? " is in use" : " are in use"));
        throw listen_error("cannot listen on " + where + ": " + ec.message());
      }
    }
    bound_port = acceptor.local_endpoint().port();
    // The core's endpoint is where it really listens, so routes and traces name that port.
    config.listen.port = bound_port;
    config.listen.port_high.reset();
    listening = true;
    rt.log(config.name + " listening on " + to_string(acceptor.local_endpoint()));
    accept_next();
  }

  bool try_bind(const asio::ip::address& address, std::uint16_t port, std::error_code& ec) {
    std::error_code ignored;
    acceptor.close(ignored);
    acceptor.open(address.is_v6() ? asio::ip::tcp::v6() : asio::ip::tcp::v4(), ec);
    if (ec)
      return false;
    // A restarted incarnation binds its predecessor's port while old connections linger; a
    // port someone listens on is still refused (Linux allows no second listener).
    acceptor.set_option(asio::socket_base::reuse_address(true), ignored);
    acceptor.bind(asio::ip::tcp::endpoint(address, port), ec);
    if (!ec)
      acceptor.listen(asio::socket_base::max_listen_connections, ec);
    return !ec;
  }

  void accept_next() {
    std::weak_ptr<impl> self = weak_from_this();
    acceptor.async_accept([self](const std::error_code& ec, asio::ip::tcp::socket socket) {
      if (auto s = self.lock())
        s->on_accept(ec, std::move(socket));
    });
  }

  void on_accept(const std::error_code& ec, asio::ip::tcp::socket socket) {
    if (!listening)
      return;
    if (ec) {
      rt.log(config.name + ": accept failed: " + ec.message());
      // Out of descriptors: wait a little instead of spinning on the same error.
      std::weak_ptr<impl> self = weak_from_this();
      const auto pause = std::chrono::duration_cast<sim_time>(
          std::chrono::duration<double, std::milli>(50.0 / rt.time_scale()));
      rt.start_timer(pause, [self] {
        if (auto s = self.lock(); s && s->listening)
          s->accept_next();
      });
      return;
    }
    if (conns.size() >= options.max_connections) {
      ++counts.refused;
      std::error_code ignored;
      const auto peer = socket.remote_endpoint(ignored);
      socket.set_option(asio::socket_base::linger(true, 0), ignored);
      socket.close(ignored);
      rt.log(config.name + ": refused a connection from " + to_string(peer) + ": " +
             std::to_string(conns.size()) + " open, the most it serves at once");
      return accept_next();
    }
    ++counts.accepted;
    auto c = connection::adopt(rt, std::move(socket), options.limits);
    const auto id = ++next_conn;
    conns.emplace(id, slot{c, std::nullopt});
    if (options.naming == engine_naming::peer_address)
      assign(id, route_for(c->peer_text(), id));
    std::weak_ptr<impl> self = weak_from_this();
    connection::handlers h;
    h.on_frame = [self, id](protocol::frame f) {
      if (auto s = self.lock())
        s->on_frame(id, f);
    };
    h.on_closed = [self, id](close_reason why, const std::string& detail) {
      if (auto s = self.lock())
        s->on_closed(id, why, detail);
    };
    c->start(std::move(h));
    accept_next();
  }

  route route_for(std::string engine, std::uint64_t conn) const {
    return route{std::move(engine), conn, config.machine, protocol::endpoint_of(config.listen)};
  }

  void assign(std::uint64_t id, route r) {
    by_route.emplace(r, id);
    conns.at(id).via = std::move(r);
  }

  /// Most distinct client names counted; past it, connections are named by address, so that a
  /// client inventing names cannot grow the table without bound.
  static constexpr std::size_t max_names = 10'000;

  void on_frame(std::uint64_t id, const protocol::frame& f) {
    ++counts.frames_in;
    auto i = conns.find(id);
    if (i == conns.end())
      return;
    if (!i->second.via) {
      const auto* req = std::get_if<protocol::connect_request>(&f.body);
      if (req != nullptr && !req->client_name.empty() &&
          (per_name.size() < max_names || per_name.count(req->client_name) != 0))
        assign(id, route_for(req->client_name, ++per_name[req->client_name]));
      else
        assign(id, route_for(i->second.c->peer_text(), id));
    }
    const route via = *i->second.via;  // The core's calls may close connections.
    if (core->running())
      core->on_frame(via, f);
  }

  void on_closed(std::uint64_t id, close_reason why, const std::string& detail) {
    std::optional<route> via;
    std::string peer;
    if (auto i = conns.find(id); i != conns.end()) {
      via = i->second.via;
      peer = i->second.c->peer_text();
      remember_closing(i->second.c);
      if (via)
        by_route.erase(*via);
      conns.erase(i);
    }
    const bool bad = why != close_reason::peer_closed && why != close_reason::peer_reset &&
                     why != close_reason::closed_here && why != close_reason::reset_here;
    if (bad) {
      ++counts.closed_badly;
      rt.log(config.name + ": closed the connection from " + peer + ": " +
             std::string(name_of(why)) + (detail.empty() ? "" : ": " + detail));
    }
    if (!via)
      return;  // No frame came: the core never heard of it.
    if (why == close_reason::decode_error) {
      // As a world records bytes that do not decode; the stream cannot be read past them.
      event e;
      e.kind = event_kind::frame_dropped;
      e.peer = via->engine;
      e.conn = via->conn;
      e.reason = reason_kind::decode_error;
      e.detail = detail;
      record(std::move(e));
    }
    if (core->running())
      core->on_reset(*via);
  }

  /// Keeps `c` for drained(), forgetting those already gone, so that a server that has seen
  /// millions of connections keeps only the few still closing.
  void remember_closing(const std::shared_ptr<connection>& c) {
    if (closing.size() >= 64)
      std::erase_if(closing, [](const std::weak_ptr<connection>& w) { return w.expired(); });
    closing.push_back(c);
  }

  void stop_listening() {
    listening = false;
    std::error_code ignored;
    acceptor.close(ignored);
  }

  /// The server is gone: no listening, and every connection closed (`hard`: reset).
  void finish(bool hard) {
    if (finished)
      return;
    finished = true;
    stop_listening();
    auto open = std::move(conns);
    conns.clear();
    by_route.clear();
    for (auto& [id, sl] : open) {
      remember_closing(sl.c);
      if (hard)
        sl.c->reset();
      else
        sl.c->close();
    }
    auto listeners = std::move(ended_listeners);
    for (auto& fn : listeners)
      fn();
  }

  void end() {
    if (!core->running())
      return finish(false);
    const auto v = core->inspect();
    if (v.state != server_state::listening || v.sessions.empty()) {
      if (v.sessions.empty())
        finish(false);
      return;  // Already shutting down: the core ends it.
    }
    const auto& oldest = v.sessions.front();
    for (const auto& [r, id] : by_route) {
      if (r.engine == oldest.engine && r.conn == oldest.conn) {
        end_route = r;
        const route via = r;  // on_frame may end the session and its route with it.
        core->on_frame(via, protocol::frame{oldest.session, v.incarnation,
                                            protocol::end_server_request{end_call_id}});
        return;
      }
    }
    finish(false);
  }

  bool drained() const {
    if (!finished)
      return false;
    for (const auto& w : closing)
      if (!w.expired())
        return false;
    return true;
  }
};

server_host::server_host(runtime& rt, server_config config, machine& host,
                         server_host_options options)
    : impl_(std::make_shared<impl>(rt, std::move(config), host, std::move(options))) {
  impl_->listen();
  impl_->core = std::make_unique<server_core>(impl_->config, *impl_, impl_->options.incarnation);
  impl_->core->start();
}

server_host::~server_host() {
  impl_->stop_listening();
  for (auto& [id, sl] : impl_->conns)
    sl.c->reset();
}

std::uint16_t server_host::port() const { return impl_->bound_port; }

const std::string& server_host::name() const { return impl_->config.name; }

void server_host::end() { impl_->end(); }

void server_host::crash() {
  impl_->core->crash();
  impl_->finish(true);
}

void server_host::process_exited(std::uint32_t pid) { impl_->core->on_process_exited(pid); }

server_view server_host::inspect() const { return impl_->core->inspect(); }

bool server_host::running() const { return impl_->core->running(); }

bool server_host::drained() const { return impl_->drained(); }

std::size_t server_host::connections() const { return impl_->conns.size(); }

const server_host_counts& server_host::counts() const { return impl_->counts; }

void server_host::on_ended(std::function<void()> fn) {
  impl_->ended_listeners.push_back(std::move(fn));
}

}  // namespace dbgsim::live
