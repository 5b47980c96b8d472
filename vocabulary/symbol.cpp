#include "vocabulary/symbol.hpp"

#include <mutex>
#include <ostream>
#include <unordered_map>
#include <unordered_set>

namespace dbgsim {
namespace {

struct text_hash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

// Every text interned so far. A node-based set: its strings never move, so a symbol may point
// at one for ever. Never destroyed, since symbols in static objects may outlive any destructor.
struct pool {
  std::mutex lock;
  std::unordered_set<std::string, text_hash, std::equal_to<>> texts;
};

pool& the_pool() {
  static auto* p = new pool;
  return *p;
}

}  // namespace

const std::string* symbol::empty_text() noexcept {
  static const auto* empty = new std::string;
  return empty;
}

const std::string* symbol::intern(std::string_view text) {
  if (text.empty())
    return empty_text();
  // Each thread first asks its own index of the pool's texts, so that interning a name the
  // thread met before takes no lock (worlds run on several threads in a sweep).
  thread_local std::unordered_map<std::string_view, const std::string*> seen;
  if (auto i = seen.find(text); i != seen.end())
    return i->second;
  auto& p = the_pool();
  const std::string* found = nullptr;
  {
    std::lock_guard<std::mutex> guard(p.lock);
    auto i = p.texts.find(text);
    if (i == p.texts.end())
      i = p.texts.emplace(text).first;
    found = &*i;
  }
  seen.emplace(std::string_view(*found), found);
  return found;
}

std::ostream& operator<<(std::ostream& out, symbol s) { return out << s.view(); }

}  // namespace dbgsim
