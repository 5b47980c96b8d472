// A trace event: one thing that happened in a world, at a simulated time. Engines, process
// servers, links and the world record events; the trace writes them as JSON lines and the oracle
// checks docs/semantics.md on them. The tables below are the trace's contract: which kinds there
// are, which fields each kind sets, and every value of every enum field. `dbgsim schema` prints
// them (docs/trace-format.md is its output) and vocabulary/trace_schema.hpp checks events
// against them.
#pragma once

#include "protocol/frame.hpp"
#include "protocol/hresult.hpp"
#include "protocol/message.hpp"
#include "vocabulary/api.hpp"
#include "vocabulary/fault.hpp"
#include "vocabulary/names.hpp"
#include "vocabulary/server_state.hpp"
#include "vocabulary/symbol.hpp"
#include "vocabulary/timing.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

// The fields of an event, in the order the JSON line writes them: identifier, JSON key, meaning.
// `t` and `ev` (the kind) are on every line and are not in this table.
#define DBGSIM_EVENT_FIELDS(X)                                                               \
  X(actor, "actor", "who recorded it: an engine, a server, a link (\"a<->b\") or \"world\"") \
  X(peer, "peer", "the other party: an engine, a server's machine, or a fault's first end")   \
  X(to, "to", "a fault's second end (the far machine of the link)")                           \
  X(call, "call", "an engine's API call number (1, 2, ... per engine)")                       \
  X(api, "api", "the API call's name (table `api`)")                                          \
  X(handle, "handle", "a server handle, in hex")                                              \
  X(conn, "conn", "a connection id, unique within its engine")                                \
  X(session, "session", "a server session id, in hex")                                        \
  X(inc, "inc", "a server incarnation")                                                       \
  X(pid, "pid", "a process id")                                                               \
  X(hr, "hr", "a call's result, by HRESULT name")                                             \
  X(what, "what", "a sub-kind: a message type, fault, timer or server state (see each kind)") \
  X(reason, "reason", "why (table `reason`)")                                                 \
  X(detail, "detail", "free text: an options string, a password, an exe, a decode error")     \
  X(value, "value", "a number: a bound in µs, a frame's size, process options, a version")    \
  X(frame, "frame", "a frame's number in the world; a duplicate keeps its original's")          \
  X(program, "program", "the client that made the call: a scenario's `clients:` name (docs/clients.md)")

// Which enum an event's `what` holds.
#define DBGSIM_WHAT_KINDS(X)                                \
  X(none, "none", "no `what`")                              \
  X(message, "message", "a message type (docs/protocol.md)") \
  X(fault, "fault", "a fault (table `fault`)")             \
  X(timer, "timer", "a timer (table `timer`)")             \
  X(state, "state", "a server state (table `server_state`)")

#define DBGSIM_F(field) (1u << static_cast<unsigned>(::dbgsim::event_field::field))

// The table of event kinds: identifier, name, who records it, the fields it may set, what its
// `what` holds, and what it means.
#define DBGSIM_EVENT_KINDS(X)                                                                     \
  X(call, "call", "world",                                                                        \
    DBGSIM_F(actor) | DBGSIM_F(call) | DBGSIM_F(api) | DBGSIM_F(handle) | DBGSIM_F(pid) |         \
        DBGSIM_F(detail) | DBGSIM_F(value) | DBGSIM_F(program),                                   \
    none,                                                                                         \
    "the world issued an API call on engine `actor`; handle is its handle argument, detail its "  \
    "text argument, value its S15 bound in µs (from the world's timing, not the engine's word); " \
    "program: the client program that made it")                                                  \
  X(done, "done", "world",                                                                        \
    DBGSIM_F(actor) | DBGSIM_F(call) | DBGSIM_F(api) | DBGSIM_F(hr) | DBGSIM_F(handle) |          \
        DBGSIM_F(pid) | DBGSIM_F(value) | DBGSIM_F(program),                                      \
    none,                                                                                         \
    "the call completed (handle: the one a connect returned; pid: a created or found one; "      \
    "value: how many ids a list_processes returned)")                                              \
  X(handle_born, "handle_born", "engine",                                                         \
    DBGSIM_F(actor) | DBGSIM_F(handle) | DBGSIM_F(call) | DBGSIM_F(peer) | DBGSIM_F(conn) |       \
        DBGSIM_F(session) | DBGSIM_F(inc),                                                        \
    none, "a connect made a live handle (peer: the server's machine)")                            \
  X(handle_dead, "handle_dead", "engine", DBGSIM_F(actor) | DBGSIM_F(handle) | DBGSIM_F(reason),  \
    none, "a handle stopped being live")                                                          \
  X(session_held, "session_held", "engine",                                                       \
    DBGSIM_F(actor) | DBGSIM_F(conn) | DBGSIM_F(session) | DBGSIM_F(inc) | DBGSIM_F(peer), none,  \
    "the engine began holding a server session (its connect was accepted)")                       \
  X(session_released, "session_released", "engine",                                              \
    DBGSIM_F(actor) | DBGSIM_F(conn) | DBGSIM_F(session) | DBGSIM_F(reason), none,                \
    "the engine stopped holding a session: nothing holds it (released) or it learned it ended")   \
  X(target_added, "target_added", "engine",                                                       \
    DBGSIM_F(actor) | DBGSIM_F(pid) | DBGSIM_F(conn) | DBGSIM_F(session) | DBGSIM_F(peer), none,  \
    "a process became a target (peer: its machine; the engine's own for handle 0)")               \
  X(target_removed, "target_removed", "engine",                                                   \
    DBGSIM_F(actor) | DBGSIM_F(pid) | DBGSIM_F(conn) | DBGSIM_F(session) | DBGSIM_F(reason),      \
    none, "a target went away by the engine's own doing or the process's exit")                   \
  X(target_lost, "target_lost", "engine",                                                         \
    DBGSIM_F(actor) | DBGSIM_F(pid) | DBGSIM_F(conn) | DBGSIM_F(session) | DBGSIM_F(reason),      \
    none, "a target went away because its session did (S22)")                                     \
  X(session_open, "session_open", "server",                                                       \
    DBGSIM_F(actor) | DBGSIM_F(peer) | DBGSIM_F(conn) | DBGSIM_F(session) | DBGSIM_F(inc) |       \
        DBGSIM_F(detail) | DBGSIM_F(value),                                                       \
    none,                                                                                         \
    "the server opened a session (peer: the engine; detail: the password presented; value: the "  \
    "remoting protocol version presented, S4)")                                                   \
  X(session_end, "session_end", "server",                                                         \
    DBGSIM_F(actor) | DBGSIM_F(peer) | DBGSIM_F(conn) | DBGSIM_F(session) | DBGSIM_F(inc) |       \
        DBGSIM_F(reason),                                                                         \
    none, "the server ended a session")                                                           \
  X(server_state, "server_state", "server",                                                       \
    DBGSIM_F(actor) | DBGSIM_F(what) | DBGSIM_F(inc) | DBGSIM_F(detail) | DBGSIM_F(peer), state,  \
    "the server changed state (detail: the password required, on listening; peer: its machine)")  \
  X(frame_sent, "frame_sent", "engine or server",                                                 \
    DBGSIM_F(actor) | DBGSIM_F(peer) | DBGSIM_F(conn) | DBGSIM_F(session) | DBGSIM_F(inc) |       \
        DBGSIM_F(what) | DBGSIM_F(call) | DBGSIM_F(value) | DBGSIM_F(frame),                      \
    message, "a frame left its sender (call: the API call behind it; value: its size in bytes)")  \
  X(frame_delivered, "frame_delivered", "link",                                                   \
    DBGSIM_F(actor) | DBGSIM_F(peer) | DBGSIM_F(conn) | DBGSIM_F(session) | DBGSIM_F(inc) |       \
        DBGSIM_F(what) | DBGSIM_F(value) | DBGSIM_F(frame),                                       \
    message, "a link handed a frame to its receiver (peer)")                                      \
  X(frame_dropped, "frame_dropped", "link or receiver",                                           \
    DBGSIM_F(actor) | DBGSIM_F(peer) | DBGSIM_F(conn) | DBGSIM_F(session) | DBGSIM_F(inc) |       \
        DBGSIM_F(what) | DBGSIM_F(value) | DBGSIM_F(frame) | DBGSIM_F(reason) | DBGSIM_F(detail), \
    message, "a frame was lost on the way or refused by its receiver (detail: a decode error)")   \
  X(frame_served, "frame_served", "server",                                                       \
    DBGSIM_F(actor) | DBGSIM_F(peer) | DBGSIM_F(conn) | DBGSIM_F(session) | DBGSIM_F(inc) |       \
        DBGSIM_F(what),                                                                           \
    message, "the server acted on a request frame of an open session")                            \
  X(connection_opened, "connection_opened", "link",                                               \
    DBGSIM_F(actor) | DBGSIM_F(peer) | DBGSIM_F(conn) | DBGSIM_F(detail), none,                   \
    "an engine opened a connection, before its first frame; faults apply to it from now on "      \
    "(peer: the engine; detail: the machine/endpoint it heads for)")                              \
  X(connection_accepted, "connection_accepted", "link",                                           \
    DBGSIM_F(actor) | DBGSIM_F(peer) | DBGSIM_F(conn) | DBGSIM_F(detail), none,                   \
    "the connection's first frame reached a listening server, which was told of the connection "  \
    "(peer: the engine; detail: the server)")                                                     \
  X(connect_refused, "connect_refused", "link",                                                   \
    DBGSIM_F(actor) | DBGSIM_F(peer) | DBGSIM_F(conn) | DBGSIM_F(detail), none,                   \
    "a frame of a connection not yet accepted found nothing listening at its endpoint; the "      \
    "engine is told (S3; peer: the engine; detail: the endpoint)")                                \
  X(fault, "fault", "world",                                                                      \
    DBGSIM_F(actor) | DBGSIM_F(what) | DBGSIM_F(peer) | DBGSIM_F(to) | DBGSIM_F(detail), fault,   \
    "the world injected a fault (peer and to: its ends; detail: its parameters)")                 \
  X(timer, "timer", "engine or server",                                                           \
    DBGSIM_F(actor) | DBGSIM_F(what) | DBGSIM_F(conn) | DBGSIM_F(session) | DBGSIM_F(call), timer, \
    "a timer expired and was acted on")                                                           \
  X(process_attached, "process_attached", "server or engine",                                     \
    DBGSIM_F(actor) | DBGSIM_F(peer) | DBGSIM_F(pid) | DBGSIM_F(session) | DBGSIM_F(value), none,  \
    "a process was attached (session 0: a local attach; value: the process options in force)")    \
  X(process_detached, "process_detached", "server or engine",                                     \
    DBGSIM_F(actor) | DBGSIM_F(peer) | DBGSIM_F(pid) | DBGSIM_F(session) | DBGSIM_F(reason),      \
    none, "a process was detached and runs on")                                                   \
  X(process_killed, "process_killed", "server or engine",                                         \
    DBGSIM_F(actor) | DBGSIM_F(peer) | DBGSIM_F(pid) | DBGSIM_F(session) | DBGSIM_F(reason),      \
    none, "a process was terminated")                                                             \
  X(process_created, "process_created", "server or engine",                                       \
    DBGSIM_F(actor) | DBGSIM_F(peer) | DBGSIM_F(pid) | DBGSIM_F(detail), none,                    \
    "a process was started (detail: its exe)")                                                    \
  X(process_exited, "process_exited", "world", DBGSIM_F(actor) | DBGSIM_F(peer) | DBGSIM_F(pid),   \
    none, "a process exited on its own")                                                          \
  X(options_received, "options_received", "server",                                               \
    DBGSIM_F(actor) | DBGSIM_F(peer) | DBGSIM_F(session) | DBGSIM_F(value), none,                 \
    "the server received an engine's process options (S21)")                                     \
  X(program_started, "program_started", "world",                                                 \
    DBGSIM_F(actor) | DBGSIM_F(program) | DBGSIM_F(detail), none,                                 \
    "a client program started on engine `actor` (detail: its program and arguments)")             \
  X(program_ended, "program_ended", "world",                                                     \
    DBGSIM_F(actor) | DBGSIM_F(program) | DBGSIM_F(value) | DBGSIM_F(reason) | DBGSIM_F(detail),  \
    none, "a client program ended (value: what it returned; detail: an exception's text)")       \
  X(client_call, "client_call", "world",                                                         \
    DBGSIM_F(actor) | DBGSIM_F(program) | DBGSIM_F(api) | DBGSIM_F(handle) | DBGSIM_F(pid) |      \
        DBGSIM_F(hr) | DBGSIM_F(detail),                                                          \
    none,                                                                                         \
    "a program's IDebugClient call answered by the client API without reaching the engine (a "    \
    "null pointer, an unknown or unsupported flag, GetProcessOptions); detail: the method")

#define DBGSIM_K(kind) (1u << static_cast<unsigned>(::dbgsim::event_kind::kind))

// The table of reasons: identifier, name, the event kinds that may carry it, meaning.
#define DBGSIM_REASONS(X)                                                                         \
  X(released, "released", DBGSIM_K(session_released),                                             \
    "nothing holds the session any more; the disconnect frame follows (S6, S20)")                 \
  X(disconnect, "disconnect",                                                                     \
    DBGSIM_K(handle_dead) | DBGSIM_K(session_end) | DBGSIM_K(process_detached) |                  \
        DBGSIM_K(process_killed),                                                                 \
    "DisconnectProcessServer")                                                                    \
  X(reset, "reset",                                                                               \
    DBGSIM_K(session_released) | DBGSIM_K(target_lost) | DBGSIM_K(session_end) |                  \
        DBGSIM_K(process_detached) | DBGSIM_K(process_killed) | DBGSIM_K(frame_dropped),          \
    "the connection was reset (S19); a frame dropped for it belongs to a connection reset before " \
    "any server accepted it")                                                                     \
  X(shutting_down, "shutting_down", DBGSIM_K(session_released) | DBGSIM_K(target_lost),           \
    "the server said it is shutting down (S8)")                                                   \
  X(unknown_session, "unknown_session",                                                           \
    DBGSIM_K(session_released) | DBGSIM_K(target_lost) | DBGSIM_K(frame_dropped),                 \
    "the session is not (or no longer) known to its other end")                                   \
  X(silence, "silence", DBGSIM_K(session_released) | DBGSIM_K(target_lost),                       \
    "the engine heard nothing from the server for a lease (S7)")                                  \
  X(engine_crash, "engine_crash",                                                                 \
    DBGSIM_K(handle_dead) | DBGSIM_K(session_released) | DBGSIM_K(target_lost) |                  \
        DBGSIM_K(process_detached) | DBGSIM_K(process_killed),                                    \
    "the engine crashed")                                                                         \
  X(detach, "detach", DBGSIM_K(target_removed) | DBGSIM_K(process_detached),                      \
    "DetachCurrentProcess or DetachProcesses")                                                    \
  X(terminate, "terminate", DBGSIM_K(target_removed) | DBGSIM_K(process_killed),                  \
    "TerminateCurrentProcess or TerminateProcesses")                                              \
  X(end_session, "end_session",                                                                   \
    DBGSIM_K(target_removed) | DBGSIM_K(process_detached) | DBGSIM_K(process_killed),             \
    "EndSession")                                                                                 \
  X(not_attached, "not_attached", DBGSIM_K(target_removed),                                       \
    "the server says the process is not attached (a retried detach or terminate)")                \
  X(exited, "exited", DBGSIM_K(target_removed), "the process exited")                             \
  X(lease, "lease",                                                                               \
    DBGSIM_K(session_end) | DBGSIM_K(process_detached) | DBGSIM_K(process_killed),                \
    "the server heard nothing from the engine for a lease (S7)")                                  \
  X(server_end, "server_end",                                                                     \
    DBGSIM_K(session_end) | DBGSIM_K(process_detached) | DBGSIM_K(process_killed),                \
    "the server ended (EndProcessServer, S8)")                                                    \
  X(crash, "crash",                                                                               \
    DBGSIM_K(session_end) | DBGSIM_K(process_detached) | DBGSIM_K(process_killed),                \
    "the server crashed")                                                                         \
  X(loss, "loss", DBGSIM_K(frame_dropped), "the link lost the frame")                             \
  X(partition, "partition", DBGSIM_K(frame_dropped), "the link's direction was cut")              \
  X(no_listener, "no_listener", DBGSIM_K(frame_dropped), "nothing listens at the endpoint")       \
  X(machine_down, "machine_down", DBGSIM_K(frame_dropped),                                        \
    "the endpoint's machine crashed (crash how: machine): nothing answers a connect there (S3)")  \
  X(half_open, "half_open", DBGSIM_K(frame_dropped), "the connection is half-open (S19)")         \
  X(not_open, "not_open", DBGSIM_K(frame_dropped),                                                \
    "the engine sent a frame on a connection it never opened")                                    \
  X(decode_error, "decode_error", DBGSIM_K(frame_dropped), "the bytes are not a valid frame")     \
  X(stale_incarnation, "stale_incarnation", DBGSIM_K(frame_dropped),                              \
    "the frame names an older server incarnation (S10)")                                          \
  X(late_reply, "late_reply", DBGSIM_K(frame_dropped), "a reply to a call that already ended (S3)") \
  X(unknown_call, "unknown_call", DBGSIM_K(frame_dropped), "a reply to no call the engine made")  \
  X(dead_handle, "dead_handle", DBGSIM_K(frame_dropped),                                          \
    "a reply to a call aborted by its handle's disconnect (S6)")                                  \
  X(unexpected, "unexpected", DBGSIM_K(frame_dropped), "a message its receiver never expects")   \
  X(returned, "returned", DBGSIM_K(program_ended), "the program returned")                       \
  X(hung, "hung", DBGSIM_K(program_ended),                                                       \
    "the program had not returned by its timeout and was stopped (docs/clients.md, C6)")          \
  X(threw, "threw", DBGSIM_K(program_ended), "an exception escaped the program")

// The table of timers: identifier, name, meaning.
#define DBGSIM_TIMERS(X)                                                           \
  X(connect_timeout, "connect_timeout", "a connect got no answer in time (S3)")   \
  X(rpc_timeout, "rpc_timeout", "a remote call got no answer in time (S9)")       \
  X(wait_timeout, "wait_timeout", "WaitForProcessServerEnd's timeout ran out (S13)") \
  X(silence, "silence", "the engine heard nothing from a server for a lease (S7)") \
  X(lease, "lease", "the server heard nothing from an engine for a lease (S7)")    \
  X(grace, "grace", "a shutting-down server's grace period ran out (S8)")

namespace dbgsim {

/// A field of an event (table DBGSIM_EVENT_FIELDS).
DBGSIM_NAMED_ENUM(event_field, DBGSIM_EVENT_FIELDS);
/// Which enum an event kind's `what` holds.
DBGSIM_NAMED_ENUM(what_kind, DBGSIM_WHAT_KINDS);
/// What an event records (table DBGSIM_EVENT_KINDS).
DBGSIM_NAMED_ENUM(event_kind, DBGSIM_EVENT_KINDS);
/// Why something ended, was dropped or went away (table DBGSIM_REASONS).
DBGSIM_NAMED_ENUM(reason_kind, DBGSIM_REASONS);
/// A timer that expired (table DBGSIM_TIMERS).
DBGSIM_NAMED_ENUM(timer_kind, DBGSIM_TIMERS);

/// An event's sub-kind: which message, fault, timer or server state.
using event_what =
    std::variant<std::monostate, protocol::message_type, fault_kind, timer_kind, server_state>;

/// One trace event; fields a kind does not use stay at their zero value.
struct event {
  sim_time t{0};                         ///< Simulated time since the world started.
  event_kind kind = event_kind::call;
  symbol actor;                          ///< Who recorded it (engine, server, link or "world").
  symbol peer;                           ///< The other party (see the kind).
  symbol to;                             ///< A fault's second end.
  std::uint64_t call = 0;                ///< An engine's API call number (1, 2, ... per engine).
  std::optional<api::call_kind> api;     ///< The API call.
  std::uint64_t handle = 0;              ///< A server handle.
  std::uint64_t conn = 0;                ///< A connection id, unique within its engine.
  std::uint64_t session = 0;             ///< A server session id.
  std::uint32_t incarnation = 0;         ///< A server incarnation.
  std::uint32_t pid = 0;                 ///< A process id.
  std::optional<protocol::hresult> hr;   ///< A call's result.
  event_what what;                       ///< A sub-kind: message type, fault, timer, state.
  std::optional<reason_kind> reason;     ///< Why: the cause of a drop, an end, a loss.
  std::string detail;                    ///< Free text: options string, password, decode error.
  std::uint64_t value = 0;               ///< A number: a bound in µs, a frame size, options.
  std::uint64_t frame = 0;               ///< A frame's number in the world (frame_* events).
  symbol program;                        ///< The client program behind a call (docs/clients.md).

  /// Whether `what` holds exactly `v` (a message type, fault, timer or server state).
  template <class T>
  bool is(T v) const {
    auto* p = std::get_if<T>(&what);
    return p != nullptr && *p == v;
  }
};

/// The name `what` holds ("" for none).
std::string_view name_of(const event_what& w);

/// The event's `what` as text ("" for none).
inline std::string what_text(const event& e) { return std::string(name_of(e.what)); }

/// The event's `reason` as text ("" for none).
inline std::string reason_text(const event& e) {
  return e.reason ? std::string(name_of(*e.reason)) : std::string();
}

/// The event's `api` as text ("" for none).
inline std::string api_text(const event& e) {
  return e.api ? std::string(name_of(*e.api)) : std::string();
}

/// A fault's ends as one label: "a->b", or "a" for a fault with one end.
inline std::string ends_text(const event& e) {
  return e.to.empty() ? e.peer.str() : e.peer + "->" + e.to;
}

/// The frame_sent event of frame `f`, encoded in `size` bytes and numbered `frame`, on connection
/// `conn` towards `peer`, serving API call `call` (0: none); its sender sets `actor`. One builder
/// for every sender (the actors' frame port, the live hosts), so that all trace frames alike.
event frame_sent_event(const protocol::frame& f, symbol peer, std::uint64_t conn,
                       std::size_t size, std::uint64_t frame, std::uint64_t call);

/// The world's event of fault `what` between `a` and `b` (`b` empty for a fault with one end).
event fault_event(fault_kind what, std::string a, std::string b, std::string detail = {});

/// The event as one JSON object on one line (no newline), fields in the table's order.
std::string to_json_line(const event& e);

/// A trace as JSON lines, each ended by a newline.
std::string to_json_lines(const std::vector<event>& events);

/// Receives the events of a world, in the order they happen.
class event_sink {
public:
  virtual ~event_sink() = default;

  /// Records one event.
  virtual void record(event e) = 0;
};

}  // namespace dbgsim
