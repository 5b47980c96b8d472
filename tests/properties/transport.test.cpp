// Transport strings (protocol/transport.hpp): generated valid strings, with keys in any case and
// any order and the tolerated space after a comma, parse to their fields, and print back to a
// string that parses to the same fields; the same strings with one defect are refused (S2) with
// an offset inside the string.
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
    // Keys may come in any order.
    for (std::size_t i = parts.size(); i > 1; --i)
      std::swap(parts[i - 1], parts[*rc::gen::inRange<std::size_t>(0, i)]);
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

/// A valid string with one defect that makes it malformed, and which defect it was.
std::pair<std::string, std::string> with_defect(const generated& g) {
  const auto& t = g.text;
  const auto colon = t.find(':');
  switch (*rc::gen::inRange(0, 9)) {
    case 0: return {t + ",", "a trailing comma"};
    case 1: return {t + ",colour=red", "an unknown key"};
    case 2: return {t.substr(0, colon + 1), "no options"};
    case 3: return {"tpc" + t.substr(colon), "an unknown transport"};
    case 4: return {t.substr(colon + 1), "no transport"};
    case 5: {
      // The first option twice.
      const auto first = t.substr(colon + 1, t.find(',', colon) - colon - 1);
      return {t + "," + first, "a duplicate option"};
    }
    case 6: {
      const auto eq = t.find('=');
      return {t.substr(0, eq + 1) + t.substr(t.find_first_of(",", eq) == std::string::npos
                                                  ? t.size()
                                                  : t.find_first_of(",", eq)),
              "an empty value"};
    }
    case 7: {
      const auto eq = t.find('=');
      return {t.substr(0, eq + 1) + "a b" + t.substr(eq + 1), "a space in a value"};
    }
    default: {
      const auto eq = t.find('=');
      std::string s = t;
      s.insert(eq + 1, 1, static_cast<char>(*rc::gen::inRange(1, 32)));
      return {s, "a control character in a value"};
    }
  }
}

TEST(TransportProperty, StringsWithOneDefectAreRefusedWithAnOffset_S2) {
  EXPECT_TRUE(holds("one defect, refused", 1000, [] {
    const auto side = *rc::gen::element(options_side::client, options_side::server);
    const auto g = *gen_valid(side);
    const auto [text, defect] = with_defect(g);
    RC_TAG(defect);
    const auto parsed = parse_transport(text, side);
    RC_ASSERT(std::holds_alternative<options_error>(parsed));
    RC_ASSERT(std::get<options_error>(parsed).offset <= text.size());
  }));
}

TEST(TransportProperty, PortsOutsideOneTo65535AreRefused_S2) {
  EXPECT_TRUE(holds("bad ports refused", 1000, [] {
    const auto port = *rc::gen::element<std::string>("0", "65536", "99999999999", "-1", "0x10",
                                                      "5005a", "");
    const auto text = "tcp:server=" + word(1, 8) + ",port=" + port;
    RC_ASSERT(std::holds_alternative<options_error>(parse_transport(text, options_side::client)));
  }));
}

TEST(TransportProperty, ServerStringsParseToTheirFieldsAndPrintBack) {
  EXPECT_TRUE(holds("server strings round-trip", 1000, [] { check_side(options_side::server); }));
}

}  // namespace
}  // namespace dbgsim::props::testing
