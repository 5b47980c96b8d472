#include "actors/engine.hpp"

#include "actors/actor_io.hpp"
#include "actors/messages.hpp"

#include <caf/all.hpp>

#include <map>
#include <memory>
#include <optional>

namespace dbgsim {
namespace {

// The io the core sees; owned by the actor's behaviour (shared by its handlers).
class engine_actor_io final : public actor_io<engine_io, engine_handle> {
public:
  engine_actor_io(engine_handle::pointer self, environment* env, const engine_config& config)
      : actor_io(self, env, config.name, config.machine) {}

  void open(const route& r) override { port_.open(self_, r); }

  void send(const route& r, const protocol::frame& f, std::uint64_t call) override {
    port_.send_to_server(self_, r, f, call);
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

  /// The frame a packet carries, or nothing once its decode error is recorded.
  std::optional<protocol::frame> receive(const packet& p) {
    return port_.receive(p, p.from_machine);
  }

private:
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
  // Why one handler owns the box and the others point at it: the handlers live and die together
  // with the behaviour, and a shared_ptr in each of them cost an idle engine 16 bytes a handler
  // (a world of 10,000 engines counts them).
  engine_box* const b = box.get();
  // The most frequent first (frames, timers, calls): CAF tries a message against each handler in
  // turn, and this order, with the same in the link and the server, took 1.3% off the realistic
  // world's instructions (world_bench).
  return {
      [b](const packet& p) {
        if (b->crashed)
          return;
        if (auto f = b->io.receive(p))
          b->core.on_frame(p.via, *f);
      },
      [b](timer_atom, std::uint64_t id) {
        if (!b->crashed)
          b->core.on_timer(id);
      },
      [self, b](call_atom, std::uint64_t call, const api::call& c) -> caf::result<api::result> {
        auto promise = self->make_response_promise<api::result>();
        b->io.begin(call, promise);
        if (b->crashed) {
          b->io.complete(call, api::status(protocol::E_ABORT));
        } else {
          b->core.on_call(call, c);
        }
        return promise;
      },
      [b](reset_atom, const route& r) {
        if (!b->crashed)
          b->core.on_reset(r);
      },
      [b](refused_atom, const route& r) {
        if (!b->crashed)
          b->core.on_refused(r);
      },
      [b](exited_atom, std::uint32_t pid) {
        if (!b->crashed)
          b->core.on_local_process_exited(pid);
      },
      [b](srv_end_atom, const std::string& server) {
        if (!b->crashed)
          b->core.on_server_ended(server);
      },
      [box](crash_atom) {
        if (box->crashed)
          return;
        box->crashed = true;
        box->core.crash();
        box->io.abandon_all(protocol::E_ABORT);
      },
  };
}

}  // namespace dbgsim
