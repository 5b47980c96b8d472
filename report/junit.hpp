// A JUnit XML report, the format CI systems show as a test list: one testcase per scenario (or
// per failure group of a sweep), with the failure's headline, kind and full text.
#pragma once

#include "report/xml.hpp"

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace dbgsim {

/// Why a testcase failed.
struct junit_failure {
  std::string message;  ///< One line: the headline.
  std::string type;     ///< The failure's kind (a run's signature, "S6").
  std::string body;     ///< The whole text, with the replay command.
};

/// One testcase.
struct junit_case {
  std::string classname;  ///< "scenarios.s06-disconnect-during-partition".
  std::string name;       ///< The scenario's name.
  std::string file;       ///< Where it was loaded from.
  double seconds = 0;     ///< Wall time.
  std::optional<junit_failure> failure;
};

/// Writes one test suite named `suite` with `cases` as a JUnit XML document.
void write_junit(std::ostream& out, const std::string& suite, const std::vector<junit_case>& cases);


}  // namespace dbgsim
