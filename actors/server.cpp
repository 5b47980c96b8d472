#include "actors/server.hpp"

#include "actors/actor_io.hpp"
#include "actors/messages.hpp"

#include <caf/all.hpp>

#include <memory>
#include <optional>

namespace dbgsim {
namespace {

class server_actor_io final : public actor_io<server_io, server_handle> {
public:
  server_actor_io(server_handle::pointer self, environment* env, const server_config& config)
      : actor_io(self, env, config.name, config.machine) {}

  void send(const route& r, const protocol::frame& f) override {
    port_.send_to_engine(self_, r, f);
  }

  machine& host() override { return env_->machine_named(machine_); }

  void ended() override { env_->server_ended(name_); }

  /// The frame a packet carries, or nothing once its decode error is recorded.
  std::optional<protocol::frame> receive(const packet& p) { return port_.receive(p, p.via.engine); }
};

struct server_box {
  server_box(server_handle::pointer self, environment* env, server_config config,
             std::uint32_t incarnation)
      : io(self, env, config), core(std::move(config), io, incarnation) {}
  server_actor_io io;
  server_core core;
};

}  // namespace

server_factory reference_server() {
  return [](caf::actor_system& system, environment* env, const server_config& config,
            std::uint32_t incarnation) { return system.spawn(server_actor, env, config, incarnation); };
}

server_handle::behavior_type server_actor(server_handle::pointer self, environment* env,
                                          server_config config, std::uint32_t incarnation) {
  const std::string name = config.name;
  auto box = std::make_shared<server_box>(self, env, std::move(config), incarnation);
  env->register_server(name, [box] { return box->core.inspect(); });
  box->core.start();
  // The most frequent first (frames, then timers), for the reason engine.cpp gives.
  return {
      [=](const packet& p) {
        if (!box->core.running())
          return;
        if (auto f = box->io.receive(p))
          box->core.on_frame(p.via, *f);
      },
      [=](timer_atom, std::uint64_t id) { box->core.on_timer(id); },
      // The link has recorded the acceptance. The core keeps nothing per connection before its
      // connect_request: a session opens only with one (S4), on whatever connection it comes.
      [=](accept_atom, const route&) {},
      [=](reset_atom, const route& r) { box->core.on_reset(r); },
      [=](exited_atom, std::uint32_t pid) { box->core.on_process_exited(pid); },
      [=](crash_atom) { box->core.crash(); },
  };
}

}  // namespace dbgsim
