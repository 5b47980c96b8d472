// The link actor: carries encoded frames between two machines, one direction at a time, with
// latency, jitter, loss, duplication (reordering follows from jitter), partitions that may be
// one-way, connection resets (S19: both ends told at once) and half-open connections (one end
// silently gone: only leases and timeouts find it).
#pragma once

#include "actors/environment.hpp"
#include "actors/messages.hpp"
#include "actors/seam.hpp"

#include <caf/stateful_actor.hpp>

#include <map>
#include <set>
#include <string>

namespace dbgsim {

/// The state of a link between machines `a` and `b`.
struct link_state {
  std::string a, b;
  link_params a_to_b, b_to_a;
  bool cut_a_to_b = false;     ///< Partitioned from a towards b.
  bool cut_b_to_a = false;
  std::set<route> routes;      ///< Connections seen on this link (what a reset resets).
  std::set<route> half_open;   ///< Connections whose frames vanish.
  static inline const char* name = "link";
};

/// The behaviour of a link actor between machines `a` and `b` (a < b is not required), with the
/// interface link_handle (actors/seam.hpp): packet (from either end); (deliver_atom, packet);
/// (partition_atom, from, to); (heal_atom, from, to); (params_atom, from, to, link_params);
/// (reset_atom, engine) resets every connection of that engine on the link ("" for all);
/// (half_open_atom, engine, bool server_gone).
link_handle::behavior_type link_actor(link_handle::stateful_pointer<link_state> self,
                                      environment* env, std::string a, std::string b,
                                      link_params a_to_b, link_params b_to_a);

}  // namespace dbgsim
