#include "live/runtime.hpp"

#include <asio/steady_timer.hpp>

#include <algorithm>
#include <thread>

namespace dbgsim::live {

runtime::runtime(double time_scale)
    : context_(1), scale_(time_scale), start_(std::chrono::steady_clock::now()) {}

runtime::~runtime() = default;

sim_time runtime::now() const {
  const auto real = std::chrono::steady_clock::now() - start_;
  return std::chrono::duration_cast<sim_time>(
      std::chrono::duration<double, std::micro>(
          std::chrono::duration<double, std::micro>(real).count() / scale_));
}

real_duration runtime::real(sim_time d) const {
  const double ns = std::chrono::duration<double, std::nano>(d).count() * scale_;
  return std::chrono::duration_cast<real_duration>(
      std::chrono::duration<double, std::nano>(std::max(ns, 0.0)));
}

void runtime::start_timer(sim_time after, std::function<void()> fn) {
  auto timer = std::make_shared<asio::steady_timer>(context_, real(after));
  // The handler owns its timer: nothing else needs to, since timers are never cancelled.
  timer->async_wait([timer, fn = std::move(fn)](const std::error_code& ec) {
    if (!ec)
      fn();
  });
}

void runtime::record(event e) {
  e.t = now();
  if (trace_ != nullptr)
    *trace_ << to_json_line(e) << '\n';
  if (oracle_)
    oracle_->observe(e);
  for (auto& fn : listeners_)
    fn(e);
  if (keep_)
    kept_.push_back(std::move(e));
}

void runtime::check_with(timing times) { oracle_.emplace(times); }

void runtime::log(const std::string& line) {
  if (log_ != nullptr)
    *log_ << line << '\n' << std::flush;
}

void runtime::run() {
  context_.restart();
  context_.run();
}

void runtime::run_for(real_duration d) {
  context_.restart();
  context_.run_for(d);
}

bool runtime::run_until(const std::function<bool()>& done, real_duration limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  context_.restart();
  while (!done()) {
    if (std::chrono::steady_clock::now() >= until)
      return false;
    // Short slices, so that `done` is looked at soon after the handler that makes it hold.
    if (context_.run_for(std::chrono::milliseconds(5)) == 0 && context_.stopped())
      std::this_thread::sleep_for(std::chrono::milliseconds(1));  // No work: do not spin.
    if (context_.stopped())
      context_.restart();
  }
  return true;
}

}  // namespace dbgsim::live
