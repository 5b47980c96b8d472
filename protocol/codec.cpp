#include "protocol/codec.hpp"

#include "protocol/crc32c.hpp"

#include <algorithm>
#include <array>
#include <cassert>
#include <string>
#include <type_traits>
#include <utility>

namespace dbgsim::protocol {
namespace {

// Header field offsets (docs/protocol.md has the table).
constexpr std::size_t off_magic = 0;
constexpr std::size_t off_version = 4;
constexpr std::size_t off_flags = 5;
constexpr std::size_t off_type = 6;
constexpr std::size_t off_session = 8;
constexpr std::size_t off_incarnation = 16;
constexpr std::size_t off_length = 20;
static_assert(off_length + 4 == frame_header_size);

// -- little-endian primitives -----------------------------------------------------------------

/// Writes `v` at `p` and returns the place after it. The frame is sized before it is written
/// (field_size), since growing the buffer per byte was 2% of a small world's instructions.
template <class U>
std::uint8_t* put(std::uint8_t* p, U v) {
  static_assert(std::is_unsigned_v<U>);
  for (std::size_t i = 0; i < sizeof(U); ++i)
    p[i] = static_cast<std::uint8_t>(v >> (8 * i));
  return p + sizeof(U);
}

/// Precondition: `at + sizeof(U) <= bytes.size()`.
template <class U>
U get(std::span<const std::uint8_t> bytes, std::size_t at) {
  static_assert(std::is_unsigned_v<U>);
  U v = 0;
  for (std::size_t i = 0; i < sizeof(U); ++i)
    v = static_cast<U>(v | static_cast<U>(static_cast<U>(bytes[at + i]) << (8 * i)));
  return v;
}

std::string hex(std::uint64_t v) {
  static constexpr char digits[] = "0123456789ABCDEF";
  std::string s;
  do {
    s.insert(s.begin(), digits[v & 0xF]);
    v >>= 4;
  } while (v != 0);
  return "0x" + s;
}

// -- payload fields -------------------------------------------------------------------------

/// Counts the bytes a message's fields take on the wire.
struct field_size {
  std::size_t bytes = 0;

  void operator()(std::string_view, std::uint16_t) { bytes += 2; }
  void operator()(std::string_view, std::uint32_t) { bytes += 4; }
  void operator()(std::string_view, std::uint64_t) { bytes += 8; }
  void operator()(std::string_view, bool) { bytes += 1; }
  void operator()(std::string_view, hresult) { bytes += 4; }
  void operator()(std::string_view, const std::string& v) { bytes += 4 + v.size(); }
  void operator()(std::string_view, const std::vector<std::uint32_t>& v) {
    bytes += 4 + 4 * v.size();
  }
};

/// Writes a message's fields into room that field_size measured.
struct field_writer {
  std::uint8_t* p;

  void operator()(std::string_view, std::uint16_t v) { p = put(p, v); }
  void operator()(std::string_view, std::uint32_t v) { p = put(p, v); }
  void operator()(std::string_view, std::uint64_t v) { p = put(p, v); }
  void operator()(std::string_view, bool v) { p = put(p, static_cast<std::uint8_t>(v ? 1 : 0)); }
  void operator()(std::string_view, hresult v) { p = put(p, v.value); }
  void operator()(std::string_view, const std::string& v) {
    p = put(p, static_cast<std::uint32_t>(v.size()));
    p = std::copy(v.begin(), v.end(), p);
  }
  void operator()(std::string_view, const std::vector<std::uint32_t>& v) {
    p = put(p, static_cast<std::uint32_t>(v.size()));
    for (std::uint32_t x : v) p = put(p, x);
  }
};

/// Reads payload fields from `bytes[pos, end)`; offsets in errors are frame offsets. After the
/// first error every read is a no-op.
struct field_reader {
  std::span<const std::uint8_t> bytes;
  std::size_t pos;
  std::size_t end;
  std::optional<decode_error> error;

  void fail(decode_errc code, std::size_t at, std::string detail) {
    if (!error) error = decode_error{code, at, std::move(detail)};
  }

  /// True when `n` more bytes are in the payload; otherwise records `truncated` at the payload end.
  bool need(std::size_t n, std::string_view name) {
    if (error) return false;
    if (end - pos < n) {
      fail(decode_errc::truncated, end,
           "payload ends at offset " + std::to_string(end) + " inside field " + std::string(name) +
               " at offset " + std::to_string(pos) + " (needs " + std::to_string(n) + " bytes, " +
               std::to_string(end - pos) + " left)");
      return false;
    }
    return true;
  }

  template <class U>
  bool read(std::string_view name, U& v) {
    if (!need(sizeof(U), name)) return false;
    v = get<U>(bytes, pos);
    pos += sizeof(U);
    return true;
  }

  void operator()(std::string_view name, std::uint16_t& v) { read(name, v); }
  void operator()(std::string_view name, std::uint64_t& v) { read(name, v); }
  void operator()(std::string_view name, std::uint32_t& v) {
    std::size_t at = pos;
    if (!read(name, v)) return;
    if (name == "process_options" && (v & ~process_option_mask) != 0)
      fail(decode_errc::field_out_of_range, at,
           "process_options " + hex(v) + " has bits outside " + hex(process_option_mask));
  }
  void operator()(std::string_view name, hresult& v) { read(name, v.value); }
  void operator()(std::string_view name, bool& v) {
    std::size_t at = pos;
    std::uint8_t b = 0;
    if (!read(name, b)) return;
    if (b > 1) {
      fail(decode_errc::field_out_of_range, at,
           "bool " + std::string(name) + " is " + std::to_string(b) + " (must be 0 or 1)");
      return;
    }
    v = b == 1;
  }
  void operator()(std::string_view name, std::string& v) {
    std::size_t at = pos;
    std::uint32_t n = 0;
    if (!read(name, n)) return;
    if (n > max_string_size) {
      fail(decode_errc::string_too_long, at,
           "string " + std::string(name) + " length " + std::to_string(n) + " > " +
               std::to_string(max_string_size));
      return;
    }
    if (!need(n, name)) return;  // checked against the bytes present before allocating
    v.assign(reinterpret_cast<const char*>(bytes.data() + pos), n);
    pos += n;
  }
  void operator()(std::string_view name, std::vector<std::uint32_t>& v) {
    std::size_t at = pos;
    std::uint32_t n = 0;
    if (!read(name, n)) return;
    if (n > max_pid_count) {
      fail(decode_errc::field_out_of_range, at,
           std::string(name) + " count " + std::to_string(n) + " > " + std::to_string(max_pid_count));
      return;
    }
    if (!need(std::size_t{n} * 4, name)) return;  // checked before allocating
    v.resize(n);
    for (auto& x : v) {
      x = get<std::uint32_t>(bytes, pos);
      pos += 4;
    }
  }
};

// -- wire type <-> variant index --------------------------------------------------------------

using body_decoder = message (*)(field_reader&);

template <std::size_t I>
message decode_body(field_reader& r) {
  message m{std::in_place_index<I>};
  for_each_field(std::get<I>(m), r);
  return m;
}

template <std::size_t... I>
constexpr std::array<body_decoder, sizeof...(I)> make_decoders(std::index_sequence<I...>) {
  return {&decode_body<I>...};
}

constexpr auto body_decoders = make_decoders(std::make_index_sequence<std::variant_size_v<message>>{});

/// The variant index of each wire type code below 0x100 (all of them), 0xFF for none: every
/// frame's header is checked with it twice (peek, then decode), and a scan of the types was 1%
/// of a small world. Made from the table at compile time, so a code above 0xFF or a code used
/// twice does not compile.
constexpr std::uint8_t no_index = 0xFF;
constexpr auto index_by_code = [] {
  std::array<std::uint8_t, 0x100> table{};
  table.fill(no_index);
  std::uint8_t index = 0;
  auto row = [&](std::uint16_t code) {
    if (code > 0xFF || table[code] != no_index)
      throw "message codes must be distinct and below 0x100";  // Only ever at compile time.
    table[code] = index++;
  };
#define DBGSIM_INDEX_ROW(name, code) row(code);
  DBGSIM_MESSAGES(DBGSIM_INDEX_ROW)
#undef DBGSIM_INDEX_ROW
  return table;
}();
static_assert(std::variant_size_v<message> < no_index);

/// The variant index of a wire type code, or nothing for a code with no message.
std::optional<std::size_t> index_of_type(std::uint16_t code) {
  if (code > 0xFF || index_by_code[code] == no_index)
    return std::nullopt;
  return index_by_code[code];
}

}  // namespace

std::string_view name_of(decode_errc e) {
  switch (e) {
    case decode_errc::truncated: return "truncated";
    case decode_errc::bad_magic: return "bad_magic";
    case decode_errc::bad_version: return "bad_version";
    case decode_errc::unknown_type: return "unknown_type";
    case decode_errc::bad_length: return "bad_length";
    case decode_errc::bad_checksum: return "bad_checksum";
    case decode_errc::field_out_of_range: return "field_out_of_range";
    case decode_errc::trailing_bytes: return "trailing_bytes";
    case decode_errc::string_too_long: return "string_too_long";
  }
  return "unknown";
}

std::vector<std::uint8_t> encode(const frame& f) {
  field_size payload;
  std::visit([&](const auto& m) { for_each_field(m, payload); }, f.body);
  std::vector<std::uint8_t> out(frame_header_size + payload.bytes + frame_trailer_size);
  std::uint8_t* p = out.data();
  p = put(p, frame_magic);
  p = put(p, frame_version);
  p = put(p, std::uint8_t{0});  // flags
  p = put(p, static_cast<std::uint16_t>(type_of(f.body)));
  p = put(p, f.session);
  p = put(p, f.incarnation);
  p = put(p, static_cast<std::uint32_t>(payload.bytes));
  field_writer w{p};
  std::visit([&](const auto& m) { for_each_field(m, w); }, f.body);
  const std::size_t covered = frame_header_size + payload.bytes;
  assert(w.p == out.data() + covered);  // field_size and field_writer agree on every field.
  put(w.p, crc32c({out.data(), covered}));
  return out;
}

header_result peek_header(std::span<const std::uint8_t> bytes) {
  const std::size_t available = bytes.size();
  if (available < frame_header_size)
    return decode_error{decode_errc::truncated, available,
                        "header needs " + std::to_string(frame_header_size) + " bytes, " +
                            std::to_string(available) + " present"};
  if (auto magic = get<std::uint32_t>(bytes, off_magic); magic != frame_magic)
    return decode_error{decode_errc::bad_magic, off_magic,
                        "magic " + hex(magic) + " is not " + hex(frame_magic) + " (\"DBGS\")"};
  if (auto version = bytes[off_version]; version != frame_version)
    return decode_error{decode_errc::bad_version, off_version,
                        "frame version " + std::to_string(version) + " (this build speaks " +
                            std::to_string(frame_version) + ")"};
  if (auto flags = bytes[off_flags]; flags != 0)
    return decode_error{decode_errc::field_out_of_range, off_flags,
                        "flags " + hex(flags) + " (must be 0)"};
  const auto code = get<std::uint16_t>(bytes, off_type);
  if (!index_of_type(code))
    return decode_error{decode_errc::unknown_type, off_type, "message type " + hex(code)};
  const auto length = get<std::uint32_t>(bytes, off_length);
  if (length > max_payload_size)
    return decode_error{decode_errc::bad_length, off_length,
                        "payload length " + std::to_string(length) + " > " +
                            std::to_string(max_payload_size)};
  return frame_header{static_cast<message_type>(code), get<std::uint64_t>(bytes, off_session),
                      get<std::uint32_t>(bytes, off_incarnation), length};
}

decode_result decode_prefix(std::span<const std::uint8_t> bytes) {
  auto peeked = peek_header(bytes);
  if (auto* err = std::get_if<decode_error>(&peeked))
    return std::move(*err);
  const auto& header = std::get<frame_header>(peeked);
  const std::size_t available = bytes.size();
  const auto code = static_cast<std::uint16_t>(header.type);
  const std::size_t payload_end = frame_header_size + header.length;
  const std::size_t frame_size = header.frame_size();
  if (available < frame_size)
    return decode_error{decode_errc::truncated, available,
                        "frame needs " + std::to_string(frame_size) + " bytes, " +
                            std::to_string(available) + " present"};
  const auto stored = get<std::uint32_t>(bytes, payload_end);
  const auto computed = crc32c(bytes.first(payload_end));
  if (stored != computed)
    return decode_error{decode_errc::bad_checksum, payload_end,
                        "crc32c " + hex(stored) + " but the bytes give " + hex(computed)};

  field_reader reader{bytes, frame_header_size, payload_end, std::nullopt};
  frame f;
  f.session = header.session;
  f.incarnation = header.incarnation;
  f.body = body_decoders[*index_of_type(code)](reader);
  if (reader.error) return std::move(*reader.error);
  if (reader.pos != payload_end)
    return decode_error{decode_errc::trailing_bytes, reader.pos,
                        std::to_string(payload_end - reader.pos) + " bytes after the last field of " +
                            std::string(name_of(static_cast<message_type>(code)))};
  return decoded{std::move(f), frame_size};
}

decode_result decode(std::span<const std::uint8_t> bytes) {
  auto r = decode_prefix(bytes);
  if (auto* d = std::get_if<decoded>(&r); d && d->size != bytes.size())
    return decode_error{decode_errc::trailing_bytes, d->size,
                        std::to_string(bytes.size() - d->size) + " bytes after the frame"};
  return r;
}

}  // namespace dbgsim::protocol
