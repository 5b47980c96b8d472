#include "report/html.hpp"

#include "report/xml.hpp"

#include <fmt/format.h>

#include <ostream>
#include <string_view>

namespace dbgsim {
namespace {

// Plain, legible and print-friendly; system fonts only, since nothing may be fetched.
constexpr std::string_view style = R"(
body { font-family: sans-serif; margin: 2em; color: #222; }
h1 { font-size: 1.4em; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.7em; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
.failed { color: #b00020; font-weight: bold; }
.ok { color: #1b5e20; font-weight: bold; }
code, pre { font-family: monospace; font-size: 0.9em; }
section.group { border-top: 2px solid #b00020; margin-top: 2em; padding-top: 0.5em; }
.chart { overflow: auto; border: 1px solid #ddd; max-height: 60em; }
pre.trace { overflow: auto; max-height: 40em; background: #fafafa; padding: 0.5em; }
details summary { cursor: pointer; margin: 0.5em 0; }
)";

std::string esc(const std::string& text) { return xml_escape(text); }

/// Whether a failure signature is a client program's (C1…C8 of docs/clients.md, found or missing)
/// rather than a rule of the engine or server.
bool client_signature(std::string_view sig) {
  if (sig.substr(0, 8) == "missing ")
    sig.remove_prefix(8);
  return sig.size() >= 2 && sig[0] == 'C' && sig[1] >= '1' && sig[1] <= '9';
}

/// How many of the failed runs failed on a client finding (the groups partition the failures).
std::uint64_t failed_by_findings(const html_report& r) {
  std::uint64_t n = 0;
  for (const auto& g : r.groups)
    n += client_signature(g.signature) ? g.count : 0;
  return n;
}

void write_group(std::ostream& out, const html_group& g, std::size_t index) {
  out << fmt::format("<section class=\"group\" id=\"group-{}\">\n", index);
  out << fmt::format("<h2>{}. <span class=\"signature\">{}</span></h2>\n", index, esc(g.signature));
  out << "<table>\n";
  out << fmt::format("<tr><th>failed this way</th><td class=\"count\">{}</td></tr>\n", g.count);
  out << fmt::format("<tr><th>scenario</th><td><code>{}</code></td></tr>\n", esc(g.scenario));
  out << fmt::format("<tr><th>seed</th><td class=\"seed\">{}</td></tr>\n", g.seed);
  out << fmt::format("<tr><th>failure</th><td>{}</td></tr>\n", esc(g.first));
  for (const auto& n : g.notes)
    out << fmt::format("<tr><th></th><td>{}</td></tr>\n", esc(n));
  out << fmt::format("<tr><th>replay</th><td><code class=\"replay\">{}</code></td></tr>\n",
                     esc(g.replay));
  out << "</table>\n<div class=\"chart\">\n" << g.chart_svg << "</div>\n";
  out << fmt::format("<details><summary>trace of seed {} ({} events, JSON lines)</summary>\n",
                     g.seed, g.trace_events);
  out << "<pre class=\"trace\">" << esc(g.trace) << "</pre>\n</details>\n</section>\n";
}

}  // namespace

void write_html(std::ostream& out, const html_report& r) {
  out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out << "<title>" << esc(r.title) << "</title>\n<style>" << style << "</style>\n</head>\n<body>\n";
  out << "<h1>" << esc(r.title) << "</h1>\n";
  if (!r.facts.empty()) {
    out << "<table class=\"facts\">\n";
    for (const auto& [k, v] : r.facts)
      out << fmt::format("<tr><th>{}</th><td><code>{}</code></td></tr>\n", esc(k), esc(v));
    out << "</table>\n";
  }
  out << "<table class=\"summary\">\n";
  out << fmt::format(
      "<tr><th>{}</th><th>passed</th><th>failed</th><th>by a client finding</th>"
      "<th>failure groups</th></tr>\n",
      esc(r.unit));
  out << fmt::format(
      "<tr><td class=\"n\" id=\"total\">{}</td><td class=\"n ok\" id=\"passed\">{}</td>"
      "<td class=\"n{}\" id=\"failed\">{}</td><td class=\"n\" id=\"findings\">{}</td>"
      "<td class=\"n\" id=\"groups\">{}</td></tr>\n",
      r.total, r.passed, r.failed == 0 ? "" : " failed", r.failed, failed_by_findings(r),
      r.groups.size());
  out << "</table>\n";
  if (r.groups.empty()) {
    out << "<p class=\"ok\">Nothing failed.</p>\n";
  } else {
    out << "<table class=\"groups\">\n<tr><th>#</th><th>signature</th><th>count</th>"
           "<th>first seed</th><th>replay</th></tr>\n";
    for (std::size_t i = 0; i < r.groups.size(); ++i) {
      const auto& g = r.groups[i];
      out << fmt::format(
          "<tr><td><a href=\"#group-{0}\">{0}</a></td><td>{1}</td><td class=\"n\">{2}</td>"
          "<td class=\"n\">{3}</td><td><code>{4}</code></td></tr>\n",
          i + 1, esc(g.signature), g.count, g.seed, esc(g.replay));
    }
    out << "</table>\n";
    for (std::size_t i = 0; i < r.groups.size(); ++i)
      write_group(out, r.groups[i], i + 1);
  }
  out << "</body>\n</html>\n";
}

}  // namespace dbgsim
