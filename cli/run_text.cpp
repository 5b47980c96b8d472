#include "cli/run_text.hpp"

#include "client_runtime/program_catalog.hpp"
#include "scenario/player.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <iostream>
#include <iterator>
#include <utility>

namespace dbgsim::cli {

std::string format_time(sim_time t) {
  const auto us = t.count();
  return fmt::format("{}.{:03}s", us / 1'000'000, (us % 1'000'000) / 1000);
}

std::string format_wall(double seconds) {
  const auto digits = [](double v, const char* unit) {
    if (v >= 100)
      return fmt::format("{:.0f}{}", v, unit);
    if (v >= 10)
      return fmt::format("{:.1f}{}", v, unit);
    return fmt::format("{:.2f}{}", v, unit);
  };
  if (seconds < 0.001)
    return digits(seconds * 1e6, "µs");
  if (seconds < 1)
    return digits(seconds * 1e3, "ms");
  return digits(seconds, "s");
}

std::string shell_quote(const std::string& text) {
  const bool plain = !text.empty() && text.find_first_not_of(
                                          "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                          "0123456789-_./+:=@%,") == std::string::npos;
  if (plain)
    return text;
  std::string out = "'";
  for (char c : text)
    out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string replay_command(const std::string& file, std::uint64_t seed, mutant bug,
                           const std::string& options) {
  auto cmd = fmt::format("dbgsim run --seed {}", seed);
  if (bug != mutant::none)
    cmd += fmt::format(" --mutant {}", name_of(bug));
  cmd += options;
  // The programs a scenario names may come from libraries: the replay loads the same ones.
  for (const auto& lib : program_catalog::process().libraries())
    cmd += " --client-lib " + shell_quote(lib);
  // `--` first: a file whose name begins with `-` is still a file.
  return cmd + " -- " + shell_quote(file);
}

std::string printable(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto n = text.size();
  for (std::size_t i = 0; i < n;) {
    const unsigned char c = p[i];
    // The length of a valid UTF-8 sequence starting here, or 0.
    std::size_t len = 0;
    if (c >= 0x20 && c < 0x7f)
      len = 1;
    else if (c >= 0xc2 && c <= 0xdf)
      len = 2;
    else if (c >= 0xe0 && c <= 0xef)
      len = 3;
    else if (c >= 0xf0 && c <= 0xf4)
      len = 4;
    bool valid = len > 0 && i + len <= n;
    for (std::size_t k = 1; valid && k < len; ++k)
      valid = (p[i + k] & 0xc0) == 0x80;
    // Overlong forms, surrogates, C1 controls and code points past U+10FFFF are not shown raw.
    if (valid && len == 2 && c == 0xc2 && p[i + 1] < 0xa0)
      valid = false;
    if (valid && len == 3 && ((c == 0xe0 && p[i + 1] < 0xa0) || (c == 0xed && p[i + 1] >= 0xa0)))
      valid = false;
    if (valid && len == 4 && ((c == 0xf0 && p[i + 1] < 0x90) || (c == 0xf4 && p[i + 1] >= 0x90)))
      valid = false;
    if (!valid) {
      out += fmt::format("\\x{:02x}", c);
      ++i;
      continue;
    }
    out.append(text, i, len);
    i += len;
  }
  return out;
}

std::optional<std::uint64_t> parse_seed(const std::string& text) {
  if (text.empty() || text.size() > 20 ||
      text.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  std::uint64_t v = 0;
  for (char c : text) {
    const std::uint64_t d = static_cast<std::uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10)
      return std::nullopt;
    v = v * 10 + d;
  }
  return v;
}

std::string step_location(const scenario& s, std::size_t step) {
  const auto& pos = s.steps.at(step).pos;
  if (s.file.empty() || pos.line == 0)
    return fmt::format("step {}", step + 1);
  return fmt::format("{}:{}", s.file, pos.line);
}

namespace {

std::string describe(const scenario& s, const step_failure& f) {
  const bool known = f.step < s.steps.size();
  return fmt::format("{}: step {} ({} at {}), judged at {}: expected {}, got {}",
                     known ? step_location(s, f.step) : s.file, f.step + 1, f.action,
                     known ? format_time(s.steps[f.step].at) : std::string("?"), format_time(f.t),
                     f.expected, f.got);
}

std::string describe(const violation& v) {
  return fmt::format("{} at {}: {}", v.rule, format_time(v.t), v.message);
}

std::string kinds_text(const std::vector<finding_kind>& kinds) {
  std::string out = "[";
  for (std::size_t i = 0; i < kinds.size(); ++i)
    out += (i ? ", " : "") + std::string(name_of(kinds[i]));
  return out + "]";
}

}  // namespace

std::string describe(const scenario& s, const client_failure& c) {
  return fmt::format("{}:{}: client `{}`: expected findings {}, got {}", s.file, c.pos.line,
                     c.client, kinds_text(c.expected), kinds_text(c.got));
}

std::string describe(const finding& f) {
  return fmt::format("{} {} `{}` at {}: {}", rule_of(f.kind), name_of(f.kind), f.program,
                     format_time(f.t), f.message);
}

std::vector<std::string> describe_failures(const scenario& s, const run_report& r) {
  // Merged in order of simulated time (step failures first among equals), so the story reads
  // in the order it happened.
  std::vector<std::pair<sim_time, std::string>> lines;
  for (const auto& f : r.failures)
    lines.emplace_back(f.t, describe(s, f));
  std::vector<std::pair<sim_time, std::string>> found;
  for (const auto& v : r.violations)
    found.emplace_back(v.t, describe(v));
  std::vector<std::pair<sim_time, std::string>> merged;
  std::merge(lines.begin(), lines.end(), found.begin(), found.end(), std::back_inserter(merged),
             [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> out;
  for (auto& [t, text] : merged)
    out.push_back(std::move(text));
  // Then each client whose findings were not as declared, with every finding about it.
  for (const auto& c : r.client_failures) {
    out.push_back(describe(s, c));
    for (const auto& f : r.findings)
      if (f.program == c.client)
        out.push_back("  " + describe(f));
  }
  return out;
}

std::string describe_signature(const scenario& s, const run_report& r) {
  if (!r.violations.empty())
    return describe(r.violations.front());
  if (!r.client_failures.empty())
    return describe(s, r.client_failures.front());
  if (!r.failures.empty())
    return describe(s, r.failures.front());
  return {};
}

void add_client_lib_option(CLI::App* sub, std::vector<std::string>& libs) {
  sub->add_option("--client-lib", libs,
                  "Load a client library (a shared library built against the installed "
                  "dbgsim::client; repeatable) whose programs scenarios may name "
                  "(docs/clients.md)");
}

bool load_client_libs(const std::string& command, const std::vector<std::string>& libs) {
  for (const auto& lib : libs) {
    try {
      program_catalog::process().load_library(lib);
    } catch (const client_library_error& e) {
      std::cerr << "dbgsim " << command << ": --client-lib " << printable(e.what()) << '\n';
      return false;
    }
  }
  return true;
}

std::string mutant_help() {
  std::string out = "Switch a planted bug on (default none): ";
  bool first = true;
  for (auto m : all_mutants()) {
    out += (first ? "" : ", ") + std::string(name_of(m)) + " (" + std::string(rule_of(m)) + ")";
    first = false;
  }
  return out + "; `dbgsim list mutants` says what each does";
}

std::optional<mutant> parse_mutant(const std::string& command, const std::string& name) {
  if (auto m = mutant_from_name(name))
    return m;
  std::string valid(name_of(mutant::none));
  for (auto m : all_mutants())
    valid += ", " + std::string(name_of(m));
  std::cerr << "dbgsim " << command << ": unknown mutant '" << name << "'; valid names: " << valid
            << '\n';
  return std::nullopt;
}

}  // namespace dbgsim::cli
