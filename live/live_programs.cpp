#include "live/live_programs.hpp"

#include "client_runtime/program_runner.hpp"
#include "live/engine_host.hpp"

namespace dbgsim::live {

live_programs::live_programs(runtime& rt, engine_lookup engines)
    : rt_(rt), engines_(std::move(engines)) {}

live_programs::~live_programs() = default;

sim_time live_programs::now() const { return rt_.now(); }

std::uint64_t live_programs::at(sim_time t, std::function<void()> action) {
  const auto id = ++actions_;
  const std::weak_ptr<int> alive = alive_;
  rt_.start_timer(std::max(t - rt_.now(), sim_time(0)), [this, alive, id, a = std::move(action)] {
    if (alive.expired() || cancelled_.erase(id) != 0)
      return;
    a();
  });
  return id;
}

void live_programs::cancel(std::uint64_t action) {
  if (action != 0 && action <= actions_)
    cancelled_.insert(action);
}

void live_programs::note(event e) { rt_.record(std::move(e)); }

std::uint64_t live_programs::call(const std::string& engine, api::call c,
                                  const std::string& program) {
  // A call the engine answers at once (S5, S12) completes inside engine_host::call, before its
  // number is known here: its result waits for result_of, as a world's does.
  auto number = std::make_shared<std::uint64_t>(0);
  std::optional<api::result> at_once;
  const std::weak_ptr<int> alive = alive_;
  const auto n = engines_(engine).call(
      std::move(c),
      [this, alive, engine, number, &at_once](const api::result& r) {
        if (alive.expired())
          return;
        if (*number == 0)
          at_once = r;
        else if (runner_ != nullptr)
          runner_->completed(engine, *number, r);
      },
      program);
  *number = n;
  if (at_once)
    answered_at_once_[{engine, n}] = std::move(*at_once);
  return n;
}

std::optional<api::result> live_programs::result_of(const std::string& engine, std::uint64_t n) {
  auto i = answered_at_once_.find({engine, n});
  if (i == answered_at_once_.end())
    return std::nullopt;
  auto r = std::move(i->second);
  answered_at_once_.erase(i);
  return r;
}

std::vector<std::uint32_t> live_programs::targets_of(const std::string& engine) const {
  const auto v = engines_(engine).inspect();
  std::vector<std::uint32_t> out = v.local_targets;
  for (const auto& h : v.sessions)
    out.insert(out.end(), h.targets.begin(), h.targets.end());
  return out;
}

}  // namespace dbgsim::live
