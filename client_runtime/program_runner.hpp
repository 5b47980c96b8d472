// Running client programs in a world (docs/clients.md, "How programs run"). Each program runs on
// one engine as its own thread of control and blocks in each call as dbgeng's synchronous API
// does. Only one program, or the world, runs at a time: a program hands control to the world at
// each call and at each Sleep, and gets it back when the call has completed in the world's time
// or the sleep is over. Programs due at the same instant run in an order drawn from the seed. In
// a simulated world: same scenario, seed and programs, byte-identical trace. The world is a
// program_host, so the same runner also runs programs live, in real (scaled) time.
//
// Why threads and not coroutines: a program is ordinary C++ (a user's, with its own stack of
// helper functions, RAII guards and exceptions), so it needs a stack of its own; a thread gives
// one with no assembly and no sanitizer annotations, and strict hand-over makes it as
// deterministic as a coroutine.
#pragma once

#include "client_runtime/program_host.hpp"
#include "vocabulary/api.hpp"
#include "vocabulary/timing.hpp"

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace dbgsim {

/// One program to run: which, where, with what, when, and for how long at most.
struct program_launch {
  std::string name;                ///< The client's name (traces, findings), unique per world.
  std::string engine;              ///< The engine it runs on.
  std::string program;             ///< A program of program_catalog::process().
  std::vector<std::string> args;   ///< argv[1...]; argv[0] is `program`.
  sim_time start{0};               ///< When it starts.
  sim_time timeout{std::chrono::minutes(10)};  ///< Stopped, as hung, if not returned by then.
};

/// What the runner tells about one program when asked.
struct program_status {
  std::string name;
  bool started = false;
  bool ended = false;
  int exit_code = 0;
  std::uint64_t calls = 0;   ///< IDebugClient calls made (world calls and calls answered locally).
  std::uint64_t sleeps = 0;  ///< Sleep calls made.
};

/// How long the world waits for a program that neither calls nor sleeps nor returns (an endless
/// loop in it) before giving up with program_runaway. Wall time, read only on that path: it
/// never changes what a simulated run does, only that it ends with an error instead of hanging.
inline constexpr std::chrono::seconds runaway_limit{60};

/// A program kept the world waiting for longer than runaway_limit without calling the API.
class program_runaway : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// Runs programs in a world: schedules their starts, hands control back and forth, and records
/// program_started, program_ended and client_call events (calls and their results are the
/// world's own `call` and `done` events, carrying the program's name).
class program_runner {
public:
  /// Schedules every launch on `w` (which outlives the runner). `detach_on_exit` gives each
  /// engine's initial DEBUG_PROCESS_DETACH_ON_EXIT (GetProcessOptions starts from it); `seed`
  /// decides the order of programs due at the same instant. Throws std::invalid_argument for a
  /// program the catalog does not have, an engine the world does not have, or a name used twice.
  program_runner(program_host& w, std::vector<program_launch> launches,
                 const std::map<std::string, bool>& detach_on_exit, std::uint64_t seed);
  /// Stops every program still running (each call it makes from then on throws, so that it
  /// unwinds) and waits for its thread.
  ~program_runner();
  program_runner(const program_runner&) = delete;
  program_runner& operator=(const program_runner&) = delete;

  /// Hand every call completion of the world to this (the players do); true when the call was
  /// one a program made.
  bool completed(const std::string& engine, std::uint64_t call, const api::result& r);

  /// True while some program has not started or not ended.
  bool running() const;

  /// The latest instant a program may still be running: the greatest start + timeout.
  sim_time deadline() const;

  /// Every program's status, in launch order.
  std::vector<program_status> status() const;

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace dbgsim
