// The CAF messages actors exchange. Frames travel as encoded bytes inside a `packet`; the C++
// types below are allowed as unsafe (never serialised) because a world lives in one process.
#pragma once

#include "vocabulary/api.hpp"
#include "vocabulary/inspection.hpp"
#include "vocabulary/link_params.hpp"
#include "vocabulary/route.hpp"
#include "vocabulary/timing.hpp"

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace dbgsim {

/// One encoded frame on its way through a link.
struct packet {
  route via;                        ///< The connection it belongs to.
  bool to_server = true;            ///< Direction: engine → server, or back.
  symbol from_machine;              ///< Sender's machine.
  symbol to_machine;                ///< Receiver's machine.
  std::vector<std::uint8_t> bytes;  ///< The encoded frame (protocol/codec.hpp).
  std::uint64_t id = 0;             ///< The frame's number in the world, for the trace.
};

// Atoms, one per kind of request an actor understands.
using call_atom = caf::atom_constant<caf::atom("call")>;
using timer_atom = caf::atom_constant<caf::atom("timer")>;
using reset_atom = caf::atom_constant<caf::atom("reset")>;
using refused_atom = caf::atom_constant<caf::atom("refused")>;
using open_atom = caf::atom_constant<caf::atom("open")>;
using accept_atom = caf::atom_constant<caf::atom("accept")>;
using crash_atom = caf::atom_constant<caf::atom("crash")>;
using exited_atom = caf::atom_constant<caf::atom("exited")>;
using srv_end_atom = caf::atom_constant<caf::atom("srvend")>;
using deliver_atom = caf::atom_constant<caf::atom("deliver")>;
using partition_atom = caf::atom_constant<caf::atom("partition")>;
using heal_atom = caf::atom_constant<caf::atom("heal")>;
using half_open_atom = caf::atom_constant<caf::atom("halfopen")>;
using params_atom = caf::atom_constant<caf::atom("params")>;

}  // namespace dbgsim

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(dbgsim::packet)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(dbgsim::route)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(dbgsim::link_params)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(dbgsim::api::call)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(dbgsim::api::result)
