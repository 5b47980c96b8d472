#include "scenario/scenario.hpp"

#include <string>
#include <utility>

namespace dbgsim {

scenario_error::scenario_error(std::string file, source_pos pos, const std::string& message)
    : std::runtime_error(pos.line > 0 ? file + ":" + std::to_string(pos.line) + ":" +
                                            std::to_string(pos.col) + ": " + message
                                      : file + ": " + message),
      file_(std::move(file)),
      pos_(pos),
      message_(message) {}


}  // namespace dbgsim
