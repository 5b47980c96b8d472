#include "actors/server.hpp"

#include "actors/messages.hpp"
#include "protocol/codec.hpp"

#include <caf/all.hpp>

#include <map>
#include <memory>

namespace dbgsim {
namespace {

class server_actor_io final : public server_io {
public:
  server_actor_io(server_handle::pointer self, environment* env, const server_config& config)
      : self_(self), env_(env), name_(config.name), machine_(config.machine) {}

  sim_time now() const override { return env_->now(); }

  void record(event e) override {
    e.actor = name_;
    env_->record(std::move(e));
  }

  void send(const route& r, const protocol::frame& f) override {
    packet p;
    p.via = r;
    p.to_server = false;
    p.from_machine = machine_;
    p.to_machine = env_->machine_of_engine(r.engine);
    p.bytes = protocol::encode(f);
    p.id = env_->next_frame_id();
    event e;
    e.kind = event_kind::frame_sent;
    e.peer = r.engine;
    e.conn = r.conn;
    e.session = f.session;
    e.incarnation = f.incarnation;
    e.what = protocol::type_of(f.body);
    e.value = p.bytes.size();
    e.frame = p.id;
    record(std::move(e));
    if (p.to_machine.empty())
      return;  // The engine is gone for good; nothing carries the frame anywhere.
    self_->send(link_to(p.to_machine), std::move(p));
  }

  void start_timer(std::uint64_t id, sim_time after) override {
    self_->delayed_send(self_, after, timer_atom::value, id);
  }

  machine& host() override { return env_->machine_named(machine_); }

  void ended() override { env_->server_ended(name_); }

private:
  // Links live as long as the world, so each one found is kept: a frame then costs one lookup
  // keyed by the far machine instead of the world's lookup by both machines' names.
  link_handle link_to(const std::string& far_machine) {
    auto i = links_.find(far_machine);
    if (i == links_.end())
      i = links_.emplace(far_machine, env_->link_between(machine_, far_machine)).first;
    return i->second;
  }

  server_handle::pointer self_;
  environment* env_;
  std::string name_;
  std::string machine_;
  std::map<std::string, link_handle, std::less<>> links_;  ///< By far machine.
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
  return {
      [=](const packet& p) {
        if (!box->core.running())
          return;
        auto decoded = protocol::decode(p.bytes);
        if (auto* err = std::get_if<protocol::decode_error>(&decoded)) {
          event e;
          e.kind = event_kind::frame_dropped;
          e.peer = p.via.engine;
          e.conn = p.via.conn;
          e.reason = reason_kind::decode_error;
          e.detail = std::string(protocol::name_of(err->code)) + " at byte " +
                     std::to_string(err->offset) + ": " + err->detail;
          box->io.record(std::move(e));
          return;
        }
        box->core.on_frame(p.via, std::get<protocol::decoded>(decoded).value);
      },
      [=](reset_atom, const route& r) { box->core.on_reset(r); },
      [=](timer_atom, std::uint64_t id) { box->core.on_timer(id); },
      [=](exited_atom, std::uint32_t pid) { box->core.on_process_exited(pid); },
      [=](crash_atom) { box->core.crash(); },
  };
}

}  // namespace dbgsim
