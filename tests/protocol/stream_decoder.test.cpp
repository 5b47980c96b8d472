// The streaming decoder (issue 2, section 5: "the streaming decoder gives the same frames for every
// way of chunking a stream").
#include "protocol/stream_decoder.hpp"
#include "tests/protocol/frames.hpp"
#include "protocol/crc32c.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

namespace {

using namespace dbgsim::protocol;
using bytes = std::vector<std::uint8_t>;

/// Five frames of different types and sizes (strings, a pid list, a notice without fields).
std::vector<frame> five_frames() {
  auto all = dbgsim_test::sample_frames();
  return {all[0], all[10], all[12], all[27], all[28]};
}

using dbgsim_test::concat;

struct outcome {
  std::vector<frame> frames;
  std::optional<decode_error> error;
  std::size_t max_buffered = 0;
  std::size_t max_held = 0;
};

/// Feeds `stream` in chunks of the given sizes, draining next() after every chunk, until the end
/// of the stream (then finish()) or the first error.
outcome run(const bytes& stream, const std::vector<std::size_t>& chunk_sizes) {
  stream_decoder d;
  outcome o;
  std::size_t pos = 0;
  for (std::size_t n : chunk_sizes) {
    n = std::min(n, stream.size() - pos);
    d.feed(std::span<const std::uint8_t>(stream).subspan(pos, n));
    pos += n;
    o.max_buffered = std::max(o.max_buffered, d.buffered());
    o.max_held = std::max(o.max_held, d.held());
    while (auto r = d.next()) {
      if (auto* f = std::get_if<decoded>(&*r)) {
        o.frames.push_back(f->value);
      } else {
        o.error = std::get<decode_error>(*r);
        break;
      }
    }
    if (o.error) break;
  }
  if (!o.error) {
    EXPECT_EQ(pos, stream.size()) << "the chunking did not cover the stream";
    o.error = d.finish();
  }
  return o;
}

std::vector<std::size_t> fixed_chunks(std::size_t total, std::size_t size) {
  return std::vector<std::size_t>((total + size - 1) / size, size);
}

std::vector<std::size_t> random_chunks(std::size_t total, std::mt19937& rng) {
  std::vector<std::size_t> out;
  for (std::size_t pos = 0; pos < total;) {
    // Mostly small chunks, sometimes large ones, so frame boundaries fall everywhere.
    std::size_t n = rng() % 8 == 0 ? 1 + rng() % 400 : 1 + rng() % 13;
    n = std::min(n, total - pos);
    out.push_back(n);
    pos += n;
  }
  return out;
}

TEST(StreamDecoder, EveryFixedChunkSizeYieldsTheSameFrames) {
  const auto frames = five_frames();
  const bytes stream = concat(frames);
  for (std::size_t size = 1; size <= stream.size(); ++size) {
    auto o = run(stream, fixed_chunks(stream.size(), size));
    EXPECT_EQ(o.frames, frames) << "chunk size " << size;
    EXPECT_FALSE(o.error.has_value()) << "chunk size " << size << ": " << o.error->detail;
  }
}

TEST(StreamDecoder, SeededRandomChunkingsYieldTheSameFrames) {
  const auto frames = five_frames();
  const bytes stream = concat(frames);
  std::mt19937 rng(7);  // fixed seed: the same chunkings on every run
  for (int i = 0; i < 200; ++i) {
    auto chunks = random_chunks(stream.size(), rng);
    auto o = run(stream, chunks);
    EXPECT_EQ(o.frames, frames) << "chunking #" << i;
    EXPECT_FALSE(o.error.has_value());
  }
}

TEST(StreamDecoder, NothingBeforeAFrameIsComplete) {
  const bytes b = encode(five_frames()[1]);
  stream_decoder d;
  d.feed(std::span(b).first(b.size() - 1));
  EXPECT_FALSE(d.next().has_value());
  EXPECT_EQ(d.buffered(), b.size() - 1);
  d.feed(std::span(b).last(1));
  auto r = d.next();
  ASSERT_TRUE(r && std::holds_alternative<decoded>(*r));
  EXPECT_EQ(d.buffered(), 0u);
  EXPECT_FALSE(d.next().has_value());
  EXPECT_FALSE(d.finish().has_value());
}

/// A stream whose third frame has a corrupt CRC; returns the offset of that CRC.
std::size_t corrupt_third_crc(bytes& stream) {
  const auto frames = five_frames();
  std::size_t offset = 0;
  for (int i = 0; i < 3; ++i) offset += encode(frames[i]).size();
  const std::size_t crc_at = offset - 4;
  stream[crc_at + 1] ^= 0x40;
  return crc_at;
}

TEST(StreamDecoder, ErrorOffsetsCountFromTheStreamStartForEveryChunking) {
  const auto frames = five_frames();
  bytes stream = concat(frames);
  const std::size_t crc_at = corrupt_third_crc(stream);
  std::mt19937 rng(11);
  std::vector<std::vector<std::size_t>> chunkings;
  for (std::size_t size = 1; size <= stream.size(); size += 3) chunkings.push_back(fixed_chunks(stream.size(), size));
  for (int i = 0; i < 50; ++i) chunkings.push_back(random_chunks(stream.size(), rng));
  for (const auto& c : chunkings) {
    auto o = run(stream, c);
    EXPECT_EQ(o.frames, std::vector<frame>(frames.begin(), frames.begin() + 2));
    ASSERT_TRUE(o.error.has_value());
    EXPECT_EQ(o.error->code, decode_errc::bad_checksum);
    EXPECT_EQ(o.error->offset, crc_at);
  }
}

TEST(StreamDecoder, AFailedStreamKeepsReturningItsError) {
  bytes stream = concat(five_frames());
  const std::size_t crc_at = corrupt_third_crc(stream);
  stream_decoder d;
  d.feed(stream);
  for (int i = 0; i < 2; ++i) ASSERT_TRUE(std::holds_alternative<decoded>(*d.next()));
  for (int i = 0; i < 3; ++i) {
    auto r = d.next();
    ASSERT_TRUE(r.has_value());
    ASSERT_TRUE(std::holds_alternative<decode_error>(*r));
    EXPECT_EQ(std::get<decode_error>(*r).offset, crc_at);
    EXPECT_TRUE(d.failed());
  }
  // Valid bytes fed afterwards change nothing.
  const bytes good = encode(five_frames()[0]);
  d.feed(good);
  auto r = d.next();
  ASSERT_TRUE(r && std::holds_alternative<decode_error>(*r));
  EXPECT_EQ(std::get<decode_error>(*r).code, decode_errc::bad_checksum);
  ASSERT_TRUE(d.finish().has_value());
  EXPECT_EQ(d.finish()->offset, crc_at);
}

TEST(StreamDecoder, HeaderErrorsAreFoundOnceTheHeaderIsInWithStreamOffsets) {
  const auto frames = five_frames();
  bytes stream = concat(frames);
  const std::size_t first = encode(frames[0]).size();
  stream[first + 6] = 0x99;  // the second frame's type
  for (std::size_t size : {1u, 2u, 5u, 24u, 1000u}) {
    auto o = run(stream, fixed_chunks(stream.size(), size));
    EXPECT_EQ(o.frames.size(), 1u);
    ASSERT_TRUE(o.error.has_value());
    EXPECT_EQ(o.error->code, decode_errc::unknown_type);
    EXPECT_EQ(o.error->offset, first + 6);
  }
}

TEST(StreamDecoder, ShortPayloadInsideACompleteFrameIsAnErrorNotAWait) {
  // A complete keepalive frame whose payload is 2 bytes: the codec says truncated at offset 26,
  // before the end of the bytes given, so the stream fails instead of waiting for more.
  frame k{1, 2, keepalive{3}};
  bytes b = encode(k);
  b.erase(b.begin() + 26, b.begin() + 28);
  b[20] = 2;
  bytes body(b.begin(), b.end() - 4);
  const std::uint32_t crc = crc32c(body);
  for (int i = 0; i < 4; ++i) b[b.size() - 4 + i] = static_cast<std::uint8_t>(crc >> (8 * i));
  bytes stream = encode(k);
  stream.insert(stream.end(), b.begin(), b.end());
  stream_decoder d;
  d.feed(stream);
  ASSERT_TRUE(std::holds_alternative<decoded>(*d.next()));
  auto r = d.next();
  ASSERT_TRUE(r.has_value());
  ASSERT_TRUE(std::holds_alternative<decode_error>(*r));
  EXPECT_EQ(std::get<decode_error>(*r).code, decode_errc::truncated);
  EXPECT_EQ(std::get<decode_error>(*r).offset, encode(k).size() + 26);
}

TEST(StreamDecoder, APartialFrameAtTheEndIsTruncatedAtTheStreamEnd) {
  const auto frames = five_frames();
  const bytes full = concat(frames);
  for (std::size_t cut : {full.size() - 1, full.size() - 30, std::size_t{3}}) {
    bytes stream(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(cut));
    auto o = run(stream, fixed_chunks(stream.size(), 7));
    ASSERT_TRUE(o.error.has_value());
    EXPECT_EQ(o.error->code, decode_errc::truncated);
    EXPECT_EQ(o.error->offset, cut);
  }
}

TEST(StreamDecoder, BufferStaysBoundedByOneFramePlusAChunk) {
  // 200 frames, fed in 7-byte chunks and drained after each: the decoder never holds more than
  // the frame being assembled plus the chunk that arrived.
  std::vector<frame> many;
  for (int i = 0; i < 40; ++i)
    for (const auto& f : five_frames()) many.push_back(f);
  const bytes stream = concat(many);
  std::size_t largest = 0;
  for (const auto& f : five_frames()) largest = std::max(largest, encode(f).size());
  auto o = run(stream, fixed_chunks(stream.size(), 7));
  EXPECT_EQ(o.frames, many);
  EXPECT_LE(o.max_buffered, largest + 7);
  EXPECT_LE(o.max_held, largest + 7);  // fails without compaction: it would hold the whole stream
}

}  // namespace
