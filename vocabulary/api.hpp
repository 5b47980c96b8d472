// The engine's API: the process-server subset of IDebugClient, as values. The world sends one
// api_call to an engine and gets one api_result back (rule S15: always, within its bound).
#pragma once

#include "protocol/hresult.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace dbgsim::api {

/// ConnectProcessServer(options, &handle).
struct connect { std::string options; };
/// DisconnectProcessServer(handle).
struct disconnect { std::uint64_t handle = 0; };
/// EndProcessServer(handle).
struct end_server { std::uint64_t handle = 0; };
/// GetRunningProcessSystemIds(handle, ids, max, &total); handle 0 is the engine's machine.
struct list_processes { std::uint64_t handle = 0; std::uint32_t max = 64; };
/// GetRunningProcessSystemIdByExecutableName(handle, exe, flags, &pid).
struct find_process { std::uint64_t handle = 0; std::string exe; bool only_match = false; };
/// GetRunningProcessDescription(handle, pid, ...).
struct describe_process { std::uint64_t handle = 0; std::uint32_t pid = 0; };
/// AttachProcess(handle, pid, flags): the process becomes a target (S20).
struct attach { std::uint64_t handle = 0; std::uint32_t pid = 0; };
/// CreateProcess(handle, command line, flags): the new process becomes a target (S20).
struct create_process { std::uint64_t handle = 0; std::string command_line; };
/// DetachCurrentProcess for the target `pid`.
struct detach { std::uint32_t pid = 0; };
/// TerminateCurrentProcess for the target `pid`.
struct terminate { std::uint32_t pid = 0; };
/// DetachProcesses: every target.
struct detach_all {};
/// TerminateProcesses: every target.
struct terminate_all {};
/// EndSession(flags).
enum class end_mode : std::uint8_t { passive, active_detach, active_terminate };
struct end_session { end_mode mode = end_mode::passive; };
/// AddProcessOptions / RemoveProcessOptions of DEBUG_PROCESS_DETACH_ON_EXIT (S21).
struct set_detach_on_exit { bool on = false; };
/// StartProcessServer(flags, options): a server on the engine's own machine (S13).
struct start_server { std::string options; };
/// WaitForProcessServerEnd(timeout in ms) (S13).
struct wait_server_end { std::uint32_t timeout_ms = 0; };

/// One API call.
using call = std::variant<connect, disconnect, end_server, list_processes, find_process,
                          describe_process, attach, create_process, detach, terminate, detach_all,
                          terminate_all, end_session, set_detach_on_exit, start_server,
                          wait_server_end>;

/// The outcome of a call; fields other than `hr` are set by the calls that return them.
struct result {
  protocol::hresult hr;
  std::uint64_t handle = 0;         ///< connect: the new server handle.
  std::vector<std::uint32_t> pids;  ///< list_processes: up to `max` ids.
  std::uint32_t total = 0;          ///< list_processes: how many there are.
  std::uint32_t pid = 0;            ///< find_process, create_process.
  std::string exe;                  ///< describe_process.
  std::string description;          ///< describe_process.
  friend bool operator==(const result&, const result&) = default;
};

/// A result carrying only an HRESULT.
inline result status(protocol::hresult hr) {
  result r;
  r.hr = hr;
  return r;
}

/// The call's name as in traces and scenario files ("connect", "end_server", ...).
std::string_view name_of(const call& c);

/// The server handle a call goes through, or 0 (also for calls that take none).
std::uint64_t handle_of(const call& c);

/// The name of an end_session mode ("passive", "active_detach", "active_terminate").
std::string_view name_of(end_mode m);

}  // namespace dbgsim::api
