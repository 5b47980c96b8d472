// The catalog of client programs and the scenario files that name them (docs/clients.md,
// "Bring your own programs"): libraries built against <dbgsim/dbgeng.h> load and run; what is
// not one, is built for another interface, or clashes is refused with the path and the reason;
// an unknown `program:` is a load error at FILE:LINE:COL with a "did you mean".
#include "client_runtime/program_catalog.hpp"
#include "scenario_files/writer.hpp"
#include "tests/client_runtime/fixture.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace dbgsim {
namespace {

using namespace test;

std::string error_of(const std::string& path) {
  try {
    program_catalog::process().load_library(path);
  } catch (const client_library_error& e) {
    return e.what();
  }
  return "";
}

std::string load_error(const std::string& text) {
  try {
    load_scenario(text, "c.yaml");
  } catch (const scenario_error& e) {
    return e.what();
  }
  return "";
}

TEST(ClientCatalog, ALibraryBuiltAgainstTheHeaderLoadsAndRuns) {
  program_catalog::process().load_library(DBGSIM_TEST_CLIENT_LIB);
  program_catalog::process().load_library(DBGSIM_TEST_CLIENT_LIB);  // Twice: once.
  const auto* p = program_catalog::process().find("lib_connect_disconnect");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->origin, DBGSIM_TEST_CLIENT_LIB);
  auto r = run_yaml(world_yaml(
      "clients:\n"
      "  - { name: ok, engine: eng, program: lib_connect_disconnect }\n"
      "  - { name: leaky, engine: eng2, program: lib_leaks, expect: { findings: [leaked-handle] } }\n"));
  EXPECT_TRUE(r.passed()) << r.signature();
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].program, "leaky");
  // The test binary's own programs are "bundled".
  ASSERT_NE(program_catalog::process().find("rt_first"), nullptr);
  EXPECT_EQ(program_catalog::process().find("rt_first")->origin, "bundled");
}

TEST(ClientCatalog, WhatIsNotAClientLibraryIsRefusedWithWhy) {
  EXPECT_NE(error_of("/nonexistent/libx.so").find("/nonexistent/libx.so: no such file"),
            std::string::npos);
  // A file that is no shared library at all.
  const std::string text_file = testing::TempDir() + "not-a-library.so";
  std::ofstream(text_file) << "hello\n";
  EXPECT_NE(error_of(text_file).find(": cannot be loaded: "), std::string::npos);
  // A shared library that defines no programs.
  EXPECT_NE(error_of(DBGSIM_TEST_PLAIN_LIB).find("not a dbgsim client library"), std::string::npos);
  EXPECT_NE(error_of(DBGSIM_TEST_OTHER_ABI_LIB).find("client interface version 999"),
            std::string::npos);
  // A program another origin defines: refused, and the catalog is unchanged.
  const auto before = program_catalog::process().programs().size();
  const auto clash = error_of(DBGSIM_TEST_CLASHING_LIB);
  EXPECT_NE(clash.find("defines the client program `rt_first`, which bundled already defines"),
            std::string::npos)
      << clash;
  EXPECT_EQ(program_catalog::process().programs().size(), before);
}

TEST(ClientScenarioFiles, AnUnknownProgramIsALoadErrorWithItsPlaceAndASuggestion) {
  const auto text = world_yaml("clients:\n  - { name: a, engine: eng, program: rt_frist }\n");
  const auto e = load_error(text);
  // The `clients:` entry is at line 20 of world_yaml's text; the program's value at column 38.
  EXPECT_NE(e.find("c.yaml:20:38: client `program`: no client program is called `rt_frist`; "
                   "did you mean `rt_first`?"),
            std::string::npos)
      << e;
}

TEST(ClientScenarioFiles, BadEntriesAreRefusedWithTheirPlace) {
  auto entry = [](const std::string& e) { return load_error(world_yaml("clients:\n  - " + e + "\n")); };
  EXPECT_NE(entry("{ name: a, engine: engg, program: rt_first }").find("no engine is named `engg`; did you mean `eng`?"), std::string::npos);
  EXPECT_NE(entry("{ name: a, engine: eng, program: rt_first, expect: { findings: [leaked-handel] } }")
                .find("did you mean `leaked-handle`?"),
            std::string::npos);
  EXPECT_NE(entry("{ name: a, engine: eng, program: rt_first, timeout: 0s }").find("above 0"),
            std::string::npos);
  EXPECT_NE(entry("{ name: a, engine: eng, program: rt_first, colour: red }").find("unknown key `colour`"),
            std::string::npos);
  EXPECT_NE(load_error(world_yaml("clients:\n  - { name: a, engine: eng, program: rt_first }\n"
                                  "  - { name: a, engine: eng2, program: rt_first }\n"))
                .find("`a` is already the name of the client at 20:5"),
            std::string::npos);
  EXPECT_NE(entry("{ engine: eng, program: rt_first }").find("name"), std::string::npos);
}

TEST(ClientScenarioFiles, TheWriterWritesClientsBackAsTheyLoad) {
  const auto text = world_yaml(
      "clients:\n"
      "  - name: a\n    engine: eng\n    program: rt_first\n    args: [one, \"two words\"]\n"
      "    start: 1500ms\n    timeout: 30s\n    expect: { findings: [program-failed, leaked-handle] }\n");
  const auto s = load_scenario(text, "c.yaml");
  ASSERT_EQ(s.clients.size(), 1u);
  EXPECT_EQ(s.clients[0].args, (std::vector<std::string>{"one", "two words"}));
  EXPECT_EQ(s.clients[0].start, std::chrono::milliseconds(1500));
  // Kept in table order: C1 before C7.
  EXPECT_EQ(s.clients[0].expect_findings,
            (std::vector<finding_kind>{finding_kind::leaked_handle, finding_kind::program_failed}));
  std::ostringstream out;
  write_scenario(out, s);
  auto again = load_scenario(out.str(), "c.yaml");
  ASSERT_EQ(again.clients.size(), 1u);
  auto a = again.clients[0], b = s.clients[0];
  a.pos = b.pos = {};
  EXPECT_EQ(a, b) << out.str();
}

}  // namespace
}  // namespace dbgsim
