// peek_header: a frame's header fields read without its payload (docs/protocol.md, "Frame
// layout"); links describe frames with it and never decode a payload.
#include "protocol/codec.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace dbgsim_test {
std::vector<dbgsim::protocol::frame> sample_frames();  // codec.test.cpp
}

namespace {

using namespace dbgsim::protocol;
using bytes = std::vector<std::uint8_t>;

void expect_error(const header_result& r, decode_errc code, std::size_t offset) {
  const auto* e = std::get_if<decode_error>(&r);
  ASSERT_NE(e, nullptr) << "read a header, expected " << name_of(code);
  EXPECT_EQ(e->code, code) << "got " << name_of(e->code) << " (" << e->detail << ")";
  EXPECT_EQ(e->offset, offset) << e->detail;
  EXPECT_FALSE(e->detail.empty());
}

TEST(Header, EveryTypeGivesTheFieldsItWasEncodedWith) {
  for (const auto& f : dbgsim_test::sample_frames()) {
    const bytes b = encode(f);
    auto r = peek_header(b);
    const auto* h = std::get_if<frame_header>(&r);
    ASSERT_NE(h, nullptr) << name_of(type_of(f.body)) << ": " << std::get<decode_error>(r).detail;
    EXPECT_EQ(h->type, type_of(f.body));
    EXPECT_EQ(h->session, f.session) << name_of(h->type);
    EXPECT_EQ(h->incarnation, f.incarnation) << name_of(h->type);
    EXPECT_EQ(h->length, b.size() - frame_header_size - frame_trailer_size) << name_of(h->type);
    EXPECT_EQ(h->frame_size(), b.size()) << name_of(h->type);
  }
}

TEST(Header, ThePayloadIsNeitherReadNorChecked) {
  // A header alone, a payload cut short and a wrong CRC all leave the header readable: a link
  // describes what it carries without trusting the rest.
  const auto f = dbgsim_test::sample_frames()[12];  // describe_process_reply: strings
  const bytes whole = encode(f);
  bytes header_only(whole.begin(), whole.begin() + frame_header_size);
  bytes bad_crc = whole;
  bad_crc.back() ^= 0xFF;
  for (const bytes& b : {header_only, bad_crc}) {
    auto r = peek_header(b);
    ASSERT_TRUE(std::holds_alternative<frame_header>(r)) << std::get<decode_error>(r).detail;
    EXPECT_EQ(std::get<frame_header>(r).type, message_type::describe_process_reply);
    EXPECT_EQ(std::get<frame_header>(r).frame_size(), whole.size());
  }
}

TEST(Header, TruncatedInputIsTruncatedAtItsEnd) {
  const bytes whole = encode(dbgsim_test::sample_frames()[3]);
  for (std::size_t n = 0; n < frame_header_size; ++n)
    expect_error(peek_header(std::span(whole).first(n)), decode_errc::truncated, n);
}

TEST(Header, BadMagicIsReportedAtZero) {
  bytes b = encode(dbgsim_test::sample_frames()[3]);
  b[0] = 'X';
  expect_error(peek_header(b), decode_errc::bad_magic, 0);
}

TEST(Header, ItFailsWhereDecodeFailsForEveryHeaderFault) {
  // The header checks are decode's own, with the same codes, offsets and details.
  const bytes good = encode(dbgsim_test::sample_frames()[3]);
  auto with = [&](std::size_t at, std::uint8_t v) {
    bytes b = good;
    b[at] = v;
    return b;
  };
  const std::vector<std::pair<bytes, decode_errc>> cases = {
      {with(3, 0), decode_errc::bad_magic},
      {with(4, frame_version + 1), decode_errc::bad_version},
      {with(5, 1), decode_errc::field_out_of_range},
      {with(6, 0x99), decode_errc::unknown_type},
      {with(23, 0xFF), decode_errc::bad_length},
  };
  for (const auto& [b, code] : cases) {
    auto peeked = peek_header(b);
    auto decoded = decode(b);
    ASSERT_TRUE(std::holds_alternative<decode_error>(peeked)) << name_of(code);
    ASSERT_TRUE(std::holds_alternative<decode_error>(decoded)) << name_of(code);
    EXPECT_EQ(std::get<decode_error>(peeked), std::get<decode_error>(decoded));
    EXPECT_EQ(std::get<decode_error>(peeked).code, code);
  }
}

}  // namespace
