#include "protocol/message.hpp"

#include <array>
#include <type_traits>

namespace dbgsim::protocol {
namespace {

#define DBGSIM_MESSAGE_ENTRY(name, code) message_type::name,
constexpr std::array type_table{DBGSIM_MESSAGES(DBGSIM_MESSAGE_ENTRY)};
#undef DBGSIM_MESSAGE_ENTRY
constexpr std::array type_names{DBGSIM_MESSAGES(DBGSIM_ROW_NAME_OF_ID)};

template <class T>
constexpr bool has_call_id = requires(const T& t) { t.call_id; };

}  // namespace

message_type type_of(const message& m) { return type_table[m.index()]; }

std::span<const message_type> all_message_types() { return type_table; }

std::string_view name_of(message_type t) {
  for (std::size_t i = 0; i < type_table.size(); ++i)
    if (type_table[i] == t) return type_names[i];
  return "unknown";
}

std::optional<message_type> message_type_from_name(std::string_view name) {
  for (std::size_t i = 0; i < type_table.size(); ++i)
    if (type_names[i] == name) return type_table[i];
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
