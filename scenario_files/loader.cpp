// Reads a scenario file (docs/scenario-format.md) into a scenario. Strict on purpose: a file that
// loads is guaranteed to run, so every mistake a user can make is reported here, with the place
// in the file and, for a misspelt key or name, the nearest valid one.
//
// The file may be hostile (the loader is fuzzed): the text, the number of steps and the number of
// YAML nodes walked are bounded, every yaml-cpp exception becomes a scenario_error, and the walk is
// driven by the format, so an alias graph is never expanded beyond what the format can hold.
#include "client_runtime/program_catalog.hpp"
#include "scenario/scenario.hpp"
#include "vocabulary/suggest.hpp"

#include "protocol/codec.hpp"
#include "protocol/hresult.hpp"
#include "protocol/transport.hpp"
#include "scenario_files/loader.hpp"

#include "io/input.hpp"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string_view>
#include <utility>

namespace dbgsim {

namespace {

/// Most YAML nodes one load visits; an alias graph ("billion laughs") stops here.
constexpr std::size_t max_nodes = 1'000'000;

/// Deepest nesting of lists and maps (flow or block) a file may have; yaml-cpp's own limit
/// (DepthGuard, about 500) would otherwise answer with a bare "YAML: ..." message.
constexpr std::size_t max_nesting = 400;

/// Longest duration a file may give: 10^12 µs, about 11.6 days of simulated time.
constexpr std::int64_t max_duration_us = 1'000'000'000'000;

/// Most clients a scenario may run, and most arguments one may get: each client is a thread.
constexpr std::size_t max_clients = 256;
constexpr std::size_t max_client_args = 64;

/// Old spellings of action keys, accepted for one release with a message naming the new one.
struct renamed_key {
  std::string_view old_name;
  action_kind by_subject[2];  ///< What it means with a `server:` (0) or an `engine:` (1) subject.
};
constexpr std::array<renamed_key, 2> renamed_keys{{
    {"crash", {action_kind::crash_server, action_kind::crash_engine}},
    {"restart", {action_kind::restart_server, action_kind::restart_server}},
}};

/// "; did you mean `x`?" or nothing.
template <class Range>
std::string did_you_mean(std::string_view word, const Range& candidates) {
  auto n = nearest_name(word, candidates);
  return n.empty() ? std::string{} : "; did you mean `" + n + "`?";
}

/// A name or value quoted for a message: backticks, at most 60 bytes, control bytes escaped.
std::string show(std::string_view s) {
  std::string out = "`";
  std::size_t n = 0;
  for (unsigned char c : s) {
    if (++n > 60) {
      out += "...";
      break;
    }
    if (c < 0x20 || c == 0x7f) {
      static constexpr char hex[] = "0123456789abcdef";
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "`";
}

/// Joins names as "`a`, `b` or `c`".
template <class Range>
std::string one_of(const Range& names) {
  std::string out;
  std::size_t count = std::size(names), i = 0;
  for (const auto& n : names) {
    if (i > 0)
      out += i + 1 == count ? " or " : ", ";
    out += "`" + std::string(n) + "`";
    ++i;
  }
  return out;
}

std::optional<std::uint64_t> parse_u64(std::string_view t) {
  if (t.empty())
    return std::nullopt;
  int base = 10;
  if (t.size() > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) {
    base = 16;
    t.remove_prefix(2);
  }
  std::uint64_t v = 0;
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v, base);
  if (ec != std::errc{} || p != t.data() + t.size())
    return std::nullopt;
  return v;
}

/// A duration: an integer or decimal and a unit (us, ms, s, m); an error message when malformed.
std::variant<sim_time, std::string> parse_duration(std::string_view t) {
  const std::string expected =
      "expected a duration: a number and a unit us, ms, s or m (e.g. 250us, 20ms, 1.5s, 2m)";
  std::size_t i = 0;
  while (i < t.size() && t[i] >= '0' && t[i] <= '9')
    ++i;
  std::string_view whole = t.substr(0, i), frac;
  if (whole.empty())
    return expected + ", found " + show(t);
  if (i < t.size() && t[i] == '.') {
    std::size_t j = ++i;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9')
      ++i;
    frac = t.substr(j, i - j);
    if (frac.empty())
      return expected + ", found " + show(t);
  }
  std::string_view unit = t.substr(i);
  std::int64_t scale = 0;
  if (unit == "us") scale = 1;
  else if (unit == "ms") scale = 1'000;
  else if (unit == "s") scale = 1'000'000;
  else if (unit == "m") scale = 60'000'000;
  else if (unit.empty())
    return expected + "; " + show(t) + " has no unit";
  else
    return expected + "; " + show(unit) + " is not a unit" +
           did_you_mean(unit, std::array<std::string_view, 4>{"us", "ms", "s", "m"});
  // Exact arithmetic in µs: whole * scale + frac * scale / 10^digits, refusing what overflows
  // the limit or does not fall on a whole microsecond.
  const std::string too_long = "a duration may be at most 1000000000000us (about 11.6 days)";
  std::int64_t w = 0;
  for (char c : whole) {
    w = w * 10 + (c - '0');
    if (w > max_duration_us)
      return too_long;
  }
  if (w > max_duration_us / scale)
    return too_long;
  std::int64_t us = w * scale;
  std::int64_t numerator = 0, denominator = 1;
  for (char c : frac) {
    if (denominator > scale * 10) {
      if (c != '0')
        return "a duration must be a whole number of microseconds, found " + show(t);
      continue;
    }
    numerator = numerator * 10 + (c - '0');
    denominator *= 10;
  }
  if ((numerator * scale) % denominator != 0)
    return "a duration must be a whole number of microseconds, found " + show(t);
  us += numerator * scale / denominator;
  if (us > max_duration_us)
    return too_long;
  return sim_time{us};
}

/// The character at byte `i` of `s`, for messages: "U+00A0 (a space or separator)", "the
/// control character 0x0d", "the invalid UTF-8 byte 0xff".
std::string fmt_hex(const char* prefix, unsigned char b) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02x", b);
  return prefix + std::string(buf);
}

std::string describe_char(const std::string& s, std::size_t i) {
  const auto b = static_cast<unsigned char>(s[i]);
  if (b < 0x20 || b == 0x7f)
    return fmt_hex("the control character 0x", b);
  if (b == 0x20)
    return "a space";
  std::size_t len = b >= 0xf0 && b <= 0xf4 ? 4 : b >= 0xe0 ? 3 : b >= 0xc2 && b < 0xe0 ? 2 : 0;
  if (len == 0 || i + len > s.size())
    return fmt_hex("the invalid UTF-8 byte 0x", b);
  std::uint32_t cp = len == 2 ? b & 0x1f : len == 3 ? b & 0x0f : b & 0x07;
  for (std::size_t k = 1; k < len; ++k) {
    const auto c = static_cast<unsigned char>(s[i + k]);
    if ((c & 0xc0) != 0x80)
      return fmt_hex("the invalid UTF-8 byte 0x", b);
    cp = (cp << 6) | (c & 0x3f);
  }
  if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
    return fmt_hex("the invalid UTF-8 byte 0x", b);
  char buf[16];
  std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(cp));
  const bool space = cp == 0x85 || cp == 0xa0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200a) ||
                     cp == 0x2028 || cp == 0x2029 || cp == 0x202f || cp == 0x205f || cp == 0x3000;
  const bool format = cp == 0xad || (cp >= 0x200b && cp <= 0x200f) || (cp >= 0x202a && cp <= 0x202e) ||
                      (cp >= 0x2060 && cp <= 0x206f) || cp == 0xfeff;
  const bool control = cp >= 0x80 && cp < 0xa0;
  return std::string(buf) + (space     ? " (a space or line separator)"
                             : format  ? " (an invisible format character)"
                             : control ? " (a control character)"
                                       : " (not ASCII)");
}

/// What kind of YAML node this is, for "expected X, found Y" messages.
std::string kind_of(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map: return "a map";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Scalar: return show(n.Scalar());
    case YAML::NodeType::Null: return "nothing";
    case YAML::NodeType::Undefined: return "nothing";
  }
  return "nothing";
}

/// Names a place by its (1-based) position, for "first given at" notes.
std::string at_line(source_pos p) { return "line " + std::to_string(p.line); }

/// Why the first pass stopped reading: too many nodes, or a second document.
struct prepass_stop {
  YAML::Mark mark;
  std::string message;
};

/// The first pass over the text: counts its nodes and documents from the parser's events,
/// without building a tree, so that a file too large to hold as nodes is refused before
/// yaml-cpp builds it (a node costs hundreds of bytes: 4 MB of `[0,0,0,...` would take ~1 GB).
class node_counter : public YAML::EventHandler {
public:
  void OnDocumentStart(const YAML::Mark& mark) override {
    if (++documents_ > 1)
      throw prepass_stop{mark, "a scenario file holds one YAML document; this one has more"};
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t) override { count(mark); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { count(mark); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                const std::string&) override {
    count(mark);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    count(mark);
    enter(mark);
  }
  void OnSequenceEnd() override { --depth_; }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {
    count(mark);
    enter(mark);
  }
  void OnMapEnd() override { --depth_; }

private:
  void enter(const YAML::Mark& mark) {
    if (++depth_ > max_nesting)
      throw prepass_stop{mark, "nested too deeply: more than " + std::to_string(max_nesting) +
                                   " levels of lists and maps"};
  }
  std::size_t depth_ = 0;
  void count(const YAML::Mark& mark) {
    if (++nodes_ > max_nodes)
      throw prepass_stop{mark, "the file has more than " + std::to_string(max_nodes) +
                                   " YAML nodes; refusing to read it"};
  }
  std::size_t nodes_ = 0;
  std::size_t documents_ = 0;
};

/// Where the text's flow collections (`[`, `{`) first nest deeper than max_nesting, read from
/// the bytes before yaml-cpp sees them: its scanner queues every token of an unclosed flow
/// collection before it hands out the first (4 MiB of `[` took about 1 GB). Quoted strings and
/// comments are skipped; a bracket inside a plain or block scalar may count, which errs on the
/// side of refusing (no real scenario comes near the limit). 1-based line and column.
std::optional<source_pos> flow_too_deep(std::string_view text) {
  std::size_t depth = 0, line = 1, col = 0;
  char quote = 0;        // '"' or '\'' inside a quoted scalar.
  bool comment = false;  // Inside a comment, until the end of the line.
  char prev = '\n';      // The previous character (a line start counts as whitespace).
  auto token_start = [&] {
    return prev == '\n' || prev == ' ' || prev == '\t' || prev == '\r' || prev == '[' ||
           prev == '{' || prev == ',' || prev == ':';
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    ++col;
    if (c == '\n') {
      ++line;
      col = 0;
      comment = false;
      prev = c;
      continue;
    }
    if (comment) {
      prev = c;
      continue;
    }
    if (quote == '"') {
      if (c == '\\' && i + 1 < text.size() && text[i + 1] != '\n') {
        ++i;
        ++col;
      } else if (c == '"') {
        quote = 0;
      }
      prev = c;
      continue;
    }
    if (quote == '\'') {
      if (c == '\'' && i + 1 < text.size() && text[i + 1] == '\'') {
        ++i;
        ++col;
      } else if (c == '\'') {
        quote = 0;
      }
      prev = c;
      continue;
    }
    if (c == '#' && (prev == '\n' || prev == ' ' || prev == '\t')) {
      comment = true;
    } else if ((c == '"' || c == '\'') && token_start()) {
      quote = c;
    } else if ((c == '[' || c == '{') && (depth > 0 || token_start())) {
      if (++depth > max_nesting)
        return source_pos{static_cast<int>(line), static_cast<int>(col)};
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
    prev = c;
  }
  return std::nullopt;
}

/// The first byte YAML text cannot hold, read before yaml-cpp sees it (which turns a NUL into
/// other bytes and reads a lone CR as no line break at all): a control character other than
/// tab, LF and CR, or a CR not followed by LF. The place (1-based) and what to do about it.
std::optional<std::pair<source_pos, std::string>> bad_byte(std::string_view text) {
  int line = 1, col = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    ++col;
    if (c == '\n') {
      ++line;
      col = 0;
      continue;
    }
    if (c == '\r') {
      if (i + 1 < text.size() && text[i + 1] == '\n')
        continue;
      return std::pair{source_pos{line, col},
                       std::string("a CR line end without LF (old Mac line ends); write the file "
                                   "with LF or CRLF line ends")};
    }
    if ((c < 0x20 && c != '\t') || c == 0x7f) {
      return std::pair{source_pos{line, col},
                       fmt_hex("the control character 0x", c) + (c == 0 ? " (NUL)" : "") +
                           " in the text; YAML cannot hold it raw: write it as an escape in a "
                           "double-quoted string (\"\\x" + fmt_hex("", c) + "\")"};
    }
  }
  return std::nullopt;
}

class loader;

/// A YAML map read as a set of known keys: refuses keys outside `allowed` (with a suggestion),
/// keys given twice, and keys that are not strings.
class map_view {
public:
  map_view(loader& l, const YAML::Node& n, const std::string& what,
           std::vector<std::string_view> allowed);

  /// The value of `key`, if the map gives it.
  std::optional<YAML::Node> find(std::string_view key) const {
    for (auto& e : entries_)
      if (e.key == key)
        return e.value;
    return std::nullopt;
  }
  /// The key node of `key` (for messages about the key itself).
  std::optional<YAML::Node> key_node(std::string_view key) const {
    for (auto& e : entries_)
      if (e.key == key)
        return e.key_node;
    return std::nullopt;
  }
  /// The value of `key`; a missing key is an error at the map.
  YAML::Node need(std::string_view key) const;
  /// Whether the map gives `key`.
  bool has(std::string_view key) const { return find(key).has_value(); }
  /// The map itself.
  const YAML::Node& node() const { return node_; }
  /// What the map is, for messages ("a step", "`connect`").
  const std::string& what() const { return what_; }
  /// The keys in file order.
  std::vector<std::string> keys() const {
    std::vector<std::string> out;
    for (auto& e : entries_)
      out.push_back(e.key);
    return out;
  }

private:
  struct entry {
    std::string key;
    YAML::Node key_node, value;
  };
  loader& l_;
  YAML::Node node_;
  std::string what_;
  std::vector<entry> entries_;
};

/// Something that names a bound handle or pid, kept until the steps are sorted by `at`.
struct name_use {
  std::string name;
  bool pid = false;  ///< A pid name; otherwise a handle name.
  bool binds = false;
  source_pos pos;
};

/// Where a name of the topology comes from.
struct named {
  std::string kind;     ///< "engine", "server".
  std::string machine;  ///< The machine it runs on.
  source_pos pos;
};

class loader {
public:
  explicit loader(std::string file) : file_(std::move(file)) {}

  [[noreturn]] void fail(source_pos p, const std::string& message) const {
    throw scenario_error(file_, p, message);
  }
  [[noreturn]] void fail(const YAML::Node& n, const std::string& message) const {
    fail(pos_of(n), message);
  }

  /// Keeps a message about a file that loads all the same (an old spelling).
  void note(const YAML::Node& n, const std::string& message) {
    const auto p = pos_of(n);
    notes_.push_back(file_ + ":" + std::to_string(p.line) + ":" + std::to_string(p.col) +
                     ": warning: " + message);
  }

  static source_pos pos_of(const YAML::Node& n) {
    if (!n.IsDefined())
      return {};
    auto m = n.Mark();
    if (m.is_null())
      return {};
    return {m.line + 1, m.column + 1};
  }

  /// Counts a visited node; refuses past the limit.
  void visit(const YAML::Node& n) {
    if (++visited_ > max_nodes)
      fail(n, "the file has more than " + std::to_string(max_nodes) +
                  " YAML nodes (counting each use of an alias); refusing to read it");
  }

  scenario load(const std::string& text);
  std::vector<std::string> read_tags(const YAML::Node& n);
  void read_clients(const YAML::Node& n, scenario& s);

  // -- values ------------------------------------------------------------------------------

  /// A scalar's text; `noun` says what was expected instead of a map, list or nothing.
  std::string scalar(const YAML::Node& n, const std::string& what,
                     const char* noun = "a string") {
    visit(n);
    if (!n.IsScalar())
      fail(n, what + ": expected " + noun + ", found " + kind_of(n));
    return n.Scalar();
  }

  /// A name of the topology (engine, server, machine): non-empty printable ASCII without
  /// spaces (0x21-0x7E), so that two names that print alike are the same name: no NBSP, no
  /// zero-width, bidi or other format characters, no homoglyphs (docs/scenario-format.md).
  std::string name(const YAML::Node& n, const std::string& what) {
    auto s = scalar(n, what, "a name");
    if (s.empty())
      fail(n, what + ": a name cannot be empty");
    if (s.size() > protocol::max_string_size)
      fail(n, what + ": a name of " + std::to_string(s.size()) + " bytes is too long (at most " +
                  std::to_string(protocol::max_string_size) + ", the protocol's string limit)");
    for (std::size_t i = 0; i < s.size(); ++i) {
      const auto c = static_cast<unsigned char>(s[i]);
      if (c > 0x20 && c < 0x7f)
        continue;
      fail(n, what + ": the name " + show(s) + " has " + describe_char(s, i) + " at byte " +
                  std::to_string(i + 1) +
                  "; a name is printable ASCII (letters, digits, punctuation), without spaces");
    }
    return s;
  }

  /// A string the protocol carries (an executable name, a command line, a description):
  /// at most max_string_size bytes, or the run would send frames its own decoder drops.
  std::string wire_string(const YAML::Node& n, const std::string& what) {
    auto s = scalar(n, what);
    if (s.size() > protocol::max_string_size)
      fail(n, what + ": " + std::to_string(s.size()) + " bytes is too long: the protocol carries "
                  "at most " + std::to_string(protocol::max_string_size) +
                  " bytes per string (max_string_size, docs/protocol.md)");
    return s;
  }

  std::uint64_t integer(const YAML::Node& n, const std::string& what, std::uint64_t max) {
    auto s = scalar(n, what, "an integer");
    auto v = parse_u64(s);
    if (!v)
      fail(n, what + ": expected a non-negative integer, found " + show(s));
    if (*v > max)
      fail(n, what + ": " + show(s) + " is too large (at most " + std::to_string(max) + ")");
    return *v;
  }

  bool boolean(const YAML::Node& n, const std::string& what) {
    auto s = scalar(n, what, "true or false");
    if (s == "true" || s == "True" || s == "TRUE")
      return true;
    if (s == "false" || s == "False" || s == "FALSE")
      return false;
    fail(n, what + ": expected true or false, found " + show(s));
  }

  sim_time duration(const YAML::Node& n, const std::string& what) {
    auto s = scalar(n, what, "a duration");
    auto d = parse_duration(s);
    if (auto* err = std::get_if<std::string>(&d))
      fail(n, what + ": " + *err);
    return std::get<sim_time>(d);
  }

  double probability(const YAML::Node& n, const std::string& what) {
    auto s = scalar(n, what, "a probability");
    double v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || p != s.data() + s.size() || !std::isfinite(v))
      fail(n, what + ": expected a probability (a number from 0 to 1), found " + show(s));
    if (v < 0 || v > 1)
      fail(n, what + ": a probability is from 0 to 1, found " + s);
    return v;
  }

  protocol::hresult hresult(const YAML::Node& n, const std::string& what) {
    auto s = scalar(n, what, "an HRESULT");
    auto hr = protocol::parse_hresult(s);
    if (!hr)
      fail(n, what + ": " + show(s) +
                  " is not an HRESULT name from the protocol table or a 0x hex code" +
                  did_you_mean(s, protocol::hresult_names()));
    return *hr;
  }

  /// One of a fixed set of words.
  template <std::size_t N>
  std::size_t choice(const YAML::Node& n, const std::string& what,
                     const std::array<std::string_view, N>& words) {
    auto s = scalar(n, what, "a word");
    for (std::size_t i = 0; i < N; ++i)
      if (words[i] == s)
        return i;
    fail(n, what + ": expected " + one_of(words) + ", found " + show(s) + did_you_mean(s, words));
  }

  const YAML::Node& sequence(const YAML::Node& n, const std::string& what) {
    visit(n);
    if (!n.IsSequence())
      fail(n, what + ": expected a list, found " + kind_of(n));
    return n;
  }

  std::vector<std::uint32_t> pid_list(const YAML::Node& n, const std::string& what) {
    std::vector<std::uint32_t> out;
    for (const auto& item : sequence(n, what))
      out.push_back(static_cast<std::uint32_t>(integer(item, what + " (a pid)", UINT32_MAX)));
    return out;
  }

  /// A handle or pid name bound by `as`: starts with a letter or `_`, then letters, digits, `_`,
  /// `-` or `.` (so it can never be mistaken for a literal).
  std::string bound_name(const YAML::Node& n, const std::string& what) {
    auto s = scalar(n, what, "a name");
    // ASCII by hand: <cctype> depends on the locale.
    auto letter = [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    };
    bool ok = !s.empty() && letter(s[0]);
    for (char c : s)
      ok = ok && (letter(c) || (c >= '0' && c <= '9') || c == '-' || c == '.');
    if (!ok)
      fail(n, what + ": " + show(s) +
                  " is not a valid name (a letter or `_`, then letters, digits, `_`, `-` or `.`)");
    return s;
  }

  static bool looks_literal(const std::string& s) {
    return !s.empty() && ((s[0] >= '0' && s[0] <= '9') || s[0] == '-' || s[0] == '+');
  }

  handle_ref handle(const YAML::Node& n, const std::string& what) {
    auto s = scalar(n, what, "a handle");
    handle_ref h;
    if (looks_literal(s)) {
      auto v = parse_u64(s);
      if (!v)
        fail(n, what + ": expected a handle name or an integer from 0 to 0xffffffffffffffff, "
                       "found " + show(s));
      h.value = *v;
    } else {
      h.name = bound_name(n, what);
      uses_.push_back({h.name, false, false, pos_of(n)});
    }
    return h;
  }

  pid_ref pid(const YAML::Node& n, const std::string& what) {
    auto s = scalar(n, what, "a pid");
    pid_ref p;
    if (looks_literal(s)) {
      auto v = parse_u64(s);
      if (!v || *v > UINT32_MAX)
        fail(n, what + ": expected a pid name or an integer from 0 to 4294967295, found " +
                    show(s));
      p.value = static_cast<std::uint32_t>(*v);
    } else {
      p.name = bound_name(n, what);
      uses_.push_back({p.name, true, false, pos_of(n)});
    }
    return p;
  }

  /// `as: NAME`, binding a handle (connect) or a pid (find_process, create_process).
  std::string binding(const map_view& m, bool is_pid) {
    auto n = m.find("as");
    if (!n)
      return {};
    auto s = bound_name(*n, m.what() + " `as`");
    uses_.push_back({s, is_pid, true, pos_of(*n)});
    return s;
  }

  // -- names of the topology ---------------------------------------------------------------

  std::string engine(const YAML::Node& n, const std::string& what) {
    return entity(n, what, "engine");
  }
  std::string server(const YAML::Node& n, const std::string& what) {
    return entity(n, what, "server");
  }

  std::string entity(const YAML::Node& n, const std::string& what, const std::string& kind) {
    auto s = name(n, what);
    auto i = names_.find(s);
    if (i != names_.end() && i->second.kind == kind)
      return s;
    std::vector<std::string> candidates;
    for (auto& [nm, info] : names_)
      if (info.kind == kind)
        candidates.push_back(nm);
    if (i != names_.end())
      fail(n, what + ": " + show(s) + " is a " + i->second.kind + ", not " +
                  (kind == "engine" ? "an " : "a ") + kind);
    fail(n, what + ": no " + kind + " is named " + show(s) + did_you_mean(s, candidates));
  }

  /// A machine, or an engine or server standing for its machine.
  std::string place(const YAML::Node& n, const std::string& what) {
    auto s = name(n, what);
    if (names_.count(s) || machines_.count(s))
      return s;
    std::vector<std::string> candidates;
    for (auto& [nm, info] : names_)
      candidates.push_back(nm);
    for (auto& [nm, p] : machines_)
      candidates.push_back(nm);
    std::sort(candidates.begin(), candidates.end());
    fail(n, what + ": no machine, engine or server is named " + show(s) +
                did_you_mean(s, candidates));
  }

  /// The machine a place stands for.
  std::string machine_of(const std::string& place) const {
    auto i = names_.find(place);
    return i != names_.end() ? i->second.machine : place;
  }

  /// `between: [a, b]`, or `from: a` and `to: b` when `one_way` allows it.
  link_ends ends(const map_view& m, bool one_way) {
    link_ends e;
    auto between = m.find("between");
    if (between) {
      if (one_way && (m.has("from") || m.has("to")))
        fail(*m.key_node(m.has("from") ? "from" : "to"),
             m.what() + ": give either `between` or `from`/`to`, not both");
      auto& seq = sequence(*between, m.what() + " `between`");
      if (seq.size() != 2)
        fail(*between, m.what() + " `between`: expected a list of two names, found " +
                           std::to_string(seq.size()));
      e.from = place(seq[0], m.what() + " `between`");
      e.to = place(seq[1], m.what() + " `between`");
      e.both = true;
      return e;
    }
    if (!one_way)
      fail(m.node(), m.what() + " needs `between: [a, b]`");
    if (!m.has("from") && !m.has("to"))
      fail(m.node(), m.what() + " needs `between: [a, b]`, or `from` and `to`");
    e.from = place(m.need("from"), m.what() + " `from`");
    e.to = place(m.need("to"), m.what() + " `to`");
    e.both = false;
    return e;
  }

  // -- sections ----------------------------------------------------------------------------

  void read_defaults(const YAML::Node& n, timing& t);
  void read_machines(const YAML::Node& n, topology& topo);
  void read_servers(const YAML::Node& n, topology& topo);
  void read_engines(const YAML::Node& n, topology& topo);
  void claim_names(const topology& topo);
  /// Reads an engine's or server's `name` and optional `machine`, keeping where each stands.
  void read_placed_name(const map_view& m, const std::string& kind, std::string& name_out,
                        std::string& machine_out, std::vector<source_pos>& name_pos,
                        std::vector<source_pos>& machine_pos);
  /// Where a place of the topology stands in the file.
  source_pos pos_in_file(const topology_place& p) const;
  /// Refuses a topology the world would refuse, at its place in the file.
  void check_topology(const topology& topo);
  void read_links(const YAML::Node& n, topology& topo);
  void read_steps(const YAML::Node& n, scenario& s);
  step read_step(const YAML::Node& n, std::size_t index);
  step_action read_action(action_kind kind, const YAML::Node& n);
  void check_bindings(const scenario& s);

private:
  std::string file_;
  std::vector<std::string> notes_;
  std::size_t visited_ = 0;
  std::map<std::string, named> names_;          ///< Engines and servers.
  std::map<std::string, source_pos> machines_;  ///< Every machine: listed or implied.
  std::vector<source_pos> server_listen_pos_, server_name_pos_, server_machine_pos_;
  std::vector<source_pos> engine_name_pos_, engine_machine_pos_;
  std::vector<source_pos> machine_name_pos_, link_pos_;  ///< By index in the topology.
  std::vector<std::vector<source_pos>> pid_pos_;         ///< By machine, then process.
  std::vector<std::vector<name_use>> step_uses_;  ///< Per step, its handle/pid names.
  std::vector<name_use> uses_;                    ///< The step being read.
};

map_view::map_view(loader& l, const YAML::Node& n, const std::string& what,
                   std::vector<std::string_view> allowed)
    : l_(l), node_(n), what_(what) {
  l_.visit(n);
  if (!n.IsMap())
    l_.fail(n, what + ": expected a map, found " + kind_of(n));
  for (auto it = n.begin(); it != n.end(); ++it) {
    YAML::Node k = it->first, v = it->second;
    l_.visit(k);
    if (!k.IsScalar())
      l_.fail(k, what + ": a key must be a plain word, found " + kind_of(k));
    std::string key = k.Scalar();
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end())
      l_.fail(k, what + ": unknown key " + show(key) + did_you_mean(key, allowed));
    for (auto& e : entries_)
      if (e.key == key)
        l_.fail(k, what + ": the key " + show(key) + " is given twice (first at " +
                       at_line(loader::pos_of(e.key_node)) + ")");
    entries_.push_back({std::move(key), k, v});
  }
}

YAML::Node map_view::need(std::string_view key) const {
  auto v = find(key);
  if (!v)
    l_.fail(node_, what_ + " needs `" + std::string(key) + "`");
  return *v;
}


void loader::read_defaults(const YAML::Node& n, timing& t) {
  map_view m(*this, n, "`defaults`",
             {"connect_timeout", "rpc_timeout", "keepalive", "lease", "shutdown_grace"});
  // Zero would make a timer fire at the instant it is armed, forever: every one must be positive.
  auto read = [&](std::string_view key, sim_time& out) {
    if (auto v = m.find(key)) {
      out = duration(*v, "`defaults` `" + std::string(key) + "`");
      if (out.count() == 0)
        fail(*v, "`defaults` `" + std::string(key) + "`: must be more than 0");
    }
  };
  read("connect_timeout", t.connect_timeout);
  read("rpc_timeout", t.rpc_timeout);
  read("keepalive", t.keepalive);
  read("lease", t.lease);
  read("shutdown_grace", t.shutdown_grace);
}

void loader::read_machines(const YAML::Node& n, topology& topo) {
  for (const auto& item : sequence(n, "`machines`")) {
    map_view m(*this, item, "a machine", {"name", "processes"});
    machine_spec spec;
    auto name_node = m.need("name");
    spec.name = name(name_node, "machine `name`");
    machines_.emplace(spec.name, pos_of(name_node));
    machine_name_pos_.push_back(pos_of(name_node));
    pid_pos_.emplace_back();
    if (auto procs = m.find("processes")) {
      for (const auto& p : sequence(*procs, "machine `processes`")) {
        map_view pm(*this, p, "a process", {"pid", "exe", "description"});
        process proc;
        auto pid_node = pm.need("pid");
        proc.pid = static_cast<std::uint32_t>(integer(pid_node, "process `pid`", UINT32_MAX));
        pid_pos_.back().push_back(pos_of(pid_node));
        proc.exe = wire_string(pm.need("exe"), "process `exe`");
        if (auto d = pm.find("description"))
          proc.description = wire_string(*d, "process `description`");
        if (spec.processes.size() == protocol::max_pid_count)
          fail(p, "machine " + show(spec.name) + ": more than " +
                      std::to_string(protocol::max_pid_count) +
                      " processes; a process list carries at most that many pids "
                      "(max_pid_count, docs/protocol.md)");
        spec.processes.push_back(std::move(proc));
      }
    }
    topo.machines.push_back(std::move(spec));
  }
}

void loader::read_placed_name(const map_view& m, const std::string& kind, std::string& name_out,
                              std::string& machine_out, std::vector<source_pos>& name_pos,
                              std::vector<source_pos>& machine_pos) {
  auto name_node = m.need("name");
  name_out = name(name_node, kind + " `name`");
  name_pos.push_back(pos_of(name_node));
  machine_pos.push_back({});
  if (auto v = m.find("machine")) {
    machine_out = name(*v, kind + " `machine`");
    machine_pos.back() = pos_of(*v);
  }
}

void loader::read_servers(const YAML::Node& n, topology& topo) {
  for (const auto& item : sequence(n, "`servers`")) {
    map_view m(*this, item, "a server", {"name", "machine", "listen", "start"});
    server_spec spec;
    read_placed_name(m, "server", spec.name, spec.machine, server_name_pos_, server_machine_pos_);
    auto listen_node = m.need("listen");
    spec.listen = scalar(listen_node, "server `listen`");
    server_listen_pos_.push_back(pos_of(listen_node));
    if (auto v = m.find("start"))
      spec.start = duration(*v, "server `start`");
    topo.servers.push_back(std::move(spec));
  }
}

void loader::read_engines(const YAML::Node& n, topology& topo) {
  for (const auto& item : sequence(n, "`engines`")) {
    map_view m(*this, item, "an engine", {"name", "machine", "disconnect", "detach_on_exit",
                                                  "protocol_version"});
    engine_spec spec;
    read_placed_name(m, "engine", spec.name, spec.machine, engine_name_pos_, engine_machine_pos_);
    if (auto v = m.find("disconnect")) {
      spec.mode = static_cast<disconnect_mode>(
          choice(*v, "engine `disconnect`", enum_names<disconnect_mode>::names));
    }
    if (auto v = m.find("detach_on_exit"))
      spec.detach_on_exit = boolean(*v, "engine `detach_on_exit`");
    if (auto v = m.find("protocol_version")) {
      const auto version = integer(*v, "engine `protocol_version`", UINT16_MAX);
      if (version == 0)
        fail(*v, "engine `protocol_version`: expected a version from 1 to 65535, found 0");
      spec.protocol_version = static_cast<std::uint16_t>(version);
    }
    topo.engines.push_back(std::move(spec));
  }
}

void loader::claim_names(const topology& topo) {
  // Engines and servers share one namespace and each stands for its machine; validate() refuses
  // clashes, so here the first claim of a name is the one kept.
  for (std::size_t i = 0; i < topo.servers.size(); ++i)
    names_.emplace(topo.servers[i].name,
                   named{"server", dbgsim::machine_of(topo.servers[i]), server_name_pos_[i]});
  for (std::size_t i = 0; i < topo.engines.size(); ++i)
    names_.emplace(topo.engines[i].name,
                   named{"engine", dbgsim::machine_of(topo.engines[i]), engine_name_pos_[i]});
  for (auto& [nm, info] : names_)
    machines_.emplace(info.machine, info.pos);
}

source_pos loader::pos_in_file(const topology_place& p) const {
  using part = topology_place::part;
  using field = topology_place::field;
  switch (p.what) {
    case part::machine: return machine_name_pos_.at(p.index);
    case part::process: return pid_pos_.at(p.index).at(p.sub);
    case part::server:
      return p.which == field::machine ? server_machine_pos_.at(p.index)
             : p.which == field::listen ? server_listen_pos_.at(p.index)
                                        : server_name_pos_.at(p.index);
    case part::engine:
      return p.which == field::machine ? engine_machine_pos_.at(p.index)
                                       : engine_name_pos_.at(p.index);
    case part::link: return link_pos_.at(p.index);
  }
  return {};
}

void loader::check_topology(const topology& topo) {
  // The same check the world makes when it builds the topology, placed in the file.
  if (auto p = validate(topo))
    fail(pos_in_file(p->where), text_of(*p, p->first ? " at " + at_line(pos_in_file(*p->first)) : ""));
}

void loader::read_links(const YAML::Node& n, topology& topo) {
  // A link joins two machines; `between` sets both directions, `from`/`to` one. Entries naming
  // the same pair of machines merge into one link_spec, each direction given at most once.
  struct seen {
    std::size_t index;
    std::string a_machine;
    source_pos a_to_b, b_to_a;
  };
  std::map<std::pair<std::string, std::string>, seen> pairs;
  for (const auto& item : sequence(n, "`links`")) {
    map_view m(*this, item, "a link",
               {"between", "from", "to", "latency", "jitter", "loss", "duplicate"});
    auto e = ends(m, true);
    link_params p;
    if (auto v = m.find("latency")) p.latency = duration(*v, "link `latency`");
    if (auto v = m.find("jitter")) p.jitter = duration(*v, "link `jitter`");
    if (auto v = m.find("loss")) p.loss = probability(*v, "link `loss`");
    if (auto v = m.find("duplicate")) p.duplicate = probability(*v, "link `duplicate`");

    auto ma = machine_of(e.from), mb = machine_of(e.to);
    auto key = std::minmax(ma, mb);
    auto here = pos_of(item);
    auto it = pairs.find({key.first, key.second});
    if (it == pairs.end()) {
      link_spec spec{e.from, e.to, p, e.both ? p : link_params{}};
      seen s{topo.links.size(), ma, here, e.both ? here : source_pos{}};
      pairs.emplace(std::make_pair(key.first, key.second), s);
      topo.links.push_back(std::move(spec));
      link_pos_.push_back(here);
      continue;
    }
    auto& s = it->second;
    auto& spec = topo.links[s.index];
    bool forward = ma == s.a_machine;  // this entry's from → to is the spec's a → b
    auto twice = [&](source_pos first) {
      fail(here, "the link from " + show(e.from) + " to " + show(e.to) +
                     " is already given at " + at_line(first));
    };
    if (e.both || forward) {
      if (s.a_to_b.line != 0 || (ma == mb && s.b_to_a.line != 0))
        twice(s.a_to_b.line != 0 ? s.a_to_b : s.b_to_a);
    }
    if (e.both || !forward) {
      if (s.b_to_a.line != 0)
        twice(s.b_to_a);
    }
    if (e.both || forward) {
      spec.a_to_b = p;
      s.a_to_b = here;
    }
    if (e.both || !forward) {
      spec.b_to_a = p;
      s.b_to_a = here;
    }
  }
}

step_action loader::read_action(action_kind kind, const YAML::Node& n) {
  const std::string what = "`" + std::string(name_of(kind)) + "`";
  auto view = [&](std::vector<std::string_view> allowed) {
    return map_view(*this, n, what, std::move(allowed));
  };
  auto eng = [&](const map_view& m) { return engine(m.need("engine"), what + " `engine`"); };
  auto hnd = [&](const map_view& m) { return handle(m.need("handle"), what + " `handle`"); };
  auto pd = [&](const map_view& m) { return pid(m.need("pid"), what + " `pid`"); };

  switch (kind) {
  case action_kind::connect: {
    auto m = view({"engine", "options", "as"});
    action::connect a;
    a.engine = eng(m);
    // Not validated: a malformed connect string is a legitimate test of rule S2.
    a.options = scalar(m.need("options"), what + " `options`");
    a.as = binding(m, false);
    return a;
  }
  case action_kind::disconnect: {
    auto m = view({"engine", "handle"});
    return action::disconnect{eng(m), hnd(m)};
  }
  case action_kind::end_server: {
    auto m = view({"engine", "handle"});
    return action::end_server{eng(m), hnd(m)};
  }
  case action_kind::list_processes: {
    auto m = view({"engine", "handle", "pids", "max"});
    action::list_processes a;
    a.engine = eng(m);
    a.handle = hnd(m);
    if (auto v = m.find("pids"))
      a.pids = pid_list(*v, what + " `pids`");
    if (auto v = m.find("max"))
      a.max = static_cast<std::uint32_t>(integer(*v, what + " `max`", UINT32_MAX));
    return a;
  }
  case action_kind::find_process: {
    auto m = view({"engine", "handle", "exe", "only_match", "as"});
    action::find_process a;
    a.engine = eng(m);
    a.handle = hnd(m);
    a.exe = wire_string(m.need("exe"), what + " `exe`");
    if (auto v = m.find("only_match"))
      a.only_match = boolean(*v, what + " `only_match`");
    a.as = binding(m, true);
    return a;
  }
  case action_kind::describe_process: {
    auto m = view({"engine", "handle", "pid"});
    return action::describe_process{eng(m), hnd(m), pd(m)};
  }
  case action_kind::attach: {
    auto m = view({"engine", "handle", "pid"});
    return action::attach{eng(m), hnd(m), pd(m)};
  }
  case action_kind::create_process: {
    auto m = view({"engine", "handle", "command_line", "as"});
    action::create_process a;
    a.engine = eng(m);
    a.handle = hnd(m);
    a.command_line = wire_string(m.need("command_line"), what + " `command_line`");
    a.as = binding(m, true);
    return a;
  }
  case action_kind::detach: {
    auto m = view({"engine", "pid"});
    return action::detach{eng(m), pd(m)};
  }
  case action_kind::terminate: {
    auto m = view({"engine", "pid"});
    return action::terminate{eng(m), pd(m)};
  }
  case action_kind::detach_all: {
    auto m = view({"engine"});
    return action::detach_all{eng(m)};
  }
  case action_kind::terminate_all: {
    auto m = view({"engine"});
    return action::terminate_all{eng(m)};
  }
  case action_kind::end_session: {
    auto m = view({"engine", "mode"});
    action::end_session a;
    a.engine = eng(m);
    if (auto v = m.find("mode"))
      a.mode = static_cast<api::end_mode>(
          choice(*v, what + " `mode`", enum_names<api::end_mode>::names));
    return a;
  }
  case action_kind::process_options: {
    auto m = view({"engine", "detach_on_exit"});
    action::process_options a;
    a.engine = eng(m);
    a.detach_on_exit = boolean(m.need("detach_on_exit"), what + " `detach_on_exit`");
    return a;
  }
  case action_kind::start_server: {
    auto m = view({"engine", "options"});
    action::start_server a;
    a.engine = eng(m);
    // Not validated, like connect's: StartProcessServer's answer to a bad string is testable.
    a.options = scalar(m.need("options"), what + " `options`");
    return a;
  }
  case action_kind::wait_server_end: {
    auto m = view({"engine", "timeout"});
    action::wait_server_end a;
    a.engine = eng(m);
    auto t = m.need("timeout");
    a.timeout = duration(t, what + " `timeout`");
    // WaitForProcessServerEnd takes milliseconds in 32 bits.
    if (a.timeout.count() % 1000 != 0)
      fail(t, what + " `timeout`: must be a whole number of milliseconds");
    if (a.timeout.count() / 1000 > UINT32_MAX)
      fail(t, what + " `timeout`: at most 4294967295ms");
    return a;
  }
  case action_kind::partition: {
    auto m = view({"between", "from", "to"});
    return action::partition{ends(m, true)};
  }
  case action_kind::heal: {
    auto m = view({"between", "from", "to"});
    return action::heal{ends(m, true)};
  }
  case action_kind::reset: {
    auto m = view({"between"});
    auto e = ends(m, false);
    return action::reset{e.from, e.to};
  }
  case action_kind::half_open: {
    auto m = view({"between", "gone"});
    auto e = ends(m, false);
    action::half_open a{e.from, e.to, true};
    if (auto v = m.find("gone"))
      a.server_gone =
          choice(*v, what + " `gone`", std::array<std::string_view, 2>{"server", "engine"}) == 0;
    return a;
  }
  case action_kind::set_link: {
    auto m = view({"between", "from", "to", "latency", "jitter", "loss", "duplicate"});
    action::set_link a;
    a.ends = ends(m, true);
    if (auto v = m.find("latency")) a.latency = duration(*v, what + " `latency`");
    if (auto v = m.find("jitter")) a.jitter = duration(*v, what + " `jitter`");
    if (auto v = m.find("loss")) a.loss = probability(*v, what + " `loss`");
    if (auto v = m.find("duplicate")) a.duplicate = probability(*v, what + " `duplicate`");
    if (!a.latency && !a.jitter && !a.loss && !a.duplicate)
      fail(n, what + " changes nothing: give `latency`, `jitter`, `loss` or `duplicate`");
    return a;
  }
  case action_kind::crash_server: {
    auto m = view({"server", "how"});
    action::crash_server a{server(m.need("server"), what + " `server`")};
    if (auto v = m.find("how"))
      a.how = static_cast<crash_how>(choice(*v, what + " `how`", enum_names<crash_how>::names));
    return a;
  }
  case action_kind::restart_server: {
    auto m = view({"server"});
    return action::restart_server{server(m.need("server"), what + " `server`")};
  }
  case action_kind::crash_engine: {
    auto m = view({"engine", "how"});
    action::crash_engine a{engine(m.need("engine"), what + " `engine`")};
    if (auto v = m.find("how"))
      a.how = static_cast<crash_how>(choice(*v, what + " `how`", enum_names<crash_how>::names));
    return a;
  }
  case action_kind::exit_process: {
    auto m = view({"machine", "pid"});
    action::exit_process a;
    a.machine = place(m.need("machine"), what + " `machine`");
    a.pid = pd(m);
    return a;
  }
  case action_kind::check:
    break;
  }
  // check: the one action that is not a call or a fault.
  auto m = view({"server", "engine", "machine", "sessions", "attached", "running", "handle", "live",
                 "handles", "targets", "pids"});
  action::check a;
  int subjects = int(m.has("server")) + int(m.has("engine")) + int(m.has("machine"));
  if (subjects != 1)
    fail(n, what + " needs exactly one subject: `server`, `engine` or `machine`");
  auto only_for = [&](std::string_view subject, std::initializer_list<std::string_view> keys) {
    for (auto k : keys)
      if (auto kn = m.key_node(k); kn && !m.has(subject))
        fail(*kn, what + ": `" + std::string(k) + "` is an assertion about " +
                      (subject == "engine" ? "an " : "a ") + std::string(subject));
  };
  only_for("server", {"sessions", "attached", "running"});
  only_for("engine", {"handle", "live", "handles", "targets"});
  only_for("machine", {"pids"});
  const auto count_max = static_cast<std::uint64_t>(UINT32_MAX);
  if (auto v = m.find("server")) {
    a.server = server(*v, what + " `server`");
    if (auto x = m.find("sessions")) a.sessions = integer(*x, what + " `sessions`", count_max);
    if (auto x = m.find("attached")) a.attached = integer(*x, what + " `attached`", count_max);
    if (auto x = m.find("running")) a.running = boolean(*x, what + " `running`");
    if (!a.sessions && !a.attached && !a.running)
      fail(n, what + " of a server needs `sessions`, `attached` or `running`");
  } else if (auto v = m.find("engine")) {
    a.engine = engine(*v, what + " `engine`");
    if (m.has("handle") != m.has("live"))
      fail(n, what + ": `handle` and `live` go together (`handle: h, live: true`)");
    if (auto x = m.find("handle")) a.handle = handle(*x, what + " `handle`");
    if (auto x = m.find("live")) a.live = boolean(*x, what + " `live`");
    if (auto x = m.find("handles")) a.handles = integer(*x, what + " `handles`", count_max);
    if (auto x = m.find("targets")) a.targets = integer(*x, what + " `targets`", count_max);
    if (!a.handle && !a.handles && !a.targets)
      fail(n, what + " of an engine needs `handle` with `live`, `handles` or `targets`");
  } else {
    a.machine = place(m.need("machine"), what + " `machine`");
    a.pids = pid_list(m.need("pids"), what + " `pids`");
  }
  return a;
}

step loader::read_step(const YAML::Node& n, std::size_t index) {
  std::vector<std::string_view> allowed{"at", "expect"};
  for (auto k : all_values<action_kind>())
    allowed.push_back(name_of(k));
  for (const auto& r : renamed_keys)
    allowed.push_back(r.old_name);
  map_view m(*this, n, "step " + std::to_string(index + 1), allowed);
  step st;
  st.pos = pos_of(n);
  std::optional<action_kind> act;
  std::string act_key;
  for (auto& k : m.keys()) {
    std::optional<action_kind> found = from_name<action_kind>(k);
    for (const auto& r : renamed_keys) {
      if (r.old_name != k)
        continue;
      const auto inner = *m.find(k);
      found = r.by_subject[inner.IsMap() && inner["engine"] ? 1 : 0];
      note(*m.key_node(k), "`" + k + "` is renamed to `" + std::string(name_of(*found)) +
                               "`; the old spelling is accepted until the next release");
    }
    if (!found)
      continue;
    if (act)
      fail(*m.key_node(k), m.what() + " has one action; this one has both `" + act_key +
                               "` and `" + k + "`");
    act = found;
    act_key = k;
  }
  if (!act) {
    std::vector<std::string_view> names;
    for (auto k : all_values<action_kind>())
      names.push_back(name_of(k));
    fail(n, m.what() + " needs an action: one of " + one_of(names));
  }
  st.at = duration(m.need("at"), m.what() + " `at`");
  uses_.clear();
  st.what = read_action(*act, *m.find(act_key));
  if (auto v = m.find("expect")) {
    if (!is_call(*act))
      fail(*m.key_node("expect"), m.what() + ": `expect` is for API calls; `" + act_key +
                                      "` is not one");
    st.expect = hresult(*v, m.what() + " `expect`");
  }
  step_uses_.push_back(uses_);
  return st;
}

void loader::read_steps(const YAML::Node& n, scenario& s) {
  auto& seq = sequence(n, "`steps`");
  if (seq.size() > max_scenario_steps)
    fail(n, "`steps`: " + std::to_string(seq.size()) + " steps; at most " +
                std::to_string(max_scenario_steps) + " are allowed");
  std::size_t i = 0;
  for (const auto& item : seq) {
    s.steps.push_back(read_step(item, i));
    ++i;
  }
}

void loader::check_bindings(const scenario& s) {
  // Steps are issued in order of `at`, file order among equals: a name must be bound by `as` in
  // a step issued before the one that uses it.
  std::vector<std::size_t> order(s.steps.size());
  for (std::size_t i = 0; i < order.size(); ++i)
    order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return s.steps[a].at < s.steps[b].at; });
  std::map<std::string, std::pair<bool, source_pos>> bound;  // name → (is a pid, where)
  std::map<std::string, source_pos> later;                   // every binding, for hints
  for (auto& uses : step_uses_)
    for (auto& u : uses)
      if (u.binds)
        later.emplace(u.name, u.pos);
  for (auto i : order) {
    for (auto& u : step_uses_[i]) {
      const char* kind = u.pid ? "pid" : "handle";
      auto b = bound.find(u.name);
      if (u.binds) {
        if (b != bound.end() && b->second.first != u.pid)
          fail(u.pos, "`as`: " + show(u.name) + " already names a " +
                          (b->second.first ? "pid" : "handle") + " (bound at " +
                          at_line(b->second.second) + "); a " + kind + " needs another name");
        bound[u.name] = {u.pid, u.pos};
        continue;
      }
      if (b == bound.end()) {
        std::string msg = std::string("the ") + kind + " name " + show(u.name) +
                          " is used before any earlier step binds it with `as`";
        if (auto l = later.find(u.name); l != later.end())
          msg += " (it is bound at " + at_line(l->second) + ", which is issued later)";
        else {
          std::vector<std::string> names;
          for (auto& [nm, info] : bound)
            if (info.first == u.pid)
              names.push_back(nm);
          msg += did_you_mean(u.name, names);
        }
        fail(u.pos, msg);
      }
      if (b->second.first != u.pid)
        fail(u.pos, show(u.name) + " names a " + (b->second.first ? "pid" : "handle") +
                        " (bound at " + at_line(b->second.second) + "), not a " + kind);
    }
  }
}

/// `tags: [a, b]`: a list of words (a letter or digit, then letters, digits, `_`, `-` or `.`),
/// none twice. Tags only select scenarios (`dbgsim run --tag`); they change nothing in a run.
void loader::read_clients(const YAML::Node& n, scenario& s) {
  auto& seq = sequence(n, "`clients`");
  if (seq.size() > max_clients)
    fail(n, "`clients`: " + std::to_string(seq.size()) + " clients; at most " +
                std::to_string(max_clients) + " are allowed (each runs as a thread of its own)");
  const auto& catalog = program_catalog::process();
  for (const auto& item : seq) {
    map_view m(*this, item, "a client", {"name", "engine", "program", "args", "start", "timeout",
                                         "expect"});
    client_spec c;
    c.pos = pos_of(item);
    const auto name_node = m.need("name");
    c.name = name(name_node, "client `name`");
    for (const auto& other : s.clients)
      if (other.name == c.name)
        fail(name_node, "client `name`: " + show(c.name) + " is already the name of the client at " +
                            std::to_string(other.pos.line) + ":" + std::to_string(other.pos.col));
    c.engine = engine(m.need("engine"), "client `engine`");
    const auto program_node = m.need("program");
    c.program = name(program_node, "client `program`");
    if (catalog.find(c.program) == nullptr) {
      std::vector<std::string> names;
      for (const auto& p : catalog.programs())
        names.push_back(p.name);
      fail(program_node, "client `program`: no client program is called " + show(c.program) +
                             did_you_mean(c.program, names) +
                             " (bundled programs: `dbgsim list programs`; a library of your own: "
                             "--client-lib PATH.so)");
    }
    if (auto v = m.find("args")) {
      auto& args = sequence(*v, "client `args`");
      if (args.size() > max_client_args)
        fail(*v, "client `args`: " + std::to_string(args.size()) + " arguments; at most " +
                     std::to_string(max_client_args) + " are allowed");
      for (const auto& a : args)
        c.args.push_back(wire_string(a, "client `args` (an argument)"));
    }
    if (auto v = m.find("start"))
      c.start = duration(*v, "client `start`");
    if (auto v = m.find("timeout")) {
      c.timeout = duration(*v, "client `timeout`");
      if (c.timeout.count() == 0)
        fail(*v, "client `timeout`: a program needs some time to run; give a duration above 0");
    }
    if (auto v = m.find("expect")) {
      map_view e(*this, *v, "client `expect`", {"findings"});
      std::set<finding_kind> kinds;
      // Held here: a range-for keeps the list sequence() returns, not the node it was given.
      const auto findings = e.need("findings");
      for (const auto& f : sequence(findings, "client `expect` `findings`"))
        kinds.insert(static_cast<finding_kind>(
            choice(f, "client `expect` `findings` (a finding)", enum_names<finding_kind>::names)));
      c.expect_findings.assign(kinds.begin(), kinds.end());
    }
    s.clients.push_back(std::move(c));
  }
}

std::vector<std::string> loader::read_tags(const YAML::Node& n) {
  std::vector<std::string> out;
  std::map<std::string, source_pos> seen;
  for (const auto& item : sequence(n, "`tags`")) {
    auto t = scalar(item, "`tags` (a tag)", "a tag");
    auto alnum = [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    };
    bool ok = !t.empty() && alnum(t[0]);
    for (char c : t)
      ok = ok && (alnum(c) || c == '_' || c == '-' || c == '.');
    if (!ok)
      fail(item, "`tags`: " + show(t) + " is not a tag: a letter or digit, then letters, digits, "
                 "`_`, `-` or `.`");
    if (auto [i, fresh] = seen.emplace(t, pos_of(item)); !fresh)
      fail(item, "`tags`: the tag " + show(t) + " is given twice (first at " +
                     at_line(i->second) + ")");
    out.push_back(std::move(t));
  }
  return out;
}

scenario loader::load(const std::string& text) {
  if (text.size() > max_scenario_bytes)
    fail(source_pos{}, "the file has " + std::to_string(text.size()) + " bytes; at most " +
                           std::to_string(max_scenario_bytes) + " are read");
  if (auto bad = bad_byte(text))
    fail(bad->first, bad->second);
  if (auto deep = flow_too_deep(text))
    fail(*deep, "nested too deeply: more than " + std::to_string(max_nesting) +
                    " levels of `[` and `{`");
  {
    std::istringstream in(text);
    YAML::Parser parser(in);
    node_counter counter;
    try {
      while (parser.HandleNextDocument(counter)) {
      }
    } catch (const prepass_stop& stop) {
      auto m = stop.mark;
      fail(m.is_null() ? source_pos{} : source_pos{m.line + 1, m.column + 1}, stop.message);
    }
  }
  const YAML::Node root = YAML::Load(text);
  if (root.IsNull())
    fail(source_pos{1, 1}, "the file is empty; a scenario needs at least `name`");
  map_view top(*this, root, "the scenario",
               {"name", "description", "tags", "seed", "defaults", "machines", "servers",
                "engines", "links", "clients", "steps"});
  scenario s;
  s.file = file_;
  s.name = scalar(top.need("name"), "`name`");
  if (auto v = top.find("description"))
    s.description = scalar(*v, "`description`");
  if (auto v = top.find("tags"))
    s.tags = read_tags(*v);
  if (auto v = top.find("seed"))
    s.seed = integer(*v, "`seed`", UINT64_MAX);
  if (auto v = top.find("defaults"))
    read_defaults(*v, s.topo.times);
  if (auto v = top.find("machines"))
    read_machines(*v, s.topo);
  if (auto v = top.find("servers"))
    read_servers(*v, s.topo);
  if (auto v = top.find("engines"))
    read_engines(*v, s.topo);
  claim_names(s.topo);
  if (auto v = top.find("links"))
    read_links(*v, s.topo);
  check_topology(s.topo);
  if (auto v = top.find("clients"))
    read_clients(*v, s);
  if (auto v = top.find("steps"))
    read_steps(*v, s);
  check_bindings(s);
  s.notes.lines = std::move(notes_);
  return s;
}

}  // namespace

scenario load_scenario(const std::string& text, const std::string& file) {
  loader l(file);
  try {
    return l.load(text);
  } catch (const scenario_error&) {
    throw;
  } catch (const YAML::Exception& e) {
    // ParserException (DeepRecursion among them), BadConversion, InvalidNode...: the mark, and
    // yaml-cpp's message without its own "yaml-cpp: error at line..." prefix.
    source_pos p;
    if (!e.mark.is_null())
      p = {e.mark.line + 1, e.mark.column + 1};
    throw scenario_error(file, p, "YAML: " + e.msg);
  } catch (const std::bad_alloc&) {
    throw scenario_error(file, {}, "out of memory while reading the file");
  } catch (const std::exception& e) {
    throw scenario_error(file, {}, std::string("cannot read the scenario: ") + e.what());
  }
}

scenario load_scenario_file(const std::string& path) {
  auto read = io::read_input(path, max_scenario_bytes);
  if (auto* err = std::get_if<io::read_error>(&read)) {
    // read_error's message starts with the path, which scenario_error adds itself.
    const auto prefix = path + ": ";
    const auto& m = err->message;
    throw scenario_error(path, {}, m.rfind(prefix, 0) == 0 ? m.substr(prefix.size()) : m);
  }
  return load_scenario(std::get<std::string>(read), path);
}

}  // namespace dbgsim
