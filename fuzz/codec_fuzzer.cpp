// Arbitrary bytes into the frame decoder and the streaming decoder. Checks: decoding is total
// (a frame or a typed error at an offset inside the input, never a crash); every frame that
// decodes re-encodes to exactly the bytes it came from; the streaming decoder, fed the same bytes
// in chunks whose sizes come from the input, yields the same frames and the same first error as
// decoding frame after frame, and holds no more than one frame plus one chunk.
//
// Input layout: byte 0's top two bits say how many leading bytes (1-4) give chunk sizes, each
// (byte % 64) + 1, used in turn; the stream is everything after those bytes.
#include "protocol/codec.hpp"
#include "protocol/stream_decoder.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <span>
#include <variant>
#include <vector>

namespace {

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "codec_fuzzer: %s\n", what);
  std::abort();
}

bool same_bytes(const std::vector<std::uint8_t>& a, std::span<const std::uint8_t> b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace dbgsim::protocol;
  if (size < 1)
    return 0;
  const std::size_t chunk_bytes = std::min<std::size_t>((data[0] >> 6) + 1, size);
  std::vector<std::size_t> chunks;
  for (std::size_t i = 0; i < chunk_bytes; ++i)
    chunks.push_back(static_cast<std::size_t>(data[i] % 64) + 1);
  std::span<const std::uint8_t> bytes(data + chunk_bytes, size - chunk_bytes);

  // The whole input as one frame.
  auto whole = decode(bytes);
  if (auto* d = std::get_if<decoded>(&whole)) {
    if (d->size != bytes.size() || !same_bytes(encode(d->value), bytes))
      fail("a decoded frame does not re-encode to the same bytes");
  } else {
    const auto& e = std::get<decode_error>(whole);
    if (e.offset > bytes.size())
      fail("an error offset lies beyond the input");
    if (e.detail.empty() || name_of(e.code).empty())
      fail("a decode error without a kind name or a detail");
  }

  // Frame after frame, as the reference for the streaming decoder; each frame must re-encode to
  // the very bytes it was decoded from.
  std::vector<frame> frames;
  std::optional<decode_error> error;
  std::size_t at = 0;
  while (at < bytes.size()) {
    auto r = decode_prefix(bytes.subspan(at));
    if (auto* d = std::get_if<decoded>(&r)) {
      if (d->size == 0 || d->size > bytes.size() - at || d->size > max_frame_size)
        fail("decode_prefix consumed an impossible number of bytes");
      if (!same_bytes(encode(d->value), bytes.subspan(at, d->size)))
        fail("a frame from decode_prefix does not re-encode to its bytes");
      frames.push_back(d->value);
      at += d->size;
    } else {
      error = std::get<decode_error>(r);
      if (error->offset > bytes.size() - at)
        fail("a decode_prefix error offset lies beyond the input");
      error->offset += at;
      break;
    }
  }

  stream_decoder stream;
  std::vector<frame> streamed;
  std::optional<decode_error> stream_error;
  std::size_t fed = 0;
  for (std::size_t k = 0; fed < bytes.size() && !stream_error; ++k) {
    const std::size_t n = std::min(chunks[k % chunks.size()], bytes.size() - fed);
    stream.feed(bytes.subspan(fed, n));
    fed += n;
    while (auto r = stream.next()) {
      if (auto* d = std::get_if<decoded>(&*r)) {
        streamed.push_back(d->value);
      } else {
        stream_error = std::get<decode_error>(*r);
        break;
      }
    }
    if (!stream_error && stream.held() > max_frame_size + n)
      fail("the streaming decoder holds more than one frame plus the last chunk");
  }
  if (!stream_error)
    stream_error = stream.finish();
  if (stream_error && stream_error->offset > bytes.size())
    fail("a streaming error offset lies beyond the input");
  if (streamed != frames)
    fail("the streaming decoder yields other frames than decode_prefix");
  if (error.has_value() != stream_error.has_value())
    fail("the streaming decoder and decode_prefix disagree on whether the stream is valid");
  // A stream cut short may be judged truncated by one and a kind of bad field by the other only
  // when the bytes end inside the frame; any other disagreement is a bug.
  if (error && error->code != stream_error->code && error->code != decode_errc::truncated &&
      stream_error->code != decode_errc::truncated)
    fail("the streaming decoder reports another error kind than decode_prefix");
  return 0;
}
