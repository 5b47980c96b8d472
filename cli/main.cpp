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
  add(add_prop_command);
  add(add_repro_command);
  add(add_decode_command);
  add(add_options_command);
  add(add_schema_command);
  add(add_list_command);

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
