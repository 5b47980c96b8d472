// Placeholder until the rule families land (this commit fixes the interface only).
#include "findings/checker.hpp"

namespace dbgsim {

struct client_checker::state {
  std::vector<finding> found;
};

client_checker::client_checker() : st_(std::make_unique<state>()) {}
client_checker::~client_checker() = default;
client_checker::client_checker(client_checker&&) noexcept = default;
client_checker& client_checker::operator=(client_checker&&) noexcept = default;
void client_checker::observe(const event&) {}
const std::vector<finding>& client_checker::findings() const { return st_->found; }
std::string to_string(const finding& f) { return std::string(rule_of(f.kind)) + " " + std::string(name_of(f.kind)); }

}  // namespace dbgsim
