// API calls as a person types them on `dbgsim connect`'s command line, and their results as one
// line of text. A call is its name from the API table, then `:` and its argument where it takes
// one ("attach:4242", "find_process:notepad.exe", "list_processes:16"); calls that go through a
// server handle use the handle of the latest connect.
#pragma once

#include "vocabulary/api.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace dbgsim::live {

/// Why a typed call is not one.
struct call_spec_error {
  std::string message;  ///< "unknown call 'atach'; the calls are connect, ..."
};

/// The call `text` stands for, through server handle `handle`.
std::variant<api::call, call_spec_error> parse_call_spec(std::string_view text,
                                                         std::uint64_t handle);

/// A call's result as one line: "attach:4242: S_OK (0x00000000)", then what it returned
/// ("handle=0x1", "pids=[4242, 4343] total=2", "pid=4242", "exe=... description=...").
std::string result_line(std::string_view text, const api::result& r);

}  // namespace dbgsim::live
