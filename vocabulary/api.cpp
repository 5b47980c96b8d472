#include "vocabulary/api.hpp"

namespace dbgsim::api {
namespace {

template <class... Fs>
struct overloaded : Fs... {
  using Fs::operator()...;
};
template <class... Fs>
overloaded(Fs...) -> overloaded<Fs...>;

}  // namespace

std::string_view name_of(const call& c) {
  return std::visit(
      overloaded{
          [](const connect&) { return std::string_view{"connect"}; },
          [](const disconnect&) { return std::string_view{"disconnect"}; },
          [](const end_server&) { return std::string_view{"end_server"}; },
          [](const list_processes&) { return std::string_view{"list_processes"}; },
          [](const find_process&) { return std::string_view{"find_process"}; },
          [](const describe_process&) { return std::string_view{"describe_process"}; },
          [](const attach&) { return std::string_view{"attach"}; },
          [](const create_process&) { return std::string_view{"create_process"}; },
          [](const detach&) { return std::string_view{"detach"}; },
          [](const terminate&) { return std::string_view{"terminate"}; },
          [](const detach_all&) { return std::string_view{"detach_all"}; },
          [](const terminate_all&) { return std::string_view{"terminate_all"}; },
          [](const end_session&) { return std::string_view{"end_session"}; },
          [](const set_detach_on_exit&) { return std::string_view{"set_detach_on_exit"}; },
          [](const start_server&) { return std::string_view{"start_server"}; },
          [](const wait_server_end&) { return std::string_view{"wait_server_end"}; },
      },
      c);
}

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

std::string_view name_of(end_mode m) {
  switch (m) {
    case end_mode::passive: return "passive";
    case end_mode::active_detach: return "active_detach";
    case end_mode::active_terminate: return "active_terminate";
  }
  return "?";
}

}  // namespace dbgsim::api
