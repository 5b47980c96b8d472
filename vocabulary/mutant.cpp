#include "vocabulary/mutant.hpp"

#include <array>

namespace dbgsim {
namespace {

#define DBGSIM_MUTANT_RULE(id, name, rule, what) std::string_view{rule},
#define DBGSIM_MUTANT_WHAT(id, name, rule, what) std::string_view{what},
constexpr std::array rules{DBGSIM_MUTANTS(DBGSIM_MUTANT_RULE)};
constexpr std::array descriptions{DBGSIM_MUTANTS(DBGSIM_MUTANT_WHAT)};
#undef DBGSIM_MUTANT_RULE
#undef DBGSIM_MUTANT_WHAT

constexpr auto every = all_values<mutant>();
static_assert(every[0] == mutant::none, "none comes first: all_mutants() skips it");

}  // namespace

std::span<const mutant> all_mutants() { return std::span(every).subspan(1); }

std::string_view rule_of(mutant m) { return rules[static_cast<std::size_t>(m)]; }

std::vector<std::string_view> rules_of(mutant m) {
  std::vector<std::string_view> out;
  auto rest = rule_of(m);
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    out.push_back(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
  }
  return out;
}

std::string_view description_of(mutant m) { return descriptions[static_cast<std::size_t>(m)]; }

std::optional<mutant> mutant_from_name(std::string_view name) { return from_name<mutant>(name); }

}  // namespace dbgsim
