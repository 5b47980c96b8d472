// Symbols (vocabulary/symbol.hpp): interned names read, order and print as their text, and
// equal texts are one symbol whichever thread interned them.
#include "vocabulary/symbol.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace dbgsim {
namespace {

TEST(Symbol, EqualTextsAreOneSymbol) {
  const std::string text = "eng1";
  symbol a(text), b("eng1"), c(std::string_view("eng2"));
  EXPECT_EQ(a, b);
  EXPECT_EQ(&a.str(), &b.str());  // One text in the pool.
  EXPECT_NE(a, c);
  EXPECT_EQ(a, "eng1");
  EXPECT_EQ(a, text);
  EXPECT_EQ("eng1", a);
  EXPECT_NE(a, "eng");
}

TEST(Symbol, TheEmptySymbolIsTheDefault) {
  symbol none;
  EXPECT_TRUE(none.empty());
  EXPECT_EQ(none, symbol(""));
  EXPECT_EQ(none, std::string());
  EXPECT_FALSE(symbol("x").empty());
}

// Determinism: ordered containers walk symbols in the order of their texts, never of the
// pool's addresses, so a map keyed by symbols walks like the map keyed by strings it replaced.
TEST(Symbol, OrdersByTextWhateverTheInterningOrder) {
  const std::vector<std::string> texts = {"srv9", "eng10", "eng2", "a<->b", "", "eng1"};
  std::set<symbol> by_symbol;
  std::set<std::string> by_text;
  for (const auto& t : texts) {
    by_symbol.insert(symbol(t));
    by_text.insert(t);
  }
  std::vector<std::string> walked;
  for (const auto& s : by_symbol)
    walked.push_back(s.str());
  EXPECT_EQ(walked, std::vector<std::string>(by_text.begin(), by_text.end()));
  EXPECT_LT(symbol("eng10"), symbol("eng2"));
  EXPECT_LT(symbol("eng10"), "eng2");
  EXPECT_GT(std::string("eng3"), symbol("eng2"));
}

TEST(Symbol, ReadsAsItsText) {
  symbol s("srv1");
  const std::string& ref = s;
  EXPECT_EQ(ref, "srv1");
  EXPECT_EQ(s + "->" + symbol("eng1"), "srv1->eng1");
  EXPECT_EQ("at " + s, "at srv1");
  EXPECT_EQ(fmt::format("[{}]", s), "[srv1]");
  std::ostringstream out;
  out << s;
  EXPECT_EQ(out.str(), "srv1");
  std::map<std::string, int, std::less<>> by_name{{"srv1", 1}};
  EXPECT_EQ(by_name.find(s)->second, 1);
}

TEST(Symbol, ThreadsInterningOneTextGetOneSymbol) {
  std::vector<const std::string*> seen(8, nullptr);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < seen.size(); ++i)
    threads.emplace_back([&seen, i] {
      for (int n = 0; n < 1000; ++n)
        symbol(std::string("shared-") + std::to_string(n));
      seen[i] = &symbol("shared-500").str();
    });
  for (auto& t : threads)
    t.join();
  for (const auto* p : seen)
    EXPECT_EQ(p, seen.front());
}

}  // namespace
}  // namespace dbgsim
