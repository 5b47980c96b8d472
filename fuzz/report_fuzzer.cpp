// Arbitrary bytes into the output writers: whatever loads as a scenario is run (on a small run
// budget) and written as every output a user can ask for — the SVG chart, the JUnit XML, the
// Perfetto JSON and the trace's JSON lines — and each must be well formed: XML 1.0 (valid UTF-8,
// only the characters XML allows, balanced tags, quoted attributes, known entities) and JSON
// that parses (nlohmann-json refuses invalid UTF-8). Names, options, exes and descriptions from
// the file are what reach these outputs, so the scenario fuzzer's corpus is a good start:
//   build/fuzz/fuzz/report_fuzzer -max_total_time=600 fuzz/corpus/report_fuzzer
//                                  fuzz/corpus/scenario_fuzzer
#include "oracle/oracle.hpp"
#include "report/chart.hpp"
#include "report/junit.hpp"
#include "report/perfetto.hpp"
#include "scenario/player.hpp"
#include "scenario_files/loader.hpp"
#include "world/topology.hpp"
#include "world/world.hpp"
#include "vocabulary/event.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace {

[[noreturn]] void fail(const std::string& what, const std::string& output,
                       const std::string& input) {
  std::fprintf(stderr, "report_fuzzer: %s\n--- output ---\n%s\n--- input ---\n%s\n", what.c_str(),
               output.c_str(), input.c_str());
  std::abort();
}

/// Decodes one UTF-8 code point at `i` (advancing it); -1 for a malformed, overlong or surrogate
/// sequence.
long next_code_point(std::string_view s, std::size_t& i) {
  const auto b = static_cast<unsigned char>(s[i++]);
  if (b < 0x80)
    return b;
  int more = b >= 0xF0 && b <= 0xF4 ? 3 : b >= 0xE0 ? 2 : b >= 0xC2 && b <= 0xDF ? 1 : -1;
  if (more < 0 || i + static_cast<std::size_t>(more) > s.size())
    return -1;
  long cp = b & (0x3F >> more);
  for (int k = 0; k < more; ++k) {
    const auto c = static_cast<unsigned char>(s[i++]);
    if ((c & 0xC0) != 0x80)
      return -1;
    cp = (cp << 6) | (c & 0x3F);
  }
  static constexpr long least[] = {0, 0x80, 0x800, 0x10000};
  if (cp < least[more] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
    return -1;
  return cp;
}

/// Why `doc` is not a well-formed XML 1.0 document, or "" when it is. Checks what a writer can
/// get wrong (characters, escaping, nesting, attribute quoting), not DTDs or namespaces.
std::string xml_problem(std::string_view doc) {
  std::vector<std::string> open;
  std::size_t i = 0;
  bool root_seen = false;
  auto valid_char = [](long cp) {
    return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
           (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
  };
  auto entity = [&](std::size_t at) -> std::string {
    const auto end = doc.find(';', at);
    if (end == std::string_view::npos || end - at > 12)
      return "a raw '&' at byte " + std::to_string(at);
    const auto name = doc.substr(at + 1, end - at - 1);
    if (name == "lt" || name == "gt" || name == "amp" || name == "quot" || name == "apos")
      return "";
    if (name.size() >= 2 && name[0] == '#') {
      const bool hex = name[1] == 'x';
      long cp = 0;
      for (std::size_t k = hex ? 2 : 1; k < name.size(); ++k) {
        const char c = name[k];
        const int d = c >= '0' && c <= '9' ? c - '0'
                      : hex && c >= 'a' && c <= 'f' ? c - 'a' + 10
                      : hex && c >= 'A' && c <= 'F' ? c - 'A' + 10
                                                    : -1;
        if (d < 0 || cp > 0x10FFFF)
          return "a bad character reference at byte " + std::to_string(at);
        cp = cp * (hex ? 16 : 10) + d;
      }
      if (!valid_char(cp))
        return "a reference to a character XML forbids at byte " + std::to_string(at);
      return "";
    }
    return "an unknown entity at byte " + std::to_string(at);
  };
  // Characters first, everywhere.
  for (std::size_t k = 0; k < doc.size();) {
    const auto at = k;
    const long cp = next_code_point(doc, k);
    if (cp < 0)
      return "invalid UTF-8 at byte " + std::to_string(at);
    if (!valid_char(cp))
      return "a character XML 1.0 forbids (U+" + std::to_string(cp) + ") at byte " +
             std::to_string(at);
  }
  while (i < doc.size()) {
    if (doc[i] == '&') {
      if (auto p = entity(i); !p.empty())
        return p;
      ++i;
      continue;
    }
    if (doc[i] != '<') {
      if (doc[i] == '>' && i >= 2 && doc.substr(i - 2, 3) == "]]>")
        return "']]>' in text at byte " + std::to_string(i);
      if (open.empty() && doc[i] != ' ' && doc[i] != '\n' && doc[i] != '\r' && doc[i] != '\t')
        return "text outside the root element at byte " + std::to_string(i);
      ++i;
      continue;
    }
    if (doc.substr(i, 4) == "<!--") {
      const auto end = doc.find("-->", i + 4);
      if (end == std::string_view::npos || doc.substr(i + 4, end - i - 4).find("--") !=
                                               std::string_view::npos)
        return "a bad comment at byte " + std::to_string(i);
      i = end + 3;
      continue;
    }
    if (doc.substr(i, 9) == "<![CDATA[") {
      const auto end = doc.find("]]>", i + 9);
      if (end == std::string_view::npos || open.empty())
        return "a bad CDATA section at byte " + std::to_string(i);
      i = end + 3;
      continue;
    }
    if (doc.substr(i, 2) == "<?") {
      const auto end = doc.find("?>", i + 2);
      if (end == std::string_view::npos)
        return "an unclosed processing instruction at byte " + std::to_string(i);
      i = end + 2;
      continue;
    }
    const bool closing = i + 1 < doc.size() && doc[i + 1] == '/';
    std::size_t j = i + (closing ? 2 : 1);
    const auto name_start = j;
    while (j < doc.size() && doc[j] != '>' && doc[j] != '/' && doc[j] != ' ' && doc[j] != '\n' &&
           doc[j] != '\t' && doc[j] != '\r')
      ++j;
    const std::string name(doc.substr(name_start, j - name_start));
    if (name.empty() || name.find_first_of("<&\"'=") != std::string::npos)
      return "a bad tag name at byte " + std::to_string(i);
    if (closing) {
      if (open.empty() || open.back() != name)
        return "</" + name + "> closes " + (open.empty() ? "nothing" : "<" + open.back() + ">") +
               " at byte " + std::to_string(i);
      open.pop_back();
      const auto end = doc.find('>', j);
      if (end == std::string_view::npos)
        return "an unclosed end tag at byte " + std::to_string(i);
      i = end + 1;
      continue;
    }
    if (open.empty() && root_seen)
      return "a second root element at byte " + std::to_string(i);
    // Attributes: name="value" or name='value', values without '<' and with known entities.
    bool self_closing = false;
    while (true) {
      while (j < doc.size() && (doc[j] == ' ' || doc[j] == '\n' || doc[j] == '\t' || doc[j] == '\r'))
        ++j;
      if (j >= doc.size())
        return "an unclosed tag <" + name + "> at byte " + std::to_string(i);
      if (doc[j] == '>')
        break;
      if (doc[j] == '/' && j + 1 < doc.size() && doc[j + 1] == '>') {
        self_closing = true;
        ++j;
        break;
      }
      const auto eq = doc.find('=', j);
      if (eq == std::string_view::npos || eq + 1 >= doc.size() ||
          (doc[eq + 1] != '"' && doc[eq + 1] != '\''))
        return "an unquoted attribute in <" + name + "> at byte " + std::to_string(j);
      const auto attr = doc.substr(j, eq - j);
      if (attr.empty() || attr.find_first_of(" <>&\"'/") != std::string_view::npos)
        return "a bad attribute name in <" + name + "> at byte " + std::to_string(j);
      const char quote = doc[eq + 1];
      const auto close = doc.find(quote, eq + 2);
      if (close == std::string_view::npos)
        return "an unclosed attribute value in <" + name + "> at byte " + std::to_string(eq);
      for (auto k = eq + 2; k < close; ++k) {
        if (doc[k] == '<')
          return "a raw '<' in an attribute of <" + name + "> at byte " + std::to_string(k);
        if (doc[k] == '&')
          if (auto p = entity(k); !p.empty())
            return p;
      }
      j = close + 1;
    }
    root_seen = true;
    if (!self_closing)
      open.push_back(name);
    i = j + 1;
  }
  if (!open.empty())
    return "<" + open.back() + "> is never closed";
  if (!root_seen)
    return "no root element";
  return "";
}

void check_xml(const char* what, const std::string& doc, const std::string& input) {
  if (auto p = xml_problem(doc); !p.empty())
    fail(std::string(what) + " is not well-formed XML: " + p, doc, input);
}

void check_json(const char* what, const std::string& doc, const std::string& input) {
  if (!nlohmann::json::accept(doc))
    fail(std::string(what) + " is not valid JSON", doc, input);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  dbgsim::scenario s;
  try {
    s = dbgsim::load_scenario(text, "fuzz.yaml");
  } catch (const dbgsim::scenario_error&) {
    return 0;  // The scenario fuzzer judges refusals.
  }
  dbgsim::run_options options;
  options.keep_trace = true;
  options.max_steps = 20000;  // Enough for every library scenario; bounds a slow input's run.
  dbgsim::run_report report;
  try {
    report = dbgsim::run_scenario(s, options);
  } catch (const dbgsim::run_budget_exceeded&) {
    return 0;
  } catch (const dbgsim::topology_error&) {
    return 0;  // validate() refuses it: reported to the user before anything runs.
  }

  std::ostringstream chart, junit, perfetto, trace;
  dbgsim::write_chart(chart, report.events, report.violations, {s.name, true, report.findings});
  check_xml("the SVG chart", chart.str(), text);

  dbgsim::junit_case c;
  c.classname = "scenarios." + s.name;
  c.name = s.name;
  c.file = "fuzz.yaml";
  if (!report.passed()) {
    dbgsim::junit_failure f;
    f.message = report.signature() + " in " + s.name;
    f.type = report.signature();
    for (const auto& v : report.violations)
      f.body += v.rule + ": " + v.message + "\n";
    for (const auto& x : report.failures)
      f.body += x.action + ": expected " + x.expected + ", got " + x.got + "\n";
    c.failure = f;
  }
  dbgsim::write_junit(junit, s.name, {c});
  check_xml("the JUnit report", junit.str(), text);

  dbgsim::write_perfetto(perfetto, report.events, report.violations, report.findings);
  check_json("the Perfetto trace", perfetto.str(), text);

  for (const auto& e : report.events) {
    const auto line = dbgsim::to_json_line(e);
    check_json("a trace line", line, text);
  }
  return 0;
}
