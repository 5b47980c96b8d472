// What a world is made of: machines, servers, engines and the links between machines.
#pragma once

#include "vocabulary/disconnect_mode.hpp"
#include "vocabulary/link_params.hpp"
#include "vocabulary/machine.hpp"
#include "vocabulary/timing.hpp"

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

}  // namespace dbgsim
