#include "protocol/message.hpp"

#include <array>
#include <type_traits>

namespace dbgsim::protocol {
namespace {

struct type_entry {
  message_type type;
  std::string_view name;
};

// One entry per alternative of `message`, in the variant's order.
constexpr std::array<type_entry, 29> type_table{{
    {message_type::connect_request, "connect_request"},
    {message_type::connect_accepted, "connect_accepted"},
    {message_type::connect_refused, "connect_refused"},
    {message_type::disconnect_request, "disconnect_request"},
    {message_type::disconnect_ack, "disconnect_ack"},
    {message_type::end_server_request, "end_server_request"},
    {message_type::end_server_ack, "end_server_ack"},
    {message_type::keepalive, "keepalive"},
    {message_type::keepalive_ack, "keepalive_ack"},
    {message_type::list_processes_request, "list_processes_request"},
    {message_type::list_processes_reply, "list_processes_reply"},
    {message_type::describe_process_request, "describe_process_request"},
    {message_type::describe_process_reply, "describe_process_reply"},
    {message_type::find_process_request, "find_process_request"},
    {message_type::find_process_reply, "find_process_reply"},
    {message_type::attach_request, "attach_request"},
    {message_type::attach_reply, "attach_reply"},
    {message_type::create_process_request, "create_process_request"},
    {message_type::create_process_reply, "create_process_reply"},
    {message_type::detach_request, "detach_request"},
    {message_type::detach_reply, "detach_reply"},
    {message_type::terminate_process_request, "terminate_process_request"},
    {message_type::terminate_process_reply, "terminate_process_reply"},
    {message_type::set_process_options_request, "set_process_options_request"},
    {message_type::set_process_options_ack, "set_process_options_ack"},
    {message_type::error_reply, "error_reply"},
    {message_type::unknown_session, "unknown_session"},
    {message_type::server_shutting_down, "server_shutting_down"},
    {message_type::process_exited, "process_exited"},
}};
static_assert(type_table.size() == std::variant_size_v<message>,
              "type_table needs one entry per message alternative");

template <class T>
constexpr bool has_call_id = requires(const T& t) { t.call_id; };

}  // namespace

message_type type_of(const message& m) { return type_table[m.index()].type; }

std::string_view name_of(message_type t) {
  for (const auto& e : type_table)
    if (e.type == t) return e.name;
  return "unknown";
}

std::optional<message_type> message_type_from_name(std::string_view name) {
  for (const auto& e : type_table)
    if (e.name == name) return e.type;
  return std::nullopt;
}

std::uint32_t call_id_of(const message& m) {
  return std::visit(
      [](const auto& msg) -> std::uint32_t {
        if constexpr (has_call_id<std::decay_t<decltype(msg)>>)
          return msg.call_id;
        else
          return 0;
      },
      m);
}

}  // namespace dbgsim::protocol
