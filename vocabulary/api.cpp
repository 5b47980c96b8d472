#include "vocabulary/api.hpp"

#include <array>

namespace dbgsim::api {
namespace {

#define DBGSIM_CALL_METHOD(id, name, method) std::string_view{method},
constexpr std::array methods{DBGSIM_CALLS(DBGSIM_CALL_METHOD)};
#undef DBGSIM_CALL_METHOD

}  // namespace

std::uint64_t handle_of(const call& c) {
  return std::visit(
      [](const auto& x) -> std::uint64_t {
        if constexpr (requires { x.handle; })
          return x.handle;
        else
          return 0;
      },
      c);
}

std::uint32_t pid_of(const call& c) {
  return std::visit(
      [](const auto& x) -> std::uint32_t {
        if constexpr (requires { x.pid; })
          return x.pid;
        else
          return 0;
      },
      c);
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
