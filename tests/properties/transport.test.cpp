// Transport strings (protocol/transport.hpp): generated valid strings, with keys in any case and
// the tolerated space after a comma, parse to their fields, and print back to a string that
// parses to the same fields.
#include "check.hpp"

#include "protocol/transport.hpp"

#include <cctype>

namespace dbgsim::props::testing {
namespace {

using namespace dbgsim::protocol;

/// A key as a user might type it: any mix of case (keys are case-insensitive).
std::string any_case(const std::string& key) {
  std::string k = key;
  for (auto& c : k)
    if (*rc::gen::arbitrary<bool>())
      c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return k;
}

std::string word(std::size_t min, std::size_t max) {
  const auto n = *rc::gen::inRange(min, max + 1);
  return *rc::gen::container<std::string>(
      n, rc::gen::elementOf(std::string("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")));
}

struct generated {
  std::string text;
  transport_options expected;
};

/// A valid tcp or npipe string for `s`, built field by field, and the fields it must give.
rc::Gen<generated> gen_valid(options_side s) {
  return rc::gen::exec([s] {
    generated g;
    auto& o = g.expected;
    o.side = s;
    o.kind = *rc::gen::element(transport_kind::tcp, transport_kind::npipe);
    std::vector<std::string> parts;
    if (s == options_side::client) {
      o.server = word(1, 12);
      parts.push_back(any_case("server") + "=" + *o.server);
    }
    if (o.kind == transport_kind::tcp) {
      o.port = *rc::gen::inRange<std::uint16_t>(1, 65535);
      parts.push_back(any_case("port") + "=" + std::to_string(*o.port));
      if (*rc::gen::arbitrary<bool>()) {
        o.ipversion = *rc::gen::element<std::uint8_t>(4, 6);
        parts.push_back(any_case("ipversion") + "=" + std::to_string(*o.ipversion));
      }
    } else {
      o.pipe = word(1, 16);
      parts.push_back(any_case("pipe") + "=" + *o.pipe);
    }
    if (*rc::gen::arbitrary<bool>()) {
      o.password = word(1, 12);
      parts.push_back(any_case("password") + "=" + *o.password);
    }
    if (s == options_side::server && *rc::gen::arbitrary<bool>()) {
      o.hidden = true;
      parts.push_back(any_case("hidden"));
    }
    g.text = std::string(name_of(o.kind)) + ":";
    for (std::size_t i = 0; i < parts.size(); ++i)
      g.text += (i == 0 ? "" : (*rc::gen::arbitrary<bool>() ? ", " : ",")) + parts[i];
    return g;
  });
}

void check_side(options_side s) {
  const auto g = *gen_valid(s);
  const auto parsed = parse_transport(g.text, s);
  RC_ASSERT(std::holds_alternative<transport_options>(parsed));
  RC_ASSERT(std::get<transport_options>(parsed) == g.expected);
  const auto printed = to_string(g.expected);
  const auto again = parse_transport(printed, s);
  RC_ASSERT(std::holds_alternative<transport_options>(again));
  RC_ASSERT(std::get<transport_options>(again) == g.expected);
  RC_ASSERT(to_string(std::get<transport_options>(again)) == printed);
}

TEST(TransportProperty, ClientStringsParseToTheirFieldsAndPrintBack_S2) {
  EXPECT_TRUE(holds("client strings round-trip", 1000, [] { check_side(options_side::client); }));
}

TEST(TransportProperty, ServerStringsParseToTheirFieldsAndPrintBack) {
  EXPECT_TRUE(holds("server strings round-trip", 1000, [] { check_side(options_side::server); }));
}

}  // namespace
}  // namespace dbgsim::props::testing
