#include "report/junit.hpp"

#include <fmt/format.h>

#include <ostream>

namespace dbgsim {

void write_junit(std::ostream& out, const std::string& suite, const std::vector<junit_case>& cases) {
  std::size_t failures = 0;
  double total = 0;
  for (const auto& c : cases) {
    failures += c.failure ? 1 : 0;
    total += c.seconds;
  }
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out << fmt::format("<testsuites tests=\"{}\" failures=\"{}\" time=\"{:.3f}\">\n", cases.size(),
                     failures, total);
  out << fmt::format("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" time=\"{:.3f}\">\n",
                     xml_escape(suite), cases.size(), failures, total);
  for (const auto& c : cases) {
    out << fmt::format("    <testcase classname=\"{}\" name=\"{}\" file=\"{}\" time=\"{:.3f}\"",
                       xml_escape(c.classname), xml_escape(c.name), xml_escape(c.file), c.seconds);
    if (!c.failure) {
      out << "/>\n";
      continue;
    }
    out << ">\n      <failure message=\"" << xml_escape(c.failure->message) << "\" type=\""
        << xml_escape(c.failure->type) << "\">" << xml_escape(c.failure->body)
        << "</failure>\n    </testcase>\n";
  }
  out << "  </testsuite>\n</testsuites>\n";
}

}  // namespace dbgsim
