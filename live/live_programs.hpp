// Client programs live: the program runner's world (client_runtime/program_host.hpp) on the live
// runtime. The runner, the IDebugClient and the hand-over are those of a simulated run; only
// where time and calls come from changes. Time is the runtime's real clock in the scenario's
// units, so a program's Sleep(ms) takes ms × the time scale of real time; its calls go to the
// live engines over real sockets. While a program has control the runtime's thread waits for it,
// exactly as a world waits, so the engines' handlers and the program never run at once.
#pragma once

#include "client_runtime/program_host.hpp"
#include "live/runtime.hpp"

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>

namespace dbgsim {
class program_runner;
}

namespace dbgsim::live {

class engine_host;

/// A program_host on a live runtime and its engines.
class live_programs final : public program_host {
public:
  /// Finds a live engine by name (the scenario's engines; the runner checks names first).
  using engine_lookup = std::function<engine_host&(const std::string&)>;

  /// Programs on `rt` (which outlives this) calling the engines `engines` finds.
  live_programs(runtime& rt, engine_lookup engines);
  ~live_programs() override;

  /// Where completions of the programs' calls go; set once the runner exists, before the
  /// runtime runs.
  void deliver_to(program_runner& runner) { runner_ = &runner; }

  sim_time now() const override;
  std::uint64_t at(sim_time t, std::function<void()> action) override;
  void cancel(std::uint64_t action) override;
  void note(event e) override;
  std::uint64_t call(const std::string& engine, api::call c, const std::string& program) override;
  std::optional<api::result> result_of(const std::string& engine, std::uint64_t n) override;
  std::vector<std::uint32_t> targets_of(const std::string& engine) const override;

private:
  runtime& rt_;
  engine_lookup engines_;
  program_runner* runner_ = nullptr;
  std::uint64_t actions_ = 0;
  std::set<std::uint64_t> cancelled_;
  /// Results of calls that completed inside engine_host::call, before their number was known.
  std::map<std::pair<std::string, std::uint64_t>, api::result> answered_at_once_;
  /// Timers cannot be cancelled (live/runtime.hpp) and may come due after this is gone: each
  /// holds this token weakly and does nothing once it has expired.
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace dbgsim::live
