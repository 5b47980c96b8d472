// Reading an input file whole: a regular file, or standard input as `-`. A FIFO, a directory or a
// device is refused before it is opened (opening a FIFO would block until a writer came), and a
// file longer than the caller's cap is refused as soon as the cap is passed.
#pragma once

#include <cstddef>
#include <string>
#include <variant>

namespace dbgsim::io {

/// Why an input could not be read: the path and the reason, ready to print.
struct read_error {
  std::string message;  ///< "PATH: is a FIFO, not a regular file", "PATH: permission denied".
};

/// The whole content of `path` ("-": standard input), at most `max_bytes` long.
std::variant<std::string, read_error> read_input(const std::string& path, std::size_t max_bytes);

}  // namespace dbgsim::io
