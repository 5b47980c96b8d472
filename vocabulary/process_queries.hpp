// The answers to the process queries a debugger makes of a machine: list its processes, find one
// by exe, describe one. The engine answers them for its own machine (handle 0, S12) and a server
// for a session's machine (S17); both answer here, so one machine gives one answer either way.
#pragma once

#include "protocol/hresult.hpp"
#include "vocabulary/machine.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace dbgsim {

/// What GetProcessSystemIds reports: at most `max` pids, how many there are, and S_FALSE when
/// they did not all fit in a buffer of one or more (S17); with max 0 (the count alone), S_OK.
struct process_listing {
  protocol::hresult hr;
  std::vector<std::uint32_t> pids;  ///< In pid order.
  std::uint32_t total = 0;
};

/// What GetProcessIdByExecutableName reports: the first match, E_NOINTERFACE for none, S_FALSE
/// for several when only one was asked for (S17).
struct process_match {
  protocol::hresult hr;
  std::uint32_t pid = 0;
};

/// What GetRunningProcessDescription reports: E_INVALIDARG for no such process.
struct process_description {
  protocol::hresult hr;
  std::string exe;
  std::string description;
};

/// Lists the processes of `m`, at most `max` of them.
process_listing list_processes_on(const machine& m, std::uint32_t max);

/// Finds a process of `m` by exe (case-insensitive).
process_match find_process_on(const machine& m, const std::string& exe, bool only_match);

/// Describes process `pid` of `m`.
process_description describe_process_on(const machine& m, std::uint32_t pid);

}  // namespace dbgsim
