// The client programs this process can run (docs/clients.md): every program linked into it
// (clients/, bundled into `dbgsim`) and every program of the client libraries it loaded
// (`--client-lib PATH.so`). One catalog per process, because loading a shared library is a
// process-wide act: the scenario loader checks `program:` names against it, the runner takes
// programs from it.
#pragma once

#include <dbgsim/dbgeng.h>

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace dbgsim {

/// A client library that cannot be loaded: the path and why.
class client_library_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// A program the catalog knows.
struct program_ref {
  std::string name;               ///< As scenarios name it (`program: name`).
  dbgsim_program_fn entry = nullptr;
  std::string origin;             ///< "bundled", or the library's path.
};

/// The programs this process can run.
class program_catalog {
public:
  /// The process's catalog; it starts with every program linked into the executable.
  static program_catalog& process();

  /// Loads a user's client library (built against <dbgsim/dbgeng.h>) and adds its programs;
  /// throws client_library_error naming the path: unreadable, not a client library, built for
  /// another DBGSIM_CLIENT_ABI, or defining a program another origin already defines. Loading
  /// the same path twice adds nothing.
  void load_library(const std::string& path);

  /// The program called `name`, or nullptr.
  const program_ref* find(std::string_view name) const;

  /// The libraries loaded, as given to load_library, in order.
  const std::vector<std::string>& libraries() const { return libraries_; }

  /// Every program, in name order.
  const std::vector<program_ref>& programs() const { return programs_; }

private:
  program_catalog();
  void add(program_ref p);
  std::vector<program_ref> programs_;  ///< Sorted by name.
  std::vector<std::string> libraries_;  ///< Paths loaded, as given, in order.
  std::vector<std::string> canonical_;  ///< The same, made canonical: loading twice is once.
};

}  // namespace dbgsim
