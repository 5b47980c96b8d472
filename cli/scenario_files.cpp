#include "cli/scenario_files.hpp"

#include "scenario_files/loader.hpp"

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <stdexcept>
#include <system_error>

namespace dbgsim::cli {

namespace {

// Why a *.yaml entry of a directory is no scenario file to read, or "" when it is one (a regular
// file, or a link to one).
std::string not_a_scenario_file(const std::filesystem::path& p) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const auto st = fs::status(p, ec);
  if (ec && ec != std::errc::no_such_file_or_directory)
    return ec.message();  // "Too many levels of symbolic links", "Permission denied"
  if (!fs::exists(st)) {
    std::error_code link_ec;
    if (fs::is_symlink(fs::symlink_status(p, link_ec)))
      return "a dangling symbolic link (to " + fs::read_symlink(p, link_ec).string() + ")";
    return "no such file or directory";
  }
  if (fs::is_regular_file(st))
    return {};
  if (fs::is_directory(st))
    return "a directory";
  if (fs::is_fifo(st))
    return "a FIFO";
  if (fs::is_character_file(st) || fs::is_block_file(st))
    return "a device";
  if (fs::is_socket(st))
    return "a socket";
  return "not a regular file";
}

}  // namespace

std::vector<std::string> expand_scenario_args(const std::vector<std::string>& args) {
  namespace fs = std::filesystem;
  std::vector<std::string> out;
  for (const auto& arg : args) {
    std::error_code ec;
    auto status = fs::status(arg, ec);
    if (ec && ec != std::errc::no_such_file_or_directory)
      throw std::runtime_error(arg + ": " + ec.message());
    if (!fs::exists(status))
      throw std::runtime_error(arg + ": no such file or directory");
    if (!fs::is_directory(status)) {
      out.push_back(arg);
      continue;
    }
    // Every *.yaml entry is read; one that is not a regular file is an error naming it, not a
    // scenario silently left out of the run.
    std::vector<std::string> found, bad;
    for (fs::directory_iterator it(arg, ec), end; !ec && it != end; it.increment(ec)) {
      if (it->path().extension() != ".yaml")
        continue;
      if (auto why = not_a_scenario_file(it->path()); !why.empty())
        bad.push_back(it->path().string() + ": " + why);
      else
        found.push_back(it->path().string());
    }
    if (ec)
      throw std::runtime_error(arg + ": cannot list the directory: " + ec.message());
    if (!bad.empty()) {
      std::sort(bad.begin(), bad.end());
      std::string msg = arg + ": " + std::to_string(bad.size()) + " *.yaml entr" +
                        (bad.size() == 1 ? "y is" : "ies are") +
                        " not a scenario file; remove or rename them, or name the files to run:";
      for (const auto& b : bad)
        msg += "\n    " + b;
      throw std::runtime_error(msg);
    }
    if (found.empty())
      throw std::runtime_error(arg + ": the directory holds no *.yaml file; give a directory of "
                               "scenario files or the files themselves");
    std::sort(found.begin(), found.end());  // byte order: the same on every machine
    out.insert(out.end(), found.begin(), found.end());
  }
  return out;
}

scenario load_file(const std::string& path) {
  auto s = load_scenario_file(path);
  for (const auto& line : s.notes.lines)
    std::cerr << line << '\n';
  return s;
}

}  // namespace dbgsim::cli
