// Which share of a sweep's seeds this process runs: `--shard I/N` as given, or `--shard auto`
// from the environment of the scheduler that started it (docs/scale-out.md): a Slurm job array
// (SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_MIN, SLURM_ARRAY_TASK_STEP, SLURM_ARRAY_TASK_COUNT) or a
// Kubernetes Indexed Job (JOB_COMPLETION_INDEX, with the count from --shards N, since the Job's
// completions are not in its pods' environment). A CI matrix passes I/N itself.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <variant>

namespace dbgsim::cli {

/// Share `index` of `count` (1-based): the seeds with (seed - A) % count == index - 1.
struct shard {
  std::uint64_t index = 1;
  std::uint64_t count = 1;
  std::string source;  ///< Where it came from, for the user: "--shard 2/8", "Slurm (...)".
};

/// Why no shard could be had, in words that say what to set or pass.
struct shard_error {
  std::string message;
};

/// Reads an environment variable (nullopt when unset); std::getenv in the command.
using environment_reader = std::function<std::optional<std::string>(const char*)>;

/// A decimal number of at most 20 digits that fits in 64 bits, and nothing else.
std::optional<std::uint64_t> parse_whole_number(const std::string& text);

/// The shard `--shard TEXT` (and `--shards N`, 0 when not given) name: "I/N", or "auto" read
/// through `env`. Refuses a malformed value, an environment with none of the schedulers' variables
/// or with inconsistent ones, and --shards that contradicts what the environment says.
std::variant<shard, shard_error> resolve_shard(const std::string& text, std::uint64_t shards,
                                               const environment_reader& env);

}  // namespace dbgsim::cli
