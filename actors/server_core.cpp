#include "actors/server_core.hpp"

#include "vocabulary/process_queries.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <variant>

namespace dbgsim {
namespace {

using namespace protocol;

// Session ids restart at 1 with every incarnation on purpose: after a restart an old frame's
// session id may name a new session, so only the incarnation check keeps S10.
constexpr std::uint64_t session_tag = 0x5E55000000000000ull;

// Timer ids: the purpose in the top byte, the session's sequence number below.
constexpr std::uint64_t lease_timer = 1ull << 56;
constexpr std::uint64_t grace_timer = 2ull << 56;
constexpr std::uint64_t timer_kind_mask = 0xFFull << 56;


struct session_state {
  route via;
  std::uint64_t id = 0;
  sim_time last_heard{0};
  std::uint32_t process_options = 0;
  std::set<std::uint32_t> attached;
  /// The last replies sent, by call id: a request that a duplicating link delivers twice is
  /// answered again from here instead of being carried out twice (attach, detach, create and
  /// terminate are not idempotent). Call ids grow, so the oldest is the first.
  std::map<std::uint32_t, message> replies;
};

/// How many replies a session keeps for answering duplicated requests.
constexpr std::size_t reply_cache_size = 32;

}  // namespace

struct server_core::state {
  std::uint32_t incarnation = 0;
  server_state status = server_state::listening;
  std::uint64_t next_seq = 1;
  std::map<std::uint64_t, session_state> sessions;  ///< By session id.
  /// Session ids by connection, kept with `sessions`: a connect and a reset find theirs without
  /// a scan (a scan made N connects at one instant cost N²). Several only under
  /// duplicate-connect.
  std::multimap<route, std::uint64_t> by_route;
  bool had_client = false;                          ///< A clicon server's one client came (S16).
  route clicon_route;
};

server_core::server_core(server_config config, server_io& io, std::uint32_t incarnation)
    : config_(std::move(config)), io_(io), st_(std::make_unique<state>()) {
  st_->incarnation = incarnation;
}

server_core::~server_core() = default;

bool server_core::running() const {
  return st_->status == server_state::listening || st_->status == server_state::shutting_down;
}

namespace {

struct server_ops {
  const server_config& config;
  server_io& io;
  server_core::state& st;

  event make(event_kind k) const {
    event e;
    e.kind = k;
    return e;
  }

  void send(const route& r, std::uint64_t session, std::uint32_t incarnation, message m) {
    io.send(r, frame{session, incarnation, std::move(m)});
  }

  void record_state() {
    auto e = make(event_kind::server_state);
    e.what = st.status;
    e.incarnation = st.incarnation;
    e.peer = config.machine;
    if (st.status == server_state::listening)
      e.detail = config.listen.password.value_or("");
    io.record(std::move(e));
  }

  // Ends a session for `reason`; attached processes follow the exit policy of S21.
  void end_session(std::uint64_t id, reason_kind reason) {
    auto i = st.sessions.find(id);
    if (i == st.sessions.end())
      return;
    session_state s = std::move(i->second);
    st.sessions.erase(i);
    for (auto [r, end] = st.by_route.equal_range(s.via); r != end; ++r) {
      if (r->second == id) {
        st.by_route.erase(r);
        break;
      }
    }
    auto e = make(event_kind::session_end);
    e.peer = s.via.engine;
    e.conn = s.via.conn;
    e.session = s.id;
    e.incarnation = st.incarnation;
    e.reason = reason;
    io.record(std::move(e));
    if (config.bug != mutant::keep_attached) {
      // keep-attached (planted bug) skips this: the processes stay attached to a dead session.
      auto& m = io.host();
      const bool detach = (s.process_options & process_detach_on_exit) != 0;
      for (auto pid : s.attached) {
        auto* p = m.find(pid);
        if (p == nullptr)
          continue;
        auto pe = make(detach ? event_kind::process_detached : event_kind::process_killed);
        pe.peer = config.machine;
        pe.pid = pid;
        pe.session = s.id;
        pe.reason = reason;
        if (detach)
          p->attached.reset();
        else
          m.remove(pid);
        io.record(std::move(pe));
      }
    }
    // S16: a reverse-connection server serves one client and ends when it goes.
    if (config.listen.clicon && running_now())
      finish(reason_kind::server_end);
    else if (st.status == server_state::shutting_down && st.sessions.empty())
      finish(reason_kind::server_end);
  }

  bool running_now() const {
    return st.status == server_state::listening || st.status == server_state::shutting_down;
  }

  // The server ends: remaining sessions end, it stops listening (S8).
  void finish(reason_kind reason) {
    if (!running_now())
      return;
    st.status = server_state::ended;  // First, so that ending sessions does not recurse here.
    while (!st.sessions.empty())
      end_session(st.sessions.begin()->first, reason);
    record_state();
    io.ended();
  }

  void arm_lease(const session_state& s) {
    const auto due = s.last_heard + config.times.lease;
    io.start_timer(lease_timer | (s.id & ~session_tag), std::max(due - io.now(), sim_time{1}));
  }

  void refuse(const route& r, std::uint32_t call_id, hresult hr) {
    send(r, 0, 0, connect_refused{call_id, hr});
  }

  void on_connect(const route& r, const connect_request& req) {
    if (!running_now() || st.status == server_state::shutting_down)
      return refuse(r, req.call_id, RPC_S_SERVER_UNAVAILABLE);
    if (req.version != protocol_version && config.bug != mutant::accept_other_version)
      return refuse(r, req.call_id, RPC_E_VERSION_MISMATCH);
    const auto& required = config.listen.password;
    bool password_ok = !required || req.password == *required;
    if (config.bug == mutant::skip_password && req.password.empty())
      password_ok = true;  // skip-password (planted bug): no password presented, no check.
    if (!password_ok)
      return refuse(r, req.call_id, E_FAIL);
    if (auto same = st.by_route.find(r);
        same != st.by_route.end() && config.bug != mutant::duplicate_connect) {
      // A duplicated connect frame: the same session again, never a second one.
      const auto id = same->second;
      return send(r, id, st.incarnation, connect_accepted{req.call_id, id, st.incarnation});
    }
    if (config.listen.clicon) {
      if (st.had_client && !(st.clicon_route == r))
        return refuse(r, req.call_id, RPC_S_SERVER_UNAVAILABLE);
      st.had_client = true;
      st.clicon_route = r;
    }
    session_state s;
    s.via = r;
    s.id = session_tag | st.next_seq++;
    s.last_heard = io.now();
    auto e = make(event_kind::session_open);
    e.peer = r.engine;
    e.conn = r.conn;
    e.session = s.id;
    e.incarnation = st.incarnation;
    e.detail = req.password;
    e.value = req.version;
    io.record(std::move(e));
    arm_lease(s);
    const auto id = s.id;
    st.by_route.emplace(s.via, id);
    st.sessions.emplace(id, std::move(s));
    send(r, id, st.incarnation, connect_accepted{req.call_id, id, st.incarnation});
  }

  void drop(const route& r, const frame& f, reason_kind reason) {
    auto e = make(event_kind::frame_dropped);
    e.peer = r.engine;
    e.conn = r.conn;
    e.session = f.session;
    e.incarnation = f.incarnation;
    e.what = protocol::type_of(f.body);
    e.reason = reason;
    io.record(std::move(e));
  }

  void attach(session_state& s, std::uint32_t pid, std::uint32_t options) {
    auto* p = io.host().find(pid);
    p->attached = attachment{config.name, s.id};
    s.attached.insert(pid);
    s.process_options = options;
    auto e = make(event_kind::process_attached);
    e.peer = config.machine;
    e.pid = pid;
    e.session = s.id;
    e.value = options;
    io.record(std::move(e));
    auto o = make(event_kind::options_received);
    o.peer = s.via.engine;
    o.session = s.id;
    o.value = options;
    io.record(std::move(o));
  }

  void serve(session_state& s, const frame& f) {
    const auto sid = s.id;
    const auto inc = st.incarnation;
    const route r = s.via;
    const auto call_id = call_id_of(f.body);
    // Keepalives are harmless to repeat, and a disconnect ends the session `s` before its reply
    // (a duplicated one is acknowledged again as an unknown session, S7). End-server replies
    // before it starts the shutdown, so `s` is still there when its reply is kept.
    const bool cached = !std::holds_alternative<keepalive>(f.body) &&
                        !std::holds_alternative<disconnect_request>(f.body);
    if (cached) {
      if (auto c = s.replies.find(call_id); c != s.replies.end())
        return send(r, sid, inc, c->second);
    }
    auto reply = [&](message m) {
      if (cached) {
        s.replies.insert_or_assign(call_id, m);
        if (s.replies.size() > reply_cache_size)
          s.replies.erase(s.replies.begin());
      }
      send(r, sid, inc, std::move(m));
    };
    const bool shutting = st.status == server_state::shutting_down;
    auto& m = io.host();
    std::visit(
        [&](const auto& req) {
          using T = std::decay_t<decltype(req)>;
          if constexpr (std::is_same_v<T, keepalive>) {
            reply(keepalive_ack{req.call_id});
          } else if constexpr (std::is_same_v<T, disconnect_request>) {
            end_session(sid, reason_kind::disconnect);
            reply(disconnect_ack{req.call_id});
          } else if constexpr (std::is_same_v<T, end_server_request>) {
            // S8: once shutting down, only disconnects are served; a second EndProcessServer,
            // from this engine or another, is a call like any other.
            if (shutting)
              return reply(error_reply{call_id, RPC_E_DISCONNECTED});
            reply(end_server_ack{req.call_id});
            begin_shutdown();
          } else if (shutting) {
            reply(error_reply{call_id, RPC_E_DISCONNECTED});
          } else if constexpr (std::is_same_v<T, list_processes_request>) {
            auto l = list_processes_on(m, req.max);  // S17
            reply(list_processes_reply{req.call_id, l.hr, std::move(l.pids), l.total});
          } else if constexpr (std::is_same_v<T, find_process_request>) {
            const auto found = find_process_on(m, req.exe, req.only_match);
            reply(find_process_reply{req.call_id, found.hr, found.pid});
          } else if constexpr (std::is_same_v<T, describe_process_request>) {
            auto d = describe_process_on(m, req.pid);
            reply(describe_process_reply{req.call_id, d.hr, std::move(d.exe),
                                         std::move(d.description)});
          } else if constexpr (std::is_same_v<T, attach_request>) {
            const auto* p = m.find(req.pid);
            if (p == nullptr)
              return reply(attach_reply{req.call_id, E_INVALIDARG});
            if (p->attached)
              return reply(attach_reply{req.call_id, E_ACCESSDENIED});
            attach(s, req.pid, req.process_options);
            reply(attach_reply{req.call_id, S_OK});
          } else if constexpr (std::is_same_v<T, create_process_request>) {
            const auto pid = m.create(req.command_line);
            auto e = make(event_kind::process_created);
            e.peer = config.machine;
            e.pid = pid;
            e.detail = m.find(pid)->exe;
            io.record(std::move(e));
            attach(s, pid, req.process_options);
            reply(create_process_reply{req.call_id, S_OK, pid});
          } else if constexpr (std::is_same_v<T, detach_request> ||
                               std::is_same_v<T, terminate_process_request>) {
            constexpr bool kill = std::is_same_v<T, terminate_process_request>;
            using reply_t = std::conditional_t<kill, terminate_process_reply, detach_reply>;
            if (s.attached.count(req.pid) == 0 || m.find(req.pid) == nullptr)
              return reply(reply_t{req.call_id, E_INVALIDARG});
            s.attached.erase(req.pid);
            auto e = make(kill ? event_kind::process_killed : event_kind::process_detached);
            e.peer = config.machine;
            e.pid = req.pid;
            e.session = sid;
            e.reason = kill ? reason_kind::terminate : reason_kind::detach;
            if (kill)
              m.remove(req.pid);
            else
              m.find(req.pid)->attached.reset();
            io.record(std::move(e));
            reply(reply_t{req.call_id, S_OK});
          } else if constexpr (std::is_same_v<T, set_process_options_request>) {
            s.process_options = req.process_options;
            auto o = make(event_kind::options_received);
            o.peer = r.engine;
            o.session = sid;
            o.value = req.process_options;
            io.record(std::move(o));
            reply(set_process_options_ack{req.call_id});
          } else {
            // A reply or a notice sent to a server: nothing to do with it.
            drop(r, f, reason_kind::unexpected);
          }
        },
        f.body);
  }

  void begin_shutdown() {
    if (st.status != server_state::listening)
      return;
    st.status = server_state::shutting_down;
    record_state();
    for (auto& [id, s] : st.sessions)
      send(s.via, id, st.incarnation, server_shutting_down{});
    io.start_timer(grace_timer | st.incarnation, config.times.shutdown_grace);
    if (st.sessions.empty())
      finish(reason_kind::server_end);
  }
};

}  // namespace

void server_core::start() {
  server_ops ops{config_, io_, *st_};
  ops.record_state();
}

void server_core::on_frame(const route& r, const frame& f) {
  if (!running())
    return;
  server_ops ops{config_, io_, *st_};
  if (const auto* req = std::get_if<connect_request>(&f.body))
    return ops.on_connect(r, *req);
  const auto call_id = call_id_of(f.body);
  if (f.incarnation != st_->incarnation && config_.bug != mutant::accept_stale_incarnation) {
    // S10: a frame of an older (or unknown) incarnation is answered as unknown-session.
    // accept-stale-incarnation (planted bug) skips this check.
    ops.drop(r, f, reason_kind::stale_incarnation);
    return ops.send(r, f.session, f.incarnation, unknown_session{call_id});
  }
  auto i = st_->sessions.find(f.session);
  // accept-stale-incarnation (planted bug): a stale frame is taken for the current session
  // with its id, wherever it came from.
  const bool stale_accepted =
      config_.bug == mutant::accept_stale_incarnation && f.incarnation != st_->incarnation;
  if (i == st_->sessions.end() || (!(i->second.via == r) && !stale_accepted)) {
    // S7: a duplicated disconnect is acknowledged again; S11: a session belongs to its
    // connection, so another connection naming it is told it does not exist.
    ops.drop(r, f, reason_kind::unknown_session);
    if (std::holds_alternative<disconnect_request>(f.body))
      return ops.send(r, f.session, f.incarnation, disconnect_ack{call_id});
    return ops.send(r, f.session, f.incarnation, unknown_session{call_id});
  }
  auto& s = i->second;
  s.last_heard = io_.now();
  auto e = ops.make(event_kind::frame_served);
  e.peer = r.engine;
  e.conn = r.conn;
  e.session = f.session;
  e.incarnation = f.incarnation;
  e.what = protocol::type_of(f.body);
  io_.record(std::move(e));
  ops.serve(s, f);
}

void server_core::on_reset(const route& r) {
  if (!running() || config_.bug == mutant::reset_keeps_session)
    return;  // reset-keeps-session (planted bug): only the lease will end the session.
  server_ops ops{config_, io_, *st_};
  std::vector<std::uint64_t> ids;
  for (auto [i, end] = st_->by_route.equal_range(r); i != end; ++i)
    ids.push_back(i->second);
  for (auto id : ids)
    ops.end_session(id, reason_kind::reset);
}

void server_core::on_timer(std::uint64_t id) {
  if (!running())
    return;
  server_ops ops{config_, io_, *st_};
  const auto kind = id & timer_kind_mask;
  if (kind == grace_timer) {
    if (st_->status != server_state::shutting_down || (id & ~timer_kind_mask) != st_->incarnation)
      return;
    event e = ops.make(event_kind::timer);
    e.what = timer_kind::grace;
    io_.record(std::move(e));
    return ops.finish(reason_kind::server_end);
  }
  if (kind != lease_timer)
    return;
  auto i = st_->sessions.find(session_tag | (id & ~timer_kind_mask));
  if (i == st_->sessions.end())
    return;  // The session ended meanwhile: a stale timer.
  auto& s = i->second;
  if (io_.now() - s.last_heard < config_.times.lease)
    return ops.arm_lease(s);  // Heard from since: wait for the rest of the lease.
  if (config_.bug == mutant::no_lease_expiry)
    return;  // no-lease-expiry (planted bug): silent sessions live for ever.
  event e = ops.make(event_kind::timer);
  e.what = timer_kind::lease;
  e.session = s.id;
  e.conn = s.via.conn;
  io_.record(std::move(e));
  ops.end_session(s.id, reason_kind::lease);
}

void server_core::on_process_exited(std::uint32_t pid) {
  if (!running())
    return;
  server_ops ops{config_, io_, *st_};
  for (auto& [id, s] : st_->sessions) {
    if (s.attached.erase(pid) != 0) {
      ops.send(s.via, id, st_->incarnation, process_exited{pid, 0});
      return;
    }
  }
}

void server_core::crash() {
  if (!running())
    return;
  server_ops ops{config_, io_, *st_};
  st_->status = server_state::crashed;
  while (!st_->sessions.empty())
    ops.end_session(st_->sessions.begin()->first, reason_kind::crash);
  ops.record_state();
}

server_view server_core::inspect() const {
  server_view v;
  v.name = config_.name;
  v.state = st_->status;
  v.incarnation = st_->incarnation;
  for (const auto& [id, s] : st_->sessions) {
    served_session out;
    out.engine = s.via.engine;
    out.conn = s.via.conn;
    out.session = id;
    out.process_options = s.process_options;
    out.attached.assign(s.attached.begin(), s.attached.end());
    v.sessions.push_back(std::move(out));
  }
  return v;
}

}  // namespace dbgsim
