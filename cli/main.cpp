// `dbgsim`: the command users run. Subcommands are declared in commands.hpp.
#include "cli/commands.hpp"
#include "io/output.hpp"

#include <iostream>
#include <utility>
#include <vector>

int main(int argc, char** argv) {
  using namespace dbgsim::cli;
  CLI::App app{"dbgsim: a deterministic testbed for the disconnect semantics of remote debugging"};
  app.set_version_flag("--version", std::string("dbgsim ") + DBGSIM_VERSION);
  app.require_subcommand(1);

  std::vector<std::pair<CLI::App*, command_fn>> commands;
  auto add = [&](command_fn (*adder)(CLI::App&)) {
    auto before = app.get_subcommands({}).size();
    auto fn = adder(app);
    commands.emplace_back(app.get_subcommands({}).at(before), std::move(fn));
  };
  // In the order --help lists them: the everyday commands first.
  add(add_run_command);
  add(add_check_command);
  add(add_sweep_command);
  add(add_merge_command);
  add(add_prop_command);
  add(add_repro_command);
  add(add_decode_command);
  add(add_options_command);
  add(add_serve_command);
  add(add_schema_command);
  add(add_list_command);
  add(add_connect_command);
  add(add_live_command);

  // CLI11 says only "A subcommand is required" for a misspelt command; name it and the choices.
  std::string names;
  bool known = false;
  for (auto* sub : app.get_subcommands({})) {
    names += (names.empty() ? "" : ", ") + sub->get_name();
    known = known || (argc > 1 && sub->get_name() == argv[1]);
  }
  if (argc > 1 && argv[1][0] != '-' && !known) {
    std::cerr << "dbgsim: unknown command '" << argv[1] << "'; the commands are " << names
              << " (dbgsim --help says what each does)\n";
    return exit_bad_input;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // CLI11 returns 0 for --help/--version and its own nonzero codes otherwise; ours is 2.
    int rc = app.exit(e);
    return rc == 0 ? exit_ok : exit_bad_input;
  }
  for (auto& [sub, fn] : commands) {
    if (!sub->parsed())
      continue;
    const int rc = fn();
    // What a command printed and the device refused (a full disk) is an error, not a success.
    if (auto err = dbgsim::io::finish_stdout()) {
      std::cerr << "dbgsim: " << *err << '\n';
      return exit_bad_input;
    }
    return rc;
  }
  return exit_bad_input;
}
