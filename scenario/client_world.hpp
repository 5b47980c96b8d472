// The client world: one client program on an engine of its own, a process server it reaches, and
// a schedule of faults spread over the program's run (docs/properties.md, "A client program").
// `dbgsim prop --client` generates these with RapidCheck and client_fuzzer decodes them from
// bytes; both turn one into a scenario here, so that what they ran is exactly what the scenario
// file they write replays with `dbgsim run`.
//
// The world, by name: machine and server `srv` (listening `tcp:port=5005`, running notepad.exe
// 4242 and calc.exe 4343), the program's engine `eng`; optionally a second server `srv2` (machine
// `srv2`, `tcp:port=5006`, svc.exe 5252) that the program is not told about, and a bystander
// engine `eng2` holding a session of its own on `srv` through the faults. The faults are
// transient: after the last one the world heals every link, puts each back to its first profile
// and restarts a crashed server, so that a program that persists gets through in the end.
#pragma once

#include "findings/checker.hpp"
#include "scenario/scenario.hpp"
#include "vocabulary/finding.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dbgsim {

/// The faults a client world's schedule may hold, as scenario actions; a schedule entry without
/// one only lets time pass (`advance`).
inline constexpr std::array<action_kind, 8> client_fault_kinds = {
    action_kind::partition,    action_kind::heal,           action_kind::reset,
    action_kind::half_open,    action_kind::set_link,       action_kind::crash_server,
    action_kind::restart_server, action_kind::exit_process,
};

/// One link profile of the client world: what set_link and the world's first links use.
struct client_link_profile {
  std::string_view name;  ///< For one-line descriptions ("lossy").
  link_params params;
};

/// The client world's link profiles, by index (an index past the end wraps).
const std::vector<client_link_profile>& client_link_profiles();

/// One entry of the fault schedule.
struct client_fault {
  sim_time after{0};                ///< Simulated time since the previous entry (or the start).
  std::optional<action_kind> kind;  ///< One of client_fault_kinds; none: time only passes.
  std::uint8_t server = 0;   ///< 0: srv, 1: srv2 (srv when the world has no srv2).
  std::uint8_t way = 0;      ///< partition, heal, set_link: 0 both ways, 1 engine → server,
                             ///< 2 server → engine; half_open: 0 the server's end is gone, 1 the
                             ///< engine's.
  std::uint8_t profile = 0;  ///< set_link: an index into client_link_profiles().
  std::uint8_t process = 0;  ///< exit_process: an index into the server's processes.
  friend bool operator==(const client_fault&, const client_fault&) = default;
};

/// The program's engine, its server, and the world around them.
struct client_world {
  std::string program;                ///< A program of program_catalog::process().
  std::vector<std::string> args;      ///< argv[1...].
  sim_time timeout{std::chrono::minutes(5)};  ///< Not returned by then: hung-program (C6).
  std::uint64_t seed = 1;             ///< The world's seed.
  bool second_server = false;         ///< Adds `srv2`, which faults may hit instead of `srv`.
  bool second_engine = false;         ///< Adds `eng2`, which holds a session on `srv`.
  std::uint8_t link = 0;              ///< The first profile of every link (client_link_profiles).
  std::vector<client_fault> faults;   ///< In order; each `after` the one before.
  friend bool operator==(const client_world&, const client_world&) = default;
};

/// The client's name in the scenario (traces, findings).
inline constexpr std::string_view client_world_client = "program";
/// The ConnectProcessServer string that reaches `srv`: the args a program gets by default.
inline constexpr std::string_view client_world_options = "tcp:server=srv,port=5005";
/// The most entries a schedule holds and the latest a fault may come; the rest is ignored, so
/// every run stays short.
inline constexpr std::size_t client_world_max_faults = 16;
inline constexpr sim_time client_world_max_time = std::chrono::seconds(40);
/// How long after the last fault the world recovers.
inline constexpr sim_time client_world_recovery = std::chrono::seconds(10);

/// The scenario a client world stands for, its client declaring `expect: { findings: declared }`
/// (put in table order, repeats dropped).
scenario to_scenario(const client_world& w, std::vector<finding_kind> declared = {});

/// The findings about the world's client in a run's findings, in table order, no repeats.
std::vector<finding_kind> client_findings(const std::vector<finding>& findings);

/// The kinds of `found` that `allowed` lacks, in table order.
std::vector<finding_kind> unexpected_findings(const std::vector<finding_kind>& found,
                                              const std::vector<finding_kind>& allowed);

/// The kinds in both, in table order: what a reproducer declares, so that it fails on the
/// unexpected findings alone and passes once they are gone.
std::vector<finding_kind> allowed_and_found(const std::vector<finding_kind>& allowed,
                                            const std::vector<finding_kind>& found);

/// Finding kinds as "C1 leaked-handle, C7 program-failed", or "none".
std::string findings_text(const std::vector<finding_kind>& kinds);

/// A client world in one line (for counterexamples): its shape and its schedule.
std::string describe_world(const client_world& w);

}  // namespace dbgsim
