#include "vocabulary/mutant.hpp"

#include <array>

namespace dbgsim {
namespace {

struct mutant_info {
  mutant value;
  std::string_view name;
  std::string_view rule;
};

constexpr std::array<mutant_info, 12> table = {{
    {mutant::none, "none", ""},
    {mutant::reuse_handles, "reuse-handles", "S1"},
    {mutant::no_lease_expiry, "no-lease-expiry", "S7"},
    {mutant::release_on_ack, "release-on-ack", "S6"},
    {mutant::accept_stale_incarnation, "accept-stale-incarnation", "S10"},
    {mutant::duplicate_connect, "duplicate-connect", "S11"},
    {mutant::skip_password, "skip-password", "S14"},
    {mutant::late_reply_revives, "late-reply-revives", "S3"},
    {mutant::foreign_handle, "foreign-handle", "S5"},
    {mutant::keep_attached, "keep-attached", "S21"},
    {mutant::disconnect_ends_targets, "disconnect-ends-targets", "S20"},
    {mutant::target_leaks_session, "target-leaks-session", "S20"},
}};

constexpr auto make_all() {
  std::array<mutant, table.size() - 1> out{};
  for (std::size_t i = 1; i < table.size(); ++i)
    out[i - 1] = table[i].value;
  return out;
}
constexpr auto all = make_all();

}  // namespace

std::span<const mutant> all_mutants() { return all; }

std::string_view name_of(mutant m) { return table[static_cast<std::size_t>(m)].name; }

std::string_view rule_of(mutant m) { return table[static_cast<std::size_t>(m)].rule; }

std::optional<mutant> mutant_from_name(std::string_view name) {
  for (const auto& i : table)
    if (i.name == name)
      return i.value;
  return std::nullopt;
}

}  // namespace dbgsim
