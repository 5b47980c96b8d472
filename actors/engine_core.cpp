#include "actors/engine_core.hpp"

#include "protocol/transport.hpp"
#include "vocabulary/process_queries.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <variant>
#include <vector>

namespace dbgsim {
namespace {

using namespace protocol;

// Timer ids: the purpose in the top byte, what it is about below.
constexpr std::uint64_t connect_timer = 1ull << 56;    // payload: wire call id
constexpr std::uint64_t rpc_timer = 2ull << 56;        // payload: wire call id
constexpr std::uint64_t keepalive_timer = 3ull << 56;  // payload: connection id
constexpr std::uint64_t wait_timer = 4ull << 56;       // payload: API call number
constexpr std::uint64_t local_timer = 5ull << 56;      // payload: API call number (local-calls-wait)
constexpr std::uint64_t timer_kind_mask = 0xFFull << 56;

// A 15-bit tag from the engine's name, so that handles of different engines differ in their
// high bits (S1, S11) and a handle that loses them in a 32-bit binding is never valid.
std::uint64_t handle_tag(const std::string& name) {
  std::uint32_t h = 2166136261u;
  for (unsigned char c : name)
    h = (h ^ c) * 16777619u;
  std::uint64_t tag = (h ^ (h >> 15)) & 0x7FFF;
  return tag == 0 ? 1 : tag;
}

/// What a call waiting for a frame is.
enum class wait_kind { connect, rpc, sync_disconnect, end_server };

struct pending_rpc {
  std::uint64_t call = 0;  ///< The API call it serves.
  std::uint64_t conn = 0;
  wait_kind kind = wait_kind::rpc;
  bool grouped = false;    ///< Part of detach_all / terminate_all / an active end_session.
};

/// A call of several rpcs (detach_all, terminate_all, active end_session).
struct group_call {
  std::size_t remaining = 0;
  hresult hr = S_OK;
  bool end_session_after = false;
};

struct connection {
  route via;
  enum class phase { connecting, open, closed } state = phase::connecting;
  std::uint64_t session = 0;
  std::uint32_t incarnation = 0;
  std::uint64_t handle = 0;        ///< The handle made by this connection's connect, 0 if none.
  bool handle_live = false;
  bool held = false;               ///< Between session_held and session_released.
  bool ended = false;              ///< The engine knows the session is gone: calls fail at once.
  bool shutting_down = false;      ///< A shutting-down notice arrived (S8).
  bool kill_handle_on_ack = false; ///< release-on-ack (planted bug) only.
  std::set<std::uint32_t> targets;
  sim_time last_heard{0};
};

struct target {
  std::uint64_t conn = 0;  ///< 0: a local target (handle 0, S12).
};

}  // namespace

struct engine_core::state {
  /// What most engines never use (targets, grouped calls, servers they started, planted bugs'
  /// bookkeeping), made on first write. Why apart: as empty containers it is some 350 bytes, and
  /// a world of 10,000 engines that each hold one idle session needs none of it.
  struct rarely_used {
    std::vector<std::uint64_t> free_handles;        ///< reuse-handles (planted bug) only.
    std::set<std::uint32_t> aborted;                 ///< Wire ids whose call was aborted (S6).
    std::map<std::uint64_t, group_call> groups;
    std::map<std::uint32_t, target> targets;
    std::string first_server;                        ///< S13: the first server this engine started.
    bool first_server_ended = false;
    std::set<std::uint64_t> waiters;                 ///< wait_server_end calls.
    std::map<std::uint32_t, std::uint32_t> request_pids;   ///< wire id → the pid it is about.
    std::map<std::uint64_t, api::call> delayed_local;      ///< local-calls-wait (planted bug) only.
  };

  bool crashed = false;
  bool detach_on_exit = false;
  std::uint64_t tag = 0;
  std::uint32_t next_seq = 1;
  std::uint64_t next_conn = 1;
  std::uint32_t next_wire = 1;
  std::map<std::uint64_t, std::uint64_t> handles;  ///< Every handle issued → its connection.
  std::map<std::uint64_t, connection> conns;
  std::map<std::uint32_t, pending_rpc> pending;   ///< By wire call id.
  std::set<std::uint32_t> unanswered;              ///< Keepalives, option updates, notices' acks.
  std::map<std::uint64_t, std::uint64_t> connect_calls;  ///< conn → its connect's API call.

  /// The rarely used part, to change it: made now if it was not yet.
  rarely_used& rare() {
    if (!rare_)
      rare_ = std::make_unique<rarely_used>();
    return *rare_;
  }
  /// The rarely used part, to read it: empty containers until something was written.
  const rarely_used& seen() const {
    static const rarely_used none;
    return rare_ ? *rare_ : none;
  }

private:
  std::unique_ptr<rarely_used> rare_;
};

namespace {

struct engine_ops {
  const engine_config& cfg;
  engine_io& io;
  engine_core::state& st;

  event make(event_kind k) const {
    event e;
    e.kind = k;
    return e;
  }

  void complete(std::uint64_t call, hresult hr) { io.complete(call, api::status(hr)); }

  // -- handles -------------------------------------------------------------------------------

  std::uint64_t new_handle() {
    if (cfg.bug == mutant::reuse_handles && !st.seen().free_handles.empty()) {
      // reuse-handles (planted bug): a released value comes back.
      auto h = st.rare().free_handles.back();
      st.rare().free_handles.pop_back();
      return h;
    }
    return 0x8000000000000000ull | (st.tag << 32) | st.next_seq++;
  }

  /// The connection of a live handle this engine issued, or nullptr (S5).
  connection* live_handle(std::uint64_t h) {
    if (h == 0)
      return nullptr;
    auto match = [&](std::uint64_t mine) {
      // foreign-handle (planted bug): only the low 32 bits are compared.
      return cfg.bug == mutant::foreign_handle ? (mine & 0xFFFFFFFFull) == (h & 0xFFFFFFFFull)
                                               : mine == h;
    };
    for (auto& [value, conn] : st.handles) {
      if (!match(value))
        continue;
      auto& c = st.conns.at(conn);
      if (c.handle == value && c.handle_live)
        return &c;
    }
    return nullptr;
  }

  void kill_handle(connection& c, reason_kind reason) {
    c.handle_live = false;
    auto e = make(event_kind::handle_dead);
    e.handle = c.handle;
    e.reason = reason;
    io.record(std::move(e));
    if (cfg.bug == mutant::reuse_handles)
      st.rare().free_handles.push_back(c.handle);
  }

  // -- sending -------------------------------------------------------------------------------

  std::uint32_t send(connection& c, message m, std::uint64_t call) {
    const auto wire = call_id_of(m);
    io.send(c.via, frame{c.state == connection::phase::connecting ? 0 : c.session,
                         c.state == connection::phase::connecting ? 0 : c.incarnation,
                         std::move(m)},
            call);
    return wire;
  }

  /// Sends a request that an API call waits for, with its rpc timer.
  template <class Request>
  std::uint32_t request(connection& c, std::uint64_t call, Request req,
                        wait_kind kind = wait_kind::rpc, bool grouped = false) {
    const auto wire = st.next_wire++;
    req.call_id = wire;
    st.pending[wire] = pending_rpc{call, c.via.conn, kind, grouped};
    io.start_timer(rpc_timer | wire, cfg.times.rpc_timeout);
    send(c, std::move(req), call);
    return wire;
  }

  /// Sends a frame nobody waits for (keepalives, option updates, a release's disconnect).
  template <class Message>
  void notify(connection& c, Message m) {
    m.call_id = st.next_wire++;
    st.unanswered.insert(m.call_id);
    send(c, std::move(m), 0);
  }

  // -- sessions and targets ------------------------------------------------------------------

  void add_target(connection* c, std::uint32_t pid) {
    st.rare().targets[pid] = target{c ? c->via.conn : 0};
    auto e = make(event_kind::target_added);
    e.pid = pid;
    if (c) {
      c->targets.insert(pid);
      e.conn = c->via.conn;
      e.session = c->session;
      e.peer = c->via.server_machine;
    } else {
      e.peer = cfg.machine;
    }
    io.record(std::move(e));
  }

  /// A target made by a reply on `c`. A reply that jitter let overtake a shutting-down notice
  /// finds the session already given up: the target is lost at once, since nothing will ever
  /// hold that session again (S22).
  void add_live_target(connection& c, std::uint32_t pid) {
    add_target(&c, pid);
    if (c.shutting_down || c.ended)
      remove_target(pid, c.shutting_down ? reason_kind::shutting_down : reason_kind::unknown_session, true);
  }

  void remove_target(std::uint32_t pid, reason_kind reason, bool lost = false) {
    if (st.seen().targets.count(pid) == 0)
      return;
    auto i = st.rare().targets.find(pid);
    auto e = make(lost ? event_kind::target_lost : event_kind::target_removed);
    e.pid = pid;
    e.reason = reason;
    if (i->second.conn != 0) {
      auto& c = st.conns.at(i->second.conn);
      c.targets.erase(pid);
      e.conn = c.via.conn;
      e.session = c.session;
    }
    st.rare().targets.erase(i);
    io.record(std::move(e));
  }

  /// Stops holding the session: the disconnect frame goes out (S6, S20).
  void release(connection& c) {
    c.held = false;
    auto e = make(event_kind::session_released);
    e.conn = c.via.conn;
    e.session = c.session;
    e.reason = reason_kind::released;
    io.record(std::move(e));
  }

  /// S20: once the handle is dead and the last target gone, the session is released.
  void maybe_release(connection& c) {
    if (!c.held || c.handle_live || !c.targets.empty())
      return;
    if (cfg.bug == mutant::target_leaks_session && c.handle != 0)
      return;  // target-leaks-session (planted bug): the session is never let go.
    release(c);
    notify(c, disconnect_request{});
  }

  /// The engine learns the session is gone (S19, S22): targets are lost, the handle stays.
  void lose(connection& c, reason_kind reason) {
    c.ended = true;
    if (c.held) {
      c.held = false;
      auto e = make(event_kind::session_released);
      e.conn = c.via.conn;
      e.session = c.session;
      e.reason = reason;
      io.record(std::move(e));
    }
    const std::vector<std::uint32_t> pids(c.targets.begin(), c.targets.end());
    for (auto pid : pids)
      remove_target(pid, reason, true);
  }

  /// Completes every call in flight on connection `c` with `hr` (except grouped rpcs, whose
  /// group is told the failure).
  void fail_in_flight(connection& c, hresult hr, bool include_disconnects) {
    std::vector<std::uint32_t> ids;
    for (auto& [wire, p] : st.pending)
      if (p.conn == c.via.conn && (include_disconnects || p.kind != wait_kind::sync_disconnect))
        ids.push_back(wire);
    for (auto wire : ids)
      finish_rpc(wire, hr);
  }

  /// Finishes the rpc `wire` with `hr`: completes its call, or counts it in its group.
  void finish_rpc(std::uint32_t wire, hresult hr, api::result result = {}) {
    auto i = st.pending.find(wire);
    if (i == st.pending.end())
      return;
    const pending_rpc p = i->second;
    st.pending.erase(i);
    if (p.grouped) {
      auto g = st.rare().groups.find(p.call);
      if (g == st.rare().groups.end())
        return;
      if (hr.failed() && g->second.hr.succeeded())
        g->second.hr = hr;
      if (--g->second.remaining == 0)
        finish_group(p.call);
      return;
    }
    result.hr = hr;
    io.complete(p.call, std::move(result));
  }

  void finish_group(std::uint64_t call) {
    auto g = st.rare().groups.extract(call);
    if (g.mapped().end_session_after)
      passive_end();
    complete(call, g.mapped().hr);
  }

  // -- local machine (handle 0, S12) -----------------------------------------------------------

  void local_attach(std::uint64_t call, std::uint32_t pid) {
    auto& m = io.local_machine();
    auto* p = m.find(pid);
    if (p == nullptr || st.seen().targets.count(pid) != 0)
      return complete(call, E_INVALIDARG);
    if (p->attached)
      return complete(call, E_ACCESSDENIED);
    p->attached = attachment{cfg.name, 0};
    auto e = make(event_kind::process_attached);
    e.peer = cfg.machine;
    e.pid = pid;
    e.value = options_word();
    io.record(std::move(e));
    add_target(nullptr, pid);
    api::result r;
    r.hr = S_OK;
    r.pid = pid;
    io.complete(call, std::move(r));
  }

  /// Detaches (or kills) a local target at once.
  void local_end(std::uint32_t pid, bool kill, reason_kind reason) {
    auto& m = io.local_machine();
    auto e = make(kill ? event_kind::process_killed : event_kind::process_detached);
    e.peer = cfg.machine;
    e.pid = pid;
    e.reason = reason;
    if (kill)
      m.remove(pid);
    else if (auto* p = m.find(pid))
      p->attached.reset();
    io.record(std::move(e));
    remove_target(pid, kill ? reason_kind::terminate : reason_kind::detach);
  }

  void local_call(std::uint64_t call, const api::call& c) {
    auto& m = io.local_machine();
    api::result r;
    r.hr = S_OK;
    if (auto* x = std::get_if<api::list_processes>(&c)) {
      auto listing = list_processes_on(m, x->max);
      r.hr = listing.hr;
      r.pids = std::move(listing.pids);
      r.total = listing.total;
    } else if (auto* x = std::get_if<api::find_process>(&c)) {
      const auto match = find_process_on(m, x->exe, x->only_match);
      r.hr = match.hr;
      r.pid = match.pid;
    } else if (auto* x = std::get_if<api::describe_process>(&c)) {
      auto d = describe_process_on(m, x->pid);
      r.hr = d.hr;
      r.exe = std::move(d.exe);
      r.description = std::move(d.description);
    } else if (auto* x = std::get_if<api::attach>(&c)) {
      return local_attach(call, x->pid);
    } else if (auto* x = std::get_if<api::create_process>(&c)) {
      const auto pid = m.create(x->command_line);
      auto e = make(event_kind::process_created);
      e.peer = cfg.machine;
      e.pid = pid;
      e.detail = m.find(pid)->exe;
      io.record(std::move(e));
      return local_attach(call, pid);
    }
    io.complete(call, std::move(r));
  }

  // -- API calls ---------------------------------------------------------------------------

  void connect(std::uint64_t call, const api::connect& x) {
    auto parsed = parse_client_options(x.options);
    if (std::holds_alternative<options_error>(parsed))
      return complete(call, E_INVALIDARG);  // S2: at once, nothing sent.
    const auto& o = std::get<transport_options>(parsed);
    connection c;
    c.via.engine = cfg.name;
    c.via.conn = st.next_conn++;
    const auto host = o.server ? *o.server : o.clicon.value_or("");
    // "localhost" is the engine's own machine, whatever the world calls it.
    c.via.server_machine = is_loopback_host(host) ? cfg.machine : io.machine_named_by(host);
    c.via.endpoint = endpoint_of(o);
    auto& conn = st.conns.emplace(c.via.conn, std::move(c)).first->second;
    io.open(conn.via);
    connect_request req;
    req.call_id = st.next_wire++;
    req.client_name = cfg.name;
    req.version = cfg.protocol_version;
    req.password = o.password.value_or("");
    st.pending[req.call_id] = pending_rpc{call, conn.via.conn, wait_kind::connect, false};
    st.connect_calls[conn.via.conn] = call;
    io.start_timer(connect_timer | req.call_id, cfg.times.connect_timeout);
    send(conn, std::move(req), call);
  }

  void disconnect(std::uint64_t call, std::uint64_t h) {
    auto* c = live_handle(h);
    if (c == nullptr)
      return complete(call, E_INVALIDARG);  // S5: nothing sent, nothing changed.
    const bool kill_now = cfg.bug != mutant::release_on_ack;
    if (kill_now) {
      kill_handle(*c, reason_kind::disconnect);
      // S6: calls in flight on the handle are aborted; their replies will be dropped.
      // keep-calls-on-disconnect (planted bug) leaves them waiting for their replies.
      std::vector<std::uint32_t> ids;
      for (auto& [wire, p] : st.pending)
        if (p.conn == c->via.conn && !p.grouped && p.kind != wait_kind::sync_disconnect &&
            cfg.bug != mutant::keep_calls_on_disconnect)
          ids.push_back(wire);
      for (auto wire : ids) {
        st.rare().aborted.insert(wire);
        finish_rpc(wire, ERROR_OPERATION_ABORTED);
      }
    } else {
      c->kill_handle_on_ack = true;  // release-on-ack (planted bug): alive until the ack.
    }
    const bool targets_hold = !c->targets.empty() && cfg.bug != mutant::disconnect_ends_targets;
    if (targets_hold || !c->held)
      return complete(call, S_OK);  // S20: the targets keep the session; or it is gone already.
    release(*c);
    if (cfg.mode == disconnect_mode::sync && kill_now) {
      request(*c, call, disconnect_request{}, wait_kind::sync_disconnect);
      return;
    }
    notify(*c, disconnect_request{});
    complete(call, S_OK);
  }

  /// The connection of a live handle for a remote call, or completes the call with why not.
  connection* usable(std::uint64_t call, std::uint64_t h) {
    auto* c = live_handle(h);
    if (c == nullptr) {
      complete(call, E_INVALIDARG);
      return nullptr;
    }
    if (c->ended || c->shutting_down || !c->held) {
      complete(call, RPC_E_DISCONNECTED);  // S8, S10, S19, S22: known gone, nothing sent.
      return nullptr;
    }
    return c;
  }

  std::uint32_t options_word() const {
    return st.detach_on_exit ? std::uint32_t{process_detach_on_exit} : 0u;
  }

  void remote_call(std::uint64_t call, const api::call& x) {
    const auto h = api::handle_of(x);
    if (h == 0) {
      if (std::holds_alternative<api::end_server>(x))
        return complete(call, E_INVALIDARG);  // S12
      if (cfg.bug == mutant::local_calls_wait) {
        // local-calls-wait (planted bug): answered a millisecond later instead of at once.
        st.rare().delayed_local.emplace(call, x);
        io.start_timer(local_timer | call, std::chrono::milliseconds(1));
        return;
      }
      return local_call(call, x);
    }
    auto* c = usable(call, h);
    if (c == nullptr)
      return;
    std::visit(
        [&](const auto& a) {
          using T = std::decay_t<decltype(a)>;
          if constexpr (std::is_same_v<T, api::end_server>) {
            request(*c, call, end_server_request{}, wait_kind::end_server);
          } else if constexpr (std::is_same_v<T, api::list_processes>) {
            request(*c, call, list_processes_request{0, a.max});
          } else if constexpr (std::is_same_v<T, api::find_process>) {
            request(*c, call, find_process_request{0, a.exe, a.only_match});
          } else if constexpr (std::is_same_v<T, api::describe_process>) {
            request(*c, call, describe_process_request{0, a.pid});
          } else if constexpr (std::is_same_v<T, api::attach>) {
            if (st.seen().targets.count(a.pid) != 0)
              return complete(call, E_INVALIDARG);
            st.rare().request_pids[request(*c, call, attach_request{0, a.pid, options_word()})] = a.pid;
          } else if constexpr (std::is_same_v<T, api::create_process>) {
            request(*c, call, create_process_request{0, a.command_line, options_word()});
          }
        },
        x);
  }

  /// Detaches or terminates one target: local at once, remote by an rpc.
  void end_target(std::uint64_t call, std::uint32_t pid, bool kill, bool grouped) {
    auto i = st.rare().targets.find(pid);
    if (i->second.conn == 0) {
      local_end(pid, kill, kill ? reason_kind::terminate : reason_kind::detach);
      if (!grouped)
        complete(call, S_OK);
      return;
    }
    auto& c = st.conns.at(i->second.conn);
    if (grouped)
      ++st.rare().groups[call].remaining;
    const auto wire =
        kill ? request(c, call, terminate_process_request{0, pid}, wait_kind::rpc, grouped)
             : request(c, call, detach_request{0, pid}, wait_kind::rpc, grouped);
    st.rare().request_pids[wire] = pid;
  }

  void end_all(std::uint64_t call, bool kill, bool end_session_after) {
    auto& g = st.rare().groups[call];
    g.end_session_after = end_session_after;
    ++g.remaining;  // Held until every rpc is out, so that a fast reply cannot finish it early.
    std::vector<std::uint32_t> pids;
    for (auto& [pid, t] : st.rare().targets)
      pids.push_back(pid);
    for (auto pid : pids)
      end_target(call, pid, kill, true);
    if (--st.rare().groups[call].remaining == 0)
      finish_group(call);
  }

  /// EndSession's passive part: targets are dropped without detach or terminate; the sessions
  /// they held are released, so each server applies its exit policy (S21).
  void passive_end() {
    std::vector<std::uint32_t> pids;
    for (auto& [pid, t] : st.rare().targets)
      pids.push_back(pid);
    for (auto pid : pids) {
      auto conn = st.rare().targets.at(pid).conn;
      if (conn == 0) {
        local_end(pid, !st.detach_on_exit, reason_kind::end_session);
        continue;
      }
      remove_target(pid, reason_kind::end_session);
      maybe_release(st.conns.at(conn));
    }
  }

  void set_detach_on_exit(std::uint64_t call, bool on) {
    st.detach_on_exit = on;
    // S21: sent again whenever it changes, and not waited for: a partition may hide it.
    for (auto& [id, c] : st.conns)
      if (c.held && !c.ended)
        notify(c, set_process_options_request{0, options_word()});
    complete(call, S_OK);
  }

  void wait_server_end(std::uint64_t call, std::uint32_t timeout_ms) {
    if (st.seen().first_server.empty())
      return complete(call, E_UNEXPECTED);
    if (st.seen().first_server_ended)
      return complete(call, S_OK);
    st.rare().waiters.insert(call);
    io.start_timer(wait_timer | call, std::chrono::milliseconds(timeout_ms));
  }

  // -- frames --------------------------------------------------------------------------------

  void drop(const route& r, const frame& f, reason_kind reason) {
    auto e = make(event_kind::frame_dropped);
    e.peer = r.server_machine;
    e.conn = r.conn;
    e.session = f.session;
    e.incarnation = f.incarnation;
    e.what = protocol::type_of(f.body);
    e.reason = reason;
    io.record(std::move(e));
  }

  void on_connect_reply(connection& c, const frame& f) {
    const auto wire = call_id_of(f.body);
    auto i = st.pending.find(wire);
    const bool waiting = i != st.pending.end() && i->second.kind == wait_kind::connect;
    if (const auto* ok = std::get_if<connect_accepted>(&f.body)) {
      // S3: the connect already timed out (or was answered: a duplicate reply).
      // late-reply-revives (planted bug) takes a reply whose connect timed out (its connection
      // is closed) without a waiting call; a duplicate of an accepted reply is dropped still.
      if (!waiting &&
          (cfg.bug != mutant::late_reply_revives || c.state != connection::phase::closed))
        return drop(c.via, f, reason_kind::late_reply);
      const std::uint64_t call = waiting ? i->second.call : 0;
      c.state = connection::phase::open;
      c.session = ok->session;
      c.incarnation = ok->incarnation;
      c.held = true;
      c.last_heard = io.now();
      c.handle = new_handle();
      c.handle_live = true;
      st.handles[c.handle] = c.via.conn;
      auto held = make(event_kind::session_held);
      held.conn = c.via.conn;
      held.session = c.session;
      held.incarnation = c.incarnation;
      held.peer = c.via.server_machine;
      io.record(std::move(held));
      auto born = make(event_kind::handle_born);
      born.handle = c.handle;
      born.call = waiting ? call : revived_call(c);  // a revived reply names its timed-out call
      born.peer = c.via.server_machine;
      born.conn = c.via.conn;
      born.session = c.session;
      born.incarnation = c.incarnation;
      io.record(std::move(born));
      io.start_timer(keepalive_timer | c.via.conn, cfg.times.keepalive);
      if (waiting) {
        st.pending.erase(i);
        api::result r;
        r.hr = S_OK;
        r.handle = c.handle;
        io.complete(call, std::move(r));
      }
      return;
    }
    if (!waiting)
      return drop(c.via, f, reason_kind::late_reply);
    const auto* no = std::get_if<connect_refused>(&f.body);
    c.state = connection::phase::closed;
    c.ended = true;
    finish_rpc(wire, no->hr);
  }

  // The API call a connection's connect was, remembered for replies after its timeout.
  std::uint64_t revived_call(const connection& c) const {
    auto i = st.connect_calls.find(c.via.conn);
    return i == st.connect_calls.end() ? 0 : i->second;
  }

  void on_reply(connection& c, const frame& f) {
    const auto wire = call_id_of(f.body);
    if (std::holds_alternative<unknown_session>(f.body)) {
      // S10, S22: the server does not know the session (a restart, a lease that expired).
      fail_in_flight(c, RPC_E_DISCONNECTED, false);
      lose(c, reason_kind::unknown_session);
      fail_in_flight(c, S_OK, true);
      return;
    }
    if (st.unanswered.erase(wire) != 0) {
      if (std::holds_alternative<disconnect_ack>(f.body) && c.kill_handle_on_ack && c.handle_live)
        kill_handle(c, reason_kind::disconnect);  // release-on-ack (planted bug)
      return;
    }
    auto i = st.pending.find(wire);
    if (i == st.pending.end())
      return drop(c.via, f, st.seen().aborted.count(wire) ? reason_kind::dead_handle : reason_kind::unknown_call);
    std::visit(
        [&](const auto& m) {
          using T = std::decay_t<decltype(m)>;
          api::result r;
          if constexpr (std::is_same_v<T, list_processes_reply>) {
            r.pids = m.pids;
            r.total = m.total;
            finish_rpc(wire, m.hr, std::move(r));
          } else if constexpr (std::is_same_v<T, find_process_reply>) {
            r.pid = m.pid;
            finish_rpc(wire, m.hr, std::move(r));
          } else if constexpr (std::is_same_v<T, describe_process_reply>) {
            r.exe = m.exe;
            r.description = m.description;
            finish_rpc(wire, m.hr, std::move(r));
          } else if constexpr (std::is_same_v<T, attach_reply>) {
            if (m.hr == S_OK)
              add_live_target(c, attached_pid(wire));
            finish_rpc(wire, m.hr);
          } else if constexpr (std::is_same_v<T, create_process_reply>) {
            if (m.hr == S_OK)
              add_live_target(c, m.pid);
            r.pid = m.pid;
            finish_rpc(wire, m.hr, std::move(r));
          } else if constexpr (std::is_same_v<T, detach_reply> ||
                               std::is_same_v<T, terminate_process_reply>) {
            constexpr bool kill = std::is_same_v<T, terminate_process_reply>;
            if (m.hr == S_OK)
              remove_target(ended_pid(wire), kill ? reason_kind::terminate : reason_kind::detach);
            else if (m.hr == E_INVALIDARG)
              // The session no longer has it attached (an earlier detach whose reply was lost
              // went through): keeping the target would hold the session for ever (S18, S20).
              remove_target(ended_pid(wire), reason_kind::not_attached);
            finish_rpc(wire, m.hr);
            maybe_release(c);
          } else if constexpr (std::is_same_v<T, end_server_ack> ||
                               std::is_same_v<T, disconnect_ack>) {
            finish_rpc(wire, S_OK);
          } else if constexpr (std::is_same_v<T, error_reply>) {
            finish_rpc(wire, m.hr);
          } else {
            drop(c.via, f, reason_kind::unexpected);
          }
        },
        f.body);
  }

  // The pid a request was about, remembered when it was sent.
  std::uint32_t attached_pid(std::uint32_t wire) const { return pid_of(wire); }
  std::uint32_t ended_pid(std::uint32_t wire) const { return pid_of(wire); }
  std::uint32_t pid_of(std::uint32_t wire) const {
    auto i = st.seen().request_pids.find(wire);
    return i == st.seen().request_pids.end() ? 0 : i->second;
  }

  void on_notice(connection& c, const frame& f) {
    if (std::holds_alternative<server_shutting_down>(f.body)) {
      // S8, S22: targets are lost; the session is given up with one disconnect frame so that
      // the server may end before its grace period.
      c.shutting_down = true;
      const bool was_held = c.held;
      lose(c, reason_kind::shutting_down);
      c.ended = false;  // Calls get RPC_E_DISCONNECTED through shutting_down; end_server acks.
      if (was_held)
        notify(c, disconnect_request{});
      return;
    }
    if (const auto* x = std::get_if<process_exited>(&f.body)) {
      if (c.targets.count(x->pid) != 0) {
        remove_target(x->pid, reason_kind::exited);
        maybe_release(c);
      }
    }
  }
};

}  // namespace

engine_core::engine_core(engine_config config, engine_io& io)
    : config_(std::move(config)), io_(io), st_(std::make_unique<state>()) {
  st_->tag = handle_tag(config_.name);
  st_->detach_on_exit = config_.detach_on_exit;
}

engine_core::~engine_core() = default;

void engine_core::on_call(std::uint64_t call, const api::call& c) {
  engine_ops ops{config_, io_, *st_};
  if (st_->crashed)
    return ops.complete(call, E_ABORT);
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, api::connect>) {
          ops.connect(call, x);
        } else if constexpr (std::is_same_v<T, api::disconnect>) {
          ops.disconnect(call, x.handle);
        } else if constexpr (std::is_same_v<T, api::end_server> ||
                             std::is_same_v<T, api::list_processes> ||
                             std::is_same_v<T, api::find_process> ||
                             std::is_same_v<T, api::describe_process> ||
                             std::is_same_v<T, api::attach> ||
                             std::is_same_v<T, api::create_process>) {
          ops.remote_call(call, c);
        } else if constexpr (std::is_same_v<T, api::detach> || std::is_same_v<T, api::terminate>) {
          if (st_->seen().targets.count(x.pid) == 0)
            return ops.complete(call, E_INVALIDARG);  // S20: not one of this engine's targets.
          ops.end_target(call, x.pid, std::is_same_v<T, api::terminate>, false);
        } else if constexpr (std::is_same_v<T, api::detach_all>) {
          ops.end_all(call, false, false);
        } else if constexpr (std::is_same_v<T, api::terminate_all>) {
          ops.end_all(call, true, false);
        } else if constexpr (std::is_same_v<T, api::end_session>) {
          if (x.mode == api::end_mode::passive) {
            ops.passive_end();
            ops.complete(call, S_OK);
          } else {
            ops.end_all(call, x.mode == api::end_mode::active_terminate, true);
          }
        } else if constexpr (std::is_same_v<T, api::process_options>) {
          ops.set_detach_on_exit(call, x.detach_on_exit);
        } else if constexpr (std::is_same_v<T, api::start_server>) {
          std::string name;
          auto hr = io_.start_server(x.options, name);
          if (hr == S_OK && st_->rare().first_server.empty())
            st_->rare().first_server = name;
          ops.complete(call, hr);
        } else if constexpr (std::is_same_v<T, api::wait_server_end>) {
          ops.wait_server_end(call, x.timeout_ms);
        }
      },
      c);
}

void engine_core::on_frame(const route& r, const frame& f) {
  if (st_->crashed)
    return;
  engine_ops ops{config_, io_, *st_};
  auto i = st_->conns.find(r.conn);
  if (i == st_->conns.end() || r.engine != config_.name)
    return ops.drop(r, f, reason_kind::unknown_session);
  auto& c = i->second;
  if (std::holds_alternative<connect_accepted>(f.body) ||
      std::holds_alternative<connect_refused>(f.body))
    return ops.on_connect_reply(c, f);
  if (c.state != connection::phase::open || f.session != c.session ||
      f.incarnation != c.incarnation)
    return ops.drop(r, f, reason_kind::unknown_session);
  c.last_heard = io_.now();
  if (std::holds_alternative<server_shutting_down>(f.body) ||
      std::holds_alternative<process_exited>(f.body))
    return ops.on_notice(c, f);
  if (std::holds_alternative<keepalive_ack>(f.body)) {
    st_->unanswered.erase(call_id_of(f.body));
    return;
  }
  ops.on_reply(c, f);
}

void engine_core::on_refused(const route& r) {
  if (st_->crashed)
    return;
  engine_ops ops{config_, io_, *st_};
  auto i = st_->conns.find(r.conn);
  if (i == st_->conns.end() || i->second.state != connection::phase::connecting)
    return;
  i->second.state = connection::phase::closed;
  i->second.ended = true;
  ops.fail_in_flight(i->second, RPC_S_SERVER_UNAVAILABLE, true);  // S3
}

void engine_core::on_reset(const route& r) {
  if (st_->crashed)
    return;
  engine_ops ops{config_, io_, *st_};
  auto i = st_->conns.find(r.conn);
  if (i == st_->conns.end() || i->second.state == connection::phase::closed)
    return;
  auto& c = i->second;
  // reset-wrong-hresult (planted bug): the calls fail as if the session were known to be gone.
  const hresult failed =
      config_.bug == mutant::reset_wrong_hresult ? RPC_E_DISCONNECTED : RPC_S_CALL_FAILED;
  if (c.state == connection::phase::connecting) {
    c.state = connection::phase::closed;
    c.ended = true;
    return ops.fail_in_flight(c, failed, true);
  }
  // S19: the session is gone, the handle stays live, calls in flight fail at once. The release
  // is recorded first, because it is the cause: the trace shows the reset before what it did,
  // and the oracle judges each call in flight on the connection from that event.
  ops.lose(c, reason_kind::reset);
  ops.fail_in_flight(c, failed, false);
  ops.fail_in_flight(c, S_OK, true);  // A sync disconnect waiting for its ack: the session ended.
  c.state = connection::phase::closed;
}

void engine_core::on_timer(std::uint64_t id) {
  if (st_->crashed)
    return;
  engine_ops ops{config_, io_, *st_};
  const auto kind = id & timer_kind_mask;
  const auto payload = id & ~timer_kind_mask;
  auto timer_event = [&](timer_kind what, std::uint64_t conn, std::uint64_t call) {
    event e = ops.make(event_kind::timer);
    e.what = what;
    e.conn = conn;
    e.call = call;
    io_.record(std::move(e));
  };
  if (kind == connect_timer || kind == rpc_timer) {
    const auto wire = static_cast<std::uint32_t>(payload);
    auto i = st_->pending.find(wire);
    if (i == st_->pending.end())
      return;  // Answered in time.
    auto p = i->second;
    timer_event(kind == connect_timer ? timer_kind::connect_timeout : timer_kind::rpc_timeout, p.conn,
                p.call);
    if (kind == connect_timer) {
      auto& c = st_->conns.at(p.conn);
      c.state = connection::phase::closed;  // S3: a reply arriving later is dropped.
      c.ended = true;
    }
    // S3, S6 (sync), S9. timeout-wrong-hresult (planted bug) reports an rpc timeout as a failed
    // call instead.
    const bool wrong = kind == rpc_timer && p.kind != wait_kind::sync_disconnect &&
                       config_.bug == mutant::timeout_wrong_hresult;
    ops.finish_rpc(wire, wrong ? RPC_S_CALL_FAILED : ERROR_SEM_TIMEOUT);
    return;
  }
  if (kind == local_timer) {
    auto node = st_->rare().delayed_local.extract(payload);
    if (!node.empty())
      ops.local_call(payload, node.mapped());
    return;
  }
  if (kind == keepalive_timer) {
    auto i = st_->conns.find(payload);
    if (i == st_->conns.end())
      return;
    auto& c = i->second;
    if (!c.held || c.ended)
      return;  // Nothing holds the session any more: keepalives stop.
    if (io_.now() - c.last_heard >= config_.times.lease) {
      // S22: a lease time of silence: the session is as good as gone.
      timer_event(timer_kind::silence, c.via.conn, 0);
      ops.lose(c, reason_kind::silence);
      return;
    }
    ops.notify(c, keepalive{});
    io_.start_timer(keepalive_timer | c.via.conn, config_.times.keepalive);
    return;
  }
  if (kind == wait_timer) {
    if (st_->rare().waiters.erase(payload) == 0)
      return;
    timer_event(timer_kind::wait_timeout, 0, payload);
    ops.complete(payload, S_FALSE);  // S13
  }
}

void engine_core::on_local_process_exited(std::uint32_t pid) {
  if (st_->crashed)
    return;
  engine_ops ops{config_, io_, *st_};
  auto i = st_->rare().targets.find(pid);
  if (i != st_->rare().targets.end() && i->second.conn == 0)
    ops.remove_target(pid, reason_kind::exited);
}

void engine_core::on_server_ended(const std::string& name) {
  if (st_->crashed || name != st_->seen().first_server || st_->seen().first_server_ended)
    return;
  engine_ops ops{config_, io_, *st_};
  st_->rare().first_server_ended = true;
  auto waiters = std::move(st_->rare().waiters);
  st_->rare().waiters.clear();
  for (auto call : waiters)
    ops.complete(call, S_OK);  // S13
}

void engine_core::crash() {
  if (st_->crashed)
    return;
  engine_ops ops{config_, io_, *st_};
  for (auto& [id, c] : st_->conns) {
    if (c.handle_live)
      ops.kill_handle(c, reason_kind::engine_crash);
    if (c.held) {
      c.held = false;
      event e = ops.make(event_kind::session_released);
      e.conn = c.via.conn;
      e.session = c.session;
      e.reason = reason_kind::engine_crash;
      io_.record(std::move(e));
    }
  }
  // The engine process is gone: its local debuggees follow Windows' kill-on-exit default.
  std::vector<std::uint32_t> local;
  for (const auto& [pid, t] : st_->seen().targets)
    if (t.conn == 0)
      local.push_back(pid);
  for (auto pid : local)
    ops.local_end(pid, !st_->detach_on_exit, reason_kind::engine_crash);
  st_->crashed = true;
}

engine_view engine_core::inspect() const {
  engine_view v;
  v.name = config_.name;
  std::set<std::uint64_t> calls;
  for (const auto& [wire, p] : st_->pending)
    calls.insert(p.call);
  for (auto c : st_->rare().waiters)
    calls.insert(c);
  v.calls_in_flight = calls.size();
  for (const auto& [id, c] : st_->conns) {
    if (c.handle_live)
      v.live_handles.push_back(c.handle);
    if (!c.held)
      continue;
    held_session h;
    h.via = c.via;
    h.session = c.session;
    h.incarnation = c.incarnation;
    h.handle = c.handle_live ? c.handle : 0;
    h.targets.assign(c.targets.begin(), c.targets.end());
    v.sessions.push_back(std::move(h));
  }
  std::sort(v.live_handles.begin(), v.live_handles.end());
  for (const auto& [pid, t] : st_->seen().targets)
    if (t.conn == 0)
      v.local_targets.push_back(pid);
  return v;
}

}  // namespace dbgsim
