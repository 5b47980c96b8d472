// The wire encoding of frames (docs/protocol.md has the byte layout).
//
// Decoding is total: every byte sequence gives a frame or a decode_error with the byte offset
// where it went wrong. It never reads out of bounds, never throws, and never allocates from a
// length it has not checked against the bytes actually present and the documented maxima.
#pragma once

#include "protocol/frame.hpp"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace dbgsim::protocol {

/// "DBGS" read as a little-endian u32.
inline constexpr std::uint32_t frame_magic = 0x53474244;
/// Version of the frame layout (not the remoting protocol version of connect_request).
inline constexpr std::uint8_t frame_version = 1;
/// Bytes before the payload.
inline constexpr std::size_t frame_header_size = 24;
/// Bytes after the payload (the CRC-32C).
inline constexpr std::size_t frame_trailer_size = 4;
/// Largest payload a frame may carry.
inline constexpr std::size_t max_payload_size = 64 * 1024;
/// Largest encoded frame.
inline constexpr std::size_t max_frame_size = frame_header_size + max_payload_size + frame_trailer_size;
/// Longest string field, in bytes.
inline constexpr std::size_t max_string_size = 4096;
/// Most pids a list_processes_reply may carry.
inline constexpr std::size_t max_pid_count = 8192;

/// Why a byte sequence is not a frame.
enum class decode_errc : std::uint8_t {
  truncated,             ///< The bytes end before the frame does.
  bad_magic,             ///< The first four bytes are not "DBGS".
  bad_version,           ///< A frame layout version this build does not know.
  unknown_type,          ///< A message type code with no message.
  bad_length,            ///< The payload length exceeds max_payload_size or disagrees with the fields.
  bad_checksum,          ///< The CRC-32C does not match.
  field_out_of_range,    ///< A field has a value its type forbids (a bool of 2, unknown option bits).
  trailing_bytes,        ///< The payload has bytes after its last field.
  string_too_long,       ///< A string's length prefix exceeds max_string_size.
};

/// The snake_case name of a decode error kind ("bad_checksum").
std::string_view name_of(decode_errc e);

/// A decode failure and where it happened.
struct decode_error {
  decode_errc code;
  std::size_t offset = 0;  ///< Byte offset from the start of the frame (or stream) where it went wrong.
  std::string detail;      ///< A short human-readable explanation ("payload length 70000 > 65536").
  friend bool operator==(const decode_error&, const decode_error&) = default;
};

/// A frame's header fields (docs/protocol.md, "Frame layout"), read without its payload.
struct frame_header {
  message_type type{};            ///< The message the payload holds.
  std::uint64_t session = 0;      ///< 0 before the handshake.
  std::uint32_t incarnation = 0;  ///< 0 before the handshake.
  std::uint32_t length = 0;       ///< Payload bytes, at most max_payload_size.

  /// The size of the whole frame: header, payload and trailer.
  std::size_t frame_size() const { return frame_header_size + length + frame_trailer_size; }
  friend bool operator==(const frame_header&, const frame_header&) = default;
};

/// A header, or why the bytes do not start with one.
using header_result = std::variant<frame_header, decode_error>;

/// Reads the header at the start of `bytes` and checks what a header alone can show (its size,
/// magic, version, flags, a known type and a payload length within the maximum), with the errors
/// decode gives for them; the payload and the CRC are neither read nor checked. This and decode
/// are the only code that knows where the header's fields are.
header_result peek_header(std::span<const std::uint8_t> bytes);

/// Encodes a frame. Precondition: every string and list is within the documented maxima.
std::vector<std::uint8_t> encode(const frame& f);

/// The result of decoding: a frame and the number of bytes it used, or an error.
struct decoded {
  frame value;
  std::size_t size = 0;
};
using decode_result = std::variant<decoded, decode_error>;

/// Decodes the one frame at the start of `bytes`; extra bytes after it are left unread.
decode_result decode_prefix(std::span<const std::uint8_t> bytes);

/// Decodes exactly one frame; bytes after it give decode_errc::trailing_bytes.
decode_result decode(std::span<const std::uint8_t> bytes);

}  // namespace dbgsim::protocol
