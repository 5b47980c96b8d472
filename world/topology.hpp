// What a world is made of: machines, servers, engines and the links between machines.
#pragma once

#include "protocol/message.hpp"
#include "vocabulary/disconnect_mode.hpp"
#include "vocabulary/link_params.hpp"
#include "vocabulary/machine.hpp"
#include "vocabulary/timing.hpp"

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace dbgsim {

/// A machine and the processes running on it at the start.
struct machine_spec {
  std::string name;
  std::vector<process> processes;
  friend bool operator==(const machine_spec&, const machine_spec&) = default;
};

/// A process server: where it runs and what it listens on.
struct server_spec {
  std::string name;
  std::string machine;  ///< Empty: a machine of the server's own name.
  std::string listen;   ///< The `dbgsrv -t` string.
  sim_time start{0};    ///< When it starts listening.
  friend bool operator==(const server_spec&, const server_spec&) = default;
};

/// A debugger engine.
struct engine_spec {
  std::string name;
  std::string machine;  ///< Empty: a machine of the engine's own name.
  disconnect_mode mode = disconnect_mode::async;
  bool detach_on_exit = false;
  std::uint16_t protocol_version = protocol::protocol_version;  ///< The remoting version it speaks (S4).
  friend bool operator==(const engine_spec&, const engine_spec&) = default;
};

/// A link between two machines (or between the machines of two named engines/servers).
struct link_spec {
  std::string a, b;
  link_params a_to_b, b_to_a;
  friend bool operator==(const link_spec&, const link_spec&) = default;
};

/// A whole world; any pair of machines not given a link gets one with no delay and no faults.
struct topology {
  timing times;
  std::vector<machine_spec> machines;
  std::vector<server_spec> servers;
  std::vector<engine_spec> engines;
  std::vector<link_spec> links;
  friend bool operator==(const topology&, const topology&) = default;
};

/// A topology that cannot be built (duplicate names, bad listen string, endpoint taken twice).
class topology_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// Where in a topology something is: which entry, and which of its fields.
struct topology_place {
  enum class part : std::uint8_t { machine, process, server, engine, link };
  enum class field : std::uint8_t { name, machine, listen, pid, ends };
  part what = part::machine;
  std::size_t index = 0;  ///< Into machines, servers, engines or links.
  std::size_t sub = 0;    ///< A process's index within its machine.
  field which = field::name;
};

/// Why a topology cannot be built.
struct topology_problem {
  topology_place where;                 ///< The entry at fault.
  std::optional<topology_place> first;  ///< For a clash: the entry it clashes with.
  std::string message;                  ///< With "{at}" where the first entry's place goes.
};

/// The first reason `t` cannot be built, if any. The one check of a topology: the loader maps a
/// problem to FILE:LINE:COL, the world throws it as a topology_error.
std::optional<topology_problem> validate(const topology& t);

/// A problem's message with "{at}" replaced by `first_at` (" at line 4", or "").
std::string text_of(const topology_problem& p, const std::string& first_at);

/// The machine an engine runs on: its own name unless it names one.
std::string machine_of(const engine_spec& e);

/// The machine a server runs on: its own name unless it names one.
std::string machine_of(const server_spec& s);

/// The machine a name stands for in `t`: an engine's or a server's, or the name itself.
std::string machine_named_in(const topology& t, const std::string& name);

}  // namespace dbgsim
