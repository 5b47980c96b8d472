// `dbgsim list TABLE`: one of the project's tables of names, one row per line, tab-separated, so
// that scripts and the CMake registration of per-mutant tests read the names from the binary
// instead of from source code.
#include "cli/commands.hpp"
#include "cli/run_text.hpp"
#include "client_runtime/program_catalog.hpp"
#include "scenario/scenario.hpp"
#include "vocabulary/api.hpp"
#include "vocabulary/fault.hpp"
#include "vocabulary/mutant.hpp"
#include "vocabulary/trace_schema.hpp"

#include <iostream>
#include <map>
#include <memory>
#include <string>

namespace dbgsim::cli {
namespace {

// What each table prints: its rows as lines of tab-separated columns.
const std::map<std::string, void (*)(std::ostream&)>& tables() {
  static const std::map<std::string, void (*)(std::ostream&)> t = {
      {"mutants",
       [](std::ostream& o) {
         for (auto m : all_mutants())
           o << name_of(m) << '\t' << rule_of(m) << '\t' << description_of(m) << '\n';
       }},
      {"calls",
       [](std::ostream& o) {
         for (auto c : all_values<api::call_kind>())
           o << name_of(c) << '\t' << api::method_of(c) << '\n';
       }},
      {"actions",
       [](std::ostream& o) {
         for (auto a : all_values<action_kind>())
           o << name_of(a) << '\t' << (is_call(a) ? "call" : fault_of(a) ? "fault" : "check") << '\n';
       }},
      {"faults",
       [](std::ostream& o) {
         for (auto f : all_values<fault_kind>())
           o << name_of(f) << '\t' << description_of(f) << '\n';
       }},
      {"findings",
       [](std::ostream& o) {
         for (auto f : all_values<finding_kind>())
           o << name_of(f) << '\t' << rule_of(f) << '\t' << meaning_of(f) << '\n';
       }},
      {"programs",
       [](std::ostream& o) {
         for (const auto& p : program_catalog::process().programs())
           o << p.name << '\t' << p.origin << '\n';
       }},
      {"reasons",
       [](std::ostream& o) {
         for (auto r : all_values<reason_kind>())
           o << name_of(r) << '\t' << description_of(r) << '\n';
       }},
  };
  return t;
}

}  // namespace

command_fn add_list_command(CLI::App& app) {
  auto table = std::make_shared<std::string>();
  auto libs = std::make_shared<std::vector<std::string>>();
  auto* sub = app.add_subcommand(
      "list", "Print one of dbgsim's tables of names, one tab-separated row per line");
  std::string names;
  for (const auto& [name, print] : tables())
    names += (names.empty() ? "" : ", ") + name;
  sub->add_option("TABLE", *table, "Which table: " + names)
      ->required()
      ->check(CLI::IsMember([] {
        std::vector<std::string> keys;
        for (const auto& [name, print] : tables())
          keys.push_back(name);
        return keys;
      }()));
  add_client_lib_option(sub, *libs);  // `list programs` then lists theirs too.
  return [table, libs]() -> int {
    if (!load_client_libs("list", *libs))
      return exit_bad_input;
    tables().at(*table)(std::cout);
    std::cout.flush();
    return std::cout ? exit_ok : exit_bad_input;
  };
}

}  // namespace dbgsim::cli
