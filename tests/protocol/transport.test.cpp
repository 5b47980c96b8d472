// Transport option strings: documented examples, malformed strings, round trips, passwords.
#include "protocol/transport.hpp"

#include <gtest/gtest.h>

#include <string>
#include <variant>
#include <vector>

namespace dbgsim::protocol {
namespace {

using side = options_side;
using kind = transport_kind;

// Parses text (which must be valid) and returns the fields, failing the test otherwise.
transport_options parse_ok(std::string_view text, side s) {
  auto r = parse_transport(text, s);
  if (auto* e = std::get_if<options_error>(&r)) {
    ADD_FAILURE() << "'" << text << "' failed at byte " << e->offset << ": " << e->message;
    return {};
  }
  return std::get<transport_options>(r);
}

options_error parse_err(std::string_view text, side s) {
  auto r = parse_transport(text, s);
  if (auto* e = std::get_if<options_error>(&r))
    return *e;
  ADD_FAILURE() << "'" << text << "' parsed but should not: " << to_string(std::get<transport_options>(r));
  return {static_cast<std::size_t>(-1), ""};
}

transport_options make(kind k, side s) {
  transport_options o;
  o.kind = k;
  o.side = s;
  return o;
}

// ---------------------------------------------------------------------------------------------
// Documented examples parse to the expected fields.

struct valid_case {
  std::string text;
  side s;
  transport_options expected;
  std::string endpoint;
};

std::vector<valid_case> valid_cases() {
  std::vector<valid_case> v;
  {
    auto o = make(kind::tcp, side::server);
    o.port = 5005;
    o.password = "s3cret";
    v.push_back({"tcp:port=5005,password=s3cret", side::server, o, "tcp:5005"});
  }
  {
    auto o = make(kind::tcp, side::server);
    o.port = 5000;
    o.port_high = 5010;
    v.push_back({"tcp:port=5000:5010", side::server, o, "tcp:5000"});
  }
  {
    auto o = make(kind::tcp, side::server);
    o.port = 5000;
    o.port_high = 5010;
    o.hidden = true;
    o.password = "x";
    o.ipversion = 6;
    o.icf_enable = true;
    v.push_back({"tcp:port=5000:5010,hidden,password=x,ipversion=6,IcfEnable", side::server, o,
                 "tcp:5000"});
  }
  {
    auto o = make(kind::tcp, side::server);
    o.port = 5005;
    o.clicon = "client1";
    o.password = "pw";
    v.push_back({"tcp:port=5005,clicon=client1,password=pw", side::server, o, "tcp:5005"});
  }
  {
    auto o = make(kind::npipe, side::server);
    o.pipe = "dbg%d";
    o.hidden = true;
    v.push_back({"npipe:pipe=dbg%d,hidden", side::server, o, "npipe:dbg%d"});
  }
  {
    auto o = make(kind::npipe, side::server);
    o.pipe = "Dbg%x";
    o.password = "Abc123";
    o.icf_enable = true;
    v.push_back({"npipe:pipe=Dbg%x,password=Abc123,IcfEnable", side::server, o, "npipe:Dbg%x"});
  }
  {
    auto o = make(kind::com, side::server);
    o.com_port = "COM1";
    o.baud = 115200;
    o.channel = 3;
    v.push_back({"com:port=COM1,baud=115200,channel=3", side::server, o, "com:COM1"});
  }
  {
    auto o = make(kind::com, side::server);
    o.com_port = "COM2";
    o.baud = 9600;
    o.channel = 0;
    o.hidden = true;
    o.password = "pw";
    v.push_back({"com:port=COM2,baud=9600,channel=0,hidden,password=pw", side::server, o,
                 "com:COM2"});
  }
  {
    auto o = make(kind::ssl, side::server);
    o.proto = "tls1";
    o.machuser = "mycert";
    o.port = 5005;
    v.push_back({"ssl:proto=tls1,machuser=mycert,port=5005", side::server, o, "tcp:5005"});
  }
  {
    auto o = make(kind::ssl, side::server);
    o.proto = "ssl3";
    o.certuser = "MyCert";
    o.port = 5005;
    o.clicon = "client1";
    o.hidden = true;
    o.password = "pw";
    v.push_back({"ssl:proto=ssl3,certuser=MyCert,port=5005,clicon=client1,hidden,password=pw",
                 side::server, o, "tcp:5005"});
  }
  {
    auto o = make(kind::spipe, side::server);
    o.proto = "pct1";
    o.certuser = "c";
    o.pipe = "secure";
    o.hidden = true;
    v.push_back({"spipe:proto=pct1,certuser=c,pipe=secure,hidden", side::server, o,
                 "npipe:secure"});
  }
  {
    auto o = make(kind::tcp, side::server);
    o.port = 5005;
    v.push_back({"TCP:Port=5005", side::server, o, "tcp:5005"});
  }
  // Client forms.
  {
    auto o = make(kind::tcp, side::client);
    o.server = "host";
    o.port = 5005;
    o.password = "x";
    v.push_back({"tcp:server=host,port=5005,password=x", side::client, o, "tcp:5005"});
  }
  {
    auto o = make(kind::tcp, side::client);
    o.port = 5005;
    o.server = "host";
    v.push_back({"tcp:port=5005, Server=host", side::client, o, "tcp:5005"});
  }
  {
    auto o = make(kind::tcp, side::client);
    o.port = 5005;
    o.server = "HostName";
    v.push_back({"TCP:Port=5005,  SERVER=HostName", side::client, o, "tcp:5005"});
  }
  {
    auto o = make(kind::tcp, side::client);
    o.server = "fe80::1";
    o.port = 5005;
    o.ipversion = 6;
    v.push_back({"tcp:server=fe80::1,port=5005,ipversion=6", side::client, o, "tcp:5005"});
  }
  {
    auto o = make(kind::tcp, side::client);
    o.clicon = "srv";
    o.port = 5005;
    o.password = "x";
    v.push_back({"tcp:clicon=srv,port=5005,password=x", side::client, o, "tcp:5005"});
  }
  {
    auto o = make(kind::npipe, side::client);
    o.server = "host";
    o.pipe = "dbg1234";
    o.password = "x";
    v.push_back({"npipe:server=host,pipe=dbg1234,password=x", side::client, o, "npipe:dbg1234"});
  }
  {
    auto o = make(kind::com, side::client);
    o.com_port = "COM1";
    o.baud = 115200;
    o.channel = 3;
    o.password = "x";
    v.push_back({"com:port=COM1,baud=115200,channel=3,password=x", side::client, o, "com:COM1"});
  }
  {
    auto o = make(kind::ssl, side::client);
    o.proto = "tls1";
    o.machuser = "mycert";
    o.server = "host";
    o.port = 5005;
    o.password = "x";
    v.push_back({"ssl:proto=tls1,machuser=mycert,server=host,port=5005,password=x", side::client,
                 o, "tcp:5005"});
  }
  {
    auto o = make(kind::spipe, side::client);
    o.proto = "ssl2";
    o.certuser = "c";
    o.server = "host";
    o.pipe = "secure";
    v.push_back({"spipe:proto=ssl2,certuser=c,server=host,pipe=secure", side::client, o,
                 "npipe:secure"});
  }
  return v;
}

TEST(TransportOptions, DocumentedExamplesParseToExpectedFields) {
  for (const auto& c : valid_cases()) {
    SCOPED_TRACE(c.text);
    EXPECT_EQ(parse_ok(c.text, c.s), c.expected);
  }
}

TEST(TransportOptions, ServerAndClientHelpersPickTheSide) {
  auto s = parse_server_options("tcp:port=5005");
  ASSERT_TRUE(std::holds_alternative<transport_options>(s));
  EXPECT_EQ(std::get<transport_options>(s).side, side::server);
  auto c = parse_client_options("tcp:server=h,port=5005");
  ASSERT_TRUE(std::holds_alternative<transport_options>(c));
  EXPECT_EQ(std::get<transport_options>(c).side, side::client);
  // The same string means different things: server= is client-only, port ranges server-only.
  EXPECT_TRUE(std::holds_alternative<options_error>(parse_server_options("tcp:server=h,port=1")));
  EXPECT_TRUE(std::holds_alternative<options_error>(parse_client_options("tcp:port=1:2,server=h")));
}

TEST(TransportOptions, TheSideIsReadFromTheKeys) {
  // The string a user means for ConnectProcessServer reads as a client's without --client.
  EXPECT_EQ(detect_side("tcp:server=target,port=5005").side, side::client);
  EXPECT_EQ(detect_side("npipe:server=target,pipe=dbg").side, side::client);
  // Server-only keys and port ranges make a server's string.
  EXPECT_EQ(detect_side("tcp:port=5005:5010").side, side::server);
  EXPECT_EQ(detect_side("npipe:pipe=dbg,hidden").side, side::server);
  // Valid for both (a reverse connection): the server's dbgsrv -t form, and the reason says so.
  const auto both = detect_side("tcp:clicon=host,port=5005");
  EXPECT_EQ(both.side, side::server);
  EXPECT_NE(both.reason.find("both"), std::string::npos) << both.reason;
  // Near misses: a client string with a mistake after its client-only key is still a client's,
  // so its error is the client's mistake, not "server is client-only".
  const auto typo = detect_side("tcp:server=target,port=99999");
  EXPECT_EQ(typo.side, side::client) << typo.reason;
  EXPECT_NE(typo.reason.find("neither"), std::string::npos) << typo.reason;
  // A mistake before any side-specific key: nothing says client, so the server's form.
  EXPECT_EQ(detect_side("tcp:port=x").side, side::server);
}

TEST(TransportOptions, EndpointOfEachExample) {
  for (const auto& c : valid_cases()) {
    SCOPED_TRACE(c.text);
    EXPECT_EQ(endpoint_of(c.expected), c.endpoint);
  }
}

TEST(TransportOptions, EndpointKeysCompareAsWindowsDoes) {
  EXPECT_EQ(endpoint_key("npipe:Debug"), endpoint_key("npipe:DEBUG"));
  EXPECT_EQ(endpoint_key("npipe:Debug"), "npipe:debug");
  EXPECT_EQ(endpoint_key("com:COM01"), "com:com1");
  EXPECT_EQ(endpoint_key("com:com1"), "com:com1");
  EXPECT_EQ(endpoint_key("com:COM0"), "com:com0");
  EXPECT_EQ(endpoint_key("tcp:5005"), "tcp:5005");
  EXPECT_NE(endpoint_key("npipe:dbg1"), endpoint_key("npipe:dbg10"));
  EXPECT_NE(endpoint_key("com:COM1"), endpoint_key("com:COM10"));
}

TEST(TransportOptions, TransportNamesAreCaseInsensitive) {
  EXPECT_EQ(parse_ok("NPipe:pipe=x", side::server).kind, kind::npipe);
  EXPECT_EQ(parse_ok("SSL:proto=TLS1,MachUser=m,PORT=1", side::server).kind, kind::ssl);
  EXPECT_EQ(parse_ok("SSL:proto=TLS1,MachUser=m,PORT=1", side::server).proto, "TLS1");
  EXPECT_EQ(parse_ok("Spipe:proto=tls1,certuser=c,pipe=p", side::server).kind, kind::spipe);
  EXPECT_EQ(parse_ok("COM:port=com3,baud=1,channel=254", side::server).com_port, "com3");
  EXPECT_EQ(name_of(kind::tcp), "tcp");
  EXPECT_EQ(name_of(kind::npipe), "npipe");
  EXPECT_EQ(name_of(kind::ssl), "ssl");
  EXPECT_EQ(name_of(kind::spipe), "spipe");
  EXPECT_EQ(name_of(kind::com), "com");
}

// ---------------------------------------------------------------------------------------------
// Canonical form.

TEST(TransportOptions, CanonicalRoundTripForAllValidExamples) {
  for (const auto& c : valid_cases()) {
    SCOPED_TRACE(c.text);
    auto parsed = parse_ok(c.text, c.s);
    auto text = to_string(parsed);
    EXPECT_EQ(text.find(' '), std::string::npos) << text;  // no spaces
    EXPECT_EQ(parse_ok(text, c.s), parsed) << text;
    EXPECT_EQ(to_string(parse_ok(text, c.s)), text);  // idempotent
  }
}

TEST(TransportOptions, CanonicalFormIsLowerCaseKeysFixedOrderBareFlags) {
  EXPECT_EQ(to_string(parse_ok("TCP:IcfEnable,Password=AbC,HIDDEN,Port=5000:5010,IPVersion=4",
                               side::server)),
            "tcp:port=5000:5010,password=AbC,ipversion=4,hidden,icfenable");
  EXPECT_EQ(to_string(parse_ok("tcp:port=5005, Server=Host", side::client)),
            "tcp:server=Host,port=5005");
  EXPECT_EQ(to_string(parse_ok("com:channel=3,baud=115200,port=COM1", side::server)),
            "com:port=COM1,baud=115200,channel=3");
  EXPECT_EQ(to_string(parse_ok("ssl:port=5005,machuser=mycert,proto=tls1", side::server)),
            "ssl:proto=tls1,machuser=mycert,port=5005");
  EXPECT_EQ(to_string(parse_ok("tcp:port=05005", side::server)), "tcp:port=5005");
}

// ---------------------------------------------------------------------------------------------
// Malformed strings fail at the expected byte with a message saying what was expected.

struct bad_case {
  std::string text;
  side s;
  std::size_t offset;
  std::string mentions;  // a substring the message must contain
};

std::vector<bad_case> bad_cases() {
  const auto S = side::server;
  const auto C = side::client;
  return {
      // Structure.
      {"", S, 0, "transport name"},
      {"tcp", S, 3, "expected ':'"},
      {"tcpport=5005", S, 0, "unknown transport"},
      {"udp:port=5005", S, 0, "unknown transport 'udp'"},
      {":port=5005", S, 0, "transport name"},
      {"tcp:", S, 4, "expected options"},
      {"tcp:port=5005,", S, 13, "trailing ','"},
      {"tcp:port=5005, ", S, 13, "trailing ','"},
      {"tcp:port=5005,,hidden", S, 14, "expected an option name"},
      {"tcp:,port=5005", S, 4, "expected an option name"},
      {"tcp:=5005", S, 4, "expected an option name"},
      {"tcp: port=5005", S, 4, "space"},
      {"tcp:port =5005", S, 8, "space"},
      {"tcp:port=5005 ", S, 13, "space"},
      {"tcp:port= 5005", S, 9, "space"},
      {"tcp:port=", S, 9, "expected a value for 'port'"},
      {"tcp:port=,hidden", S, 9, "expected a value for 'port'"},
      {"tcp:port", S, 8, "expected '='"},
      {"tcp:port=5005=6", S, 13, "unexpected '='"},
      {"tcp:port=5005,hidden=1", S, 20, "flag"},
      // Unknown, misplaced and duplicate keys.
      {"tcp:prot=5005", S, 4, "did you mean 'port'"},
      {"tcp:port=5005,pasword=x", S, 14, "did you mean 'password'"},
      {"tcp:port=5005,colour=red", S, 14, "unknown option 'colour' for tcp on the server side; expected one of: clicon, port, password"},
      {"tcp:port=5005,pipe=x", S, 14, "not allowed for tcp"},
      {"tcp:port=5005,server=h", S, 14, "client-only"},
      {"tcp:server=h,port=5005,hidden", C, 23, "server-only"},
      {"tcp:server=h,port=5005,IcfEnable", C, 23, "server-only"},
      {"npipe:server=h,pipe=p,hidden", C, 22, "server-only"},
      {"tcp:port=5005,PORT=5006", S, 14, "duplicate option 'port'"},
      {"tcp:port=5005,hidden,Hidden", S, 21, "duplicate option 'hidden'"},
      {"ssl:proto=tls1,certuser=a,machuser=b,port=1", S, 26, "exactly one"},
      {"tcp:server=a,clicon=b,port=1", C, 13, "exactly one"},
      // Values.
      {"tcp:port=0", S, 9, "1-65535"},
      {"tcp:port=65536", S, 9, "1-65535"},
      {"tcp:port=99999999999999999999999", S, 9, "1-65535"},
      {"tcp:port=50x5", S, 11, "port number"},
      {"tcp:port=-1", S, 9, "port number"},
      {"tcp:port=5010:5000", S, 14, "high port >= 5010"},
      {"tcp:port=5000:", S, 14, "high port"},
      {"tcp:port=:5000", S, 9, "port number"},
      {"tcp:port=5000:5010:5020", S, 18, "port number"},
      {"tcp:server=h,port=5000:5010", C, 22, "server-only"},
      {"tcp:port=5005,ipversion=5", S, 24, "4 or 6"},
      {"ssl:proto=tls2,machuser=m,port=1", S, 10, "tls1, pct1, ssl2 or ssl3"},
      {"com:port=LPT1,baud=1,channel=1", S, 9, "COMn"},
      {"com:port=COM,baud=1,channel=1", S, 9, "COMn"},
      {"com:port=COMx,baud=1,channel=1", S, 12, "COM"},
      {"com:port=COM1,baud=0,channel=1", S, 19, "baud rate"},
      {"com:port=COM1,baud=fast,channel=1", S, 19, "baud rate"},
      {"com:port=COM1,baud=9600,channel=255", S, 32, "0-254"},
      {"com:port=COM1,baud=9600,channel=1a", S, 33, "0-254"},
      {"npipe:pipe=dbg%s", S, 14, "%d or %x"},
      {"npipe:pipe=dbg%", S, 14, "%d or %x"},
      {"npipe:pipe=a\\b", S, 12, "pipe name"},
      // Missing required keys: at the end, naming the key.
      {"tcp:hidden", S, 10, "'port'"},
      {"tcp:password=x", S, 14, "'port'"},
      {"tcp:port=5005", C, 13, "'server'"},
      {"tcp:server=h", C, 12, "'port'"},
      {"npipe:hidden", S, 12, "'pipe'"},
      {"npipe:pipe=p", C, 12, "'server'"},
      {"npipe:server=h", C, 14, "'pipe'"},
      {"ssl:machuser=m,port=1", S, 21, "'proto'"},
      {"ssl:proto=tls1,port=1", S, 21, "'certuser' or 'machuser'"},
      {"ssl:proto=tls1,machuser=m", S, 25, "'port'"},
      {"ssl:proto=tls1,machuser=m,port=1", C, 32, "'server'"},
      {"spipe:proto=tls1,certuser=c", S, 27, "'pipe'"},
      {"com:port=COM1,baud=9600", S, 23, "'channel'"},
      {"com:port=COM1,channel=1", S, 23, "'baud'"},
      {"com:baud=9600,channel=1", C, 23, "'port'"},
  };
}

TEST(TransportOptions, MalformedStringsFailAtTheExpectedByte) {
  for (const auto& c : bad_cases()) {
    SCOPED_TRACE(c.text);
    auto e = parse_err(c.text, c.s);
    EXPECT_EQ(e.offset, c.offset) << e.message;
    EXPECT_NE(e.message.find(c.mentions), std::string::npos)
        << "message '" << e.message << "' does not mention '" << c.mentions << "'";
    EXPECT_LE(e.offset, c.text.size());
  }
}

TEST(TransportOptions, UnknownKeyListsAllowedKeysAndSuggestsOnlyWhenClose) {
  auto e = parse_err("npipe:pipe=x,blorp=1", side::server);
  EXPECT_NE(e.message.find("pipe, password, hidden, icfenable"), std::string::npos) << e.message;
  EXPECT_EQ(e.message.find("did you mean"), std::string::npos) << e.message;
  auto near = parse_err("npipe:pipe=x,hiden", side::server);
  EXPECT_NE(near.message.find("did you mean 'hidden'"), std::string::npos) << near.message;
  // Edit distance 3 is too far.
  auto far = parse_err("tcp:pxxxt=1", side::server);
  EXPECT_EQ(far.message.find("did you mean"), std::string::npos) << far.message;
}

// ---------------------------------------------------------------------------------------------
// Passwords.

TEST(TransportOptions, PasswordRules) {
  EXPECT_EQ(parse_ok("tcp:port=1,password=abcdefABC123", side::server).password, "abcdefABC123");
  EXPECT_EQ(parse_ok("tcp:port=1,password=a", side::server).password, "a");
  // Case is preserved, so two passwords differing only in case differ.
  auto upper = parse_ok("tcp:port=1,password=SeCrEt", side::server);
  auto lower = parse_ok("tcp:port=1,password=secret", side::server);
  EXPECT_EQ(upper.password, "SeCrEt");
  EXPECT_NE(upper, lower);
  EXPECT_EQ(to_string(upper), "tcp:port=1,password=SeCrEt");

  // 13 characters: fails at the 13th.
  auto long_pw = parse_err("tcp:port=1,password=abcdefABC1234", side::server);
  EXPECT_EQ(long_pw.offset, 32u);
  EXPECT_NE(long_pw.message.find("12"), std::string::npos) << long_pw.message;
  // Non-alphanumeric: fails at the offending byte.
  for (std::string bad : {"pa-ss", "pa_ss", "pa.ss", "pa!ss", "pa\xc3\xa9ss"}) {
    SCOPED_TRACE(bad);
    auto e = parse_err("tcp:port=1,password=" + bad, side::server);
    EXPECT_EQ(e.offset, 22u);
    EXPECT_NE(e.message.find("alphanumeric"), std::string::npos) << e.message;
  }
  auto empty = parse_err("tcp:port=1,password=", side::server);
  EXPECT_EQ(empty.offset, 20u);
  // Client side follows the same rules.
  EXPECT_EQ(parse_err("tcp:server=h,port=1,password=x y", side::client).offset, 30u);
  EXPECT_EQ(parse_err("tcp:server=h,port=1,password=abcdefghijklm", side::client).offset, 41u);
}

// ---------------------------------------------------------------------------------------------
// Totality: no input throws, crashes or reports an offset beyond the string.

TEST(TransportOptions, EveryPrefixAndByteFlipIsHandled) {
  for (const auto& c : valid_cases()) {
    for (std::size_t n = 0; n <= c.text.size(); ++n) {
      auto prefix = c.text.substr(0, n);
      auto r = parse_transport(prefix, c.s);
      if (auto* e = std::get_if<options_error>(&r))
        EXPECT_LE(e->offset, prefix.size()) << prefix;
      else
        EXPECT_EQ(parse_ok(to_string(std::get<transport_options>(r)), c.s),
                  std::get<transport_options>(r))
            << prefix;
    }
    for (std::size_t i = 0; i < c.text.size(); ++i) {
      for (char b : {'\0', ',', '=', ':', ' ', '%', '\xff', 'Z', '9'}) {
        auto t = c.text;
        t[i] = b;
        auto r = parse_transport(t, c.s);
        if (auto* e = std::get_if<options_error>(&r))
          EXPECT_LE(e->offset, t.size());
        else
          EXPECT_EQ(parse_ok(to_string(std::get<transport_options>(r)), c.s),
                    std::get<transport_options>(r))
              << t;
      }
    }
  }
}

}  // namespace
}  // namespace dbgsim::protocol
