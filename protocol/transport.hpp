// Transport option strings: the server's (`dbgsrv -t tcp:port=5005,password=x`, also
// StartProcessServer's options) and the client's (`tcp:server=host,port=5005,password=x`).
//
// Keys are case-insensitive, values keep their case, and one space after a comma is tolerated
// (real clients send `tcp:port=5005, Server=host`). A parse error names the byte offset at which
// the string stopped making sense and what was expected there.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace dbgsim::protocol {

/// The transport a string names before its colon.
enum class transport_kind : std::uint8_t { tcp, npipe, ssl, spipe, com };

/// Which side the string is for: the server's `-t` form or the client's connect form.
enum class options_side : std::uint8_t { server, client };

/// The lower-case name of a transport ("npipe").
std::string_view name_of(transport_kind k);

/// Every field a transport string may set; fields the string did not name stay empty.
struct transport_options {
  transport_kind kind = transport_kind::tcp;
  options_side side = options_side::server;
  std::optional<std::uint16_t> port;       ///< tcp, ssl: port; the low end of a server's range.
  std::optional<std::uint16_t> port_high;  ///< tcp, ssl on the server: the high end of `port=lo:hi`.
  std::optional<std::string> server;       ///< Client: the machine to connect to.
  std::optional<std::string> clicon;       ///< Reverse connection: the client (server side) or server (client side).
  std::optional<std::string> pipe;         ///< npipe, spipe: the pipe name (a server's may hold %d / %x).
  std::optional<std::string> password;     ///< 1-12 alphanumeric characters, case-sensitive.
  std::optional<std::uint8_t> ipversion;   ///< tcp: 4 or 6.
  std::optional<std::string> proto;        ///< ssl, spipe: tls1, pct1, ssl2 or ssl3.
  std::optional<std::string> certuser;     ///< ssl, spipe: certificate by user store.
  std::optional<std::string> machuser;     ///< ssl, spipe: certificate by machine store.
  std::optional<std::string> com_port;     ///< com: "COM1".
  std::optional<std::uint32_t> baud;       ///< com: baud rate.
  std::optional<std::uint8_t> channel;     ///< com: 0-254.
  bool hidden = false;                     ///< Server: not listed to `cdb -QR`.
  bool icf_enable = false;                 ///< Server: open the Windows firewall port.
  friend bool operator==(const transport_options&, const transport_options&) = default;
};

/// Where and why a transport string failed to parse.
struct options_error {
  std::size_t offset = 0;  ///< Byte offset into the string.
  std::string message;     ///< What was expected there, e.g. "expected a port number (1-65535)".
  friend bool operator==(const options_error&, const options_error&) = default;
};

using options_result = std::variant<transport_options, options_error>;

/// Parses a string for the given side.
options_result parse_transport(std::string_view text, options_side side);

/// Parses a server's `dbgsrv -t` string.
inline options_result parse_server_options(std::string_view text) {
  return parse_transport(text, options_side::server);
}

/// Parses a client's ConnectProcessServer string.
inline options_result parse_client_options(std::string_view text) {
  return parse_transport(text, options_side::client);
}

/// The side a string is read for when nobody says, and why.
struct side_reading {
  options_side side = options_side::server;
  std::string reason;  ///< Why that side, in words: "valid only as a client's connect string".
};

/// Reads the side from the string itself: the side it is valid for; the server's when it is
/// valid for both (a reverse connection's `clicon=` is); and when it is valid for neither, the
/// side whose reading gets further before its error (`server=` is a client's key, so a client
/// string with a mistake after it is still read as a client's).
side_reading detect_side(std::string_view text);

/// The canonical text form: lower-case keys in a fixed order, no spaces; parses back equal.
std::string to_string(const transport_options& o);

/// The place a server listens or a client connects on its machine: "tcp:5005", "npipe:dbg",
/// "com:COM1" (ssl and spipe share tcp's and npipe's namespaces). Servers with a port range use
/// the port they were given.
std::string endpoint_of(const transport_options& o);

/// An endpoint as Windows compares it, for finding a listener and for collisions: pipe and COM
/// port names regardless of case, and a COM port's number without leading zeros ("npipe:Debug"
/// and "npipe:DEBUG" give "npipe:debug"; "com:COM01" gives "com:com1"). tcp endpoints as they are.
std::string endpoint_key(std::string_view endpoint);

/// Whether a client's `server=` names the machine it runs on, as Windows resolves it:
/// "localhost" in any case, "127.0.0.1" or "::1" (Binary Ninja reaches its own dbgsrv so).
bool is_loopback_host(std::string_view server);

}  // namespace dbgsim::protocol
