#include "vocabulary/machine.hpp"

#include <algorithm>
#include <cctype>

namespace dbgsim {

void machine::add(process p) {
  auto pid = p.pid;
  processes_.insert_or_assign(pid, std::move(p));
}

std::uint32_t machine::create(const std::string& command_line) {
  auto& next = *next_pid_;
  while (processes_.count(next) != 0)
    next += 4;  // Windows process ids are multiples of four.
  process p;
  p.pid = next;
  p.exe = command_line.substr(0, command_line.find(' '));
  p.description = command_line;
  next += 4;
  processes_.emplace(p.pid, p);
  return p.pid;
}

process* machine::find(std::uint32_t pid) {
  auto i = processes_.find(pid);
  return i == processes_.end() ? nullptr : &i->second;
}

const process* machine::find(std::uint32_t pid) const {
  auto i = processes_.find(pid);
  return i == processes_.end() ? nullptr : &i->second;
}

bool machine::remove(std::uint32_t pid) { return processes_.erase(pid) != 0; }

std::vector<std::uint32_t> machine::find_by_exe(const std::string& exe) const {
  auto lower = [](std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
  };
  const auto want = lower(exe);
  std::vector<std::uint32_t> out;
  for (const auto& [pid, p] : processes_)
    if (lower(p.exe) == want)
      out.push_back(pid);
  return out;
}

}  // namespace dbgsim
