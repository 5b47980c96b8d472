#include "cli/scenario_files.hpp"

#include "scenario_files/loader.hpp"

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <stdexcept>
#include <system_error>

namespace dbgsim::cli {

std::vector<std::string> expand_scenario_args(const std::vector<std::string>& args) {
  namespace fs = std::filesystem;
  std::vector<std::string> out;
  for (const auto& arg : args) {
    std::error_code ec;
    auto status = fs::status(arg, ec);
    if (ec || !fs::exists(status))
      throw std::runtime_error(arg + ": no such file or directory");
    if (!fs::is_directory(status)) {
      out.push_back(arg);
      continue;
    }
    std::vector<std::string> found;
    for (fs::directory_iterator it(arg, ec), end; !ec && it != end; it.increment(ec)) {
      std::error_code type_ec;
      if (it->path().extension() == ".yaml" && it->is_regular_file(type_ec))
        found.push_back(it->path().string());
    }
    if (ec)
      throw std::runtime_error(arg + ": cannot list the directory: " + ec.message());
    if (found.empty())
      throw std::runtime_error(arg + ": the directory holds no *.yaml file");
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
