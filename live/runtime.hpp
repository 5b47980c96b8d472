// The live runtime: one Asio io_context run on one thread, a real clock that speaks simulated
// units, timers, a log for people and a trace for the oracle. Every live engine, server and
// connection of a process shares one runtime, so their handlers run one at a time, as the cores'
// actors do in a world.
#pragma once

#include "oracle/oracle.hpp"
#include "vocabulary/event.hpp"
#include "vocabulary/timing.hpp"

#include <asio/io_context.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace dbgsim::live {

/// The real clock's own duration.
using real_duration = std::chrono::steady_clock::duration;

/// The io_context, the clock, the timers and the trace of live mode.
class runtime {
public:
  /// A runtime whose simulated durations take `time_scale` times as long in real time (1: real
  /// time; 0.05: a 60 s scenario in 3 s). Precondition: time_scale > 0.
  explicit runtime(double time_scale = 1.0);
  ~runtime();
  runtime(const runtime&) = delete;
  runtime& operator=(const runtime&) = delete;

  /// The io_context every socket and timer of this runtime lives on.
  asio::io_context& context() { return context_; }

  /// Real duration per simulated duration.
  double time_scale() const { return scale_; }

  /// Time since the runtime started, in simulated units (real time ÷ scale), so that traces and
  /// timeouts speak the scenario's units.
  sim_time now() const;

  /// The real duration that simulated duration `d` takes.
  real_duration real(sim_time d) const;

  /// Calls `fn` once, `after` (simulated) from now, on the runtime's thread. Timers cannot be
  /// cancelled, as the cores' cannot: `fn` must check that what it touches is still there.
  void start_timer(sim_time after, std::function<void()> fn);

  /// Appends `e` to the trace, stamped with now(); its actor is the recorder's to set.
  void record(event e);

  /// A new frame number (1, 2, ...), for frame_sent events.
  std::uint64_t next_frame_id() { return ++frames_; }

  /// Writes every later event as one JSON line (docs/trace-format.md) to `out`, which outlives
  /// the runtime or the next call.
  void trace_to(std::ostream& out) { trace_ = &out; }

  /// Feeds every later event to an oracle judging with `times` (docs/semantics.md).
  void check_with(timing times);

  /// The oracle fed by check_with, or nullptr.
  oracle* checker() { return oracle_ ? &*oracle_ : nullptr; }

  /// Keeps every later event in memory (events()); off by default, so a server that runs for
  /// days holds no trace.
  void keep_events(bool keep) { keep_ = keep; }

  /// The events kept since keep_events(true).
  const std::vector<event>& events() const { return kept_; }

  /// Calls `fn` with every later event, after the trace and the oracle have it.
  void on_event(std::function<void(const event&)> fn) { listeners_.push_back(std::move(fn)); }

  /// Writes one line for people (a session started, a connection closed and why) to `out`, or
  /// nowhere when `out` is nullptr (the default).
  void log_to(std::ostream* out) { log_ = out; }

  /// Writes `line` and a newline to the log, if there is one.
  void log(const std::string& line);

  /// Runs handlers until stop() or until nothing is left to do.
  void run();

  /// Runs handlers for at most `d` of real time, or until stop().
  void run_for(real_duration d);

  /// Runs handlers until `done()` holds or `limit` (real) has passed; returns whether it holds.
  bool run_until(const std::function<bool()>& done, real_duration limit);

  /// Makes run() and run_for() return soon.
  void stop() { context_.stop(); }

private:
  asio::io_context context_;
  double scale_;
  std::chrono::steady_clock::time_point start_;
  std::uint64_t frames_ = 0;
  std::ostream* trace_ = nullptr;
  std::ostream* log_ = nullptr;
  std::optional<oracle> oracle_;
  bool keep_ = false;
  std::vector<event> kept_;
  std::vector<std::function<void(const event&)>> listeners_;
};

}  // namespace dbgsim::live
