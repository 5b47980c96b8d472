// The engine's API: the process-server subset of IDebugClient, as values. The world sends one
// api_call to an engine and gets one api_result back (rule S15: always, within its bound).
#pragma once

#include "protocol/hresult.hpp"
#include "vocabulary/names.hpp"
#include "vocabulary/timing.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

// The table of API calls: identifier (also the struct below and the scenario action), the name in
// traces and scenario files, and the IDebugClient method it models.
#define DBGSIM_CALLS(X)                                                            \
  X(connect, "connect", "ConnectProcessServer")                                    \
  X(disconnect, "disconnect", "DisconnectProcessServer")                           \
  X(end_server, "end_server", "EndProcessServer")                                  \
  X(list_processes, "list_processes", "GetRunningProcessSystemIds")                \
  X(find_process, "find_process", "GetRunningProcessSystemIdByExecutableName")     \
  X(describe_process, "describe_process", "GetRunningProcessDescription")          \
  X(attach, "attach", "AttachProcess")                                             \
  X(create_process, "create_process", "CreateProcess")                             \
  X(detach, "detach", "DetachCurrentProcess")                                      \
  X(terminate, "terminate", "TerminateCurrentProcess")                             \
  X(detach_all, "detach_all", "DetachProcesses")                                   \
  X(terminate_all, "terminate_all", "TerminateProcesses")                          \
  X(end_session, "end_session", "EndSession")                                      \
  X(process_options, "process_options", "AddProcessOptions / RemoveProcessOptions") \
  X(start_server, "start_server", "StartProcessServer")                            \
  X(wait_server_end, "wait_server_end", "WaitForProcessServerEnd")

// EndSession's modes: identifier, name in scenario files, the DEBUG_END_* flag.
#define DBGSIM_END_MODES(X)                                          \
  X(passive, "passive", "DEBUG_END_PASSIVE")                         \
  X(active_detach, "active_detach", "DEBUG_END_ACTIVE_DETACH")       \
  X(active_terminate, "active_terminate", "DEBUG_END_ACTIVE_TERMINATE")

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
DBGSIM_ENUM(end_mode, DBGSIM_END_MODES);
struct end_session { end_mode mode = end_mode::passive; };
/// AddProcessOptions / RemoveProcessOptions of DEBUG_PROCESS_DETACH_ON_EXIT (S21).
struct process_options { bool detach_on_exit = false; };
/// StartProcessServer(flags, options): a server on the engine's own machine (S13).
struct start_server { std::string options; };
/// WaitForProcessServerEnd(timeout in ms) (S13).
struct wait_server_end { std::uint32_t timeout_ms = 0; };

/// Which call a value is; the index of its alternative in `call`.
DBGSIM_ENUM(call_kind, DBGSIM_CALLS);

/// One API call.
using call = variant_without_last<DBGSIM_CALLS(DBGSIM_ROW_ID) void>;

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

/// Which call `c` is.
inline call_kind kind_of(const call& c) { return static_cast<call_kind>(c.index()); }

/// The server handle a call goes through, or 0 (also for calls that take none).
std::uint64_t handle_of(const call& c);

/// The process id a call names, or 0.
std::uint32_t pid_of(const call& c);

/// The text argument a call carries (options string, exe, command line), or "".
std::string text_of(const call& c);

/// The IDebugClient method a call kind models ("ConnectProcessServer").
std::string_view method_of(call_kind k);

/// S15's bound on a call: how long it may take before it must have completed.
sim_time bound_of(const call& c, const timing& times);

}  // namespace dbgsim::api

namespace dbgsim {
DBGSIM_ENUM_NAMES(api::call_kind, DBGSIM_CALLS);
DBGSIM_ENUM_NAMES(api::end_mode, DBGSIM_END_MODES);
}  // namespace dbgsim

namespace dbgsim::api {
/// The call's name as in traces and scenario files ("connect", "end_server", ...).
inline std::string_view name_of(const call& c) { return dbgsim::name_of(kind_of(c)); }
using dbgsim::name_of;
}  // namespace dbgsim::api
