// The oracle's rule families, one class and one file each (as TigerBeetle splits its checkers):
//
//   file                    class               rules             what they judge
//   oracle/handles.cpp      handle_checks       S1, S3            a connect's result, its handle
//   oracle/calls.cpp        call_checks         S3 S5 S6 S9 S12 S19  what a call completes with, when
//   oracle/bounds.cpp       bound_checks        S15 (S9)          a call: its time bound
//   oracle/servers.cpp      server_checks       S4, S8, S10, S14  version, password, incarnation, shutdown
//   oracle/sessions.cpp     session_checks      S7, S11, S19      a session's owner, its end
//   oracle/targets.cpp      target_checks       S20, S22          targets hold sessions, get lost
//   oracle/exit_policy.cpp  exit_policy_checks  S21               processes of an ended session
//
// The dispatcher (oracle/oracle.cpp) keeps the shared records (oracle/detail/state.hpp) and calls
// each family's hooks for the events it needs, in the order the checks were once written in one
// file, so that violations come out in the same order. A family reads the shared records, writes
// only its own state (and the fields of shared records marked as its own), and files violations
// and pending checks through the shared state; the dispatcher routes each pending check back to
// the family that made it. Internal, as state.hpp.
#pragma once

#include "oracle/detail/state.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <tuple>
#include <utility>
#include <vector>

namespace dbgsim::oracle_detail {

/// S1, S3: a connect's result and the handle born for it.
class handle_checks {
public:
  /// Checks against the records of `st`.
  explicit handle_checks(shared_state& st) : st_(st) {}
  /// Notes a connect call.
  void on_call(const engine_rec& eng, const event& e);
  /// Checks a connect's done (S1 wide handle, S3 no handle for a failure).
  void on_connect_done(engine_rec& eng, const event& e);
  /// Checks a handle_born before the dispatcher records it (S1 never reused, S3, S1).
  void on_handle_born(engine_rec& eng, const event& e);
  /// Judges a handle_born_by_done check.
  void judge(pending& p);

private:
  struct connect_rec {
    bool done = false;
    std::optional<hresult> hr;
    std::uint64_t handle = 0;       ///< What the done returned.
    std::uint64_t born_handle = 0;  ///< A handle_born naming this call.
    /// The done, until its S_OK is matched by the handle_born of the handle it returned: then
    /// that handle's born event stands for it, and every connect of a world of 10,000 idle
    /// engines no longer keeps a whole event for nothing.
    event_box done_ev;

    /// Whether the done returned S_OK and the handle born for the call is the one it returned.
    bool matched() const {
      return done && hr && *hr == protocol::S_OK && born_handle != 0 && born_handle == handle;
    }
  };

  shared_state& st_;
  std::map<std::pair<int, std::uint64_t>, connect_rec> connects_;  ///< (engine id, call).
};

/// S3, S5, S6, S9, S12, S19: what a call must complete with and when, and what it may send.
class call_checks {
public:
  /// Checks against the records of `st`.
  explicit call_checks(shared_state& st) : st_(st) {}
  /// Sets what the call `rec` must complete with (S5, S12), or the live handle a disconnect got
  /// and what the calls in flight on it must complete with (S6).
  void on_call(engine_rec& eng, call_rec& rec);
  /// Checks the done `e` of the open call `rec`, whose API is `api`.
  void on_done(engine_rec& eng, call_rec& rec, const event& e,
               const std::optional<api::call_kind>& api);
  /// S19: a reset fails the calls in flight on its conn's handles at once.
  void on_session_released(engine_rec& eng, const event& e);
  /// S19: a reset or half-open fault happened now, so RPC_S_CALL_FAILED may be given now.
  void on_reset_fault(const event& e);
  /// S3, S9: the call an engine's connect or rpc timer was for fails now with ERROR_SEM_TIMEOUT.
  void on_timer(engine_rec& eng, const event& e);
  /// S5, S12: a call on a handle the engine does not hold, or on handle 0, sends no frame.
  void on_frame_sent(engine_rec& eng, const event& e);
  /// Judges a call_done_now or handle_dead_by_done check.
  void judge(pending& p);

private:
  /// Sets what the open call `rec` (number `call`) must complete with, within this instant.
  void expect(engine_rec& eng, std::uint64_t call, call_rec& rec, expectation x);

  shared_state& st_;
  /// (engine id, call) → the rule by which the call sends nothing (S5, S12).
  std::map<std::pair<int, std::uint64_t>, const char*> silent_calls_;
  sim_time last_reset_{never};  ///< The last instant with a reset or half-open fault (S19).
};

/// S15 (which is how S9 is checked): every call completes within its bound.
class bound_checks {
public:
  /// Checks against the records of `st`.
  explicit bound_checks(shared_state& st) : st_(st) {}
  /// Sets the call's deadline and starts watching it.
  void on_call(const engine_rec& eng, call_rec& rec);
  /// Stops watching a call that completed.
  void on_done(const engine_rec& eng, const call_rec& rec);
  /// Reports the calls whose deadline passed before `t`.
  void expire(sim_time t);

private:
  shared_state& st_;
  std::set<std::tuple<sim_time, int, std::uint64_t>> deadlines_;  ///< (deadline, engine id, call).
};

/// S8, S10, S14: a server's admission and its lives: password, incarnations, shutdown.
class server_checks {
public:
  /// Checks against the records of `st`.
  explicit server_checks(shared_state& st) : st_(st) {}
  /// Follows a server_state after the dispatcher recorded it (S8's grace period).
  void on_server_state(server_rec& srv, const event& e);
  /// Checks a session_open against its server (S4 version, S14 password, S8 shutting down).
  void on_session_open(const server_rec& srv, const engine_rec& eng, const event& e);
  /// S10: reports a frame served with a stale incarnation, and says whether it was one.
  bool stale_frame(const server_rec& srv, const event& e);
  /// Reports the servers whose shutdown outlasted its bound before `t` (S8).
  void expire(sim_time t);

private:
  struct shutdown_rec {
    std::optional<event> ev;  ///< Its last shutting_down.
    bool pending = false;
    sim_time deadline{0};
  };

  shared_state& st_;
  std::map<const server_rec*, shutdown_rec> shutdowns_;
  std::vector<const server_rec*> shutting_;  ///< Servers with an S8 deadline running.
};

/// S7, S11: a session belongs to one engine's connect, and ends once nothing holds it.
class session_checks {
public:
  /// Checks against the records of `st`.
  explicit session_checks(shared_state& st) : st_(st) {}
  /// S7's reference time: a crashed engine holds none of its sessions.
  void on_engine_crash(const engine_rec& eng, sim_time t);
  /// S7's reference time: the engine let the sessions of a conn go; S19: by a reset, which ends
  /// the server's session of that conn too.
  void on_session_released(engine_rec& eng, const event& e);
  /// S19: notes the machines a reset or half-open fault of this instant names.
  void on_fault(const event& e);
  /// Checks a session_open (S11) and fills S7's fields of its new record `rec`.
  void on_session_open(const server_rec& srv, const engine_rec& eng, const event& e,
                       session_rec& rec);
  /// Checks a frame served on a session (S11) and notes it (S7, S11).
  void on_frame_served(server_rec& srv, const event& e);
  /// A session that ended as "disconnect" must have served one (S11).
  void on_session_end(server_rec& srv, const session_key& key, const event& e);
  /// Judges a disconnect_served or ended_by_reset check.
  void judge(pending& p);
  /// S7 at the end of a settled run at `at`.
  void finish(sim_time at);

private:
  shared_state& st_;
  sim_time faults_at_{never};                   ///< The instant of the machines below.
  std::set<std::string> reset_, half_open_;     ///< Machines a reset / half-open named then.
};

/// S20, S22: an engine's targets hold their session, and a target whose session ended is lost.
class target_checks {
public:
  /// Checks against the records of `st`.
  explicit target_checks(shared_state& st) : st_(st) {}
  /// Notes an EndSession call (S20 leaves its disconnect frames out).
  void on_call(const engine_rec& eng, const event& e);
  /// Notes the end of an EndSession call.
  void on_done(const engine_rec& eng, const call_rec& rec);
  /// Records a target_added.
  void on_target_added(const engine_rec& eng, const event& e);
  /// Records a target_removed; S20: the last target of a dead handle releases its session.
  void on_target_removed(engine_rec& eng, const event& e);
  /// Records a target_lost.
  void on_target_lost(const engine_rec& eng, const event& e);
  /// S20: no disconnect frame while targets hold the session.
  void on_frame_sent(engine_rec& eng, const event& e);
  /// S22's reference time: the server session on `eng`'s conn ended at `t`.
  void on_session_closed(const engine_rec& eng, std::uint64_t conn, sim_time t);
  /// Judges a targets_kept or released_after_last check.
  void judge(pending& p);
  /// S20 and S22 at the end of a settled run at `at`.
  void finish(sim_time at);

private:
  struct target_rec {
    event added;
    sim_time gone{never};  ///< When the server session on its conn ended (S22's reference time).
  };
  using target_key = std::pair<std::uint64_t, std::uint32_t>;  ///< (conn, pid).
  struct engine_targets {
    std::map<target_key, target_rec> targets;
    int end_session_open = 0;
    sim_time end_session_t{never};
    std::set<std::uint64_t> leak_reported;  ///< conns reported by S20 at finish.
    std::set<target_key> lost_reported;     ///< targets reported by S22 at finish.

    bool has_targets_on(std::uint64_t conn) const {
      auto i = targets.lower_bound({conn, 0});
      return i != targets.end() && i->first.first == conn;
    }
  };

  /// The engine's record, made on first need. Only what adds a target or an EndSession, or
  /// files a finding, makes one: an engine without targets has none (10,000 idle engines kept
  /// ~200 bytes each of empty records).
  engine_targets& of(const engine_rec& eng) { return engines_[eng.id]; }
  /// The engine's record, or null if it never needed one.
  engine_targets* find(const engine_rec& eng) {
    auto i = engines_.find(eng.id);
    return i == engines_.end() ? nullptr : &i->second;
  }

  shared_state& st_;
  std::map<int, engine_targets> engines_;  ///< By engine id; only engines that needed one.
};

/// S21: what becomes of the processes attached through a session when it ends.
class exit_policy_checks {
public:
  /// Checks against the records of `st`.
  explicit exit_policy_checks(shared_state& st) : st_(st) {}
  /// Records a process attached through a server session.
  void on_process_attached(const event& e);
  /// Records a process detached, killed or exited.
  void on_process_gone(const event& e);
  /// Records the process options a server received for a session.
  void on_options_received(server_rec& srv, const event& e);
  /// Every process still attached through the ended session `key` must be detached or killed.
  void on_session_closed(server_rec& srv, const session_key& key, const session_rec& rec,
                         const event& e);
  /// Judges an exit_policy check.
  void judge(pending& p);

private:
  struct attach_rec {
    std::uint64_t session = 0;
    std::uint32_t incarnation = 0;
    std::uint64_t gen = 0;
    bool attached = false;
    event ev;
    event_kind end_kind = event_kind::process_exited;
    event_box end_ev;
  };

  shared_state& st_;
  std::map<const server_rec*, std::map<std::uint32_t, attach_rec>> attachments_;  ///< By pid.
  std::uint64_t attach_gen_ = 0;
};

}  // namespace dbgsim::oracle_detail
