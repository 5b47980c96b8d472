#include "scenario/scenario.hpp"

#include <string>
#include <utility>

namespace dbgsim {
namespace {

template <class... Fs>
struct overloaded : Fs... {
  using Fs::operator()...;
};
template <class... Fs>
overloaded(Fs...) -> overloaded<Fs...>;

}  // namespace

scenario_error::scenario_error(std::string file, source_pos pos, const std::string& message)
    : std::runtime_error(pos.line > 0 ? file + ":" + std::to_string(pos.line) + ":" +
                                            std::to_string(pos.col) + ": " + message
                                      : file + ": " + message),
      file_(std::move(file)),
      pos_(pos),
      message_(message) {}

std::string_view action_name(const step_action& a) {
  return std::visit(
      overloaded{
          [](const action::connect&) { return std::string_view{"connect"}; },
          [](const action::disconnect&) { return std::string_view{"disconnect"}; },
          [](const action::end_server&) { return std::string_view{"end_server"}; },
          [](const action::list_processes&) { return std::string_view{"list_processes"}; },
          [](const action::find_process&) { return std::string_view{"find_process"}; },
          [](const action::describe_process&) { return std::string_view{"describe_process"}; },
          [](const action::attach&) { return std::string_view{"attach"}; },
          [](const action::create_process&) { return std::string_view{"create_process"}; },
          [](const action::detach&) { return std::string_view{"detach"}; },
          [](const action::terminate&) { return std::string_view{"terminate"}; },
          [](const action::detach_all&) { return std::string_view{"detach_all"}; },
          [](const action::terminate_all&) { return std::string_view{"terminate_all"}; },
          [](const action::end_session&) { return std::string_view{"end_session"}; },
          [](const action::process_options&) { return std::string_view{"process_options"}; },
          [](const action::start_server&) { return std::string_view{"start_server"}; },
          [](const action::wait_server_end&) { return std::string_view{"wait_server_end"}; },
          [](const action::partition&) { return std::string_view{"partition"}; },
          [](const action::heal&) { return std::string_view{"heal"}; },
          [](const action::reset&) { return std::string_view{"reset"}; },
          [](const action::half_open&) { return std::string_view{"half_open"}; },
          [](const action::set_link&) { return std::string_view{"set_link"}; },
          [](const action::crash&) { return std::string_view{"crash"}; },
          [](const action::restart&) { return std::string_view{"restart"}; },
          [](const action::exit_process&) { return std::string_view{"exit_process"}; },
          [](const action::check&) { return std::string_view{"check"}; },
      },
      a);
}

}  // namespace dbgsim
