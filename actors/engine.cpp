#include "actors/engine.hpp"

#include "actors/messages.hpp"
#include "protocol/codec.hpp"

#include <caf/all.hpp>

#include <map>
#include <memory>

namespace dbgsim {
namespace {

// The io the core sees; owned by the actor's behaviour (shared by its handlers).
class engine_actor_io final : public engine_io {
public:
  engine_actor_io(engine_handle::pointer self, environment* env, const engine_config& config)
      : self_(self), env_(env), name_(config.name), machine_(config.machine) {}

  sim_time now() const override { return env_->now(); }

  void record(event e) override {
    e.actor = name_;
    env_->record(std::move(e));
  }

  void send(const route& r, const protocol::frame& f, std::uint64_t call) override {
    packet p;
    p.via = r;
    p.to_server = true;
    p.from_machine = machine_;
    p.to_machine = r.server_machine;
    p.bytes = protocol::encode(f);
    p.id = env_->next_frame_id();
    event e;
    e.kind = event_kind::frame_sent;
    e.peer = r.server_machine;
    e.conn = r.conn;
    e.session = f.session;
    e.incarnation = f.incarnation;
    e.what = protocol::type_of(f.body);
    e.call = call;
    e.value = p.bytes.size();
    e.frame = p.id;
    record(std::move(e));
    self_->send(link_to(r.server_machine), std::move(p));
  }

  void start_timer(std::uint64_t id, sim_time after) override {
    self_->delayed_send(self_, after, timer_atom::value, id);
  }

  void complete(std::uint64_t call, api::result r) override {
    auto i = pending_.find(call);
    if (i == pending_.end())
      return;  // Completed twice: the core broke S15; the oracle reports the missing one.
    i->second.deliver(std::move(r));
    pending_.erase(i);
  }

  machine& local_machine() override { return env_->machine_named(machine_); }

  std::string machine_named_by(const std::string& name) const override {
    return env_->machine_named_by(name);
  }

  protocol::hresult start_server(const std::string& options, std::string& name) override {
    return env_->start_server(name_, machine_, options, name);
  }

  /// Keeps the call's promise until complete(). The world records the call and its result.
  void begin(std::uint64_t call, caf::response_promise promise) {
    pending_.emplace(call, std::move(promise));
  }

  /// Answers every call still open with `hr` (the engine crashed: its caller is gone too).
  void abandon_all(protocol::hresult hr) {
    while (!pending_.empty())
      complete(pending_.begin()->first, api::status(hr));
  }

private:
  // Links live as long as the world, so each one found is kept: a frame then costs one lookup
  // keyed by the far machine instead of the world's lookup by both machines' names.
  link_handle link_to(const std::string& far_machine) {
    auto i = links_.find(far_machine);
    if (i == links_.end())
      i = links_.emplace(far_machine, env_->link_between(machine_, far_machine)).first;
    return i->second;
  }

  engine_handle::pointer self_;
  environment* env_;
  std::string name_;
  std::string machine_;
  std::map<std::string, link_handle, std::less<>> links_;  ///< By far machine.
  std::map<std::uint64_t, caf::response_promise> pending_;
};

// The io and the core live as long as the behaviour; the core refers to the io, hence one box.
struct engine_box {
  engine_box(engine_handle::pointer self, environment* env, engine_config config)
      : io(self, env, config), core(std::move(config), io) {}
  engine_actor_io io;
  engine_core core;
  bool crashed = false;
};

}  // namespace

engine_factory reference_engine() {
  return [](caf::actor_system& system, environment* env, const engine_config& config) {
    return system.spawn(engine_actor, env, config);
  };
}

engine_handle::behavior_type engine_actor(engine_handle::pointer self, environment* env,
                                          engine_config config) {
  const std::string name = config.name;
  auto box = std::make_shared<engine_box>(self, env, std::move(config));
  env->register_engine(name, [box] { return box->core.inspect(); });
  return {
      [=](call_atom, std::uint64_t call, const api::call& c) -> caf::result<api::result> {
        auto promise = self->make_response_promise<api::result>();
        box->io.begin(call, promise);
        if (box->crashed) {
          box->io.complete(call, api::status(protocol::E_ABORT));
        } else {
          box->core.on_call(call, c);
        }
        return promise;
      },
      [=](const packet& p) {
        if (box->crashed)
          return;
        auto decoded = protocol::decode(p.bytes);
        if (auto* err = std::get_if<protocol::decode_error>(&decoded)) {
          event e;
          e.kind = event_kind::frame_dropped;
          e.peer = p.from_machine;
          e.conn = p.via.conn;
          e.reason = reason_kind::decode_error;
          e.detail = std::string(protocol::name_of(err->code)) + " at byte " +
                     std::to_string(err->offset) + ": " + err->detail;
          box->io.record(std::move(e));
          return;
        }
        box->core.on_frame(p.via, std::get<protocol::decoded>(decoded).value);
      },
      [=](reset_atom, const route& r) {
        if (!box->crashed)
          box->core.on_reset(r);
      },
      [=](refused_atom, const route& r) {
        if (!box->crashed)
          box->core.on_refused(r);
      },
      [=](timer_atom, std::uint64_t id) {
        if (!box->crashed)
          box->core.on_timer(id);
      },
      [=](exited_atom, std::uint32_t pid) {
        if (!box->crashed)
          box->core.on_local_process_exited(pid);
      },
      [=](srv_end_atom, const std::string& server) {
        if (!box->crashed)
          box->core.on_server_ended(server);
      },
      [=](crash_atom) {
        if (box->crashed)
          return;
        box->crashed = true;
        box->core.crash();
        box->io.abandon_all(protocol::E_ABORT);
      },
  };
}

}  // namespace dbgsim
