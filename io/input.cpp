#include "io/input.hpp"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace dbgsim::io {
namespace {

const char* kind_of(mode_t m) {
  if (S_ISDIR(m)) return "a directory";
  if (S_ISFIFO(m)) return "a FIFO";
  if (S_ISCHR(m)) return "a character device";
  if (S_ISBLK(m)) return "a block device";
  if (S_ISSOCK(m)) return "a socket";
  return "not a regular file";
}

read_error os_error(const std::string& path, const char* doing) {
  return {path + ": " + doing + ": " + std::strerror(errno)};
}

// Reads `fd` to its end, refusing more than `max_bytes`.
std::variant<std::string, read_error> read_fd(int fd, const std::string& path,
                                              std::size_t max_bytes) {
  std::string text;
  char buf[65536];
  for (;;) {
    const auto n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return os_error(path, "cannot read");
    }
    if (n == 0)
      return text;
    if (text.size() + static_cast<std::size_t>(n) > max_bytes)
      return read_error{path + ": more than " + std::to_string(max_bytes) +
                        " bytes; a larger input is refused"};
    text.append(buf, static_cast<std::size_t>(n));
  }
}

}  // namespace

std::variant<std::string, read_error> read_input(const std::string& path, std::size_t max_bytes) {
  if (path == "-")
    return read_fd(STDIN_FILENO, "<stdin>", max_bytes);
  // Looked at before opening: open() of a FIFO blocks until a writer comes, for ever if none does.
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    return os_error(path, "cannot open");
  if (!S_ISREG(st.st_mode))
    return read_error{path + ": is " + kind_of(st.st_mode) + ", not a regular file" +
                      (S_ISDIR(st.st_mode) ? "; give one file in it" : "") +
                      "; to read a pipe or device, give - and redirect it to standard input"};
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0)
    return os_error(path, "cannot open");
  // The file may have been replaced between stat and open: look again at what was opened.
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return read_error{path + ": not a regular file"};
  }
  auto result = read_fd(fd, path, max_bytes);
  ::close(fd);
  return result;
}

}  // namespace dbgsim::io
