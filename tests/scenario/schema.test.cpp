// The trace's schema is generated from the tables of vocabulary/event.hpp, and holds: the doc is
// its output, and every event the scenario library emits is one the schema lists.
#include "scenario/player.hpp"
#include "scenario_files/loader.hpp"
#include "small_server/small_server.hpp"
#include "vocabulary/trace_schema.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

namespace dbgsim {
namespace {

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

TEST(TraceSchema, DocIsTheSchemaCommandsOutput) {
  const auto doc = read_file(std::filesystem::path(DBGSIM_SOURCE_DIR) / "docs/trace-format.md");
  EXPECT_EQ(doc, schema_markdown())
      << "docs/trace-format.md is out of date: run `dbgsim schema > docs/trace-format.md`";
}

TEST(TraceSchema, EveryEventOfTheLibraryIsOneTheSchemaLists) {
  std::size_t files = 0, events = 0;
  std::set<std::string> kinds_seen;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::filesystem::path(DBGSIM_SOURCE_DIR) / "scenarios")) {
    if (entry.path().extension() != ".yaml")
      continue;
    ++files;
    const auto report = run_scenario(load_scenario_file(entry.path().string()));
    for (const auto& e : report.events) {
      ++events;
      kinds_seen.insert(std::string(name_of(e.kind)));
      for (const auto& p : problems_of(e))
        ADD_FAILURE() << entry.path().filename().string() << ": " << p << "\n  " << to_json_line(e);
    }
  }
  EXPECT_GT(files, 30u);
  EXPECT_GT(events, 1000u);
  EXPECT_GT(kinds_seen.size(), 20u) << "the library should exercise nearly every kind";
}

TEST(TraceSchema, TheSmallServersEventsAreOnesTheSchemaLists) {
  // A second implementation records its own events: the schema holds it to the same contract.
  run_options options;
  options.make_server = small_server();
  std::size_t files = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::filesystem::path(DBGSIM_SOURCE_DIR) / "scenarios")) {
    if (entry.path().extension() != ".yaml")
      continue;
    const auto s = load_scenario_file(entry.path().string());
    if (std::find(s.tags.begin(), s.tags.end(), "core") == s.tags.end())
      continue;
    ++files;
    for (const auto& e : run_scenario(s, options).events)
      for (const auto& p : problems_of(e))
        ADD_FAILURE() << entry.path().filename().string() << ": " << p << "\n  " << to_json_line(e);
  }
  EXPECT_GT(files, 5u);
}

TEST(TraceSchema, ANearMissIsReported) {
  event e;
  e.kind = event_kind::handle_dead;
  e.actor = "eng";
  e.handle = 1;
  e.reason = reason_kind::disconnect;
  EXPECT_TRUE(problems_of(e).empty());
  e.reason = reason_kind::lease;  // A server's reason on an engine's event.
  ASSERT_EQ(problems_of(e).size(), 1u);
  EXPECT_NE(problems_of(e)[0].find("reason `lease`"), std::string::npos);
  e.reason = reason_kind::disconnect;
  e.session = 7;  // handle_dead carries no session.
  ASSERT_EQ(problems_of(e).size(), 1u);
  EXPECT_NE(problems_of(e)[0].find("`session`"), std::string::npos);
  e.session = 0;
  e.what = timer_kind::lease;  // handle_dead has no `what`.
  EXPECT_EQ(problems_of(e).size(), 1u);
}

TEST(TraceSchema, JsonLinesWriteNamesFromTheTables) {
  event e;
  e.kind = event_kind::fault;
  e.actor = "world";
  e.what = fault_kind::set_link;
  e.peer = "a";
  e.to = "b";
  EXPECT_EQ(to_json_line(e),
            R"({"t":0,"ev":"fault","actor":"world","peer":"a","to":"b","what":"set_link"})");
}

}  // namespace
}  // namespace dbgsim
