// Writing an output file whole, or standard output as `-`, with every write and the close checked:
// a full device, a missing folder or a permission error is an error naming the path and the OS's
// reason, never a silent exit 0 with nothing written.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace dbgsim::io {

/// Writes `text` to `path` ("-": standard output), replacing the file; the error message, if any.
std::optional<std::string> write_output(const std::string& path, std::string_view text);

/// Flushes standard output (C and C++ streams); the error message if anything written to it was
/// lost.
std::optional<std::string> finish_stdout();

/// Whether a new file can be made in `path`'s folder: checked before a long run, so that a bad
/// output path does not lose the run's results at the end. The error message, if any.
std::optional<std::string> check_writable(const std::string& path);

}  // namespace dbgsim::io
