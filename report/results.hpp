// What a sweep found, as one value: the scenario and options it ran with, its seeds (range and
// shard), its failure groups and its timings. `dbgsim sweep` prints its summary, JUnit and HTML
// from it and writes it as JSON (`--results`); `dbgsim merge` reads such files back, so that a
// sweep split over many machines reports exactly what one process would have.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace dbgsim {

/// The seeds of a sweep that failed with one signature.
struct failure_group {
  std::string signature;               ///< The run's signature ("S6", "C1 leaked-handle").
  std::uint64_t count = 0;             ///< How many seeds failed this way.
  std::uint64_t first_seed = 0;        ///< The smallest of them: the one to replay.
  std::string first;                   ///< The first seed's failure, as one line.
  std::vector<std::string> swarm;      ///< The first seed's swarm choices (with --swarm).
  bool operator==(const failure_group&) const = default;
};

/// One sweep's (or one shard's) result.
struct sweep_result {
  std::string scenario;                   ///< The scenario file, as the sweep was given it.
  std::string mutant = "none";            ///< The planted bug it ran under.
  bool swarm = false;                     ///< Whether --swarm chose extra faults per seed.
  std::optional<std::uint64_t> max_steps; ///< Each run's budget, when given.
  std::vector<std::string> client_libs;   ///< The --client-lib libraries it loaded.
  std::uint64_t first = 0;                ///< --seeds A..B: A.
  std::uint64_t last = 0;                 ///< --seeds A..B: B.
  std::uint64_t shard_index = 1;          ///< --shard I/N: I.
  std::uint64_t shard_count = 1;          ///< --shard I/N: N.
  std::uint64_t runs = 0;                 ///< Seeds run.
  std::uint64_t failed = 0;               ///< Seeds that failed.
  std::vector<failure_group> groups;      ///< In order of their first seed.
  double wall_seconds = 0;                ///< Wall time of the runs (summed over merged shards).
  std::uint64_t jobs = 1;                 ///< Worker processes (summed over merged shards).

  /// The first seed this result ran (first + shard_index - 1); past `last` when it ran none.
  std::uint64_t first_seed() const { return first + (shard_index - 1); }
  /// How many seeds its range and shard name.
  std::uint64_t seed_count() const;
  /// Whether it ran `seed`.
  bool has_seed(std::uint64_t seed) const;
};

/// Writes `r` as one JSON document (the format "dbgsim-sweep-results", version 1).
void write_results(std::ostream& out, const sweep_result& r);

/// Where a results document is wrong and how.
struct results_error {
  std::string where;    ///< "byte 17" for JSON that does not parse, else the field: "groups[2].count".
  std::string message;  ///< What is wrong there.
};

/// The result a document written by write_results holds, or where it is wrong: bad JSON, a
/// missing or mistyped field, an unknown field, or counts that contradict each other.
std::variant<sweep_result, results_error> read_results(std::string_view text);

}  // namespace dbgsim
