// The world a property case runs in: a few engines and process servers, described in the
// model's words, and turned into a topology for the simulator.
#pragma once

#include "world/topology.hpp"

#include <rapidcheck.h>

#include <cstdint>
#include <string>
#include <vector>

namespace dbgsim::props {

/// The port every generated server listens on.
inline constexpr std::uint16_t case_port = 5005;

/// One generated process server; it runs on a machine of its own name.
struct case_server {
  std::string name;
  std::string password;            ///< Empty: the server asks for none.
  std::vector<process> processes;  ///< Running on its machine at the start.
  bool clicon = false;             ///< Listens for one reverse-connection client (S16).
};

/// One generated engine; it runs on a machine of its own name.
struct case_engine {
  std::string name;
  disconnect_mode mode = disconnect_mode::async;
  bool detach_on_exit = false;
  std::vector<process> processes;  ///< Running on its machine at the start (handle 0, S12).
  std::uint16_t protocol_version = protocol::protocol_version;  ///< Another one is refused (S4).
};

/// A whole generated world.
struct case_world {
  std::vector<case_engine> engines;
  std::vector<case_server> servers;
  sim_time latency{0};  ///< Initial latency of every link, both ways.
  sim_time jitter{0};   ///< Initial jitter of every link, both ways.
};

/// The topology a case world stands for (default timing, one link per engine and server).
topology to_topology(const case_world& w);

/// Generates a case world with 1..max_engines engines and 1..max_servers servers.
rc::Gen<case_world> gen_case_world(int max_engines = 3, int max_servers = 2);

/// Shows a case world in one line (for counterexamples).
void showValue(const case_world& w, std::ostream& os);

}  // namespace dbgsim::props
