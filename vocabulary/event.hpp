// A trace event: one thing that happened in a world, at a simulated time. Engines, process
// servers, links and the world record events; sim/'s trace writes them as JSON lines and the
// oracle checks docs/semantics.md on them. The table below is the schema: which fields each kind
// sets (every other field stays at its zero value and is left out of the JSON line).
//
// kind              actor      fields
// ----------------  ---------  ---------------------------------------------------------------
// call              engine     call, api, handle (the handle argument, 0 if none), pid, detail
//                              (the options string or exe), value (the call's bound in µs:
//                              connect_timeout for connect, rpc_timeout for other remote calls,
//                              the timeout for wait_server_end, 0 for calls answered at once)
// done              engine     call, api, hr, handle (the handle a connect returned), pid
// handle_born       engine     handle, call, peer (server machine), conn, session, incarnation
// handle_dead       engine     handle, reason ("disconnect", or "engine_crash")
// session_held      engine     conn, session, incarnation, peer (server machine): the engine
//                              began holding a server session (connect accepted)
// session_released  engine     conn, session, reason: the engine stopped holding it, because
//                              nothing holds it any more ("released": the disconnect frame follows),
//                              or it learned the session ended ("reset", "shutting_down",
//                              "unknown_session", "silence", "engine_crash")
// target_added      engine     pid, conn, session, peer (machine; engine's own for handle 0)
// target_removed    engine     pid, conn, session, reason ("detach", "terminate", "exited")
// target_lost       engine     pid, conn, session, reason (as session_released) (S22)
// session_open      server     peer (engine), conn, session, incarnation, detail (the password
//                              the connect presented)
// session_end       server     peer (engine), conn, session, incarnation, reason ("disconnect",
//                              "lease", "reset", "server_end", "crash")
// server_state      server     what ("listening", "shutting_down", "ended", "crashed"),
//                              incarnation, detail (the password required, on "listening"),
//                              peer (machine)
// frame_sent        engine or  peer (the other end), conn, session, incarnation, what (message
//                   server     type), call (the API call that caused it, 0 if none), value (size),
//                              frame (its number; a duplicate keeps its original's number)
// frame_delivered   link       peer (receiving engine or server), conn, session, incarnation,
//                              what, value, frame
// frame_dropped     link or    peer, conn, session, incarnation, what, reason ("loss",
//                   receiver   "partition", "no_listener", "half_open", "decode_error",
//                              "unknown_session", "stale_incarnation", "late_reply",
//                              "unknown_call", "dead_handle"), detail (decode error text)
// frame_served      server     peer (engine), conn, session, incarnation (the frame's), what:
//                              the server acted on a request frame of an open session
// connect_refused   link       peer (engine), conn, detail (endpoint): nothing listened there
// fault             world      what ("partition", "heal", "reset", "half_open", "link_change",
//                              "crash_server", "restart_server", "crash_engine",
//                              "exit_process"), actor/peer (the two ends), detail
// timer             any        what ("connect_timeout", "rpc_timeout", "lease", "keepalive",
//                              "grace", "silence"), conn, session, call
// process_attached  server or  peer (machine), pid, session (0 for a local attach by an engine),
//                   engine     value (process options in force)
// process_detached  server or  peer (machine), pid, session, reason
//                   engine
// process_killed    server or  peer (machine), pid, session, reason
//                   engine
// process_created   server or  peer (machine), pid, detail (exe)
//                   engine
// process_exited    world      peer (machine), pid
// options_received  server     peer (engine), session, value (process options)
#pragma once

#include "vocabulary/timing.hpp"
#include "protocol/hresult.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace dbgsim {

/// What an event records; see the schema table at the top of this file.
enum class event_kind : std::uint8_t {
  call,
  done,
  handle_born,
  handle_dead,
  session_held,
  session_released,
  target_added,
  target_removed,
  target_lost,
  session_open,
  session_end,
  server_state,
  frame_sent,
  frame_delivered,
  frame_dropped,
  frame_served,
  connect_refused,
  fault,
  timer,
  process_attached,
  process_detached,
  process_killed,
  process_created,
  process_exited,
  options_received,
};

/// The snake_case name of an event kind, as written in the trace ("handle_born").
std::string_view name_of(event_kind k);

/// One trace event; fields a kind does not use stay at their zero value.
struct event {
  sim_time t{0};                  ///< Simulated time since the world started.
  event_kind kind = event_kind::call;
  std::string actor;              ///< Who recorded it (engine, server, link or "world").
  std::string peer;               ///< The other party (see the schema).
  std::uint64_t call = 0;         ///< An engine's API call number (1, 2, ... per engine).
  std::string api;                ///< The API call's name ("connect", "disconnect", ...).
  std::uint64_t handle = 0;       ///< A server handle.
  std::uint64_t conn = 0;         ///< A connection id, unique within its engine.
  std::uint64_t session = 0;      ///< A server session id.
  std::uint32_t incarnation = 0;  ///< A server incarnation.
  std::uint32_t pid = 0;          ///< A process id.
  std::optional<protocol::hresult> hr;  ///< A call's result.
  std::string what;               ///< A sub-kind: message type, fault, timer, server state.
  std::string reason;             ///< Why: the cause of a drop, an end, a loss.
  std::string detail;             ///< Free text: options string, password, decode error.
  std::uint64_t value = 0;        ///< A number: a bound in µs, a frame size, process options.
  std::uint64_t frame = 0;        ///< A frame's number in the world (frame_* events), 1, 2, ...
};

/// The event as one JSON object on one line (no newline), fields in a fixed order.
std::string to_json_line(const event& e);

/// Receives the events of a world, in the order they happen.
class event_sink {
public:
  virtual ~event_sink() = default;

  /// Records one event.
  virtual void record(event e) = 0;
};

}  // namespace dbgsim
