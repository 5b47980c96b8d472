// Handles: S1 (a connect gives a fresh, wide handle) and S3 (a failed connect makes no handle).
//
// A connect's done and the handle_born for it are separate events, in either order within an
// instant, so each is checked against what the other said: a done that failed must have no
// handle_born (before or after it), and a done with S_OK needs its handle_born by the end of
// its instant.
#include "oracle/detail/checks.hpp"

#include <fmt/format.h>

namespace dbgsim::oracle_detail {

void handle_checks::on_call(const engine_rec& eng, const event& e) {
  if (e.api == api::call_kind::connect)
    connects_[{eng.id, e.call}];
}

void handle_checks::on_connect_done(engine_rec& eng, const event& e) {
  auto k = connects_.find({eng.id, e.call});
  if (k == connects_.end())
    return;
  auto& con = k->second;
  con.done = true;
  con.hr = e.hr;
  con.handle = e.handle;
  if (!con.matched())
    con.done_ev = e;
  if (eng.crashed)
    return;
  if (e.hr && *e.hr == protocol::S_OK) {
    // S1: a successful connect returns a nonzero handle with bits above 32 in use.
    if ((e.handle >> 32) == 0)
      st_.report("S1", e.t,
                 fmt::format("{} connect call {} returned handle 0x{:X}, which has no bits above "
                             "32 set",
                             eng.name, e.call, e.handle),
                 {e});
    if (con.born_handle != e.handle)
      st_.todo.push_back(pending{.kind = check::handle_born_by_done,
                                 .eng = &eng,
                                 .a = e.call,
                                 .b = e.handle,
                                 .evs = {e}});
  } else if (con.born_handle != 0) {
    // S3: a connect that failed made no handle.
    st_.report("S3", e.t,
               fmt::format("{} connect call {} failed with {} but handle 0x{:X} was born for it",
                           eng.name, e.call, hr_text(e.hr), con.born_handle),
               {eng.handles.at(con.born_handle).born, e});
  }
}

void handle_checks::on_handle_born(engine_rec& eng, const event& e) {
  if (auto i = eng.handles.find(e.handle); i != eng.handles.end()) {
    // S1: never returned before by that engine.
    st_.report("S1", e.t,
               fmt::format("{} gave out handle 0x{:X} a second time", eng.name, e.handle),
               {i->second.born, e});
  }
  if (auto k = connects_.find({eng.id, e.call}); k != connects_.end() && !eng.crashed) {
    auto& con = k->second;
    if (con.done && (!con.hr || *con.hr != protocol::S_OK)) {
      // S3: the connect had already failed (e.g. ERROR_SEM_TIMEOUT); a late reply makes nothing.
      st_.report("S3", e.t,
                 fmt::format("{} handle 0x{:X} was born for connect call {}, which had already "
                             "failed with {}",
                             eng.name, e.handle, e.call, hr_text(con.hr)),
                 {*con.done_ev, e});
    } else if (con.done && con.handle != e.handle) {
      // Once matched, the born event of the handle the done returned stands for the done.
      st_.report("S1", e.t,
                 fmt::format("{} handle 0x{:X} was born for connect call {}, which had returned "
                             "handle 0x{:X}",
                             eng.name, e.handle, e.call, con.handle),
                 {con.done_ev ? *con.done_ev : eng.handles.at(con.born_handle).born, e});
    }
    if (con.born_handle == 0)
      con.born_handle = e.handle;
    if (con.matched())
      con.done_ev.reset();
  }
}

void handle_checks::judge(pending& p) {
  // S1: a connect that returned S_OK and handle h has a handle_born(h, that call) no later
  // than its done's instant.
  if (p.eng->crashed)
    return;
  auto h = p.eng->handles.find(p.b);
  if (h != p.eng->handles.end() && h->second.born_call == p.a)
    return;
  st_.report("S1", st_.now,
             fmt::format("{} connect call {} returned handle 0x{:X} with S_OK but no handle_born "
                         "for it was recorded",
                         p.eng->name, p.a, p.b),
             std::move(p.evs));
}

}  // namespace dbgsim::oracle_detail
