// The reference engine: the process-server side of a debugger engine, written without I/O. It
// owns the handle table, the sessions it holds, its targets, timeouts and keepalives, and follows
// docs/semantics.md rule by rule. The engine actor (engine.hpp) feeds it calls, frames, transport
// events and timer expiries, and carries out what it asks of its engine_io.
#pragma once

#include "actors/config.hpp"
#include "vocabulary/api.hpp"
#include "vocabulary/disconnect_mode.hpp"
#include "vocabulary/event.hpp"
#include "vocabulary/inspection.hpp"
#include "vocabulary/machine.hpp"
#include "vocabulary/mutant.hpp"
#include "vocabulary/route.hpp"
#include "vocabulary/timing.hpp"
#include "protocol/frame.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>

namespace dbgsim {

/// What the engine core asks of its surroundings. Calls happen inside the core's handlers.
class engine_io {
public:
  virtual ~engine_io() = default;

  /// The current simulated time.
  virtual sim_time now() const = 0;

  /// Records an event; the io stamps its time and actor.
  virtual void record(event e) = 0;

  /// Opens connection `r` towards its server, once, before the connection's first frame; the
  /// link accepts or refuses it when that frame arrives (S3), and faults apply from now on.
  virtual void open(const route& r) = 0;

  /// Encodes and sends a frame on a connection; `call` is the API call it serves (0: none).
  virtual void send(const route& r, const protocol::frame& f, std::uint64_t call) = 0;

  /// Calls on_timer(id) after `after` of simulated time. Timers cannot be cancelled: the core
  /// ignores ids it no longer cares about.
  virtual void start_timer(std::uint64_t id, sim_time after) = 0;

  /// Completes API call `call` with `r`; exactly once per call (S15).
  virtual void complete(std::uint64_t call, api::result r) = 0;

  /// The engine's own machine (handle 0, S12).
  virtual machine& local_machine() = 0;

  /// The machine that `server=` names: an engine's or a server's name stands for its machine,
  /// any other name is a machine's own.
  virtual std::string machine_named_by(const std::string& name) const = 0;

  /// Starts a process server on the engine's machine (S13); sets `name` to its name. Returns
  /// S_OK, or why not (E_INVALIDARG for bad options, an HRESULT for an endpoint in use).
  virtual protocol::hresult start_server(const std::string& options, std::string& name) = 0;
};

/// The engine's state machine.
class engine_core {
public:
  engine_core(engine_config config, engine_io& io);
  ~engine_core();

  /// An API call arrived; it completes through engine_io::complete, now or later.
  void on_call(std::uint64_t call, const api::call& c);

  /// A decoded frame arrived on connection `r`.
  void on_frame(const route& r, const protocol::frame& f);

  /// Nothing listens where connection `r` was headed (S3: RPC_S_SERVER_UNAVAILABLE).
  void on_refused(const route& r);

  /// Connection `r` was reset (S19).
  void on_reset(const route& r);

  /// A timer started with engine_io::start_timer expired.
  void on_timer(std::uint64_t id);

  /// A process this engine attached locally (handle 0) exited.
  void on_local_process_exited(std::uint32_t pid);

  /// The server `name`, which this engine started, ended (S13).
  void on_server_ended(const std::string& name);

  /// The engine process dies: all state is lost at once, nothing is sent; records handle_dead
  /// and session_released with reason "engine_crash" so the trace shows what it held.
  void crash();

  /// The engine's state, for the harness.
  engine_view inspect() const;

  /// The core's internal state, defined in the .cpp file (public only so that the .cpp's
  /// helpers may name it).
  struct state;

private:
  engine_config config_;
  engine_io& io_;
  std::unique_ptr<state> st_;
};

}  // namespace dbgsim
