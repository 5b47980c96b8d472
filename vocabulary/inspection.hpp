// What the harness may ask an engine or a server about itself: the small inspection interface
// that a user's own engine or server implementation offers too.
#pragma once

#include "vocabulary/route.hpp"
#include "vocabulary/server_state.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace dbgsim {

/// A session as the engine holds it.
struct held_session {
  route via;                          ///< The connection it runs on.
  std::uint64_t session = 0;
  std::uint32_t incarnation = 0;
  std::uint64_t handle = 0;           ///< The live handle holding it, 0 if none (disconnected).
  std::vector<std::uint32_t> targets; ///< Targets holding it, by pid (S20).
  friend bool operator==(const held_session&, const held_session&) = default;
};

/// An engine's state, as the harness sees it.
struct engine_view {
  std::string name;
  std::vector<std::uint64_t> live_handles;  ///< Ascending.
  std::vector<held_session> sessions;       ///< Ordered by connection id.
  std::vector<std::uint32_t> local_targets; ///< Targets attached through handle 0 (S12).
  std::size_t calls_in_flight = 0;
  friend bool operator==(const engine_view&, const engine_view&) = default;
};

/// A session as the server keeps it.
struct served_session {
  std::string engine;
  std::uint64_t conn = 0;
  std::uint64_t session = 0;
  std::uint32_t process_options = 0;        ///< Last received from the engine (S21).
  std::vector<std::uint32_t> attached;      ///< Processes attached through it, by pid.
  friend bool operator==(const served_session&, const served_session&) = default;
};

/// A server's state, as the harness sees it.
struct server_view {
  std::string name;
  server_state state = server_state::listening;
  std::uint32_t incarnation = 0;
  std::vector<served_session> sessions;  ///< Ordered by session id.
  friend bool operator==(const server_view&, const server_view&) = default;
};

}  // namespace dbgsim
