// Bounds: S15 (nothing hangs), which is also how S9 (a silent server times out) is checked.
//
// Every call's bound comes with its call event (the world's timing, not the engine's word). A
// call still open after its deadline is reported once the trace has moved past the deadline:
// events at the deadline itself may still complete it.
#include "oracle/detail/checks.hpp"

#include <fmt/format.h>

namespace dbgsim::oracle_detail {

void bound_checks::on_call(const engine_rec& eng, call_rec& rec) {
  rec.deadline = rec.ev.t + sim_time(static_cast<sim_time::rep>(rec.ev.value));
  deadlines_.insert({rec.deadline, eng.id, rec.ev.call});
}

void bound_checks::on_done(const engine_rec& eng, const call_rec& rec) {
  deadlines_.erase({rec.deadline, eng.id, rec.ev.call});
}

void bound_checks::expire(sim_time t) {
  while (!deadlines_.empty() && std::get<0>(*deadlines_.begin()) < t) {
    auto [deadline, id, n] = *deadlines_.begin();
    deadlines_.erase(deadlines_.begin());
    auto& eng = *st_.engine_by_id[static_cast<std::size_t>(id)];
    auto c = eng.calls.find(n);
    if (c == eng.calls.end())
      continue;
    st_.report("S15", deadline,
               fmt::format("{} call {} ({}) did not complete within its bound of {} us", eng.name,
                           n, api_text(c->second.ev.api), c->second.ev.value),
               {c->second.ev});
  }
}

}  // namespace dbgsim::oracle_detail
