// Every trace event the small server builds itself, in one place (events.cpp), so that a change
// of the event schema (vocabulary/event.hpp) is one file's edit. These are the events the oracle
// needs from a server (oracle/oracle.cpp): server_state, session_open, session_end and
// frame_served; frame_dropped and timer only make the trace readable. The frame_sent of each
// frame and the frame_dropped of bytes that do not decode are its frame_port's
// (actors/actor_io.hpp), which records them as it does for the reference server.
#pragma once

#include "protocol/frame.hpp"
#include "vocabulary/event.hpp"
#include "vocabulary/route.hpp"

#include <cstdint>
#include <string>

namespace dbgsim::small {

// The shared vocabulary's names (vocabulary/event.hpp), so the small server speaks the same
// words as the reference one: server_state for its life, reason_kind for why a session ended or
// a frame was not served, timer_kind for its lease and grace timers.

/// The server entered `s`; `password` is the one it requires (only recorded on listening).
event server_state(dbgsim::server_state s, std::uint32_t incarnation, const std::string& machine,
                   const std::string& password);

/// A session opened for a connect that presented `password` and remoting `version` (S14 and
/// S4 check them).
event session_open(const route& r, std::uint64_t session, std::uint32_t incarnation,
                   const std::string& password, std::uint16_t version);

/// A session ended.
event session_end(const route& r, std::uint64_t session, std::uint32_t incarnation,
                  reason_kind why);

/// A request frame of an open session was acted on (S10, S11 judge these).
event frame_served(const route& r, const protocol::frame& f);

/// A frame that decoded (`f`) was not served.
event frame_dropped(const route& r, const protocol::frame& f, reason_kind why);

/// A timer fired and acted: a lease expired (for `session`), or the shutdown grace passed.
event timer(dbgsim::timer_kind k, const route& r, std::uint64_t session);

}  // namespace dbgsim::small
