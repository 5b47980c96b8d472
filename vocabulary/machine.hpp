// A simulated machine: a name and a process table. Engines and servers on the machine share it;
// handle 0 (S12) and StartProcessServer (S13) point here.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace dbgsim {

/// Who has a process attached: a server's session, or an engine directly (session 0).
struct attachment {
  std::string owner;          ///< The server (or engine, for a local attach) that attached it.
  std::uint64_t session = 0;  ///< The owner server's session; 0 for a local attach.
  friend bool operator==(const attachment&, const attachment&) = default;
};

/// One running process.
struct process {
  std::uint32_t pid = 0;
  std::string exe;                      ///< Executable name ("notepad.exe").
  std::string description;              ///< What GetRunningProcessDescription reports.
  std::optional<attachment> attached;   ///< Set while a debugger is attached.
  friend bool operator==(const process&, const process&) = default;
};

/// A machine and its processes, ordered by pid (so listings are deterministic).
class machine {
public:
  /// A machine numbering the processes it creates from its own counter.
  explicit machine(std::string name)
      : name_(std::move(name)), next_pid_(std::make_shared<std::uint32_t>(1000)) {}

  /// A machine drawing the ids of processes it creates from `next_pid`, a counter shared with
  /// other machines so that ids are unique across them (an engine names targets by pid, S20).
  machine(std::string name, std::shared_ptr<std::uint32_t> next_pid)
      : name_(std::move(name)), next_pid_(std::move(next_pid)) {}

  /// The machine's name, as `server=` and `between:` name it.
  const std::string& name() const { return name_; }

  /// Adds a running process (a topology's initial processes).
  void add(process p);

  /// Starts a process for `command_line` (its first word is the exe); returns its new pid.
  std::uint32_t create(const std::string& command_line);

  /// The process with `pid`, or nullptr.
  process* find(std::uint32_t pid);
  const process* find(std::uint32_t pid) const;

  /// Removes the process (killed or exited); returns whether it was there.
  bool remove(std::uint32_t pid);

  /// Every process, ordered by pid.
  const std::map<std::uint32_t, process>& processes() const { return processes_; }

  /// The pids of processes whose exe equals `exe` (case-insensitive), in pid order.
  std::vector<std::uint32_t> find_by_exe(const std::string& exe) const;

private:
  std::string name_;
  std::map<std::uint32_t, process> processes_;
  std::shared_ptr<std::uint32_t> next_pid_;  ///< Created processes get ids from here, skipping used ones.
};

}  // namespace dbgsim
