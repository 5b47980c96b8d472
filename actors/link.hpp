// The link actor: carries encoded frames between two machines, one direction at a time, with
// latency, jitter, loss, duplication (reordering follows from jitter), partitions that may be
// one-way, connection resets (S19: both ends told at once) and half-open connections (one end
// silently gone: only leases and timeouts find it).
//
// Connections are the link's: an engine opens one (open_atom) before its first frame, and from
// then on every fault applies to it. The opening travels with the connection's first frame, as a
// TCP handshake would ride ahead of its data: when a frame of a connection not yet accepted
// reaches the far machine, a listening server is told of the connection (accept_atom) and
// accepts it, or, with nothing listening, the engine is told of the refusal (S3). A frame lost,
// cut or vanished on the way takes the opening with it, and only the engine's connect timeout
// finds that (S3).
#pragma once

#include "actors/environment.hpp"
#include "actors/messages.hpp"
#include "actors/seam.hpp"

#include <caf/stateful_actor.hpp>

#include <map>
#include <set>
#include <string>

namespace dbgsim {

/// Where a connection on a link is in its setup.
enum class connection_phase {
  opening,   ///< Opened by its engine; no frame of it has reached a listening server yet.
  accepted,  ///< A server was told of it; its frames are delivered.
  reset,     ///< Reset before any server accepted it: nothing is there to receive its frames.
};

/// The state of a link between machines `a` and `b`.
struct link_state {
  symbol a, b;
  symbol label;  ///< "a<->b", as the trace names the link.
  link_params a_to_b, b_to_a;
  bool cut_a_to_b = false;     ///< Partitioned from a towards b.
  bool cut_b_to_a = false;
  std::map<route, connection_phase> connections;  ///< Every one opened (what a reset resets).
  std::set<route> half_open;   ///< Connections whose frames vanish.
  std::set<route> crash_reset; ///< Connections a server process crash reset (told once only).
  static inline const char* name = "link";
};

/// The behaviour of a link actor between machines `a` and `b` (a < b is not required), with the
/// interface link_handle (actors/seam.hpp): (open_atom, route) from an engine; packet (from
/// either end); (deliver_atom, packet); (partition_atom, from, to); (heal_atom, from, to);
/// (params_atom, from, to, link_params); (reset_atom, engine) resets every connection of that
/// engine on the link ("" for all); (reset_atom, server machine, endpoint key) resets every
/// accepted connection at that server endpoint (its process crashed: the kernel resets them);
/// (half_open_atom, engine, bool server_gone).
link_handle::behavior_type link_actor(link_handle::stateful_pointer<link_state> self,
                                      environment* env, std::string a, std::string b,
                                      link_params a_to_b, link_params b_to_a);

}  // namespace dbgsim
