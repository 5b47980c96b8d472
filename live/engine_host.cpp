#include "live/engine_host.hpp"

#include <asio/post.hpp>

#include <map>
#include <utility>

namespace dbgsim::live {

struct engine_host::impl final : engine_io, std::enable_shared_from_this<engine_host::impl> {
  impl(runtime& r, engine_config c, machine& local, engine_host_options o)
      : rt(r), config(std::move(c)), host_machine(local), options(std::move(o)) {}

  runtime& rt;
  engine_config config;
  machine& host_machine;
  engine_host_options options;
  std::unique_ptr<engine_core> core;  // Made once the io is in place (it refers to *this).
  std::map<route, std::shared_ptr<connection>> conns;
  struct pending_call {
    api::call_kind kind;
    std::string program;  // The client program that made it, "" for none.
    complete_fn done;
  };
  std::map<std::uint64_t, pending_call> pending;
  std::uint64_t calls_made = 0;
  bool crashed = false;
  std::vector<std::pair<std::size_t, std::size_t>> instants;

  /// Runs one of the core's handlers and notes the events it recorded as one instant: in a world
  /// a handler's events share its time (a target's end and the release of its session, S20),
  /// while the real clock moves on between two of them.
  template <class F>
  void in_one_instant(F&& handler) {
    const auto first = rt.events().size();
    handler();
    if (rt.events().size() - first > 1)
      instants.emplace_back(first, rt.events().size());
  }

  // -- engine_io -----------------------------------------------------------------------------

  sim_time now() const override { return rt.now(); }

  void record(event e) override {
    e.actor = config.name;
    rt.record(std::move(e));
  }

  void open(const route& r) override {
    auto to = options.where ? options.where(r) : std::nullopt;
    std::weak_ptr<impl> self = weak_from_this();
    if (!to) {
      // Nothing there at all: refused, from the runtime's loop rather than inside the core.
      asio::post(rt.context(), [self, r] {
        if (auto s = self.lock(); s && !s->crashed)
          s->in_one_instant([&] { s->core->on_refused(r); });
      });
      return;
    }
    auto c = connection::connect(rt, *to);
    conns.emplace(r, c);
    connection::handlers h;
    h.on_connected = [self, r] {
      auto s = self.lock();
      if (!s || !s->options.on_connected)
        return;
      if (auto i = s->conns.find(r); i != s->conns.end())
        s->options.on_connected(r, i->second->local_port());
    };
    h.on_frame = [self, r](protocol::frame f) {
      if (auto s = self.lock(); s && !s->crashed)
        s->in_one_instant([&] { s->core->on_frame(r, f); });
    };
    h.on_closed = [self, r](close_reason why, const std::string&) {
      auto s = self.lock();
      if (!s)
        return;
      s->conns.erase(r);
      if (s->crashed || why == close_reason::closed_here || why == close_reason::reset_here)
        return;
      if (why == close_reason::refused)
        s->in_one_instant([&] { s->core->on_refused(r); });
      else
        s->in_one_instant([&] { s->core->on_reset(r); });
    };
    c->start(std::move(h));
  }

  void send(const route& r, const protocol::frame& f, std::uint64_t call) override {
    auto bytes = protocol::encode(f);
    record(frame_sent_event(f, r.server_machine, r.conn, bytes.size(), rt.next_frame_id(), call));
    // As in a world, a frame on a connection that is gone is recorded as sent and goes nowhere.
    if (auto i = conns.find(r); i != conns.end())
      i->second->send_bytes(std::move(bytes));
  }

  void start_timer(std::uint64_t id, sim_time after) override {
    std::weak_ptr<impl> self = weak_from_this();
    rt.start_timer(after, [self, id] {
      if (auto s = self.lock(); s && !s->crashed)
        s->in_one_instant([&] { s->core->on_timer(id); });
    });
  }

  void complete(std::uint64_t call, api::result r) override {
    auto i = pending.find(call);
    if (i == pending.end())
      return;  // Completed twice: the core broke S15; the oracle reports the missing one.
    auto p = std::move(i->second);
    pending.erase(i);

    event e;
    e.kind = event_kind::done;
    e.actor = config.name;
    e.call = call;
    e.api = p.kind;
    e.program = std::move(p.program);
    e.hr = r.hr;
    e.handle = r.handle;
    e.pid = r.pid;
    if (p.kind == api::call_kind::list_processes)
      e.value = r.pids.size();
    rt.record(std::move(e));
    if (p.done)
      p.done(r);
  }

  machine& local_machine() override { return host_machine; }

  std::string machine_named_by(const std::string& name) const override {
    return options.machine_named_by ? options.machine_named_by(name) : name;
  }

  protocol::hresult start_server(const std::string&, std::string&) override {
    // A process server started by the engine would be a real process on this machine; live
    // mode runs only the servers a scenario declares.
    return protocol::E_NOTIMPL;
  }

  // -- the host ------------------------------------------------------------------------------

  std::uint64_t call(api::call c, complete_fn done, std::string program) {
    const auto n = ++calls_made;
    const auto first = rt.events().size();
    event e;
    e.kind = event_kind::call;
    e.actor = config.name;
    e.call = n;
    e.api = api::kind_of(c);
    e.handle = api::handle_of(c);
    e.pid = api::pid_of(c);
    e.detail = api::text_of(c);
    e.value = static_cast<std::uint64_t>(api::bound_of(c, config.times).count());
    e.program = program;
    rt.record(std::move(e));
    pending.emplace(n, pending_call{api::kind_of(c), std::move(program), std::move(done)});
    if (crashed)
      complete(n, api::status(protocol::E_ABORT));
    else
      core->on_call(n, c);
    instants.emplace_back(first, rt.events().size());
    return n;
  }

  void crash() {
    if (crashed)
      return;
    crashed = true;
    core->crash();
    auto all = std::move(conns);
    conns.clear();
    for (auto& [r, c] : all)
      c->reset();
    while (!pending.empty())
      complete(pending.begin()->first, api::status(protocol::E_ABORT));
  }
};

engine_host::engine_host(runtime& rt, engine_config config, machine& local,
                         engine_host_options options)
    : impl_(std::make_shared<impl>(rt, std::move(config), local, std::move(options))) {
  impl_->core = std::make_unique<engine_core>(impl_->config, *impl_);
}

engine_host::~engine_host() {
  impl_->crashed = true;  // Nothing reaches the core once its host is gone.
  for (auto& [r, c] : impl_->conns)
    c->reset();
  impl_->conns.clear();
}

std::uint64_t engine_host::call(api::call c, complete_fn done, std::string program) {
  return impl_->call(std::move(c), std::move(done), std::move(program));
}

void engine_host::refused(std::uint16_t local_port) {
  for (auto& [r, c] : impl_->conns) {
    if (c->local_port() != local_port)
      continue;
    const route via = r;
    auto conn = c;
    impl_->conns.erase(via);
    conn->close();
    if (!impl_->crashed)
      impl_->in_one_instant([&] { impl_->core->on_refused(via); });
    return;
  }
}

void engine_host::crash() { impl_->crash(); }

void engine_host::process_exited(std::uint32_t pid) {
  if (!impl_->crashed)
    impl_->in_one_instant([&] { impl_->core->on_local_process_exited(pid); });
}

engine_view engine_host::inspect() const { return impl_->core->inspect(); }

std::size_t engine_host::calls_in_flight() const { return impl_->pending.size(); }

const std::string& engine_host::name() const { return impl_->config.name; }

const std::vector<std::pair<std::size_t, std::size_t>>& engine_host::instants() const {
  return impl_->instants;
}

}  // namespace dbgsim::live
