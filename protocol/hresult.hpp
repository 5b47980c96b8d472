// HRESULT: the 32-bit status code every engine call and every error reply carries.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace dbgsim::protocol {

/// A COM status code; failure when the top bit is set.
struct hresult {
  std::uint32_t value = 0;

  /// True for S_OK, S_FALSE and any other code without the severity bit.
  constexpr bool succeeded() const { return (value & 0x80000000u) == 0; }
  /// True when the severity bit is set.
  constexpr bool failed() const { return !succeeded(); }
  friend constexpr bool operator==(hresult, hresult) = default;
};

// The table of named codes: the name (also the C++ constant) and its value. Values are distinct,
// so names and values map one to one; `hresult_from_win32` codes are spelt by their Win32 name.
#define DBGSIM_HRESULTS(X) \
  X(S_OK, 0x00000000) \
  X(S_FALSE, 0x00000001) \
  X(E_NOTIMPL, 0x80004001) \
  X(E_NOINTERFACE, 0x80004002) \
  X(E_POINTER, 0x80004003) \
  X(E_ABORT, 0x80004004) \
  X(E_FAIL, 0x80004005) \
  X(E_PENDING, 0x8000000A) \
  X(E_UNEXPECTED, 0x8000FFFF) \
  X(E_ACCESSDENIED, 0x80070005) \
  X(E_HANDLE, 0x80070006) \
  X(E_OUTOFMEMORY, 0x8007000E) \
  X(E_INVALIDARG, 0x80070057) \
  X(RPC_E_SERVER_DIED, 0x80010007) \
  X(RPC_E_DISCONNECTED, 0x80010108) \
  X(RPC_E_VERSION_MISMATCH, 0x80010110) \
  X(ERROR_SEM_TIMEOUT, 0x80070079) \
  X(ERROR_OPERATION_ABORTED, 0x800703E3) \
  X(RPC_S_SERVER_UNAVAILABLE, 0x800706BA) \
  X(RPC_S_CALL_FAILED, 0x800706BE)

#define DBGSIM_HRESULT_CONSTANT(name, value) inline constexpr hresult name{value};
DBGSIM_HRESULTS(DBGSIM_HRESULT_CONSTANT)
#undef DBGSIM_HRESULT_CONSTANT

/// HRESULT_FROM_WIN32: wraps a Win32 error code as a failure HRESULT.
constexpr hresult hresult_from_win32(std::uint32_t code) {
  return code == 0 ? S_OK : hresult{(code & 0xFFFFu) | 0x80070000u};
}

/// The symbolic name, or `0x%08X` for a code without one.
std::string to_string(hresult hr);

/// Parses a symbolic name (case-sensitive) or a `0x` hex literal of at most 8 digits.
std::optional<hresult> parse_hresult(std::string_view text);

/// Every named code's name, in the table's order.
std::span<const std::string_view> hresult_names();

}  // namespace dbgsim::protocol
