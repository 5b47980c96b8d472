#include "client_runtime/program_catalog.hpp"

#include <dlfcn.h>

#include <algorithm>
#include <filesystem>

namespace dbgsim {

program_catalog& program_catalog::process() {
  static program_catalog catalog;
  return catalog;
}

program_catalog::program_catalog() {
  // This image's own registry: the programs linked into the executable (static initialisers
  // have run by the time anyone asks for the catalog).
  for (const auto& p : client_detail::programs())
    add({p.name, p.entry, "bundled"});
}

void program_catalog::add(program_ref p) {
  auto at = std::lower_bound(programs_.begin(), programs_.end(), p.name,
                             [](const program_ref& a, const std::string& n) { return a.name < n; });
  if (at != programs_.end() && at->name == p.name)
    throw client_library_error(p.origin + ": defines the client program `" + p.name +
                               "`, which " + at->origin + " already defines; rename one of them");
  programs_.insert(at, std::move(p));
}

void program_catalog::load_library(const std::string& path) {
  std::error_code ec;
  const auto canonical = std::filesystem::weakly_canonical(path, ec).string();
  const auto key = ec ? path : canonical;
  if (std::find(canonical_.begin(), canonical_.end(), key) != canonical_.end())
    return;
  if (!std::filesystem::is_regular_file(path, ec))
    throw client_library_error(path + ": no such file (a client library is a shared library "
                               "built against the installed dbgsim::client; docs/clients.md)");
  // dlopen looks a bare name up in the library path; a path with a slash is taken as given.
  const auto as_given = path.find('/') == std::string::npos ? "./" + path : path;
  // RTLD_LOCAL: a library's symbols stay its own, so two libraries never mix registries.
  void* handle = dlopen(as_given.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = dlerror();
    throw client_library_error(path + ": cannot be loaded: " + (why ? why : "unknown error"));
  }
  using list_fn = const dbgsim_program_entry* (*)(std::size_t*, int*);
  auto list = reinterpret_cast<list_fn>(dlsym(handle, "dbgsim_client_programs"));
  if (list == nullptr) {
    dlclose(handle);
    throw client_library_error(path + ": not a dbgsim client library (it has no "
                               "dbgsim_client_programs: define programs with "
                               "DBGSIM_CLIENT_PROGRAM from <dbgsim/dbgeng.h>)");
  }
  std::size_t count = 0;
  int abi = 0;
  const auto* entries = list(&count, &abi);
  if (abi != DBGSIM_CLIENT_ABI) {
    dlclose(handle);
    throw client_library_error(path + ": built against client interface version " +
                               std::to_string(abi) + ", this dbgsim has version " +
                               std::to_string(DBGSIM_CLIENT_ABI) + "; rebuild it");
  }
  if (count == 0) {
    dlclose(handle);
    throw client_library_error(path + ": defines no client program (DBGSIM_CLIENT_PROGRAM)");
  }
  // Checked before anything is added, so that a refused library leaves the catalog unchanged.
  std::vector<program_ref> found;
  for (std::size_t i = 0; i < count; ++i) {
    program_ref p{entries[i].name, entries[i].entry, path};
    for (const auto& q : found)
      if (q.name == p.name)
        throw client_library_error(path + ": defines the client program `" + p.name + "` twice");
    if (const auto* other = find(p.name))
      throw client_library_error(path + ": defines the client program `" + p.name +
                                 "`, which " + other->origin +
                                 " already defines; rename one of them");
    found.push_back(std::move(p));
  }
  // The library stays loaded for the life of the process: its programs may run at any time.
  for (auto& p : found)
    add(std::move(p));
  canonical_.push_back(key);
  libraries_.push_back(path);
}

const program_ref* program_catalog::find(std::string_view name) const {
  auto at = std::lower_bound(programs_.begin(), programs_.end(), name,
                             [](const program_ref& a, std::string_view n) { return a.name < n; });
  return at != programs_.end() && at->name == name ? &*at : nullptr;
}

}  // namespace dbgsim
