// `dbgsim schema`: the trace's schema as Markdown (docs/trace-format.md is its output).
#include "cli/commands.hpp"
#include "vocabulary/trace_schema.hpp"

#include <iostream>

namespace dbgsim::cli {

command_fn add_schema_command(CLI::App& app) {
  app.add_subcommand("schema",
                     "Print the trace's schema: every event kind, its fields and every value of "
                     "every enum field (docs/trace-format.md is this output)");
  return [] {
    std::cout << schema_markdown();
    std::cout.flush();
    return std::cout ? exit_ok : exit_bad_input;
  };
}

}  // namespace dbgsim::cli
