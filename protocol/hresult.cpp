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

// Every code with a name; values are distinct, so the mapping is a bijection.
constexpr std::array<named_code, 20> named_codes{{
    {"S_OK", S_OK},
    {"S_FALSE", S_FALSE},
    {"E_NOTIMPL", E_NOTIMPL},
    {"E_NOINTERFACE", E_NOINTERFACE},
    {"E_POINTER", E_POINTER},
    {"E_ABORT", E_ABORT},
    {"E_FAIL", E_FAIL},
    {"E_PENDING", E_PENDING},
    {"E_UNEXPECTED", E_UNEXPECTED},
    {"E_ACCESSDENIED", E_ACCESSDENIED},
    {"E_HANDLE", E_HANDLE},
    {"E_OUTOFMEMORY", E_OUTOFMEMORY},
    {"E_INVALIDARG", E_INVALIDARG},
    {"RPC_E_SERVER_DIED", RPC_E_SERVER_DIED},
    {"RPC_E_DISCONNECTED", RPC_E_DISCONNECTED},
    {"RPC_E_VERSION_MISMATCH", RPC_E_VERSION_MISMATCH},
    {"ERROR_SEM_TIMEOUT", ERROR_SEM_TIMEOUT},
    {"ERROR_OPERATION_ABORTED", ERROR_OPERATION_ABORTED},
    {"RPC_S_SERVER_UNAVAILABLE", RPC_S_SERVER_UNAVAILABLE},
    {"RPC_S_CALL_FAILED", RPC_S_CALL_FAILED},
}};

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
