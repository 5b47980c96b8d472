// The frame codec (issue 2, sections 2 and 5; layout in docs/protocol.md).
#include "protocol/codec.hpp"
#include "protocol/crc32c.hpp"
#include "tests/protocol/frames.hpp"

#include <gtest/gtest.h>

#include <random>
#include <set>
#include <string>
#include <vector>

namespace dbgsim_test {

using namespace dbgsim::protocol;

/// One frame per alternative of `message`, in variant order, every field away from its default.
/// Shared with stream_decoder.test.cpp and examples.test.cpp.
std::vector<frame> sample_frames() {
  const std::uint64_t s = 0x0123456789ABCDEFull;
  const std::uint32_t inc = 0xA5A5A5A5u;
  return {
      {0, 0, connect_request{7, 1, "engine-1", "Secr3t"}},
      {s, inc, connect_accepted{7, s, inc}},
      {0, 0, connect_refused{8, E_FAIL}},
      {s, inc, disconnect_request{9}},
      {s, inc, disconnect_ack{9}},
      {s, inc, end_server_request{10}},
      {s, inc, end_server_ack{10}},
      {s, inc, keepalive{11}},
      {s, inc, keepalive_ack{11}},
      {s, inc, list_processes_request{12, 3}},
      {s, inc, list_processes_reply{12, S_FALSE, {4, 100, 0xFFFFFFFFu}, 5}},
      {s, inc, describe_process_request{13, 100}},
      {s, inc, describe_process_reply{13, S_OK, "notepad.exe", "Notepad \xE2\x80\x94 untitled"}},
      {s, inc, find_process_request{14, "calc.exe", true}},
      {s, inc, find_process_reply{14, E_NOINTERFACE, 0x12345678u}},
      {s, inc, attach_request{15, 200, process_detach_on_exit}},
      {s, inc, attach_reply{15, E_ACCESSDENIED}},
      {s, inc, create_process_request{16, "cmd.exe /c \"echo hi\"", process_option_mask}},
      {s, inc, create_process_reply{16, S_OK, 300}},
      {s, inc, detach_request{17, 200}},
      {s, inc, detach_reply{17, E_INVALIDARG}},
      {s, inc, terminate_process_request{18, 300}},
      {s, inc, terminate_process_reply{18, RPC_S_CALL_FAILED}},
      {s, inc, set_process_options_request{19, process_only_this_process}},
      {s, inc, set_process_options_ack{19}},
      {s, inc, error_reply{20, RPC_E_DISCONNECTED}},
      {s, 3, unknown_session{21}},
      {s, inc, server_shutting_down{}},
      {s, inc, process_exited{300, 0xC0000005u}},
  };
}

}  // namespace dbgsim_test

namespace {

using namespace dbgsim::protocol;
using bytes = std::vector<std::uint8_t>;
using dbgsim_test::sample_frames;

void put32(bytes& b, std::size_t at, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) b[at + i] = static_cast<std::uint8_t>(v >> (8 * i));
}
void append32(bytes& b, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) b.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

/// Recomputes the payload length field (when `fix_length`) and the CRC of a hand-made frame.
bytes reseal(bytes b, bool fix_length = true) {
  // b holds header + payload + a (stale or missing) 4-byte CRC.
  if (fix_length) put32(b, 20, static_cast<std::uint32_t>(b.size() - frame_header_size - 4));
  const std::size_t crc_at = b.size() - 4;
  put32(b, crc_at, crc32c(std::span<const std::uint8_t>(b).first(crc_at)));
  return b;
}

/// A frame of `type` with the given raw payload and a correct length and CRC.
bytes raw_frame(std::uint16_t type, const bytes& payload) {
  bytes b = {0x44, 0x42, 0x47, 0x53, frame_version, 0, static_cast<std::uint8_t>(type),
             static_cast<std::uint8_t>(type >> 8)};
  b.resize(frame_header_size, 0);
  b.insert(b.end(), payload.begin(), payload.end());
  b.resize(b.size() + 4, 0);
  return reseal(b);
}

const decode_error* error_of(const decode_result& r) { return std::get_if<decode_error>(&r); }

void expect_error(const decode_result& r, decode_errc code, std::size_t offset) {
  const auto* e = error_of(r);
  ASSERT_NE(e, nullptr) << "decoded, expected " << name_of(code);
  EXPECT_EQ(e->code, code) << "got " << name_of(e->code) << " (" << e->detail << ")";
  EXPECT_EQ(e->offset, offset) << name_of(e->code) << ": " << e->detail;
  EXPECT_FALSE(e->detail.empty());
}

TEST(Codec, Crc32cKnownAnswer) {
  // The standard check value of CRC-32C (RFC 3720 B.4 / the Castagnoli catalogue).
  const std::string check = "123456789";
  EXPECT_EQ(crc32c({reinterpret_cast<const std::uint8_t*>(check.data()), check.size()}), 0xE3069283u);
  bytes zeros(32, 0);
  EXPECT_EQ(crc32c(zeros), 0x8A9136AAu);  // RFC 3720 B.4: 32 bytes of zeros
  // Incremental use gives the same answer as one pass.
  std::span<const std::uint8_t> all(reinterpret_cast<const std::uint8_t*>(check.data()), check.size());
  EXPECT_EQ(crc32c(all.subspan(4), crc32c(all.first(4))), 0xE3069283u);
}

TEST(Codec, Crc32cFastPathsAgreeWithTheDefinition) {
  // Every length from 0 to 80 (the tails after whole eight-byte words) at every offset within a
  // word (unaligned starts), continued from a nonzero CRC: the instruction and the portable
  // eight-at-a-time path give exactly the bytewise definition.
  bytes data(96);
  std::uint32_t x = 12345;
  for (auto& b : data) {
    x = x * 1103515245u + 12345u;
    b = static_cast<std::uint8_t>(x >> 16);
  }
  for (std::size_t offset = 0; offset < 8; ++offset)
    for (std::size_t n = 0; n + offset <= 88; ++n) {
      std::span<const std::uint8_t> s(data.data() + offset, n);
      const auto expected = crc32c_bytewise(s, 0xDEADBEEFu);
      ASSERT_EQ(crc32c(s, 0xDEADBEEFu), expected) << "offset " << offset << " length " << n;
      ASSERT_EQ(crc32c_portable(s, 0xDEADBEEFu), expected) << "offset " << offset << " length " << n;
    }
}

TEST(Codec, SampleTableCoversEveryMessageAlternative) {
  std::set<std::size_t> indices;
  for (const auto& f : sample_frames()) indices.insert(f.body.index());
  EXPECT_EQ(indices.size(), std::variant_size_v<message>);
  EXPECT_EQ(sample_frames().size(), std::variant_size_v<message>);
}

TEST(Codec, EveryMessageRoundTrips) {
  for (const auto& f : sample_frames()) {
    SCOPED_TRACE(std::string(name_of(type_of(f.body))));
    const bytes b = encode(f);
    auto r = decode(b);
    ASSERT_TRUE(std::holds_alternative<decoded>(r)) << error_of(r)->detail;
    const auto& d = std::get<decoded>(r);
    EXPECT_EQ(d.size, b.size());
    EXPECT_EQ(d.value, f);
    EXPECT_EQ(encode(d.value), b);
    // A default-valued message of the same type is a different frame: the sample values matter.
    if (!std::holds_alternative<server_shutting_down>(f.body)) {  // the one message without fields
      frame plain{f.session, f.incarnation, {}};
      plain.body = std::visit([](const auto& m) -> message { return std::decay_t<decltype(m)>{}; }, f.body);
      EXPECT_NE(encode(plain), b);
    }
  }
}

TEST(Codec, HeaderLayoutIsLittleEndianAsDocumented) {
  frame f{0x1122334455667788ull, 0xAABBCCDDu, keepalive{0x01020304u}};
  const bytes b = encode(f);
  const bytes expected_header = {
      0x44, 0x42, 0x47, 0x53,                          // magic "DBGS"
      0x01,                                            // frame version
      0x00,                                            // flags
      0x14, 0x00,                                      // type keepalive = 0x0014
      0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11,  // session
      0xDD, 0xCC, 0xBB, 0xAA,                          // incarnation
      0x04, 0x00, 0x00, 0x00,                          // payload length
  };
  ASSERT_EQ(b.size(), frame_header_size + 4 + frame_trailer_size);
  EXPECT_EQ(bytes(b.begin(), b.begin() + 24), expected_header);
  EXPECT_EQ(bytes(b.begin() + 24, b.begin() + 28), (bytes{0x04, 0x03, 0x02, 0x01}));
  const std::uint32_t crc = crc32c(std::span<const std::uint8_t>(b).first(28));
  EXPECT_EQ(bytes(b.begin() + 28, b.end()),
            (bytes{std::uint8_t(crc), std::uint8_t(crc >> 8), std::uint8_t(crc >> 16), std::uint8_t(crc >> 24)}));
}

TEST(Codec, StringAndListLayout) {
  // find_process_request: call_id u32, exe (u32 length + bytes), only_match u8.
  const bytes b = encode({0, 0, find_process_request{5, "ab", true}});
  EXPECT_EQ(bytes(b.begin() + 24, b.end() - 4), (bytes{5, 0, 0, 0, 2, 0, 0, 0, 'a', 'b', 1}));
  // list_processes_reply: call_id, hr, count + u32 items, total.
  const bytes l = encode({0, 0, list_processes_reply{1, S_FALSE, {7, 8}, 9}});
  EXPECT_EQ(bytes(l.begin() + 24, l.end() - 4),
            (bytes{1, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 7, 0, 0, 0, 8, 0, 0, 0, 9, 0, 0, 0}));
}

TEST(Codec, MaximaAreAccepted) {
  frame big_strings{1, 2, describe_process_reply{1, S_OK, std::string(max_string_size, 'x'),
                                                 std::string(max_string_size, 'y')}};
  frame big_list{1, 2, list_processes_reply{1, S_OK, std::vector<std::uint32_t>(max_pid_count, 42), 8192}};
  for (const auto& f : {big_strings, big_list}) {
    auto b = encode(f);
    EXPECT_LE(b.size(), max_frame_size);
    auto r = decode(b);
    ASSERT_TRUE(std::holds_alternative<decoded>(r)) << error_of(r)->detail;
    EXPECT_EQ(std::get<decoded>(r).value, f);
  }
}

// -- every decode_errc from a crafted input, at its exact offset ---------------------------------

TEST(Codec, TruncatedHeaderReportsBytesAvailable) {
  const bytes b = encode(sample_frames()[0]);
  expect_error(decode(std::span(b).first(0)), decode_errc::truncated, 0);
  expect_error(decode(std::span(b).first(10)), decode_errc::truncated, 10);
  expect_error(decode(std::span(b).first(23)), decode_errc::truncated, 23);
}

TEST(Codec, TruncatedPayloadOrChecksumReportsBytesAvailable) {
  const bytes b = encode(sample_frames()[0]);
  expect_error(decode(std::span(b).first(24)), decode_errc::truncated, 24);
  expect_error(decode(std::span(b).first(b.size() - 1)), decode_errc::truncated, b.size() - 1);
}

TEST(Codec, PayloadTooShortForItsFieldsIsTruncatedAtPayloadEnd) {
  // keepalive needs 4 payload bytes; 2 are present (length and CRC are consistent).
  expect_error(decode(raw_frame(0x14, {1, 2})), decode_errc::truncated, 26);
  // A string whose length prefix claims more bytes than the payload holds: no allocation,
  // truncated at the payload end (24 + 4 call_id + 4 prefix + 3 bytes = 35).
  expect_error(decode(raw_frame(0x24, {1, 0, 0, 0, 100, 0, 0, 0, 'a', 'b', 'c'})), decode_errc::truncated, 35);
  // A pid list whose count claims more than is there (count 1000, one item).
  expect_error(decode(raw_frame(0x21, {1, 0, 0, 0, 0, 0, 0, 0, 0xE8, 0x03, 0, 0, 7, 0, 0, 0})),
               decode_errc::truncated, 40);
}

TEST(Codec, BadMagicAtZero) {
  bytes b = encode(sample_frames()[3]);
  b[2] = 'X';
  expect_error(decode(b), decode_errc::bad_magic, 0);
}

TEST(Codec, BadVersionAtFour) {
  bytes b = encode(sample_frames()[3]);
  b[4] = 2;
  expect_error(decode(b), decode_errc::bad_version, 4);
  b[4] = 0;
  expect_error(decode(b), decode_errc::bad_version, 4);
}

TEST(Codec, NonzeroFlagsAreOutOfRangeAtFive) {
  bytes b = encode(sample_frames()[3]);
  b[5] = 0x80;
  expect_error(decode(b), decode_errc::field_out_of_range, 5);
}

TEST(Codec, UnknownTypeAtSix) {
  for (std::uint16_t t : {0x0000, 0x0004, 0x0099, 0x1400, 0xFFFF}) {
    bytes b = encode(sample_frames()[3]);
    b[6] = static_cast<std::uint8_t>(t);
    b[7] = static_cast<std::uint8_t>(t >> 8);
    expect_error(decode(b), decode_errc::unknown_type, 6);
  }
}

TEST(Codec, PayloadLengthOverMaximumIsBadLengthAtTwenty) {
  bytes b = encode(sample_frames()[3]);
  put32(b, 20, static_cast<std::uint32_t>(max_payload_size + 1));
  expect_error(decode(b), decode_errc::bad_length, 20);
  put32(b, 20, 0xFFFFFFFFu);
  expect_error(decode(b), decode_errc::bad_length, 20);
  // Exactly the maximum is a length, not an error: it is then merely truncated.
  put32(b, 20, static_cast<std::uint32_t>(max_payload_size));
  expect_error(decode(b), decode_errc::truncated, b.size());
}

TEST(Codec, BadChecksumAtTheChecksum) {
  for (const auto& f : sample_frames()) {
    bytes b = encode(f);
    b.back() ^= 0x01;
    expect_error(decode(b), decode_errc::bad_checksum, b.size() - 4);
  }
  // A payload byte changed under an unchanged CRC.
  bytes b = encode(sample_frames()[0]);
  b[30] ^= 0x20;
  expect_error(decode(b), decode_errc::bad_checksum, b.size() - 4);
}

TEST(Codec, BoolOtherThanZeroOrOneIsOutOfRange) {
  // find_process_request: call_id @24, exe prefix @28, "ab" @32, only_match @34.
  expect_error(decode(raw_frame(0x24, {1, 0, 0, 0, 2, 0, 0, 0, 'a', 'b', 2})), decode_errc::field_out_of_range, 34);
  expect_error(decode(raw_frame(0x24, {1, 0, 0, 0, 2, 0, 0, 0, 'a', 'b', 0xFF})), decode_errc::field_out_of_range, 34);
}

TEST(Codec, UnknownProcessOptionBitsAreOutOfRange) {
  // attach_request: call_id @24, pid @28, process_options @32.
  expect_error(decode(raw_frame(0x30, {1, 0, 0, 0, 2, 0, 0, 0, 4, 0, 0, 0})), decode_errc::field_out_of_range, 32);
  // set_process_options_request: call_id @24, process_options @28.
  expect_error(decode(raw_frame(0x38, {1, 0, 0, 0, 0, 0, 0, 0x80})), decode_errc::field_out_of_range, 28);
  // create_process_request: call_id @24, command_line "x" @28..32, process_options @33.
  expect_error(decode(raw_frame(0x32, {1, 0, 0, 0, 1, 0, 0, 0, 'x', 8, 0, 0, 0})), decode_errc::field_out_of_range, 33);
}

TEST(Codec, PidCountOverMaximumIsOutOfRange) {
  // list_processes_reply: call_id @24, hr @28, count @32.
  bytes payload = {1, 0, 0, 0, 0, 0, 0, 0};
  append32(payload, static_cast<std::uint32_t>(max_pid_count + 1));
  expect_error(decode(raw_frame(0x21, payload)), decode_errc::field_out_of_range, 32);
}

TEST(Codec, StringLongerThanMaximumIsStringTooLong) {
  // describe_process_reply: call_id @24, hr @28, exe prefix @32; the bytes are even present.
  bytes payload = {1, 0, 0, 0, 0, 0, 0, 0};
  append32(payload, static_cast<std::uint32_t>(max_string_size + 1));
  payload.resize(payload.size() + max_string_size + 1, 'x');
  append32(payload, 0);
  expect_error(decode(raw_frame(0x23, payload)), decode_errc::string_too_long, 32);
  // Second string field: exe "" @32, description prefix @36; an absurd length allocates nothing.
  expect_error(decode(raw_frame(0x23, {1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF})),
               decode_errc::string_too_long, 36);
}

TEST(Codec, PayloadBytesAfterTheLastFieldAreTrailing) {
  // keepalive with 5 payload bytes: the extra byte is at 28.
  expect_error(decode(raw_frame(0x14, {1, 0, 0, 0, 9})), decode_errc::trailing_bytes, 28);
  // server_shutting_down has no fields at all.
  expect_error(decode(raw_frame(0x50, {0})), decode_errc::trailing_bytes, 24);
}

TEST(Codec, DecodeRejectsBytesAfterTheFrameButDecodePrefixLeavesThem) {
  bytes b = encode(sample_frames()[4]);
  const std::size_t size = b.size();
  b.push_back(0);
  expect_error(decode(b), decode_errc::trailing_bytes, size);
  auto r = decode_prefix(b);
  ASSERT_TRUE(std::holds_alternative<decoded>(r));
  EXPECT_EQ(std::get<decoded>(r).size, size);
}

TEST(Codec, ErrorKindNamesAreDistinct) {
  std::set<std::string_view> names;
  for (int e = 0; e <= static_cast<int>(decode_errc::string_too_long); ++e)
    names.insert(name_of(static_cast<decode_errc>(e)));
  EXPECT_EQ(names.size(), 9u);
  EXPECT_EQ(name_of(decode_errc::bad_checksum), "bad_checksum");
}

// -- totality ----------------------------------------------------------------------------------

TEST(Codec, TruncationAtEveryPositionIsTruncated) {
  for (const auto& f : sample_frames()) {
    const bytes b = encode(f);
    for (std::size_t n = 0; n < b.size(); ++n) {
      // A copy of exactly n bytes, so ASan catches any read past the end.
      const bytes prefix(b.begin(), b.begin() + static_cast<std::ptrdiff_t>(n));
      expect_error(decode(prefix), decode_errc::truncated, n);
      expect_error(decode_prefix(prefix), decode_errc::truncated, n);
    }
  }
}

TEST(Codec, FlippingAnyByteNeverGivesAnotherValidFrame) {
  for (const auto& f : sample_frames()) {
    const bytes b = encode(f);
    for (std::size_t i = 0; i < b.size(); ++i) {
      for (std::uint8_t mask : {0x01, 0x10, 0x80, 0xFF}) {
        bytes m = b;
        m[i] ^= mask;
        auto r = decode(m);
        EXPECT_TRUE(std::holds_alternative<decode_error>(r))
            << name_of(type_of(f.body)) << ": flipping byte " << i << " with " << int(mask)
            << " still decodes";
      }
    }
  }
}

/// Canonical encoding: whatever decodes re-encodes to exactly the same bytes.
void expect_canonical(const bytes& b) {
  auto r = decode(b);
  if (auto* d = std::get_if<decoded>(&r)) {
    EXPECT_EQ(d->size, b.size());
    EXPECT_EQ(encode(d->value), b);
  } else {
    EXPECT_LE(std::get<decode_error>(r).offset, b.size());
  }
}

TEST(Codec, ResealedMutationsDecodeCanonicallyOrFail) {
  // Flip each header/payload byte and fix the CRC, so the payload checks are what is exercised.
  std::size_t decoded_count = 0;
  for (const auto& f : sample_frames()) {
    const bytes b = encode(f);
    for (std::size_t i = 0; i + 4 < b.size(); ++i) {
      for (std::uint8_t mask : {0x01, 0x02, 0x80, 0xFF}) {
        bytes m = b;
        m[i] ^= mask;
        m = reseal(m, /*fix_length=*/false);
        expect_canonical(m);
        decoded_count += std::holds_alternative<decoded>(decode(m));
      }
    }
  }
  EXPECT_GT(decoded_count, 0u);  // the mutations did reach field values that decode
}

TEST(Codec, RandomBytesNeverCrashAndDecodeCanonically) {
  std::mt19937 rng(20240501);  // fixed seed: the same inputs on every run
  const auto samples = sample_frames();
  for (int round = 0; round < 20000; ++round) {
    bytes b;
    if (round % 2 == 0) {
      // Garbage after a valid header prefix, with a correct CRC, so the payload parser runs.
      b = encode(samples[rng() % samples.size()]);
      const std::size_t payload = rng() % 64;
      b.resize(frame_header_size);
      for (std::size_t i = 0; i < payload; ++i) b.push_back(static_cast<std::uint8_t>(rng() % 4 == 0 ? rng() : rng() % 3));
      b.resize(b.size() + 4);
      b = reseal(b);
    } else {
      b.resize(rng() % 80);
      for (auto& x : b) x = static_cast<std::uint8_t>(rng());
    }
    expect_canonical(b);
  }
}

// -- message names ------------------------------------------------------------------------------

TEST(Codec, MessageTypeNamesAndCodesMapBothWays) {
  std::set<std::uint16_t> codes;
  std::set<std::string_view> names;
  for (const auto& f : sample_frames()) {
    const message_type t = type_of(f.body);
    codes.insert(static_cast<std::uint16_t>(t));
    names.insert(name_of(t));
    EXPECT_EQ(message_type_from_name(name_of(t)), t);
  }
  EXPECT_EQ(codes.size(), std::variant_size_v<message>);
  EXPECT_EQ(names.size(), std::variant_size_v<message>);
  EXPECT_EQ(name_of(message_type::disconnect_request), "disconnect_request");
  EXPECT_EQ(type_of(message{process_exited{}}), message_type::process_exited);
  EXPECT_FALSE(message_type_from_name("Disconnect_Request").has_value());
}

TEST(Codec, CallIdOfRequestsRepliesAndNotices) {
  EXPECT_EQ(call_id_of(message{connect_request{42, 1, "", ""}}), 42u);
  EXPECT_EQ(call_id_of(message{error_reply{43, E_FAIL}}), 43u);
  EXPECT_EQ(call_id_of(message{server_shutting_down{}}), 0u);
  EXPECT_EQ(call_id_of(message{process_exited{5, 6}}), 0u);
}

}  // namespace
