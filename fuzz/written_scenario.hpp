// What `dbgsim repro` relies on, checked when a fuzzer's corpus is replayed in the normal build:
// the scenario an input decodes to, written as a file, loads back and writes the same text.
#pragma once

#include "scenario/scenario.hpp"
#include "scenario_files/loader.hpp"
#include "scenario_files/writer.hpp"

#include <cstdio>
#include <cstdlib>
#include <sstream>

namespace dbgsim::fuzz {

/// Aborts, with `fuzzer`'s name and the text, when `s` written does not load back as written.
inline void check_written_scenario(const scenario& s, const char* fuzzer) {
  std::ostringstream written, again;
  write_scenario(written, s);
  try {
    write_scenario(again, load_scenario(written.str(), "<written>"));
  } catch (const scenario_error& e) {
    std::fprintf(stderr, "%s: the written scenario does not load: %s\n%s", fuzzer, e.what(),
                 written.str().c_str());
    std::abort();
  }
  if (written.str() != again.str()) {
    std::fprintf(stderr, "%s: the written scenario loads back otherwise:\n%s", fuzzer,
                 written.str().c_str());
    std::abort();
  }
}

}  // namespace dbgsim::fuzz
