#include "live/engine_calls.hpp"

#include <charconv>
#include <cstdio>
#include <limits>

namespace dbgsim::live {
namespace {

template <class T>
std::optional<T> number(std::string_view s) {
  T v{};
  const auto base = s.starts_with("0x") ? 16 : 10;
  if (base == 16)
    s.remove_prefix(2);
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size())
    return std::nullopt;
  return v;
}

std::string call_names() {
  std::string out;
  for (auto k : all_values<api::call_kind>())
    out += (out.empty() ? "" : ", ") + std::string(name_of(k));
  return out;
}

std::string hex(std::uint64_t v, int width) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%0*llx", width, static_cast<unsigned long long>(v));
  return buf;
}

}  // namespace

std::variant<api::call, call_spec_error> parse_call_spec(std::string_view text,
                                                         std::uint64_t handle) {
  const auto colon = text.find(':');
  const auto name = text.substr(0, colon);
  const bool has_arg = colon != std::string_view::npos;
  const std::string arg(has_arg ? text.substr(colon + 1) : std::string_view{});
  std::optional<api::call_kind> kind;
  for (auto k : all_values<api::call_kind>())
    if (name_of(k) == name)
      kind = k;
  if (!kind)
    return call_spec_error{"unknown call '" + std::string(name) + "'; the calls are " +
                           call_names()};
  auto needs = [&](const char* what) {
    return call_spec_error{std::string(name) + " takes " + what + " after ':' (" +
                           std::string(name) + ":" + what + ")"};
  };
  auto none = [&]() -> std::optional<call_spec_error> {
    if (has_arg)
      return call_spec_error{std::string(name) + " takes no argument; drop ':" + arg + "'"};
    return std::nullopt;
  };
  auto pid = [&]() { return number<std::uint32_t>(arg); };
  switch (*kind) {
    case api::call_kind::connect:
      if (arg.empty())
        return needs("OPTIONS");
      return api::connect{arg};
    case api::call_kind::disconnect:
      if (auto e = none())
        return *e;
      return api::disconnect{handle};
    case api::call_kind::end_server:
      if (auto e = none())
        return *e;
      return api::end_server{handle};
    case api::call_kind::list_processes: {
      if (!has_arg)
        return api::list_processes{handle, 64};
      auto max = number<std::uint32_t>(arg);
      if (!max)
        return needs("MAX");
      return api::list_processes{handle, *max};
    }
    case api::call_kind::find_process:
      if (arg.empty())
        return needs("EXE");
      return api::find_process{handle, arg, false};
    case api::call_kind::describe_process:
      if (!pid())
        return needs("PID");
      return api::describe_process{handle, *pid()};
    case api::call_kind::attach:
      if (!pid())
        return needs("PID");
      return api::attach{handle, *pid()};
    case api::call_kind::create_process:
      if (arg.empty())
        return needs("COMMAND_LINE");
      return api::create_process{handle, arg};
    case api::call_kind::detach:
      if (!pid())
        return needs("PID");
      return api::detach{*pid()};
    case api::call_kind::terminate:
      if (!pid())
        return needs("PID");
      return api::terminate{*pid()};
    case api::call_kind::detach_all:
      if (auto e = none())
        return *e;
      return api::detach_all{};
    case api::call_kind::terminate_all:
      if (auto e = none())
        return *e;
      return api::terminate_all{};
    case api::call_kind::end_session: {
      if (!has_arg)
        return api::end_session{api::end_mode::passive};
      for (auto m : all_values<api::end_mode>())
        if (name_of(m) == arg)
          return api::end_session{m};
      return needs("passive|active_detach|active_terminate");
    }
    case api::call_kind::process_options:
      if (arg == "detach_on_exit")
        return api::process_options{true};
      if (arg == "none")
        return api::process_options{false};
      return needs("detach_on_exit|none");
    case api::call_kind::start_server:
      if (arg.empty())
        return needs("OPTIONS");
      return api::start_server{arg};
    case api::call_kind::wait_server_end: {
      auto ms = number<std::uint32_t>(arg);
      if (!ms)
        return needs("MILLISECONDS");
      return api::wait_server_end{*ms};
    }
  }
  return call_spec_error{"unknown call '" + std::string(name) + "'"};
}

std::string result_line(std::string_view text, const api::result& r) {
  std::string out = std::string(text) + ": " + protocol::to_string(r.hr) + " (" + hex(r.hr.value, 8) + ")";
  if (r.handle != 0)
    out += " handle=" + hex(r.handle, 1);
  const auto colon = text.find(':');
  if (text.substr(0, colon) == "list_processes") {
    out += " pids=[";
    for (std::size_t i = 0; i < r.pids.size(); ++i)
      out += (i == 0 ? "" : ", ") + std::to_string(r.pids[i]);
    out += "] total=" + std::to_string(r.total);
  }
  if (r.pid != 0)
    out += " pid=" + std::to_string(r.pid);
  if (!r.exe.empty())
    out += " exe=" + r.exe;
  if (!r.description.empty())
    out += " description=\"" + r.description + "\"";
  return out;
}

}  // namespace dbgsim::live
