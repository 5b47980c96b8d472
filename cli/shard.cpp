#include "cli/shard.hpp"

#include <string>

namespace dbgsim::cli {
namespace {

// "I/N" with 1 <= I <= N.
std::optional<shard> parse_explicit(const std::string& t) {
  const auto slash = t.find('/');
  if (slash == std::string::npos)
    return std::nullopt;
  auto i = parse_whole_number(t.substr(0, slash)), n = parse_whole_number(t.substr(slash + 1));
  if (!i || !n || *n == 0 || *i == 0 || *i > *n)
    return std::nullopt;
  return shard{*i, *n, "--shard " + t};
}

}  // namespace

std::optional<std::uint64_t> parse_whole_number(const std::string& t) {
  if (t.empty() || t.size() > 20 || t.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  try {
    return std::stoull(t);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::variant<shard, shard_error> resolve_shard(const std::string& text, std::uint64_t shards,
                                               const environment_reader& env) {
  if (text != "auto") {
    if (shards != 0)
      return shard_error{"--shards N goes with --shard auto (with --shard I/N, N is the count)"};
    if (auto s = parse_explicit(text))
      return *s;
    return shard_error{"--shard wants I/N with 1 <= I <= N (e.g. 2/8) or auto, not '" + text + "'"};
  }
  // A variable set to anything but a whole number is the user's mistake, named as such.
  std::optional<shard_error> bad;
  auto read = [&](const char* name) -> std::optional<std::uint64_t> {
    auto value = env(name);
    if (!value || bad)
      return std::nullopt;
    auto n = parse_whole_number(*value);
    if (!n)
      bad = shard_error{std::string("--shard auto: ") + name + "='" + *value +
                        "' is not a whole number"};
    return n;
  };
  const auto slurm_id = read("SLURM_ARRAY_TASK_ID");
  const auto k8s_index = read("JOB_COMPLETION_INDEX");
  if (bad)
    return *bad;
  if (slurm_id) {
    const auto slurm_min = read("SLURM_ARRAY_TASK_MIN");
    const auto slurm_step = read("SLURM_ARRAY_TASK_STEP");
    const auto slurm_count = read("SLURM_ARRAY_TASK_COUNT");
    if (bad)
      return *bad;
    const std::uint64_t min = slurm_min.value_or(0), step = slurm_step.value_or(1);
    if (!slurm_count || *slurm_count == 0)
      return shard_error{"--shard auto: SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is "
                         "not (or is 0); is this a job array (sbatch --array)?"};
    if (step == 0 || *slurm_id < min || (*slurm_id - min) % step != 0 ||
        (*slurm_id - min) / step >= *slurm_count)
      return shard_error{"--shard auto: SLURM_ARRAY_TASK_ID=" + std::to_string(*slurm_id) +
                         " is not one of the " + std::to_string(*slurm_count) +
                         " tasks from SLURM_ARRAY_TASK_MIN=" + std::to_string(min) + " in steps of " +
                         std::to_string(step)};
    shard s{(*slurm_id - min) / step + 1, *slurm_count, {}};
    if (shards != 0 && shards != s.count)
      return shard_error{"--shard auto: --shards " + std::to_string(shards) +
                         " contradicts SLURM_ARRAY_TASK_COUNT=" + std::to_string(s.count)};
    s.source = "Slurm job array (SLURM_ARRAY_TASK_ID=" + std::to_string(*slurm_id) +
               ", SLURM_ARRAY_TASK_MIN=" + std::to_string(min) +
               ", SLURM_ARRAY_TASK_COUNT=" + std::to_string(s.count) + ")";
    return s;
  }
  if (k8s_index) {
    if (shards == 0)
      return shard_error{"--shard auto: JOB_COMPLETION_INDEX is set (a Kubernetes Indexed Job) "
                         "but the count is not: pass --shards N, the Job's completions"};
    if (*k8s_index >= shards)
      return shard_error{"--shard auto: JOB_COMPLETION_INDEX=" + std::to_string(*k8s_index) +
                         " is not below --shards " + std::to_string(shards)};
    return shard{*k8s_index + 1, shards,
                 "Kubernetes Indexed Job (JOB_COMPLETION_INDEX=" + std::to_string(*k8s_index) +
                     ", --shards " + std::to_string(shards) + ")"};
  }
  return shard_error{"--shard auto: no scheduler's shard in the environment: a Slurm job array sets "
                     "SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT, a Kubernetes Indexed Job "
                     "JOB_COMPLETION_INDEX (pass --shards N with it); in a CI matrix pass "
                     "--shard I/N"};
}

}  // namespace dbgsim::cli
