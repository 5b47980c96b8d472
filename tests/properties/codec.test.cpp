// The codec (docs/protocol.md): every generated frame survives encode/decode unchanged, and
// every byte mutation of a valid frame decodes to a frame or a typed error, never a crash. Half
// the mutated frames get their checksum resealed, so that the mutation reaches the decoder's
// checks past the CRC (lengths, types, fields) instead of stopping at bad_checksum.
#include "check.hpp"

#include "protocol/codec.hpp"
#include "protocol/crc32c.hpp"

#include <array>
#include <type_traits>
#include <utility>

namespace dbgsim::props::testing {
namespace {

using namespace dbgsim::protocol;

/// Fills one field of a message with a generated value inside the documented maxima.
struct fill_field {
  template <class T>
  void operator()(std::string_view name, T& field) const {
    if constexpr (std::is_same_v<T, bool>) {
      field = *rc::gen::arbitrary<bool>();
    } else if constexpr (std::is_same_v<T, hresult>) {
      field = hresult{*rc::gen::arbitrary<std::uint32_t>()};
    } else if constexpr (std::is_same_v<T, std::string>) {
      field = *rc::gen::container<std::string>(
          *rc::gen::inRange<std::size_t>(0, 64), rc::gen::arbitrary<char>());
    } else if constexpr (std::is_same_v<T, std::vector<std::uint32_t>>) {
      field = *rc::gen::container<std::vector<std::uint32_t>>(
          *rc::gen::inRange<std::size_t>(0, 40), rc::gen::arbitrary<std::uint32_t>());
    } else if constexpr (std::is_integral_v<T>) {
      field = *rc::gen::arbitrary<T>();
      if (name == "process_options")
        field &= process_option_mask;  // Other bits are field_out_of_range by design.
    } else {
      static_assert(sizeof(T) == 0, "a field type the generator does not know");
    }
  }
};

template <std::size_t I>
message make_alternative() {
  std::variant_alternative_t<I, message> m{};
  for_each_field(m, fill_field{});
  return m;
}

template <std::size_t... I>
message make_message(std::size_t index, std::index_sequence<I...>) {
  static constexpr std::array<message (*)(), sizeof...(I)> makers = {&make_alternative<I>...};
  return makers[index]();
}

/// Any message with any field values the codec must carry.
rc::Gen<frame> gen_frame() {
  return rc::gen::exec([] {
    frame f;
    f.session = *rc::gen::arbitrary<std::uint64_t>();
    f.incarnation = *rc::gen::arbitrary<std::uint32_t>();
    const auto index = *rc::gen::inRange<std::size_t>(0, std::variant_size_v<message>);
    f.body = make_message(index, std::make_index_sequence<std::variant_size_v<message>>{});
    return f;
  });
}

/// Writes the CRC-32C that the bytes' header and payload call for, where the header says it
/// goes; false when the header does not parse or the bytes end before the trailer.
bool reseal(std::vector<std::uint8_t>& bytes) {
  const auto h = peek_header(bytes);
  const auto* header = std::get_if<frame_header>(&h);
  if (header == nullptr || bytes.size() < header->frame_size())
    return false;
  const auto payload_end = frame_header_size + header->length;
  const auto crc = crc32c(std::span<const std::uint8_t>(bytes).first(payload_end));
  for (std::size_t i = 0; i < frame_trailer_size; ++i)
    bytes[payload_end + i] = static_cast<std::uint8_t>(crc >> (8 * i));
  return true;
}

TEST(CodecProperty, DecodeOfEncodeGivesTheSameFrame) {
  EXPECT_TRUE(holds("decode(encode(f)) == f", 1000, [] {
    const auto f = *gen_frame();
    const auto bytes = encode(f);
    const auto d = decode(bytes);
    RC_ASSERT(std::holds_alternative<decoded>(d));
    RC_ASSERT(std::get<decoded>(d).value == f);
    RC_ASSERT(std::get<decoded>(d).size == bytes.size());
  }));
}

TEST(CodecProperty, MutatedFramesDecodeToAFrameOrATypedError) {
  int past_checksum = 0;  // Mutated frames the decoder judged by more than their checksum.
  EXPECT_TRUE(holds("mutations decode or fail with a typed error", 1000, [&past_checksum] {
    auto bytes = encode(*gen_frame());
    const int mutations = *rc::gen::inRange(1, 6);
    for (int i = 0; i < mutations && !bytes.empty(); ++i) {
      const auto at = *rc::gen::inRange<std::size_t>(0, bytes.size());
      switch (*rc::gen::inRange(0, 4)) {
        case 0: bytes[at] ^= static_cast<std::uint8_t>(1u << *rc::gen::inRange(0, 8)); break;
        case 1: bytes[at] = *rc::gen::arbitrary<std::uint8_t>(); break;
        case 2: bytes.resize(at); break;
        default: bytes.insert(bytes.begin() + static_cast<std::ptrdiff_t>(at),
                              *rc::gen::arbitrary<std::uint8_t>());
      }
    }
    const bool resealed = *rc::gen::arbitrary<bool>() && reseal(bytes);
    const auto d = decode(bytes);
    const auto* err = std::get_if<decode_error>(&d);
    past_checksum += err == nullptr || err->code != decode_errc::bad_checksum;
    if (const auto* e = err) {
      RC_ASSERT(e->offset <= bytes.size());
      RC_ASSERT(!name_of(e->code).empty());
      // A resealed frame's checksum matches its bytes, so it can fail for other reasons only.
      if (resealed)
        RC_ASSERT(e->code != decode_errc::bad_checksum);
      RC_TAG(std::string(name_of(e->code)) + (resealed ? " (resealed)" : ""));
    } else {
      // What decodes must encode back to exactly those bytes: the encoding is canonical.
      RC_ASSERT(encode(std::get<decoded>(d).value) == bytes);
    }
  }));
  EXPECT_GT(past_checksum, 300) << "mutations stopped at the checksum";
}

}  // namespace
}  // namespace dbgsim::props::testing
