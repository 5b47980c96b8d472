// Transport option strings: parsing, the canonical form and the endpoint a string names.
//
// Grammar: `kind:item(,item)*` where an item is `key=value` or a bare flag. One or more spaces
// after a comma are skipped; a space anywhere else (values included) is an error, so the
// canonical form never holds one. Keys and transport names are case-insensitive; values keep
// their case.
#include "protocol/transport.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <exception>
#include <limits>
#include <utility>

namespace dbgsim::protocol {
namespace {

// Every key any form knows, in canonical order (the order to_string writes them in).
enum class key : std::uint8_t {
  proto,
  certuser,
  machuser,
  server,
  clicon,
  port,
  pipe,
  baud,
  channel,
  password,
  ipversion,
  hidden,
  icfenable,
};
constexpr std::size_t key_count = 13;

constexpr std::array<std::string_view, key_count> key_names = {
    "proto", "certuser", "machuser",  "server", "clicon",    "port", "pipe",
    "baud",  "channel",  "password", "ipversion", "hidden", "icfenable"};

constexpr std::string_view name(key k) { return key_names[static_cast<std::size_t>(k)]; }

constexpr bool is_flag(key k) { return k == key::hidden || k == key::icfenable; }

using key_set = std::uint32_t;
constexpr key_set bit(key k) { return key_set{1} << static_cast<unsigned>(k); }
constexpr bool has(key_set s, key k) { return (s & bit(k)) != 0; }

// The keys each transport allows on each side.
constexpr key_set allowed_keys(transport_kind t, options_side side) {
  const bool srv = side == options_side::server;
  switch (t) {
    case transport_kind::tcp:
      return srv ? bit(key::port) | bit(key::password) | bit(key::ipversion) | bit(key::clicon) |
                       bit(key::hidden) | bit(key::icfenable)
                 : bit(key::server) | bit(key::clicon) | bit(key::port) | bit(key::password) |
                       bit(key::ipversion);
    case transport_kind::npipe:
      return srv ? bit(key::pipe) | bit(key::password) | bit(key::hidden) | bit(key::icfenable)
                 : bit(key::server) | bit(key::pipe) | bit(key::password);
    case transport_kind::ssl:
      return srv ? bit(key::proto) | bit(key::certuser) | bit(key::machuser) | bit(key::port) |
                       bit(key::clicon) | bit(key::hidden) | bit(key::password)
                 : bit(key::proto) | bit(key::certuser) | bit(key::machuser) | bit(key::server) |
                       bit(key::clicon) | bit(key::port) | bit(key::password);
    case transport_kind::spipe:
      return srv ? bit(key::proto) | bit(key::certuser) | bit(key::machuser) | bit(key::pipe) |
                       bit(key::hidden) | bit(key::password)
                 : bit(key::proto) | bit(key::certuser) | bit(key::machuser) | bit(key::server) |
                       bit(key::pipe) | bit(key::password);
    case transport_kind::com:
      return srv ? bit(key::port) | bit(key::baud) | bit(key::channel) | bit(key::hidden) |
                       bit(key::password)
                 : bit(key::port) | bit(key::baud) | bit(key::channel) | bit(key::password);
  }
  return 0;
}

constexpr std::array<std::pair<std::string_view, transport_kind>, 5> transports = {{
    {"tcp", transport_kind::tcp},
    {"npipe", transport_kind::npipe},
    {"ssl", transport_kind::ssl},
    {"spipe", transport_kind::spipe},
    {"com", transport_kind::com},
}};

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size())
    return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i]))
      return false;
  return true;
}

bool is_alnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_control(char c) {
  auto u = static_cast<unsigned char>(c);
  return u < 0x20 || u == 0x7f;
}

std::optional<transport_kind> find_transport(std::string_view s) {
  for (auto& [n, k] : transports)
    if (iequals(s, n))
      return k;
  return std::nullopt;
}

std::optional<key> find_key(std::string_view s) {
  for (std::size_t i = 0; i < key_count; ++i)
    if (iequals(s, key_names[i]))
      return static_cast<key>(i);
  return std::nullopt;
}

// Case-insensitive Levenshtein distance (keys are short; this is a plain two-row table).
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::size_t rows[2][64] = {};
  if (b.size() >= 64 || a.size() >= 64)
    return std::numeric_limits<std::size_t>::max();
  for (std::size_t j = 0; j <= b.size(); ++j)
    rows[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    auto& cur = rows[i % 2];
    auto& old = rows[(i - 1) % 2];
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
      cur[j] = std::min({old[j] + 1, cur[j - 1] + 1, old[j - 1] + cost});
    }
  }
  return rows[a.size() % 2][b.size()];
}

std::string side_name(options_side s) { return s == options_side::server ? "server" : "client"; }

std::string allowed_list(key_set allowed) {
  std::string out;
  for (std::size_t i = 0; i < key_count; ++i) {
    if (!has(allowed, static_cast<key>(i)))
      continue;
    if (!out.empty())
      out += ", ";
    out += key_names[i];
  }
  return out;
}

std::string form_name(transport_kind t, options_side s) {
  return std::string(name_of(t)) + " on the " + side_name(s) + " side";
}

// Parses a run of digits as an unsigned value no greater than max. On failure returns the offset
// (relative to v) of the first offending byte and whether the failure is a range error.
struct number_result {
  std::uint64_t value = 0;
  bool ok = false;
  std::size_t bad = 0;       // relative offset of the offending byte
  bool out_of_range = false;  // digits only, but too large
};

number_result parse_number(std::string_view v, std::uint64_t max) {
  number_result r;
  if (v.empty())
    return r;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (!is_digit(v[i])) {
      r.bad = i;
      return r;
    }
    if (r.value <= max)  // saturate once beyond max: no overflow
      r.value = r.value * 10 + static_cast<std::uint64_t>(v[i] - '0');
  }
  if (r.value > max) {
    r.bad = 0;
    r.out_of_range = true;
    return r;
  }
  r.ok = true;
  return r;
}

class parser {
 public:
  parser(std::string_view text, options_side side) : text_(text) { out_.side = side; }

  options_result run() {
    if (text_.empty())
      return fail(0, "empty string: expected a transport name (tcp, npipe, ssl, spipe or com)");
    std::size_t word = 0;
    while (word < text_.size() && is_alnum(text_[word]))
      ++word;
    const std::size_t colon = word;
    auto kind = find_transport(text_.substr(0, word));
    if (word < text_.size() && text_[word] == ':') {
      if (word == 0)
        return fail(0, "expected a transport name (tcp, npipe, ssl, spipe or com) before ':'");
      if (!kind)
        return fail(0, "unknown transport '" + std::string(text_.substr(0, word)) +
                           "': expected tcp, npipe, ssl, spipe or com");
    } else if (kind) {
      return fail(word, "expected ':' after the transport name, then its options");
    } else {
      return fail(0, "unknown transport: expected tcp, npipe, ssl, spipe or com, then ':'");
    }
    out_.kind = *kind;
    allowed_ = allowed_keys(out_.kind, out_.side);

    std::size_t pos = colon + 1;
    if (pos == text_.size())
      return fail(pos, "expected options after ':' (" + allowed_list(allowed_) + ")");
    for (;;) {
      if (auto err = item(pos))
        return std::move(*err);
      if (pos == text_.size())
        break;
      // text_[pos] == ','
      std::size_t comma = pos++;
      while (pos < text_.size() && text_[pos] == ' ')
        ++pos;
      if (pos == text_.size())
        return fail(comma, "trailing ',': expected another option after it");
    }
    if (auto err = check_required())
      return std::move(*err);
    return out_;
  }

 private:
  options_error fail(std::size_t offset, std::string message) {
    return options_error{offset, std::move(message)};
  }

  // Parses one `key[=value]` at pos; leaves pos at the ',' after it or at the end.
  std::optional<options_error> item(std::size_t& pos) {
    const std::size_t key_start = pos;
    std::size_t key_end = pos;
    while (key_end < text_.size() && text_[key_end] != '=' && text_[key_end] != ',')
      ++key_end;
    std::string_view key_text = text_.substr(key_start, key_end - key_start);
    if (key_text.empty()) {
      if (key_end < text_.size() && text_[key_end] == ',')
        return fail(key_start, "expected an option name, found ','");
      return fail(key_start, "expected an option name before '='");
    }
    for (std::size_t i = 0; i < key_text.size(); ++i) {
      if (key_text[i] == ' ')
        return fail(key_start + i,
                    "unexpected space in option name: spaces are allowed only after ','");
      if (is_control(key_text[i]))
        return fail(key_start + i, "unexpected control character in option name");
    }
    auto k = find_key(key_text);
    if (!k)
      return unknown_key(key_start, key_text);
    if (!has(allowed_, *k)) {
      const options_side other =
          out_.side == options_side::server ? options_side::client : options_side::server;
      std::string msg = "option '" + std::string(name(*k)) + "' is not allowed for " +
                        form_name(out_.kind, out_.side);
      if (has(allowed_keys(out_.kind, other), *k))
        msg += " (it is " + side_name(other) + "-only)";
      msg += "; expected one of: " + allowed_list(allowed_);
      return fail(key_start, std::move(msg));
    }
    if (has(seen_, *k))
      return fail(key_start, "duplicate option '" + std::string(name(*k)) +
                                 "' (first given at byte " +
                                 std::to_string(first_at_[static_cast<std::size_t>(*k)]) + ")");
    seen_ |= bit(*k);
    first_at_[static_cast<std::size_t>(*k)] = key_start;

    if (is_flag(*k)) {
      if (key_end < text_.size() && text_[key_end] == '=')
        return fail(key_end, "option '" + std::string(name(*k)) +
                                 "' is a flag and takes no value: expected ',' or the end");
      if (*k == key::hidden)
        out_.hidden = true;
      else
        out_.icf_enable = true;
      pos = key_end;
      return std::nullopt;
    }
    if (key_end == text_.size() || text_[key_end] != '=')
      return fail(key_end, "expected '=' and a value after '" + std::string(name(*k)) + "'");
    const std::size_t value_start = key_end + 1;
    std::size_t value_end = value_start;
    while (value_end < text_.size() && text_[value_end] != ',')
      ++value_end;
    std::string_view value = text_.substr(value_start, value_end - value_start);
    pos = value_end;
    if (value.empty())
      return fail(value_start, "expected a value for '" + std::string(name(*k)) + "'");
    for (std::size_t i = 0; i < value.size(); ++i) {
      char c = value[i];
      if (c == '=')
        return fail(value_start + i,
                    "unexpected '=' in the value of '" + std::string(name(*k)) +
                        "': expected ',' between options");
      if (is_control(c))
        return fail(value_start + i, "unexpected control character in the value of '" +
                                         std::string(name(*k)) + "'");
      if (c == ' ')
        return fail(value_start + i, "unexpected space in the value of '" +
                                         std::string(name(*k)) +
                                         "': spaces are allowed only after ','");
    }
    return set_value(*k, value_start, value);
  }

  options_error unknown_key(std::size_t at, std::string_view key_text) {
    std::string msg = "unknown option '" + std::string(key_text) + "' for " +
                      form_name(out_.kind, out_.side) + "; expected one of: " +
                      allowed_list(allowed_);
    std::size_t best = 3;
    std::string_view suggestion;
    for (std::size_t i = 0; i < key_count; ++i) {
      if (!has(allowed_, static_cast<key>(i)))
        continue;
      auto d = edit_distance(key_text, key_names[i]);
      if (d < best) {
        best = d;
        suggestion = key_names[i];
      }
    }
    if (!suggestion.empty())
      msg += "; did you mean '" + std::string(suggestion) + "'?";
    return fail(at, std::move(msg));
  }

  std::optional<options_error> port_number(std::size_t at, std::string_view v,
                                           std::uint16_t& out, std::string_view what) {
    auto r = parse_number(v, 65535);
    if (!r.ok || r.value == 0) {
      std::size_t off = at + (r.ok ? 0 : r.bad);
      std::string msg = "expected " + std::string(what) + " (1-65535)";
      if (r.out_of_range || r.ok)
        msg = std::string(what) + " '" + std::string(v) + "' is out of range: " + msg;
      return fail(off, std::move(msg));
    }
    out = static_cast<std::uint16_t>(r.value);
    return std::nullopt;
  }

  std::optional<options_error> set_value(key k, std::size_t at, std::string_view v) {
    switch (k) {
      case key::port:
        if (out_.kind == transport_kind::com)
          return com_port(at, v);
        return tcp_port(at, v);
      case key::server:
        out_.server = std::string(v);
        return std::nullopt;
      case key::clicon:
        out_.clicon = std::string(v);
        return std::nullopt;
      case key::pipe:
        return pipe_name(at, v);
      case key::password:
        return password(at, v);
      case key::ipversion:
        if (v == "4" || v == "6") {
          out_.ipversion = static_cast<std::uint8_t>(v[0] - '0');
          return std::nullopt;
        }
        return fail(at, "expected ipversion 4 or 6");
      case key::proto:
        for (std::string_view p : {"tls1", "pct1", "ssl2", "ssl3"})
          if (iequals(v, p)) {
            out_.proto = std::string(v);
            return std::nullopt;
          }
        return fail(at, "expected proto tls1, pct1, ssl2 or ssl3");
      case key::certuser:
      case key::machuser:
        if (out_.certuser || out_.machuser)
          return fail(at - 1 - name(k).size(),
                      "certuser and machuser exclude each other: expected exactly one of them");
        (k == key::certuser ? out_.certuser : out_.machuser) = std::string(v);
        return std::nullopt;
      case key::baud: {
        auto r = parse_number(v, std::numeric_limits<std::uint32_t>::max());
        if (!r.ok || r.value == 0)
          return fail(at + (r.ok ? 0 : r.bad), "expected a baud rate (a positive integer)");
        out_.baud = static_cast<std::uint32_t>(r.value);
        return std::nullopt;
      }
      case key::channel: {
        auto r = parse_number(v, 254);
        if (!r.ok)
          return fail(at + r.bad, "expected a channel number (0-254)");
        out_.channel = static_cast<std::uint8_t>(r.value);
        return std::nullopt;
      }
      case key::hidden:
      case key::icfenable:
        break;  // flags are handled by item()
    }
    return std::nullopt;
  }

  std::optional<options_error> tcp_port(std::size_t at, std::string_view v) {
    auto colon = v.find(':');
    if (colon == std::string_view::npos) {
      std::uint16_t p = 0;
      if (auto e = port_number(at, v, p, "a port number"))
        return e;
      out_.port = p;
      return std::nullopt;
    }
    if (out_.side == options_side::client)
      return fail(at + colon, "port ranges are server-only: expected a single port number");
    std::uint16_t lo = 0, hi = 0;
    if (colon == 0)
      return fail(at, "expected a port number (1-65535) before ':'");
    if (auto e = port_number(at, v.substr(0, colon), lo, "a port number"))
      return e;
    if (colon + 1 == v.size())
      return fail(at + colon + 1, "expected the high port of the range after ':'");
    if (auto e = port_number(at + colon + 1, v.substr(colon + 1), hi, "a high port number"))
      return e;
    if (hi < lo)
      return fail(at + colon + 1, "expected a high port >= " + std::to_string(lo) +
                                      " (port ranges are lo:hi)");
    out_.port = lo;
    out_.port_high = hi;
    return std::nullopt;
  }

  std::optional<options_error> com_port(std::size_t at, std::string_view v) {
    if (v.size() < 4 || !iequals(v.substr(0, 3), "com"))
      return fail(at, "expected a serial port name COMn (e.g. COM1)");
    auto r = parse_number(v.substr(3), 255);
    if (!r.ok || r.value == 0)
      return fail(at + 3 + (r.ok || r.out_of_range ? 0 : r.bad),
                  "expected a serial port number after COM (COM1-COM255)");
    out_.com_port = std::string(v);
    return std::nullopt;
  }

  std::optional<options_error> pipe_name(std::size_t at, std::string_view v) {
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (v[i] == '\\')
        return fail(at + i, "unexpected '\\' in a pipe name: expected the name alone");
      if (out_.side == options_side::server && v[i] == '%') {
        if (i + 1 == v.size() || (v[i + 1] != 'd' && v[i + 1] != 'x'))
          return fail(at + i, "expected %d or %x (the process id) after '%' in a pipe name");
        ++i;
      }
    }
    out_.pipe = std::string(v);
    return std::nullopt;
  }

  std::optional<options_error> password(std::size_t at, std::string_view v) {
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (i == 12)
        return fail(at + i, "password too long: expected at most 12 alphanumeric characters");
      if (!is_alnum(v[i]))
        return fail(at + i,
                    "expected an alphanumeric character in the password (1-12 of A-Z, a-z, 0-9)");
    }
    out_.password = std::string(v);
    return std::nullopt;
  }

  std::optional<options_error> check_required() {
    const std::size_t end = text_.size();
    auto missing = [&](std::string_view what) {
      return fail(end, "missing required option " + std::string(what) + " for " +
                           form_name(out_.kind, out_.side));
    };
    const bool client = out_.side == options_side::client;
    const bool secure = out_.kind == transport_kind::ssl || out_.kind == transport_kind::spipe;
    if (client && has(seen_, key::server) && has(seen_, key::clicon)) {
      const std::size_t second = std::max(first_at_[static_cast<std::size_t>(key::server)],
                                          first_at_[static_cast<std::size_t>(key::clicon)]);
      return fail(second, "server and clicon exclude each other: expected exactly one of them");
    }
    if (secure) {
      if (!out_.proto)
        return missing("'proto'");
      if (!out_.certuser && !out_.machuser)
        return missing("'certuser' or 'machuser'");
    }
    if (client && out_.kind != transport_kind::com) {
      const bool may_clicon = out_.kind == transport_kind::tcp || out_.kind == transport_kind::ssl;
      if (!out_.server && !(may_clicon && out_.clicon))
        return missing(may_clicon ? "'server' (or 'clicon')" : "'server'");
    }
    switch (out_.kind) {
      case transport_kind::tcp:
      case transport_kind::ssl:
        if (!out_.port)
          return missing("'port'");
        break;
      case transport_kind::npipe:
      case transport_kind::spipe:
        if (!out_.pipe)
          return missing("'pipe'");
        break;
      case transport_kind::com:
        if (!out_.com_port)
          return missing("'port'");
        if (!out_.baud)
          return missing("'baud'");
        if (!out_.channel)
          return missing("'channel'");
        break;
    }
    return std::nullopt;
  }

  std::string_view text_;
  transport_options out_;
  key_set allowed_ = 0;
  key_set seen_ = 0;
  std::array<std::size_t, key_count> first_at_{};
};

}  // namespace

std::string_view name_of(transport_kind k) {
  for (auto& [n, kind] : transports)
    if (kind == k)
      return n;
  return "?";
}

options_result parse_transport(std::string_view text, options_side side) {
  try {
    return parser(text, side).run();
  } catch (const std::exception&) {
    return options_error{0, "out of memory while parsing the transport string"};
  }
}

side_reading detect_side(std::string_view text) {
  const auto as_server = parse_transport(text, options_side::server);
  const auto as_client = parse_transport(text, options_side::client);
  const auto* server_error = std::get_if<options_error>(&as_server);
  const auto* client_error = std::get_if<options_error>(&as_client);
  if (!server_error && !client_error)
    return {options_side::server,
            "valid on both sides; read as a server's dbgsrv -t string (--client reads it as a "
            "client's)"};
  if (!client_error)
    return {options_side::client, "valid only as a client's ConnectProcessServer string"};
  if (!server_error)
    return {options_side::server, "valid only as a server's dbgsrv -t string"};
  if (client_error->offset > server_error->offset)
    return {options_side::client,
            "valid on neither side; read as a client's connect string, which parses further"};
  return {options_side::server,
          "valid on neither side; read as a server's dbgsrv -t string, which parses at least as "
          "far"};
}

std::string to_string(const transport_options& o) {
  try {
    std::string out(name_of(o.kind));
    out += ':';
    bool first = true;
    auto add = [&](std::string_view k, std::string_view v) {
      if (!first)
        out += ',';
      first = false;
      out += k;
      if (!v.empty()) {
        out += '=';
        out += v;
      }
    };
    auto add_opt = [&](std::string_view k, const std::optional<std::string>& v) {
      if (v)
        add(k, *v);
    };
    add_opt("proto", o.proto);
    add_opt("certuser", o.certuser);
    add_opt("machuser", o.machuser);
    add_opt("server", o.server);
    add_opt("clicon", o.clicon);
    if (o.kind == transport_kind::com) {
      add_opt("port", o.com_port);
    } else if (o.port) {
      std::string p = std::to_string(*o.port);
      if (o.port_high)
        p += ':' + std::to_string(*o.port_high);
      add("port", p);
    }
    add_opt("pipe", o.pipe);
    if (o.baud)
      add("baud", std::to_string(*o.baud));
    if (o.channel)
      add("channel", std::to_string(*o.channel));
    add_opt("password", o.password);
    if (o.ipversion)
      add("ipversion", std::to_string(*o.ipversion));
    if (o.hidden)
      add("hidden", {});
    if (o.icf_enable)
      add("icfenable", {});
    return out;
  } catch (const std::exception&) {
    return {};
  }
}

bool is_loopback_host(std::string_view server) {
  if (server == "127.0.0.1" || server == "::1")
    return true;
  static constexpr std::string_view localhost = "localhost";
  if (server.size() != localhost.size())
    return false;
  for (std::size_t i = 0; i < server.size(); ++i) {
    char c = server[i];
    if (c >= 'A' && c <= 'Z')
      c = static_cast<char>(c - 'A' + 'a');  // ASCII by hand: <cctype> depends on the locale.
    if (c != localhost[i])
      return false;
  }
  return true;
}

std::string endpoint_key(std::string_view endpoint) {
  std::string k(endpoint);
  const bool pipe = k.rfind("npipe:", 0) == 0;
  const bool com = k.rfind("com:", 0) == 0;
  if (!pipe && !com)
    return k;
  for (auto& c : k)
    c = lower(c);
  if (com && k.rfind("com:com", 0) == 0) {
    const auto digits = k.find_first_not_of('0', 7);
    k = "com:com" + (digits == std::string::npos ? std::string("0") : k.substr(digits));
  }
  return k;
}

std::string endpoint_of(const transport_options& o) {
  try {
    switch (o.kind) {
      case transport_kind::tcp:
      case transport_kind::ssl:
        return "tcp:" + (o.port ? std::to_string(*o.port) : std::string());
      case transport_kind::npipe:
      case transport_kind::spipe:
        return "npipe:" + o.pipe.value_or(std::string());
      case transport_kind::com:
        return "com:" + o.com_port.value_or(std::string());
    }
    return {};
  } catch (const std::exception&) {
    return {};
  }
}

}  // namespace dbgsim::protocol
