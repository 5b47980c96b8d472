#include "vocabulary/api.hpp"

#include <array>

namespace dbgsim::api {
namespace {

#define DBGSIM_CALL_METHOD(id, name, method) std::string_view{method},
constexpr std::array methods{DBGSIM_CALLS(DBGSIM_CALL_METHOD)};
#undef DBGSIM_CALL_METHOD

// The field `get` reads from whichever call `c` is, or zero for the calls that have none.
template <class T, class Get>
T field_or_zero(const call& c, Get get) {
  return std::visit(
      [&](const auto& x) -> T {
        if constexpr (requires { get(x); })
          return get(x);
        else
          return T{};
      },
      c);
}

}  // namespace

std::uint64_t handle_of(const call& c) {
  return field_or_zero<std::uint64_t>(c, [](const auto& x) -> decltype(x.handle) { return x.handle; });
}

std::uint32_t pid_of(const call& c) {
  return field_or_zero<std::uint32_t>(c, [](const auto& x) -> decltype(x.pid) { return x.pid; });
}

std::string text_of(const call& c) {
  if (auto* x = std::get_if<connect>(&c))
    return x->options;
  if (auto* x = std::get_if<start_server>(&c))
    return x->options;
  if (auto* x = std::get_if<find_process>(&c))
    return x->exe;
  if (auto* x = std::get_if<create_process>(&c))
    return x->command_line;
  return {};
}

std::string_view method_of(call_kind k) { return methods[static_cast<std::size_t>(k)]; }

sim_time bound_of(const call& c, const timing& times) {
  if (std::holds_alternative<connect>(c))
    return times.connect_timeout;
  if (auto* w = std::get_if<wait_server_end>(&c))
    return std::chrono::milliseconds(w->timeout_ms);
  // Calls that touch every target may run one rpc per target, all in parallel.
  return times.rpc_timeout;
}

}  // namespace dbgsim::api
