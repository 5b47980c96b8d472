// The reference process server (dbgsrv), written without I/O: listens on a transport string,
// checks the password, keeps sessions with leases, its incarnation, the shutdown protocol of S8,
// the processes attached through each session and the exit policy of S21. The server actor
// (server.hpp) feeds it frames, transport events and timer expiries.
#pragma once

#include "actors/config.hpp"
#include "vocabulary/event.hpp"
#include "vocabulary/inspection.hpp"
#include "vocabulary/machine.hpp"
#include "vocabulary/mutant.hpp"
#include "vocabulary/route.hpp"
#include "vocabulary/timing.hpp"
#include "protocol/frame.hpp"
#include "protocol/transport.hpp"

#include <cstdint>
#include <memory>
#include <string>

namespace dbgsim {

/// What the server core asks of its surroundings.
class server_io {
public:
  virtual ~server_io() = default;

  /// The current simulated time.
  virtual sim_time now() const = 0;

  /// Records an event; the io stamps its time and actor.
  virtual void record(event e) = 0;

  /// Encodes and sends a frame on connection `r` (towards its engine).
  virtual void send(const route& r, const protocol::frame& f) = 0;

  /// Calls on_timer(id) after `after`; timers cannot be cancelled.
  virtual void start_timer(std::uint64_t id, sim_time after) = 0;

  /// The machine the server runs on: its process table.
  virtual machine& host() = 0;

  /// The server has ended (S8, S16): it stops listening; the world tells whoever waits (S13).
  virtual void ended() = 0;
};

/// The server's state machine; one object per incarnation.
class server_core {
public:
  server_core(server_config config, server_io& io, std::uint32_t incarnation);
  ~server_core();

  /// Starts listening; records server_state "listening".
  void start();

  /// A decoded frame arrived on connection `r`.
  void on_frame(const route& r, const protocol::frame& f);

  /// Connection `r` was reset (S19): the sessions on it end at once.
  void on_reset(const route& r);

  /// A timer started with server_io::start_timer expired.
  void on_timer(std::uint64_t id);

  /// A process attached through one of this server's sessions exited (process-exited notice).
  void on_process_exited(std::uint32_t pid);

  /// The server process dies: every session ends with reason "crash", attached processes follow
  /// S21, nothing is sent; records server_state "crashed".
  void crash();

  /// Whether it still accepts frames (not ended, not crashed).
  bool running() const;

  /// The server's state, for the harness.
  server_view inspect() const;

  /// The core's internal state, defined in the .cpp file (public only so that the .cpp's
  /// helpers may name it).
  struct state;

private:
  server_config config_;
  server_io& io_;
  std::unique_ptr<state> st_;
};

}  // namespace dbgsim
