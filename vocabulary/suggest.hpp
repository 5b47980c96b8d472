// "Did you mean": the name nearest to a misspelt one, for the messages of the loader and the
// commands. One rule everywhere, so that a misspelling gets the same suggestion in a file and on
// the command line.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>

namespace dbgsim {

/// Names longer than this get no suggestion (the distance is quadratic in the lengths).
inline constexpr std::size_t max_suggest_length = 64;

/// Optimal-string-alignment distance between two strings (a swap of neighbours counts once).
std::size_t edit_distance(std::string_view a, std::string_view b);

/// The candidate nearest to `word` when it is near enough to be a likely misspelling of it, else
/// "": at most 1 + a quarter of the longer length apart, and never `word` itself.
template <class Range>
std::string nearest_name(std::string_view word, const Range& candidates) {
  if (word.size() > max_suggest_length)
    return {};
  std::string best;
  std::size_t best_d = 0;
  for (const auto& c : candidates) {
    std::string_view cand(c);
    if (cand.size() > max_suggest_length || cand == word)
      continue;
    const std::size_t d = edit_distance(word, cand);
    const std::size_t longest = std::max(word.size(), cand.size());
    if (d >= longest || d > 1 + longest / 4)
      continue;
    if (best.empty() || d < best_d) {
      best = std::string(cand);
      best_d = d;
    }
  }
  return best;
}

}  // namespace dbgsim
