#include "actors/actor_io.hpp"

#include "protocol/codec.hpp"

#include <utility>
#include <variant>

namespace dbgsim {

frame_port::frame_port(environment* env, symbol name, symbol machine)
    : env_(env), name_(name), machine_(machine) {}

void frame_port::record(event e) {
  e.actor = name_;
  env_->record(std::move(e));
}

packet frame_port::outgoing(const route& r, bool to_server, symbol to_machine,
                            const protocol::frame& f, symbol peer, std::uint64_t call) {
  packet p;
  p.via = r;
  p.to_server = to_server;
  p.from_machine = machine_;
  p.to_machine = to_machine;
  p.bytes = protocol::encode(f);
  p.id = env_->next_frame_id();
  record(frame_sent_event(f, peer, r.conn, p.bytes.size(), p.id, call));
  return p;
}

std::optional<protocol::frame> frame_port::receive(const packet& p, const std::string& peer) {
  auto decoded = protocol::decode(p.bytes);
  if (auto* d = std::get_if<protocol::decoded>(&decoded))
    return std::move(d->value);
  const auto& err = std::get<protocol::decode_error>(decoded);
  event e;
  e.kind = event_kind::frame_dropped;
  e.peer = peer;
  e.conn = p.via.conn;
  e.reason = reason_kind::decode_error;
  e.detail = std::string(protocol::name_of(err.code)) + " at byte " + std::to_string(err.offset) +
             ": " + err.detail;
  record(std::move(e));
  return std::nullopt;
}

link_handle frame_port::link_to(symbol far_machine) {
  if (far_machine == first_machine_)
    return first_link_;
  if (!first_link_) {
    first_machine_ = far_machine;
    first_link_ = env_->link_between(machine_, far_machine);
    return first_link_;
  }
  auto i = more_links_.find(far_machine);
  if (i == more_links_.end())
    i = more_links_.emplace(far_machine, env_->link_between(machine_, far_machine)).first;
  return i->second;
}

}  // namespace dbgsim
