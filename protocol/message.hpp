// The messages engines and process servers exchange: one plain struct each.
//
// Requests carry a `call_id` chosen by the engine; the reply to a request echoes it. Notices
// (server_shutting_down, process_exited) are unsolicited and carry no call id. The session id and
// server incarnation travel in the frame header (see frame.hpp), not in the messages.
#pragma once

#include "protocol/hresult.hpp"
#include "protocol/table.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <span>
#include <type_traits>
#include <variant>
#include <vector>

namespace dbgsim::protocol {

/// The remoting protocol version this build speaks (rule S4 refuses any other).
inline constexpr std::uint16_t protocol_version = 1;

/// Bits of the engine's process options (DEBUG_PROCESS_*), sent with every attach and create.
enum process_option_bits : std::uint32_t {
  process_detach_on_exit = 0x1,     ///< DEBUG_PROCESS_DETACH_ON_EXIT (rule S21).
  process_only_this_process = 0x2,  ///< DEBUG_PROCESS_ONLY_THIS_PROCESS.
};
/// Every bit a valid process-options word may have.
inline constexpr std::uint32_t process_option_mask = 0x3;

// -- handshake ------------------------------------------------------------------------------

/// ConnectProcessServer's opening request (sent with session 0, incarnation 0).
struct connect_request {
  std::uint32_t call_id = 0;
  std::uint16_t version = protocol_version;  ///< Remoting protocol version of the client.
  std::string client_name;                   ///< The engine's name, for the server's records.
  std::string password;                      ///< Empty when the options named none.
  friend bool operator==(const connect_request&, const connect_request&) = default;
};

/// The server opened a session; the frame header carries the same session and incarnation.
struct connect_accepted {
  std::uint32_t call_id = 0;
  std::uint64_t session = 0;
  std::uint32_t incarnation = 0;
  friend bool operator==(const connect_accepted&, const connect_accepted&) = default;
};

/// The server refused the connect (wrong password: E_FAIL; other version: RPC_E_VERSION_MISMATCH).
struct connect_refused {
  std::uint32_t call_id = 0;
  hresult hr;
  friend bool operator==(const connect_refused&, const connect_refused&) = default;
};

// -- session lifetime -----------------------------------------------------------------------

/// The engine gives up its session (rule S6/S20).
struct disconnect_request {
  std::uint32_t call_id = 0;
  friend bool operator==(const disconnect_request&, const disconnect_request&) = default;
};
/// Acknowledges a disconnect; sent again for a duplicated request (rule S7).
struct disconnect_ack {
  std::uint32_t call_id = 0;
  friend bool operator==(const disconnect_ack&, const disconnect_ack&) = default;
};
/// EndProcessServer: asks the server to shut down (rule S8).
struct end_server_request {
  std::uint32_t call_id = 0;
  friend bool operator==(const end_server_request&, const end_server_request&) = default;
};
/// Acknowledges an end-server request.
struct end_server_ack {
  std::uint32_t call_id = 0;
  friend bool operator==(const end_server_ack&, const end_server_ack&) = default;
};
/// Renews the session's lease (rule S7).
struct keepalive {
  std::uint32_t call_id = 0;
  friend bool operator==(const keepalive&, const keepalive&) = default;
};
/// Answers a keepalive; its absence for a lease time tells the engine its targets are lost (S22).
struct keepalive_ack {
  std::uint32_t call_id = 0;
  friend bool operator==(const keepalive_ack&, const keepalive_ack&) = default;
};

// -- process queries ------------------------------------------------------------------------

/// GetRunningProcessSystemIds with a caller's buffer of `max` entries (rule S17).
struct list_processes_request {
  std::uint32_t call_id = 0;
  std::uint32_t max = 0;
  friend bool operator==(const list_processes_request&, const list_processes_request&) = default;
};
/// S_OK with every pid, or S_FALSE with the first `max` and the full `total` (rule S17).
struct list_processes_reply {
  std::uint32_t call_id = 0;
  hresult hr;
  std::vector<std::uint32_t> pids;
  std::uint32_t total = 0;
  friend bool operator==(const list_processes_reply&, const list_processes_reply&) = default;
};
/// GetRunningProcessDescription.
struct describe_process_request {
  std::uint32_t call_id = 0;
  std::uint32_t pid = 0;
  friend bool operator==(const describe_process_request&, const describe_process_request&) = default;
};
/// The executable name and description of one process, or a failure HRESULT.
struct describe_process_reply {
  std::uint32_t call_id = 0;
  hresult hr;
  std::string exe;
  std::string description;
  friend bool operator==(const describe_process_reply&, const describe_process_reply&) = default;
};
/// GetRunningProcessSystemIdByExecutableName.
struct find_process_request {
  std::uint32_t call_id = 0;
  std::string exe;
  bool only_match = false;  ///< DEBUG_GET_PROC_ONLY_MATCH: several matches give S_FALSE.
  friend bool operator==(const find_process_request&, const find_process_request&) = default;
};
/// S_OK and the pid; S_FALSE and the first pid for several matches; E_NOINTERFACE for none.
struct find_process_reply {
  std::uint32_t call_id = 0;
  hresult hr;
  std::uint32_t pid = 0;
  friend bool operator==(const find_process_reply&, const find_process_reply&) = default;
};

// -- targets --------------------------------------------------------------------------------

/// AttachProcess; carries the engine's current process options (rule S21).
struct attach_request {
  std::uint32_t call_id = 0;
  std::uint32_t pid = 0;
  std::uint32_t process_options = 0;
  friend bool operator==(const attach_request&, const attach_request&) = default;
};
/// The outcome of an attach.
struct attach_reply {
  std::uint32_t call_id = 0;
  hresult hr;
  friend bool operator==(const attach_reply&, const attach_reply&) = default;
};
/// CreateProcessAndAttach; carries the engine's current process options (rule S21).
struct create_process_request {
  std::uint32_t call_id = 0;
  std::string command_line;
  std::uint32_t process_options = 0;
  friend bool operator==(const create_process_request&, const create_process_request&) = default;
};
/// The new process's pid, attached to the session, or a failure HRESULT.
struct create_process_reply {
  std::uint32_t call_id = 0;
  hresult hr;
  std::uint32_t pid = 0;
  friend bool operator==(const create_process_reply&, const create_process_reply&) = default;
};
/// Detaches one target and leaves it running (rule S20).
struct detach_request {
  std::uint32_t call_id = 0;
  std::uint32_t pid = 0;
  friend bool operator==(const detach_request&, const detach_request&) = default;
};
/// The outcome of a detach.
struct detach_reply {
  std::uint32_t call_id = 0;
  hresult hr;
  friend bool operator==(const detach_reply&, const detach_reply&) = default;
};
/// Terminates one target (rule S20).
struct terminate_process_request {
  std::uint32_t call_id = 0;
  std::uint32_t pid = 0;
  friend bool operator==(const terminate_process_request&, const terminate_process_request&) = default;
};
/// The outcome of a terminate.
struct terminate_process_reply {
  std::uint32_t call_id = 0;
  hresult hr;
  friend bool operator==(const terminate_process_reply&, const terminate_process_reply&) = default;
};
/// The engine's process options changed; the server applies the last value it received (S21).
struct set_process_options_request {
  std::uint32_t call_id = 0;
  std::uint32_t process_options = 0;
  friend bool operator==(const set_process_options_request&, const set_process_options_request&) = default;
};
/// Acknowledges new process options.
struct set_process_options_ack {
  std::uint32_t call_id = 0;
  friend bool operator==(const set_process_options_ack&, const set_process_options_ack&) = default;
};

// -- errors and notices ---------------------------------------------------------------------

/// A request failed as a whole (e.g. RPC_E_DISCONNECTED while the server shuts down, rule S8).
struct error_reply {
  std::uint32_t call_id = 0;
  hresult hr;
  friend bool operator==(const error_reply&, const error_reply&) = default;
};
/// The frame named a session or incarnation the server does not have (rule S10).
struct unknown_session {
  std::uint32_t call_id = 0;  ///< The call id of the frame that was refused (0 for a notice).
  friend bool operator==(const unknown_session&, const unknown_session&) = default;
};
/// The server is shutting down; the session will end (rule S8, S22).
struct server_shutting_down {
  friend bool operator==(const server_shutting_down&, const server_shutting_down&) = default;
};
/// A process attached through this session exited or was killed (rule S22).
struct process_exited {
  std::uint32_t pid = 0;
  std::uint32_t exit_code = 0;
  friend bool operator==(const process_exited&, const process_exited&) = default;
};

// The table of messages: the struct (also the snake_case name in traces) and its wire type code.
// Codes are stable and never reused; the variant's index is not the code, see `type_of`.
#define DBGSIM_MESSAGES(X) \
  X(connect_request, 0x01) \
  X(connect_accepted, 0x02) \
  X(connect_refused, 0x03) \
  X(disconnect_request, 0x10) \
  X(disconnect_ack, 0x11) \
  X(end_server_request, 0x12) \
  X(end_server_ack, 0x13) \
  X(keepalive, 0x14) \
  X(keepalive_ack, 0x15) \
  X(list_processes_request, 0x20) \
  X(list_processes_reply, 0x21) \
  X(describe_process_request, 0x22) \
  X(describe_process_reply, 0x23) \
  X(find_process_request, 0x24) \
  X(find_process_reply, 0x25) \
  X(attach_request, 0x30) \
  X(attach_reply, 0x31) \
  X(create_process_request, 0x32) \
  X(create_process_reply, 0x33) \
  X(detach_request, 0x34) \
  X(detach_reply, 0x35) \
  X(terminate_process_request, 0x36) \
  X(terminate_process_reply, 0x37) \
  X(set_process_options_request, 0x38) \
  X(set_process_options_ack, 0x39) \
  X(error_reply, 0x40) \
  X(unknown_session, 0x41) \
  X(server_shutting_down, 0x50) \
  X(process_exited, 0x51)

#define DBGSIM_MESSAGE_CODE(name, code) name = code,

/// Any message.
using message = variant_without_last<DBGSIM_MESSAGES(DBGSIM_ROW_ID) void>;

/// Wire type codes.
enum class message_type : std::uint16_t { DBGSIM_MESSAGES(DBGSIM_MESSAGE_CODE) };

/// Every message type, in the table's order (the variant's).
std::span<const message_type> all_message_types();

/// The wire type of a message.
message_type type_of(const message& m);

/// The snake_case name of a message type, as used in traces ("disconnect_request").
std::string_view name_of(message_type t);

/// The message type with that snake_case name, if any.
std::optional<message_type> message_type_from_name(std::string_view name);

/// The call id of a request or reply; 0 for notices.
std::uint32_t call_id_of(const message& m);

/// Calls `f(name, field)` for every field of a message, in declaration order, which is also the
/// order of the fields on the wire (docs/protocol.md). `M` may be const. Fields named
/// "process_options" hold process_option_bits. Used by the codec and by everything that prints
/// messages field by field (`dbgsim decode`).
template <class M, class F>
constexpr void for_each_field(M& m, F&& f) {
  using T = std::remove_const_t<M>;
  if constexpr (std::is_same_v<T, connect_request>) {
    f("call_id", m.call_id); f("version", m.version);
    f("client_name", m.client_name); f("password", m.password);
  } else if constexpr (std::is_same_v<T, connect_accepted>) {
    f("call_id", m.call_id); f("session", m.session); f("incarnation", m.incarnation);
  } else if constexpr (std::is_same_v<T, list_processes_request>) {
    f("call_id", m.call_id); f("max", m.max);
  } else if constexpr (std::is_same_v<T, list_processes_reply>) {
    f("call_id", m.call_id); f("hr", m.hr); f("pids", m.pids); f("total", m.total);
  } else if constexpr (std::is_same_v<T, describe_process_reply>) {
    f("call_id", m.call_id); f("hr", m.hr); f("exe", m.exe); f("description", m.description);
  } else if constexpr (std::is_same_v<T, find_process_request>) {
    f("call_id", m.call_id); f("exe", m.exe); f("only_match", m.only_match);
  } else if constexpr (std::is_same_v<T, find_process_reply> || std::is_same_v<T, create_process_reply>) {
    f("call_id", m.call_id); f("hr", m.hr); f("pid", m.pid);
  } else if constexpr (std::is_same_v<T, attach_request>) {
    f("call_id", m.call_id); f("pid", m.pid); f("process_options", m.process_options);
  } else if constexpr (std::is_same_v<T, create_process_request>) {
    f("call_id", m.call_id); f("command_line", m.command_line);
    f("process_options", m.process_options);
  } else if constexpr (std::is_same_v<T, set_process_options_request>) {
    f("call_id", m.call_id); f("process_options", m.process_options);
  } else if constexpr (std::is_same_v<T, describe_process_request> || std::is_same_v<T, detach_request> ||
                       std::is_same_v<T, terminate_process_request>) {
    f("call_id", m.call_id); f("pid", m.pid);
  } else if constexpr (std::is_same_v<T, connect_refused> || std::is_same_v<T, attach_reply> ||
                       std::is_same_v<T, detach_reply> || std::is_same_v<T, terminate_process_reply> ||
                       std::is_same_v<T, error_reply>) {
    f("call_id", m.call_id); f("hr", m.hr);
  } else if constexpr (std::is_same_v<T, disconnect_request> || std::is_same_v<T, disconnect_ack> ||
                       std::is_same_v<T, end_server_request> || std::is_same_v<T, end_server_ack> ||
                       std::is_same_v<T, keepalive> || std::is_same_v<T, keepalive_ack> ||
                       std::is_same_v<T, set_process_options_ack> || std::is_same_v<T, unknown_session>) {
    f("call_id", m.call_id);
  } else if constexpr (std::is_same_v<T, server_shutting_down>) {
    (void)m; (void)f;
  } else if constexpr (std::is_same_v<T, process_exited>) {
    f("pid", m.pid); f("exit_code", m.exit_code);
  } else {
    static_assert(sizeof(T) == 0, "for_each_field: a message without a field list");
  }
}

}  // namespace dbgsim::protocol
