#include "vocabulary/process_queries.hpp"

namespace dbgsim {

using namespace protocol;

process_listing list_processes_on(const machine& m, std::uint32_t max) {
  process_listing out;
  for (const auto& [pid, p] : m.processes()) {
    if (out.pids.size() < max)
      out.pids.push_back(pid);
    ++out.total;
  }
  // A count alone (no room asked for) is not a truncated list: real clients count with a null
  // buffer and take anything but S_OK for failure (Binary Ninja's adapter, Ghidra's agents).
  out.hr = max != 0 && out.total > max ? S_FALSE : S_OK;
  return out;
}

process_match find_process_on(const machine& m, const std::string& exe, bool only_match) {
  const auto pids = m.find_by_exe(exe);
  if (pids.empty())
    return {E_NOINTERFACE, 0};
  return {pids.size() > 1 && only_match ? S_FALSE : S_OK, pids.front()};
}

process_description describe_process_on(const machine& m, std::uint32_t pid) {
  const auto* p = m.find(pid);
  if (p == nullptr)
    return {E_INVALIDARG, {}, {}};
  return {S_OK, p->exe, p->description};
}

}  // namespace dbgsim
