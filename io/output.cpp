#include "io/output.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>

#include <fcntl.h>
#include <unistd.h>

namespace dbgsim::io {
namespace {

std::string os_error(const std::string& path, const char* doing) {
  return path + ": " + doing + ": " + std::strerror(errno);
}

std::optional<std::string> write_all(int fd, const std::string& path, std::string_view text) {
  while (!text.empty()) {
    const auto n = ::write(fd, text.data(), text.size());
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return os_error(path, "cannot write");
    }
    text.remove_prefix(static_cast<std::size_t>(n));
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> write_output(const std::string& path, std::string_view text) {
  if (path == "-") {
    std::cout << text;
    return finish_stdout();
  }
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    return os_error(path, "cannot write");
  auto err = write_all(fd, path, text);
  // A write into the page cache can succeed and the close still fail (NFS, quota): check it.
  if (::close(fd) != 0 && !err)
    err = os_error(path, "cannot write");
  return err;
}

std::optional<std::string> finish_stdout() {
  // errno is cleared first: the failing write may be the one std::cout's flush makes.
  errno = 0;
  std::cout.flush();
  if (std::fflush(stdout) == 0 && !std::ferror(stdout) && std::cout)
    return std::nullopt;
  if (errno == 0) {
    // The write that failed was an earlier one and its errno is gone; the output is already
    // incomplete, so one more byte costs nothing and asks the device for its reason again.
    if (::write(STDOUT_FILENO, "\n", 1) == 1)
      errno = EIO;
  }
  return std::string("standard output: cannot write: ") + std::strerror(errno != 0 ? errno : EIO);
}

std::optional<std::string> check_writable(const std::string& path) {
  if (path == "-")
    return std::nullopt;
  const auto folder = std::filesystem::path(path).parent_path();
  const auto dir = folder.empty() ? std::string(".") : folder.string();
  if (::access(dir.c_str(), W_OK | X_OK) != 0)
    return os_error(path, "cannot write there");
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    return path + ": cannot write: is a directory";
  return std::nullopt;
}

}  // namespace dbgsim::io
