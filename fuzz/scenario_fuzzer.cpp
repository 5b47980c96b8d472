// Arbitrary bytes into the scenario loader. Checks: loading is total (a scenario, or a
// scenario_error with a message and a position inside the text); nothing crashes, hangs or
// grows without bound (YAML anchors that expand exponentially, a file of a billion steps: the
// loader refuses them; libFuzzer's -timeout and -rss_limit_mb catch a loader that does not); a
// scenario that loads keeps within the documented limits, and writes as a file that loads back
// and writes the same text.
#include "scenario/scenario.hpp"
#include "scenario_files/writer.hpp"
#include "scenario_files/loader.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>

namespace {

[[noreturn]] void fail(const std::string& what, const std::string& text) {
  std::fprintf(stderr, "scenario_fuzzer: %s\n--- input ---\n%s\n", what.c_str(), text.c_str());
  std::abort();
}

std::size_t count_lines(const std::string& text) {
  std::size_t n = 1;
  for (char c : text)
    n += c == '\n' ? 1 : 0;
  return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  dbgsim::scenario s;
  try {
    s = dbgsim::load_scenario(text, "fuzz.yaml");
  } catch (const dbgsim::scenario_error& e) {
    if (e.message().empty())
      fail("a scenario_error without a message", text);
    if (e.file() != "fuzz.yaml")
      fail("a scenario_error naming another file: " + e.file(), text);
    // Positions are 1-based when given; a line beyond the text's last (plus the one after
    // it, where YAML reports an unexpected end) points nowhere.
    if (e.pos().line < 0 || e.pos().col < 0 ||
        static_cast<std::size_t>(e.pos().line) > count_lines(text) + 1)
      fail("a scenario_error at an impossible position: " + std::string(e.what()), text);
    return 0;
  }
  // Anything else escaping (std::bad_alloc, YAML::Exception, std::out_of_range) is a finding:
  // libFuzzer reports the uncaught exception as a crash.
  if (s.steps.size() > dbgsim::max_scenario_steps)
    fail("a scenario with more steps than max_scenario_steps loaded", text);
  if (size > dbgsim::max_scenario_bytes)
    fail("a text larger than max_scenario_bytes loaded", text);

  std::ostringstream written, again;
  dbgsim::write_scenario(written, s);
  try {
    dbgsim::write_scenario(again, dbgsim::load_scenario(written.str(), "written.yaml"));
  } catch (const dbgsim::scenario_error& e) {
    fail("a loaded scenario, written back, does not load: " + std::string(e.what()) +
             "\n--- written ---\n" + written.str(),
         text);
  }
  if (written.str() != again.str())
    fail("a loaded scenario, written and loaded again, writes differently:\n--- first ---\n" +
             written.str() + "--- second ---\n" + again.str(),
         text);
  return 0;
}
