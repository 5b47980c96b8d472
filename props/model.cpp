#include "props/model.hpp"

#include "world/world.hpp"

#include <algorithm>
#include <sstream>

namespace dbgsim::props {

using namespace protocol;

namespace {

/// What a call on a session that may have ended can give instead of its answer: the engine
/// knows it ended (S8, S10, S22), or nothing came back in time (S9). Not RPC_S_CALL_FAILED: only
/// a reset gives that (S19), and only to the calls in flight on the reset connection, which the
/// harness judges apart.
allowed trouble() { return allowed{RPC_E_DISCONNECTED, ERROR_SEM_TIMEOUT}.because("S9"); }

/// A time-bounded link is "healthy" below this: keepalives and replies arrive well within every
/// lease and rpc timeout.
constexpr sim_time healthy_delay = std::chrono::milliseconds(500);

std::string first_word(const std::string& s) { return s.substr(0, s.find(' ')); }

std::string hex(std::uint64_t v) {
  std::ostringstream o;
  o << "0x" << std::hex << v;
  return o.str();
}

}  // namespace

// -- allowed --------------------------------------------------------------------------------

bool reserved(hresult hr) {
  return hr == ERROR_OPERATION_ABORTED || hr == ERROR_SEM_TIMEOUT || hr == RPC_S_CALL_FAILED ||
         hr == RPC_E_DISCONNECTED || hr == RPC_E_VERSION_MISMATCH || hr == E_ABORT;
}

bool allowed::contains(hresult hr) const {
  return hrs_.count(hr.value) != 0 || (any_failure_ && hr.failed() && !reserved(hr));
}

const char* name_of(connect_kind k) {
  switch (k) {
    case connect_kind::good: return "good";
    case connect_kind::bad_password: return "bad password";
    case connect_kind::no_password: return "no password";
    case connect_kind::malformed: return "malformed options";
    case connect_kind::wrong_port: return "wrong port";
  }
  return "?";
}

allowed::allowed(std::initializer_list<hresult> hrs) {
  for (auto hr : hrs)
    add(hr);
}

allowed& allowed::add(hresult hr) {
  hrs_.insert(hr.value);
  return *this;
}

allowed& allowed::add(const allowed& other) {
  hrs_.insert(other.hrs_.begin(), other.hrs_.end());
  any_failure_ = any_failure_ || other.any_failure_;
  if (rule_.empty())
    rule_ = other.rule_;
  return *this;
}

allowed allowed::without(hresult hr) const {
  allowed a = *this;
  a.hrs_.erase(hr.value);
  return a;
}

void model::connected_unsure(std::size_t e, std::uint64_t h, std::uint32_t incarnation,
                             bool dead) {
  auto i = engines_[e].live.find(h);
  if (i == engines_[e].live.end())
    return;
  auto& r = records_[i->second];
  if (r.f == fate::gone)
    return;
  r.incarnation = incarnation;
  if (r.f == fate::ok)
    session_ended(i->second, false);
  r.f = dead || r.incarnation != servers_[r.server].incarnation ? fate::dead : fate::doubt;
  r.options_known = false;
}

allowed& allowed::any_failure() {
  any_failure_ = true;
  return *this;
}

hresult allowed::representative() const {
  return hrs_.empty() ? E_FAIL : hresult{*hrs_.begin()};
}

std::optional<hresult> allowed::single() const {
  if (hrs_.size() == 1 && !any_failure_)
    return hresult{*hrs_.begin()};
  return std::nullopt;
}

std::string allowed::to_string() const {
  if (auto one = single())
    return protocol::to_string(*one);
  std::string s = "{";
  for (auto v : hrs_) {
    if (s.size() > 1)
      s += ", ";
    s += protocol::to_string(hresult{v});
  }
  if (any_failure_)
    s += s.size() > 1 ? ", any failure" : "any failure";
  return s + "}";
}

// -- construction and faults ----------------------------------------------------------------

model::model(const case_world& w) {
  for (const auto& s : w.servers) {
    server_model m;
    m.name = s.name;
    m.password = s.password;
    m.clicon = s.clicon;
    for (const auto& p : s.processes)
      m.m.procs[p.pid] = proc{p.exe, life::alive, std::nullopt, false};
    servers_.push_back(std::move(m));
  }
  for (const auto& e : w.engines) {
    engine_model m;
    m.name = e.name;
    m.mode = e.mode;
    m.detach_on_exit = e.detach_on_exit;
    m.version = e.protocol_version;
    for (const auto& p : e.processes)
      m.local.procs[p.pid] = proc{p.exe, life::alive, std::nullopt, false};
    engines_.push_back(std::move(m));
  }
  link_params lp;
  lp.latency = w.latency;
  lp.jitter = w.jitter;
  for (std::size_t e = 0; e < engines_.size(); ++e)
    for (std::size_t s = 0; s < servers_.size(); ++s)
      to_server_[{e, s}] = to_engine_[{e, s}] = link_state{false, lp};
}

std::string model::connect_options(std::size_t s, connect_kind kind) const {
  const auto& srv = servers_[s];
  const std::string port = std::to_string(case_port);
  // A reverse-connection server is named by clicon= (S16), a listening one by server=.
  const std::string at = (srv.clicon ? "tcp:clicon=" : "tcp:server=") + srv.name;
  switch (kind) {
    case connect_kind::good:
      return at + ",port=" + port +
             (srv.password.empty() ? "" : ",password=" + srv.password);
    case connect_kind::bad_password:
      return at + ",port=" + port + ",password=Wrong" + srv.name;
    case connect_kind::no_password:
      return at + ",port=" + port;
    case connect_kind::malformed:
      return at + ",port=notaport";
    case connect_kind::wrong_port:
      return at + ",port=" + std::to_string(case_port + 1) +
             (srv.password.empty() ? "" : ",password=" + srv.password);
  }
  return "";
}

bool model::degraded(std::size_t e, std::size_t s) const {
  // Duplication alone does not degrade a link: a server answers a request delivered twice from
  // its reply cache instead of running it again, and the engine takes the first answer.
  for (const auto* dir : {&to_server_, &to_engine_}) {
    const auto& l = dir->at({e, s});
    if (l.cut || l.params.loss > 0 || l.params.latency + l.params.jitter > healthy_delay)
      return true;
  }
  return false;
}

bool model::certain(const record& r) const {
  const auto& srv = servers_[r.server];
  return r.f == fate::ok && !degraded(r.engine, r.server) && srv.st == server_state::listening &&
         !srv.unsure && srv.incarnation == r.incarnation;
}

bool model::target_certain(const target& t) const {
  return !t.maybe && (!t.rec || certain(records_[*t.rec]));
}

void model::degrade(std::size_t e, std::size_t s) {
  if (!degraded(e, s))
    return;
  for (std::size_t i = 0; i < records_.size(); ++i) {
    auto& r = records_[i];
    if (r.engine == e && r.server == s && r.f == fate::ok) {
      r.f = fate::doubt;
      session_ended(i, false);  // Its lease may expire (S7): attached processes are in doubt.
    }
  }
}

void model::partition(std::size_t e, std::size_t s, direction d) {
  if (d != direction::to_engine)
    to_server_[{e, s}].cut = true;
  if (d != direction::to_server)
    to_engine_[{e, s}].cut = true;
  degrade(e, s);
}

void model::heal(std::size_t e, std::size_t s, direction d) {
  if (d != direction::to_engine)
    to_server_[{e, s}].cut = false;
  if (d != direction::to_server)
    to_engine_[{e, s}].cut = false;
}

void model::heal_all() {
  for (auto& [k, l] : to_server_)
    l.cut = false;
  for (auto& [k, l] : to_engine_)
    l.cut = false;
}

void model::set_link(std::size_t e, std::size_t s, direction d, const link_params& p) {
  if (d != direction::to_engine)
    to_server_[{e, s}].params = p;
  if (d != direction::to_server)
    to_engine_[{e, s}].params = p;
  degrade(e, s);
}

/// S21: the server ended session `rec` other than by detach or terminate; each process attached
/// through it is killed, or detached with detach-on-exit as the server last received it.
/// `exact`: the model knows when and with which options.
void model::session_ended(std::size_t rec, bool exact) {
  const auto& r = records_[rec];
  if (servers_[r.server].clicon && !exact)
    servers_[r.server].client_unsure = true;  // S16: its one session may have ended, and it.
  for (auto& [pid, p] : servers_[r.server].m.procs) {
    if (p.l != life::alive || p.owner != rec)
      continue;
    p.owner.reset();
    if (exact && r.options_known)
      p.l = r.detach_on_exit ? life::alive : life::dead;
    else
      p.l = life::unknown;
  }
}

void model::lose_targets(std::size_t rec, bool known) {
  auto& en = engines_[records_[rec].engine];
  for (auto i = en.targets.begin(); i != en.targets.end();) {
    if (i->second.rec == rec) {
      if (known) {
        i = en.targets.erase(i);
        continue;
      }
      i->second.maybe = true;
    }
    ++i;
  }
}

/// S20: once the handle is disconnected and no target holds the session, it is released and its
/// disconnect frame ends the server's session (S7), which applies S21 to what is still attached.
void model::maybe_release(std::size_t rec) {
  auto& r = records_[rec];
  if (r.handle_live || r.released)
    return;
  for (const auto& [pid, t] : engines_[r.engine].targets)
    if (t.rec == rec)
      return;
  const bool exact = certain(r);
  r.released = true;
  session_ended(rec, exact);
}

void model::crash(std::size_t s) {
  auto& srv = servers_[s];
  srv.st = server_state::crashed;
  srv.unsure = false;
  for (std::size_t i = 0; i < records_.size(); ++i) {
    auto& r = records_[i];
    if (r.server != s)
      continue;
    session_ended(i, r.f == fate::ok);  // S21 at the crash, with the options last received.
    if (r.f == fate::ok || r.f == fate::doubt)
      r.f = fate::dead;
    lose_targets(i, false);  // S22: the engine finds out later (silence or unknown-session).
  }
}

void model::restart(std::size_t s) {
  auto& srv = servers_[s];
  srv.st = server_state::listening;
  srv.unsure = false;
  srv.had_client = srv.client_unsure = false;  // S16: a new incarnation waits for its client.
  ++srv.incarnation;  // S10
}

void model::reset(std::size_t e, std::size_t s) {
  // S19: both ends know at once. The server ends the sessions the connections carried (S21 at
  // once, with the options it last received); the engine loses their targets (S22) and its
  // later calls on the handles give RPC_E_DISCONNECTED.
  for (std::size_t i = 0; i < records_.size(); ++i) {
    auto& r = records_[i];
    if (r.engine != e || r.server != s || r.f == fate::gone || r.released)
      continue;
    if (r.f == fate::ok || r.f == fate::doubt)
      session_ended(i, r.f == fate::ok && r.options_known &&
                           servers_[s].st == server_state::listening && !servers_[s].unsure);
    r.f = fate::gone;
    lose_targets(i, true);
  }
}

void model::half_open(std::size_t e, std::size_t s, bool server_gone) {
  // S19: not a reset. The end that is gone forgets its connections at once (for it, as a reset
  // would); the other end is told nothing and finds out only by its lease (the server) or its
  // rpc timeouts and a lease of silence (the engine).
  for (std::size_t i = 0; i < records_.size(); ++i) {
    auto& r = records_[i];
    if (r.engine != e || r.server != s || r.f == fate::gone || r.released)
      continue;
    if (r.f == fate::ok || r.f == fate::doubt)
      session_ended(i, server_gone && r.f == fate::ok && r.options_known &&
                           servers_[s].st == server_state::listening && !servers_[s].unsure);
    if (server_gone) {
      r.f = fate::dead;
      lose_targets(i, false);
    } else {
      r.f = fate::gone;  // The engine forgot the connection: it knows, as after a reset.
      lose_targets(i, true);
    }
  }
}

void model::crash_engine(std::size_t e) {
  auto& en = engines_[e];
  if (en.crashed)
    return;
  en.crashed = true;
  // Its servers hear nothing more and end its sessions by their leases (S7, S21).
  for (std::size_t i = 0; i < records_.size(); ++i) {
    auto& r = records_[i];
    if (r.engine != e)
      continue;
    if (!r.released && (r.f == fate::ok || r.f == fate::doubt))
      session_ended(i, false);
    r.released = true;
    r.handle_live = false;
    r.f = fate::gone;
  }
  en.live.clear();
  en.targets.clear();
  // Its local targets: the rules say nothing of them; the model stops knowing them.
  for (auto& [pid, p] : en.local.procs)
    if (p.local_owner) {
      p.local_owner = false;
      p.l = life::unknown;
    }
}

void model::exit_process(std::size_t s, bool on_engine, std::uint32_t pid) {
  auto& m = on_engine ? engines_[s].local : servers_[s].m;
  auto found = m.procs.find(pid);
  if (found == m.procs.end())
    return;
  auto& p = found->second;
  const auto owner = p.owner;
  const bool local_owner = p.local_owner;
  p.l = life::dead;
  p.owner.reset();
  p.local_owner = false;
  if (on_engine && local_owner) {
    engines_[s].targets.erase(pid);  // S20: a local target that exits is gone at once.
    return;
  }
  // A target whose process exits goes (S20, S22: the process-exited notice); the notice comes
  // over the link, so the model knows when only on a healthy link.
  for (std::size_t e = 0; e < engines_.size(); ++e) {
    auto& en = engines_[e];
    auto t = en.targets.find(pid);
    if (t == en.targets.end() || !t->second.rec || on_engine ||
        records_[*t->second.rec].server != s)
      continue;
    const auto rec = *t->second.rec;
    if (owner == rec && target_certain(t->second)) {
      en.targets.erase(t);
      maybe_release(rec);
    } else {
      t->second.maybe = true;
    }
  }
}

allowed model::predict_start(std::size_t e, const std::string& endpoint, bool malformed) const {
  const auto& en = engines_[e];
  if (en.crashed)
    return allowed{E_ABORT}.because("S13");
  if (malformed)
    return allowed{E_INVALIDARG}.because("S13");
  for (const auto& x : en.started)
    if (x == endpoint)
      return allowed{E_FAIL}.because("S13");  // The endpoint is in use.
  return allowed{S_OK}.because("S13");
}

void model::apply_start(std::size_t e, const std::string& endpoint, bool malformed, hresult hr) {
  if (!malformed && hr == S_OK)
    engines_[e].started.push_back(endpoint);
}

allowed model::predict_wait(std::size_t e) const {
  const auto& en = engines_[e];
  if (en.crashed)
    return allowed{E_ABORT}.because("S13");
  // Nothing ever ends a server an engine started here (nobody connects to it): S_FALSE.
  return allowed{en.started.empty() ? E_UNEXPECTED : S_FALSE}.because("S13");
}

std::optional<std::size_t> model::server_of(std::size_t e, std::uint64_t h) const {
  for (const auto& r : records_)
    if (r.engine == e && r.handle == h)
      return r.server;
  return std::nullopt;
}

bool model::surely_alive(std::size_t e, std::uint64_t h) const {
  auto i = engines_[e].live.find(h);
  return i != engines_[e].live.end() && certain(records_[i->second]);
}

// -- queries ---------------------------------------------------------------------------------

std::vector<std::uint32_t> model::targets(std::size_t e) const {
  std::vector<std::uint32_t> v;
  for (const auto& [pid, t] : engines_[e].targets)
    v.push_back(pid);
  return v;
}

std::optional<std::vector<std::uint32_t>> model::exact_listing(std::size_t e, std::uint64_t h,
                                                               std::uint32_t max) const {
  const machine_model* m = nullptr;
  if (h == 0) {
    m = &engines_[e].local;
  } else {
    auto i = engines_[e].live.find(h);
    if (i == engines_[e].live.end() || !certain(records_[i->second]))
      return std::nullopt;
    m = &servers_[records_[i->second].server].m;
  }
  if (m->extras)
    return std::nullopt;
  std::vector<std::uint32_t> pids;
  for (const auto& [pid, p] : m->procs) {
    if (p.l == life::unknown)
      return std::nullopt;
    if (p.l == life::alive)
      pids.push_back(pid);
  }
  if (pids.size() > max)
    return std::nullopt;
  return pids;
}

std::vector<std::uint64_t> model::live_handles(std::size_t e) const {
  std::vector<std::uint64_t> v;
  for (const auto& [h, rec] : engines_[e].live)
    v.push_back(h);
  return v;
}

std::optional<std::size_t> model::live_server(std::size_t e, std::uint64_t h) const {
  auto i = engines_[e].live.find(h);
  if (i == engines_[e].live.end())
    return std::nullopt;
  return records_[i->second].server;
}

std::vector<std::uint32_t> model::server_pids(std::size_t s) const {
  std::vector<std::uint32_t> v;
  for (const auto& [pid, p] : servers_[s].m.procs)
    v.push_back(pid);
  return v;
}

std::vector<std::uint32_t> model::engine_pids(std::size_t e) const {
  std::vector<std::uint32_t> v;
  for (const auto& [pid, p] : engines_[e].local.procs)
    v.push_back(pid);
  return v;
}

bool model::crashed(std::size_t s) const { return servers_[s].st == server_state::crashed; }

// -- predictions -----------------------------------------------------------------------------

allowed model::predict(std::size_t e, const api::call& c, const connect_intent* ci) const {
  const auto& en = engines_[e];
  if (en.crashed)
    return allowed{E_ABORT}.because("S15");  // The world answers for a crashed engine.
  if (std::holds_alternative<api::connect>(c))
    return predict_connect(e, ci ? *ci : connect_intent{});
  if (std::holds_alternative<api::detach>(c) || std::holds_alternative<api::terminate>(c) ||
      std::holds_alternative<api::detach_all>(c) || std::holds_alternative<api::terminate_all>(c) ||
      std::holds_alternative<api::end_session>(c) ||
      std::holds_alternative<api::process_options>(c))
    return predict_target_call(e, c);

  const auto h = api::handle_of(c);
  const bool zero_forbidden =
      std::holds_alternative<api::disconnect>(c) || std::holds_alternative<api::end_server>(c);
  if (h == 0)
    return (zero_forbidden ? allowed{E_INVALIDARG} : predict_local(en, c)).because("S12");
  auto live = en.live.find(h);
  if (live == en.live.end())  // S5: never issued here, another engine's, or disconnected.
    return allowed{E_INVALIDARG}.because(
        std::find(en.issued.begin(), en.issued.end(), h) != en.issued.end() ? "S6" : "S5");
  const auto& r = records_[live->second];

  if (std::holds_alternative<api::disconnect>(c)) {
    // S6: the handle dies at once; async returns S_OK, sync waits for the ack when it sends one.
    if (en.mode == disconnect_mode::async || r.f == fate::gone)
      return allowed{S_OK}.because("S6");
    bool targets_hold = false;
    for (const auto& [pid, t] : en.targets)
      targets_hold = targets_hold || (t.rec == live->second && !t.maybe);
    if (targets_hold || certain(r))
      return allowed{S_OK}.because("S6");  // S20: no frame while targets hold it; or the ack comes.
    return allowed{S_OK, ERROR_SEM_TIMEOUT}.because("S6");
  }

  const auto& srv = servers_[r.server];
  const auto& m = srv.m.procs;
  if (auto* x = std::get_if<api::attach>(&c)) {
    auto t = en.targets.find(x->pid);
    // Already this engine's target (or maybe still, unknown to the model): refused, by the
    // engine or by the server.
    if (t != en.targets.end() && target_certain(t->second)) {
      // Refused by the engine, or by the session's own state first (S22: the engine knows it
      // ended; S9: no answer).
      allowed a = allowed{}.any_failure().because("S20");
      if (r.f == fate::gone)
        a.add(RPC_E_DISCONNECTED);
      else if (!certain(r))
        a.add(trouble()).because("S20");
      return a;
    }
    if (t != en.targets.end()) {
      allowed a = trouble();
      return a.add(S_OK).add(E_ACCESSDENIED).any_failure();
    }
  }
  allowed normal;
  if (std::holds_alternative<api::end_server>(c)) {
    normal.add(srv.st == server_state::listening ? S_OK : RPC_E_DISCONNECTED);
  } else if (auto* x = std::get_if<api::list_processes>(&c)) {
    std::size_t alive = 0;
    bool exact = !srv.m.extras;
    for (const auto& [pid, p] : m) {
      alive += p.l == life::alive;
      exact = exact && p.l != life::unknown;
    }
    if (exact)
      normal.add(x->max != 0 && alive > x->max ? S_FALSE : S_OK);  // S17
    else
      normal.add(S_OK).add(S_FALSE);
  } else if (auto* x = std::get_if<api::describe_process>(&c)) {
    auto p = m.find(x->pid);
    if (p != m.end() && p->second.l == life::alive)
      normal.add(S_OK);
    else if (p != m.end() && p->second.l == life::dead)
      normal.any_failure();
    else
      normal.add(S_OK).any_failure();
  } else if (auto* x = std::get_if<api::attach>(&c)) {
    auto t = en.targets.find(x->pid);
    auto p = m.find(x->pid);
    if (t != en.targets.end() && !t->second.maybe) {
      normal.any_failure();  // Already this engine's target.
    } else if (t == en.targets.end() && p != m.end() && p->second.l == life::alive) {
      normal.add(p->second.owner ? E_ACCESSDENIED : S_OK);
    } else if (t == en.targets.end() && p != m.end() && p->second.l == life::dead) {
      normal.any_failure();
    } else {
      normal.add(S_OK).add(E_ACCESSDENIED).any_failure();
    }
  } else if (std::holds_alternative<api::create_process>(c)) {
    normal.add(S_OK);
  } else if (auto* x = std::get_if<api::find_process>(&c)) {
    normal = predict_find(srv.m, *x);
  } else {
    normal.any_failure();  // Calls the generated commands never make.
  }
  if (normal.rule().empty())
    normal.because(std::holds_alternative<api::end_server>(c) ? "S8"
                   : std::holds_alternative<api::list_processes>(c) ||
                           std::holds_alternative<api::find_process>(c)
                       ? "S17"
                       : "S20");

  if (r.f == fate::gone)  // S8, S10, S19, S22: the engine knows; nothing is sent.
    return allowed{RPC_E_DISCONNECTED}.because("S22");
  if (certain(r))
    return normal;
  allowed a = trouble();
  if ((r.f == fate::ok || r.f == fate::doubt) && srv.st == server_state::listening &&
      srv.incarnation == r.incarnation)
    a.add(normal);  // The session may have survived.
  return a;
}

allowed model::predict_connect(std::size_t e, const connect_intent& ci) const {
  if (ci.kind == connect_kind::malformed)
    return allowed{E_INVALIDARG}.because("S2");
  const auto& srv = servers_[ci.server];
  const auto& en = engines_[e];
  allowed a;
  if (ci.kind != connect_kind::wrong_port && srv.st == server_state::crashed) {
    // The harness crashes machines (how: machine): a machine that is off answers nothing (S3).
    a.add(ERROR_SEM_TIMEOUT).because("S3");
  } else if (ci.kind == connect_kind::wrong_port || srv.st != server_state::listening) {
    a.add(RPC_S_SERVER_UNAVAILABLE).because(ci.kind == connect_kind::wrong_port ? "S3" : "S8");
  } else if (en.version != protocol::protocol_version) {
    a.add(RPC_E_VERSION_MISMATCH).because("S4");  // Another remoting protocol version.
  } else if (!srv.password.empty() && ci.kind != connect_kind::good) {
    a.add(E_FAIL).because("S4");  // S4, S14
  } else if (srv.clicon && srv.had_client) {
    a.add(RPC_S_SERVER_UNAVAILABLE).because("S16");  // One client only.
  } else {
    a.add(S_OK).because("S1");
  }
  // S16: once its one client came, a reverse-connection server refuses every other connect,
  // and ends when that session ends (then nothing listens: refused before any other check).
  if (srv.clicon && (srv.had_client || srv.client_unsure) && ci.kind != connect_kind::wrong_port)
    a.add(RPC_S_SERVER_UNAVAILABLE).because(a.rule());
  if (srv.unsure)
    a.add(RPC_S_SERVER_UNAVAILABLE);
  if (degraded(e, ci.server))
    a.add(ERROR_SEM_TIMEOUT).because(a.rule().empty() ? "S3" : a.rule());  // S3: no answer.
  return a;
}

allowed model::predict_find(const machine_model& mm, const api::find_process& x) const {
  // S17: E_NOINTERFACE for no match; S_FALSE with the first for several when only one was asked
  // for; S_OK otherwise. Processes in doubt may or may not match.
  std::size_t sure = 0, maybe = 0;
  for (const auto& [pid, p] : mm.procs) {
    if (p.exe != x.exe)
      continue;
    sure += p.l == life::alive;
    maybe += p.l == life::unknown;
  }
  if (mm.extras)
    maybe += 2;
  allowed a;
  auto add_for = [&](std::size_t n) {
    a.add(n == 0 ? E_NOINTERFACE : n > 1 && x.only_match ? S_FALSE : S_OK);
  };
  for (std::size_t n = sure; n <= sure + maybe && n <= sure + 2; ++n)
    add_for(n);
  return a.because("S17");
}

allowed model::predict_local(const engine_model& en, const api::call& c) const {
  const auto& m = en.local.procs;
  if (auto* x = std::get_if<api::find_process>(&c))
    return predict_find(en.local, *x);
  if (auto* x = std::get_if<api::list_processes>(&c)) {
    std::size_t alive = 0;
    for (const auto& [pid, p] : m)
      alive += p.l == life::alive;
    return {x->max != 0 && alive > x->max ? S_FALSE : S_OK};
  }
  if (auto* x = std::get_if<api::describe_process>(&c)) {
    auto p = m.find(x->pid);
    if (p != m.end() && p->second.l == life::alive)
      return {S_OK};
    return allowed{}.any_failure();
  }
  if (auto* x = std::get_if<api::attach>(&c)) {
    auto p = m.find(x->pid);
    if (p == m.end() || p->second.l != life::alive)
      return allowed{}.any_failure();
    allowed a{p->second.local_owner ? E_ACCESSDENIED : S_OK};
    auto t = en.targets.find(x->pid);
    if (t != en.targets.end() && target_certain(t->second))
      return allowed{}.any_failure();  // Already a target (pids name targets, S20).
    if (t != en.targets.end())
      a.any_failure();  // A target of the same pid elsewhere, which the engine may have lost.
    return a;
  }
  if (std::holds_alternative<api::create_process>(c))
    return {S_OK};
  return allowed{}.any_failure();
}

allowed model::predict_target_call(std::size_t e, const api::call& c) const {
  const auto& en = engines_[e];
  allowed unsure = trouble();
  unsure.add(S_OK).add(E_INVALIDARG);
  auto all_certain = [&] {
    for (const auto& [pid, t] : en.targets)
      if (!target_certain(t))
        return false;
    return true;
  };
  if (auto* x = std::get_if<api::detach>(&c)) {
    auto t = en.targets.find(x->pid);
    if (t == en.targets.end())
      return {E_INVALIDARG};  // S20, S22
    return target_certain(t->second) ? allowed{S_OK} : unsure;
  }
  if (auto* x = std::get_if<api::terminate>(&c)) {
    auto t = en.targets.find(x->pid);
    if (t == en.targets.end())
      return {E_INVALIDARG};
    return target_certain(t->second) ? allowed{S_OK} : unsure;
  }
  if (std::holds_alternative<api::detach_all>(c) || std::holds_alternative<api::terminate_all>(c))
    return all_certain() ? allowed{S_OK} : unsure;
  if (auto* x = std::get_if<api::end_session>(&c)) {
    if (x->mode == api::end_mode::passive || all_certain())
      return {S_OK};
    return unsure;
  }
  return {S_OK};  // set_detach_on_exit
}

// -- observations ----------------------------------------------------------------------------

std::string model::apply(std::size_t e, const api::call& c, const connect_intent* ci,
                         const api::result& r) {
  auto& en = engines_[e];
  if (std::holds_alternative<api::connect>(c)) {
    if (ci && servers_[ci->server].clicon && r.hr != S_OK && r.hr != E_FAIL &&
        r.hr != E_INVALIDARG && r.hr != RPC_E_VERSION_MISMATCH && !servers_[ci->server].had_client)
      servers_[ci->server].client_unsure = true;  // S16: the server may have taken it.
    if (r.hr != S_OK || !ci)
      return "";
    if (servers_[ci->server].clicon)
      servers_[ci->server].had_client = true;
    std::string problem;
    if (r.handle == 0 || (r.handle >> 32) == 0)
      problem = "S1: handle " + hex(r.handle) + " is zero or fits in 32 bits";
    else if (std::find(en.issued.begin(), en.issued.end(), r.handle) != en.issued.end())
      problem = "S1: handle " + hex(r.handle) + " was returned before by " + en.name;
    en.issued.push_back(r.handle);
    record rec;
    rec.engine = e;
    rec.server = ci->server;
    rec.handle = r.handle;
    rec.incarnation = servers_[ci->server].incarnation;
    rec.f = degraded(e, ci->server) || servers_[ci->server].unsure ? fate::doubt : fate::ok;
    rec.detach_on_exit = en.detach_on_exit;
    rec.options_known = rec.f == fate::ok;
    records_.push_back(rec);
    en.live[r.handle] = records_.size() - 1;
    return problem;
  }
  if (std::holds_alternative<api::detach>(c) || std::holds_alternative<api::terminate>(c) ||
      std::holds_alternative<api::detach_all>(c) || std::holds_alternative<api::terminate_all>(c) ||
      std::holds_alternative<api::end_session>(c) ||
      std::holds_alternative<api::process_options>(c)) {
    apply_target_call(e, c, r);
    return "";
  }
  const auto h = api::handle_of(c);
  if (h == 0)
    return std::holds_alternative<api::disconnect>(c) || std::holds_alternative<api::end_server>(c)
               ? ""
               : apply_local(en, c, r);
  auto live = en.live.find(h);
  if (live == en.live.end())
    return "";
  const auto rec = live->second;
  if (std::holds_alternative<api::disconnect>(c)) {
    records_[rec].handle_live = false;  // S6: dead whatever the result.
    en.live.erase(live);
    maybe_release(rec);
    return "";
  }
  return apply_remote(e, rec, c, r);
}

std::string model::check_found(const machine_model& mm, const api::find_process& x,
                               const api::result& r) const {
  if (r.hr != S_OK && r.hr != S_FALSE)
    return "";
  auto p = mm.procs.find(r.pid);
  if (p == mm.procs.end())
    return mm.extras ? "" : "S17: find " + x.exe + " gave pid " + std::to_string(r.pid) +
                                ", which the model never saw";
  if (p->second.exe != x.exe || p->second.l == life::dead)
    return "S17: find " + x.exe + " gave pid " + std::to_string(r.pid) + " (" + p->second.exe +
           (p->second.l == life::dead ? ", not running)" : ")");
  return "";
}

std::string model::apply_local(engine_model& en, const api::call& c, const api::result& r) {
  auto& m = en.local.procs;
  if (auto* x = std::get_if<api::find_process>(&c))
    return check_found(en.local, *x, r);
  if (auto* x = std::get_if<api::list_processes>(&c)) {
    if (r.hr != S_OK && r.hr != S_FALSE)
      return "";
    std::set<std::uint32_t> alive;
    for (const auto& [pid, p] : m)
      if (p.l == life::alive)
        alive.insert(pid);
    bool ok = r.total == alive.size() && r.pids.size() == std::min<std::size_t>(alive.size(), x->max);
    for (auto pid : r.pids)
      ok = ok && alive.count(pid) != 0;
    return ok ? "" : "S12: the local listing disagrees with " + en.name + "'s own process table";
  }
  if (auto* x = std::get_if<api::describe_process>(&c)) {
    auto p = m.find(x->pid);
    if (r.hr == S_OK && p != m.end() && r.exe != p->second.exe)
      return "S12: describe gave exe " + r.exe + ", the process table says " + p->second.exe;
    return "";
  }
  if (auto* x = std::get_if<api::attach>(&c)) {
    if (r.hr == S_OK) {
      m[x->pid].local_owner = true;
      en.targets[x->pid] = target{};
    }
    return "";
  }
  if (auto* x = std::get_if<api::create_process>(&c)) {
    if (r.hr != S_OK)
      return "";
    auto p = m.find(r.pid);
    if (r.pid == 0 || (p != m.end() && p->second.l == life::alive))
      return "S12: create gave pid " + std::to_string(r.pid) + ", which is already running";
    m[r.pid] = proc{first_word(x->command_line), life::alive, std::nullopt, true};
    en.targets[r.pid] = target{};
  }
  return "";
}

std::string model::apply_remote(std::size_t e, std::size_t rec, const api::call& c,
                                const api::result& r) {
  auto& en = engines_[e];
  auto& srv = servers_[records_[rec].server];
  auto& m = srv.m;
  const bool was_certain = certain(records_[rec]);
  const bool troubled = r.hr == RPC_E_DISCONNECTED || r.hr == ERROR_SEM_TIMEOUT ||
                        r.hr == RPC_S_CALL_FAILED;

  // What the answer teaches about the session.
  if (r.hr == RPC_E_DISCONNECTED && records_[rec].f != fate::gone) {
    auto& x = records_[rec];
    if (x.f == fate::ok)
      session_ended(rec, false);
    x.f = fate::gone;  // The engine knows now, and has lost the session's targets (S22).
    lose_targets(rec, true);
  } else if (!troubled && records_[rec].f == fate::doubt && !degraded(e, records_[rec].server) &&
             !srv.unsure && srv.st == server_state::listening) {
    records_[rec].f = fate::ok;  // The server served it: alive at both ends again.
  }

  if (std::holds_alternative<api::end_server>(c)) {
    if (r.hr == S_OK) {
      srv.st = server_state::shutting_down;  // S8
      for (std::size_t i = 0; i < records_.size(); ++i) {
        auto& q = records_[i];
        if (q.server != records_[rec].server || q.f == fate::gone || q.f == fate::dead)
          continue;
        const bool exact = q.f == fate::ok && !degraded(q.engine, q.server) && !srv.unsure;
        session_ended(i, exact);  // Ended by the engine's disconnect frame, or at the grace.
        q.f = exact ? fate::gone : fate::dead;
        lose_targets(i, exact);  // S22: lost at the notice.
      }
    } else if (troubled && records_[rec].f != fate::gone) {
      srv.unsure = true;  // The request may have got through.
      for (std::size_t i = 0; i < records_.size(); ++i) {
        auto& q = records_[i];
        if (q.server == records_[rec].server && q.f == fate::ok) {
          q.f = fate::doubt;
          session_ended(i, false);
        }
      }
    }
    return "";
  }
  if (auto* x = std::get_if<api::list_processes>(&c)) {
    if (r.hr != S_OK && r.hr != S_FALSE)
      return "";
    std::size_t alive = 0, unknown = 0;
    for (const auto& [pid, p] : m.procs) {
      alive += p.l == life::alive;
      unknown += p.l == life::unknown;
    }
    std::string problem;
    if (r.total < alive || (!m.extras && r.total > alive + unknown))
      problem = "S17: listing " + srv.name + " gave total " + std::to_string(r.total) +
                ", the model has " + std::to_string(alive) + " running and " +
                std::to_string(unknown) + " in doubt";
    if (r.pids.size() != std::min<std::size_t>(r.total, x->max))
      problem = "S17: listing returned " + std::to_string(r.pids.size()) + " pids of " +
                std::to_string(r.total) + " with room for " + std::to_string(x->max);
    for (auto pid : r.pids) {
      auto p = m.procs.find(pid);
      if ((p != m.procs.end() && p->second.l == life::dead) || (p == m.procs.end() && !m.extras))
        problem = "S17: listing " + srv.name + " shows pid " + std::to_string(pid) +
                  ", which the model says is not running";
    }
    return problem;
  }
  if (auto* x = std::get_if<api::find_process>(&c))
    return check_found(m, *x, r);
  if (auto* x = std::get_if<api::describe_process>(&c)) {
    auto p = m.procs.find(x->pid);
    if (r.hr == S_OK && p != m.procs.end() && r.exe != p->second.exe)
      return "S17: describe " + std::to_string(x->pid) + " gave exe " + r.exe + ", expected " +
             p->second.exe;
    return "";
  }
  const bool still_certain = certain(records_[rec]);
  if (auto* x = std::get_if<api::attach>(&c)) {
    auto found = m.procs.find(x->pid);
    if (found == m.procs.end()) {
      if (r.hr == S_OK)
        return "S20: attach gave S_OK for pid " + std::to_string(x->pid) + ", which never ran on " +
               srv.name;
      return "";
    }
    auto& p = found->second;
    if (r.hr == S_OK) {
      p.l = still_certain ? life::alive : life::unknown;
      p.owner = still_certain ? std::optional<std::size_t>(rec) : std::nullopt;
      en.targets[x->pid] = target{rec, false};
      records_[rec].options_known = true;  // S21: the attach carried the engine's options.
      records_[rec].detach_on_exit = en.detach_on_exit;
    } else if ((troubled || !was_certain) && p.l == life::alive && !p.owner) {
      p.l = life::unknown;  // The request may have attached it before the answer was lost.
    }
    return "";
  }
  if (auto* x = std::get_if<api::create_process>(&c)) {
    if (r.hr == S_OK) {
      auto p = m.procs.find(r.pid);
      if (r.pid == 0 || (p != m.procs.end() && p->second.l == life::alive))
        return "S20: create on " + srv.name + " gave pid " + std::to_string(r.pid) +
               ", which is already running";
      m.procs[r.pid] = proc{first_word(x->command_line),
                            still_certain ? life::alive : life::unknown,
                            still_certain ? std::optional<std::size_t>(rec) : std::nullopt,
                            false};
      en.targets[r.pid] = target{rec, false};
      records_[rec].options_known = true;
      records_[rec].detach_on_exit = en.detach_on_exit;
    } else if (troubled || !was_certain) {
      m.extras = true;  // The process may exist though its reply was lost.
    }
  }
  return "";
}

void model::end_target(std::size_t e, std::uint32_t pid, bool kill) {
  auto& en = engines_[e];
  auto t = en.targets.find(pid);
  if (t == en.targets.end())
    return;
  const auto rec = t->second.rec;
  auto& m = rec ? servers_[records_[*rec].server].m : en.local;
  auto& p = m.procs[pid];
  p.owner.reset();
  p.local_owner = false;
  p.l = kill ? life::dead : life::alive;
  en.targets.erase(t);
  if (rec)
    maybe_release(*rec);
}

void model::apply_target_call(std::size_t e, const api::call& c, const api::result& r) {
  auto& en = engines_[e];
  // Ends targets one by one: certain ones as asked; the others as the answer allows.
  auto end_each = [&](const std::vector<std::uint32_t>& pids, bool kill, bool group_ok) {
    for (auto pid : pids) {
      auto t = en.targets.find(pid);
      if (t == en.targets.end())
        continue;
      if (target_certain(t->second) || (group_ok && r.hr == S_OK)) {
        end_target(e, pid, kill);
        continue;
      }
      const auto rec = t->second.rec;
      auto& m = rec ? servers_[records_[*rec].server].m : en.local;
      auto& p = m.procs[pid];
      p.owner.reset();
      p.l = life::unknown;
      if (group_ok && r.hr == E_INVALIDARG) {
        // S20, S22: not (or no longer) attached through its session, say the engine or the
        // server (a retry after a lost reply, the first request having gone through): the
        // engine drops the target, which may release the session.
        en.targets.erase(t);
        if (rec)
          maybe_release(*rec);
        continue;
      }
      // No answer, or one of a group: the engine may still count it as a target.
      t->second.maybe = true;
    }
  };
  if (auto* x = std::get_if<api::detach>(&c))
    return end_each({x->pid}, false, true);
  if (auto* x = std::get_if<api::terminate>(&c))
    return end_each({x->pid}, true, true);
  if (std::holds_alternative<api::detach_all>(c))
    return end_each(targets(e), false, false);
  if (std::holds_alternative<api::terminate_all>(c))
    return end_each(targets(e), true, false);
  if (auto* x = std::get_if<api::end_session>(&c)) {
    if (x->mode != api::end_mode::passive)
      end_each(targets(e), x->mode == api::end_mode::active_terminate, false);
    // The passive part: every remaining target is dropped without detach or terminate. Local
    // ones follow the engine's own detach-on-exit at once; remote ones stay attached to their
    // session until the server ends it (S21).
    for (auto pid : targets(e)) {
      auto t = en.targets.at(pid);
      en.targets.erase(pid);
      if (!t.rec) {
        auto& p = en.local.procs[pid];
        p.local_owner = false;
        p.l = en.detach_on_exit ? life::alive : life::dead;
        continue;
      }
      if (t.maybe) {
        auto& p = servers_[records_[*t.rec].server].m.procs[pid];
        p.owner.reset();
        p.l = life::unknown;
      }
      maybe_release(*t.rec);
    }
    return;
  }
  if (auto* x = std::get_if<api::process_options>(&c)) {
    en.detach_on_exit = x->detach_on_exit;
    // S21: sent to every held session without waiting; only a healthy link surely delivers it.
    for (auto& q : records_) {
      if (q.engine != e || q.released || q.f == fate::gone)
        continue;
      if (certain(q)) {
        q.detach_on_exit = x->detach_on_exit;
        q.options_known = true;
      } else {
        q.options_known = false;
      }
    }
  }
}

// -- convergence ----------------------------------------------------------------------------

std::vector<std::string> model::convergence(const world& w) const {
  std::vector<std::string> out;
  for (std::size_t e = 0; e < engines_.size(); ++e) {
    const auto& en = engines_[e];
    if (en.crashed)
      continue;  // It has no state left to compare.
    const auto v = w.inspect_engine(en.name);
    std::vector<std::uint64_t> live;
    for (const auto& [h, rec] : en.live)
      live.push_back(h);
    if (v.live_handles != live)
      out.push_back(en.name + ": " + std::to_string(v.live_handles.size()) +
                    " live handles, the model has " + std::to_string(live.size()) + " (S6)");
    std::set<std::uint32_t> actual(v.local_targets.begin(), v.local_targets.end());
    for (const auto& s : v.sessions)
      actual.insert(s.targets.begin(), s.targets.end());
    for (const auto& [pid, t] : en.targets)
      if (target_certain(t) && actual.count(pid) == 0)
        out.push_back(en.name + ": target " + std::to_string(pid) + " is missing (S20)");
    for (auto pid : actual)
      if (en.targets.count(pid) == 0)
        out.push_back(en.name + ": target " + std::to_string(pid) +
                      " should have been detached, terminated or lost (S20, S22)");
  }
  for (std::size_t s = 0; s < servers_.size(); ++s) {
    const auto& srv = servers_[s];
    const auto v = w.inspect_server(srv.name);
    for (std::size_t e = 0; e < engines_.size(); ++e) {
      std::size_t lower = 0, upper = 0, actual = 0;
      for (const auto& r : records_) {
        if (r.engine != e || r.server != s || r.released || r.incarnation != srv.incarnation)
          continue;
        lower += certain(r);
        upper += r.f == fate::ok || r.f == fate::doubt;
      }
      for (const auto& ss : v.sessions)
        actual += ss.engine == engines_[e].name;
      if (srv.st == server_state::crashed)
        lower = upper = 0;
      if (actual < lower || actual > upper)
        out.push_back(srv.name + ": " + std::to_string(actual) + " sessions of " +
                      engines_[e].name + ", the model allows " + std::to_string(lower) + ".." +
                      std::to_string(upper) + " (S7)");
    }
    std::map<std::uint32_t, std::string> attached;
    for (const auto& ss : v.sessions)
      for (auto pid : ss.attached)
        attached[pid] = ss.engine;
    for (const auto& [pid, p] : srv.m.procs) {
      auto a = attached.find(pid);
      if (p.l == life::alive && p.owner && srv.st != server_state::crashed &&
          (a == attached.end() || a->second != engines_[records_[*p.owner].engine].name))
        out.push_back(srv.name + ": process " + std::to_string(pid) +
                      " should be attached through " +
                      engines_[records_[*p.owner].engine].name + "'s session (S20)");
      if (p.l != life::unknown && !p.owner && a != attached.end())
        out.push_back(srv.name + ": process " + std::to_string(pid) +
                      " is still attached after its session ended (S21)");
    }
  }
  return out;
}

}  // namespace dbgsim::props
