#include "protocol/hresult.hpp"

#include <array>
#include <cstdio>
#include <utility>

namespace dbgsim::protocol {
namespace {

struct named_code {
  std::string_view name;
  hresult hr;
};

#define DBGSIM_HRESULT_ENTRY(name, value) named_code{#name, hresult{value}},
constexpr std::array named_codes{DBGSIM_HRESULTS(DBGSIM_HRESULT_ENTRY)};
#undef DBGSIM_HRESULT_ENTRY
#define DBGSIM_HRESULT_NAME(name, value) std::string_view{#name},
constexpr std::array names{DBGSIM_HRESULTS(DBGSIM_HRESULT_NAME)};
#undef DBGSIM_HRESULT_NAME

std::optional<std::uint32_t> hex_digit(char c) {
  if (c >= '0' && c <= '9') return static_cast<std::uint32_t>(c - '0');
  if (c >= 'a' && c <= 'f') return static_cast<std::uint32_t>(c - 'a' + 10);
  if (c >= 'A' && c <= 'F') return static_cast<std::uint32_t>(c - 'A' + 10);
  return std::nullopt;
}

}  // namespace

std::string to_string(hresult hr) {
  for (const auto& n : named_codes)
    if (n.hr == hr) return std::string(n.name);
  char buf[11];
  std::snprintf(buf, sizeof buf, "0x%08X", static_cast<unsigned>(hr.value));
  return buf;
}

std::span<const std::string_view> hresult_names() { return names; }

std::optional<hresult> parse_hresult(std::string_view text) {
  for (const auto& n : named_codes)
    if (n.name == text) return n.hr;
  if (text.size() < 3 || text.size() > 10 || text[0] != '0' || (text[1] != 'x' && text[1] != 'X'))
    return std::nullopt;
  std::uint32_t value = 0;
  for (char c : text.substr(2)) {
    auto d = hex_digit(c);
    if (!d) return std::nullopt;
    value = (value << 4) | *d;
  }
  return hresult{value};
}

}  // namespace dbgsim::protocol
