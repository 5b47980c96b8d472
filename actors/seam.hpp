// The seam: what an engine and a process server must understand, and how a world spawns them.
// "Bring your own engine or server" (docs/world.md) means: write an actor with one of the two
// interfaces below and hand a factory for it to world_options.
//
// Why CAF typed actor handles rather than a C++ interface: the world, the links and the driver
// already reach engines and servers only by messages, in simulated time. A typed handle lets the
// compiler check both ends of every such message: a sender (a link delivering a frame, the world
// crashing a server, the driver issuing a call, an actor's own timer) can send only what the
// interface lists, and a behaviour that lacks a handler for one of them, or has one the interface
// does not list, does not compile (typed_behavior's interface check). A C++ interface would be
// checked only at the call sites that happen to use it, would still need an actor around it to
// receive CAF messages, and would invite synchronous calls that simulated time cannot see. The
// implementation behind a handle is free: the reference engine and server wrap sans-I/O cores
// (engine_core, server_core), the small server (small_server/) is one plain actor.
//
// Links are typed too (link_handle), because CAF lets a typed actor send() only to typed actors.
//
// Everything else an implementation needs comes from its environment (actors/environment.hpp):
// the clock, the trace, links to other machines, the shared process tables, and registration of
// its inspection view. Frames are the encoded bytes of protocol/codec.hpp inside a `packet`.
#pragma once

#include "actors/config.hpp"
#include "actors/messages.hpp"

#include <caf/fwd.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include <cstdint>
#include <functional>
#include <string>

namespace dbgsim {

class environment;

/// What every engine understands. In order: an API call from the world's driver, answered with
/// its result exactly once (S15); a frame from a server; a reset of one of its connections
/// (S19); nothing listens where a connection was headed (S3); a timer it set for itself (in the
/// interface because CAF type-checks messages to self too); a process it attached locally (handle
/// 0) exited; a server it started ended (S13); the engine process crashes (it loses all state,
/// sends nothing more, and answers later calls with E_ABORT).
using engine_handle =
    caf::typed_actor<caf::replies_to<call_atom, std::uint64_t, api::call>::with<api::result>,
                     caf::reacts_to<packet>, caf::reacts_to<reset_atom, route>,
                     caf::reacts_to<refused_atom, route>, caf::reacts_to<timer_atom, std::uint64_t>,
                     caf::reacts_to<exited_atom, std::uint32_t>,
                     caf::reacts_to<srv_end_atom, std::string>, caf::reacts_to<crash_atom>>;

/// What every process server understands, one actor per incarnation. In order: it accepted a
/// connection (the link delivers this just before the connection's first frame; a server may
/// ignore it, since a session opens only with a connect_request); a frame from an engine (its
/// route names the connection to answer on); a reset of one of its connections, or its end of a
/// half-open one (S19); a timer it set for itself; a process attached through one of its sessions
/// exited on its own; the server process crashes (S10: all state lost, nothing sent).
using server_handle =
    caf::typed_actor<caf::reacts_to<accept_atom, route>, caf::reacts_to<packet>,
                     caf::reacts_to<reset_atom, route>, caf::reacts_to<timer_atom, std::uint64_t>,
                     caf::reacts_to<exited_atom, std::uint32_t>, caf::reacts_to<crash_atom>>;

/// What a link between two machines understands (actors/link.hpp). Engines and servers send it
/// packets, to the link `environment::link_between` names, and an engine opens each connection
/// with (open_atom, route) before its first packet; the rest is the world's: a packet to deliver
/// after its delay, partitions and heals of one direction, new parameters for one direction,
/// resets and half-open connections (of one engine's connections, or all for ""), and the reset
/// of the connections accepted at one server endpoint (machine, endpoint: a server process crash).
using link_handle =
    caf::typed_actor<caf::reacts_to<open_atom, route>, caf::reacts_to<packet>,
                     caf::reacts_to<deliver_atom, packet>,
                     caf::reacts_to<partition_atom, std::string, std::string>,
                     caf::reacts_to<heal_atom, std::string, std::string>,
                     caf::reacts_to<params_atom, std::string, std::string, link_params>,
                     caf::reacts_to<reset_atom, std::string>,
                     caf::reacts_to<reset_atom, std::string, std::string>,
                     caf::reacts_to<half_open_atom, std::string, bool>>;

/// Spawns one engine in `system`, living in `env` (which outlives it), configured by `config`.
using engine_factory =
    std::function<engine_handle(caf::actor_system& system, environment* env,
                                const engine_config& config)>;

/// Spawns one incarnation (1, 2, ... per server) of a process server in `system`, living in `env`;
/// called at the server's start, at every restart, and for StartProcessServer (S13).
using server_factory =
    std::function<server_handle(caf::actor_system& system, environment* env,
                                const server_config& config, std::uint32_t incarnation)>;

}  // namespace dbgsim
