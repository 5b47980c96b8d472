#include "small_server/small_server.hpp"

#include "small_server/events.hpp"

#include "actors/actor_io.hpp"
#include "protocol/hresult.hpp"
#include "vocabulary/process_queries.hpp"

#include <caf/all.hpp>

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>
#include <variant>

namespace dbgsim {
namespace {

using namespace protocol;

// Timer ids: a session's id for its lease; 0, never a session id, for the shutdown grace (S8).
constexpr std::uint64_t grace_timer = 0;

// Requests the small server does not offer: each is answered with error_reply E_NOTIMPL, so the
// engine's call completes at once with that HRESULT instead of timing out.
template <class T>
constexpr bool not_offered =
    std::is_same_v<T, find_process_request> || std::is_same_v<T, attach_request> ||
    std::is_same_v<T, create_process_request> || std::is_same_v<T, detach_request> ||
    std::is_same_v<T, terminate_process_request> ||
    std::is_same_v<T, set_process_options_request>;

struct session {
  route via;               ///< The connection it belongs to (S11).
  std::uint64_t id = 0;
  sim_time last_heard{0};  ///< The last frame served on it; the lease counts from here (S7).
};

// One incarnation's whole state and logic. The handlers of the actor share it.
class small_server_state {
public:
  small_server_state(server_handle::pointer self, environment* env, server_config config,
                     std::uint32_t incarnation)
      : self_(self), env_(env), port_(env, config.name, config.machine),
        config_(std::move(config)), incarnation_(incarnation) {}

  void start() { record_state(); }

  void on_packet(const packet& p) {
    if (!running())
      return;
    const auto received = port_.receive(p, p.via.engine);
    if (!received)
      return;  // Bytes that are not a frame: the port recorded why.
    const frame& f = *received;
    if (const auto* req = std::get_if<connect_request>(&f.body))
      return on_connect(p.via, *req);
    const auto call_id = call_id_of(f.body);
    if (f.incarnation != incarnation_) {
      // S10: a frame of another incarnation never reaches a session of this one.
      record(small::frame_dropped(p.via, f, reason_kind::stale_incarnation));
      return send(p.via, f.session, f.incarnation, unknown_session{call_id});
    }
    auto i = sessions_.find(f.session);
    if (i == sessions_.end() || !(i->second.via == p.via)) {
      // S7: a duplicated disconnect is acknowledged again; S11: a session belongs to its
      // connection, so another connection naming it is told it does not exist.
      record(small::frame_dropped(p.via, f, reason_kind::unknown_session));
      if (std::holds_alternative<disconnect_request>(f.body))
        return send(p.via, f.session, f.incarnation, disconnect_ack{call_id});
      return send(p.via, f.session, f.incarnation, unknown_session{call_id});
    }
    serve(i->second, f);
  }

  // S19: a reset (or the server's end of a half-open connection) ends its sessions at once.
  void on_reset(const route& r) {
    if (!running())
      return;
    std::vector<std::uint64_t> ids;
    for (const auto& [id, s] : sessions_)
      if (s.via == r)
        ids.push_back(id);
    for (auto id : ids)
      end_session(id, reason_kind::reset);
  }

  void on_timer(std::uint64_t id) {
    if (!running())
      return;
    if (id == grace_timer) {
      // S8: the grace period is over; whatever sessions remain end with the server.
      if (status_ != server_state::shutting_down)
        return;
      record(small::timer(timer_kind::grace, {}, 0));
      return finish();
    }
    auto i = sessions_.find(id);
    if (i == sessions_.end())
      return;  // The session ended meanwhile; timers cannot be cancelled.
    if (env_->now() - i->second.last_heard < config_.times.lease)
      return arm_lease(i->second);  // Heard from since it was armed: wait for the rest.
    record(small::timer(timer_kind::lease, i->second.via, id));
    end_session(id, reason_kind::lease);  // S7
  }

  // S10: the process dies; its sessions end and nothing is sent.
  void crash() {
    if (!running())
      return;
    status_ = server_state::crashed;
    while (!sessions_.empty())
      end_session(sessions_.begin()->first, reason_kind::crash);
    record_state();
  }

  server_view view() const {
    server_view v;
    v.name = config_.name;
    v.state = status_;
    v.incarnation = incarnation_;
    for (const auto& [id, s] : sessions_) {
      served_session out;
      out.engine = s.via.engine;
      out.conn = s.via.conn;
      out.session = id;
      v.sessions.push_back(std::move(out));
    }
    return v;
  }

private:
  bool running() const {
    return status_ == server_state::listening || status_ == server_state::shutting_down;
  }

  void record(event e) { port_.record(std::move(e)); }

  void record_state() {
    record(small::server_state(status_, incarnation_, config_.machine,
                               config_.listen.password.value_or("")));
  }

  void send(const route& r, std::uint64_t session, std::uint32_t incarnation, message m) {
    port_.send_to_engine(self_, r, frame{session, incarnation, std::move(m)});
  }

  void on_connect(const route& r, const connect_request& req) {
    auto refuse = [&](hresult hr) { send(r, 0, 0, connect_refused{req.call_id, hr}); };
    if (status_ != server_state::listening)
      return refuse(RPC_S_SERVER_UNAVAILABLE);  // S8: no connects while shutting down.
    if (req.version != protocol_version)
      return refuse(RPC_E_VERSION_MISMATCH);  // S4
    if (config_.listen.password && req.password != *config_.listen.password)
      return refuse(E_FAIL);  // S4, S14: case-sensitive, and none presented is wrong too.
    for (const auto& [id, s] : sessions_)
      if (s.via == r)  // S7: a duplicated connect frame gets the same session again.
        return send(r, id, incarnation_, connect_accepted{req.call_id, id, incarnation_});
    session s{r, next_id_++, env_->now()};
    record(small::session_open(r, s.id, incarnation_, req.password, req.version));
    arm_lease(s);
    const auto id = s.id;
    sessions_.emplace(id, std::move(s));
    send(r, id, incarnation_, connect_accepted{req.call_id, id, incarnation_});
  }

  void serve(session& s, const frame& f) {
    const route r = s.via;  // Copies: a disconnect ends `s` before its reply goes out.
    const auto sid = s.id;
    const auto call_id = call_id_of(f.body);
    auto reply = [&](message m) { send(r, sid, incarnation_, std::move(m)); };
    std::visit(
        [&](const auto& req) {
          using T = std::decay_t<decltype(req)>;
          constexpr bool request =
              std::is_same_v<T, keepalive> || std::is_same_v<T, disconnect_request> ||
              std::is_same_v<T, end_server_request> ||
              std::is_same_v<T, list_processes_request> ||
              std::is_same_v<T, describe_process_request> || not_offered<T>;
          if constexpr (!request) {
            // A reply or a notice sent to a server: nothing to serve, nothing to answer.
            record(small::frame_dropped(r, f, reason_kind::unexpected));
            return;
          } else {
            s.last_heard = env_->now();
            record(small::frame_served(r, f));
            if constexpr (std::is_same_v<T, keepalive>) {
              reply(keepalive_ack{call_id});
            } else if constexpr (std::is_same_v<T, disconnect_request>) {
              end_session(sid, reason_kind::disconnect);
              reply(disconnect_ack{call_id});
            } else if constexpr (std::is_same_v<T, end_server_request>) {
              end_server(sid, call_id, reply);
            } else if (status_ == server_state::shutting_down) {
              reply(error_reply{call_id, RPC_E_DISCONNECTED});  // S8: only disconnects now.
            } else if constexpr (std::is_same_v<T, list_processes_request>) {
              reply(list(req));
            } else if constexpr (std::is_same_v<T, describe_process_request>) {
              reply(describe(req));
            } else {
              reply(error_reply{call_id, E_NOTIMPL});
            }
          }
        },
        f.body);
  }

  // S8: acknowledge, then shut down. Once shutting down, a duplicate of the request that began
  // it is acknowledged again; any other EndProcessServer is a call like the rest.
  template <class Reply>
  void end_server(std::uint64_t sid, std::uint32_t call_id, Reply& reply) {
    if (status_ == server_state::shutting_down) {
      if (shutdown_call_ == std::pair{sid, call_id})
        return reply(end_server_ack{call_id});
      return reply(error_reply{call_id, RPC_E_DISCONNECTED});
    }
    reply(end_server_ack{call_id});
    shutdown_call_ = std::pair{sid, call_id};
    status_ = server_state::shutting_down;
    record_state();
    for (const auto& [id, s] : sessions_)
      send(s.via, id, incarnation_, server_shutting_down{});
    start_timer(*env_, self_, config_.times.shutdown_grace, grace_timer);
    if (sessions_.empty())
      finish();
  }

  // S17: a buffer too small gives S_FALSE, the pids that fit and the full count.
  list_processes_reply list(const list_processes_request& req) {
    auto l = list_processes_on(env_->machine_named(config_.machine), req.max);
    return {req.call_id, l.hr, std::move(l.pids), l.total};
  }

  describe_process_reply describe(const describe_process_request& req) {
    auto d = describe_process_on(env_->machine_named(config_.machine), req.pid);
    return {req.call_id, d.hr, std::move(d.exe), std::move(d.description)};
  }

  void end_session(std::uint64_t id, reason_kind why) {
    auto i = sessions_.find(id);
    if (i == sessions_.end())
      return;
    const route r = i->second.via;
    sessions_.erase(i);
    record(small::session_end(r, id, incarnation_, why));
    if (status_ == server_state::shutting_down && sessions_.empty())
      finish();  // S8: the last session is gone, so the server may end before its grace.
  }

  // S8: the server ends; sessions still open end with it.
  void finish() {
    status_ = server_state::ended;  // First, so that ending sessions does not come back here.
    while (!sessions_.empty())
      end_session(sessions_.begin()->first, reason_kind::server_end);
    record_state();
    env_->server_ended(config_.name);
  }

  void arm_lease(const session& s) {
    const auto due = s.last_heard + config_.times.lease;
    start_timer(*env_, self_, std::max(due - env_->now(), sim_time{1}), s.id);
  }

  server_handle::pointer self_;
  environment* env_;
  frame_port port_;  ///< Frames out and in, as the reference actors trace them.
  server_config config_;
  std::uint32_t incarnation_;
  server_state status_ = server_state::listening;
  std::uint64_t next_id_ = 1;                    ///< Session ids: 1, 2, ... per incarnation.
  std::map<std::uint64_t, session> sessions_;    ///< By id; ordered, as the trace needs.
  std::optional<std::pair<std::uint64_t, std::uint32_t>> shutdown_call_;  ///< (session, call id).
};

}  // namespace

server_handle::behavior_type small_server_actor(server_handle::pointer self, environment* env,
                                                server_config config, std::uint32_t incarnation) {
  const std::string name = config.name;
  auto st = std::make_shared<small_server_state>(self, env, std::move(config), incarnation);
  env->register_server(name, [st] { return st->view(); });
  st->start();
  return {
      // The link records the acceptance; sessions open only with a connect_request (S4).
      [=](accept_atom, const route&) {},
      [=](const packet& p) { st->on_packet(p); },
      [=](reset_atom, const route& r) { st->on_reset(r); },
      [=](timer_atom, std::uint64_t id) { st->on_timer(id); },
      // It attaches nothing, so no process of its sessions can exit.
      [=](exited_atom, std::uint32_t) {},
      [=](crash_atom) { st->crash(); },
  };
}

server_factory small_server() {
  return [](caf::actor_system& system, environment* env, const server_config& config,
            std::uint32_t incarnation) {
    return system.spawn(small_server_actor, env, config, incarnation);
  };
}

}  // namespace dbgsim
