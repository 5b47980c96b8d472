// Arbitrary bytes into the frame decoder and the streaming decoder. Checks: decoding is total
// (a frame or a typed error, never a crash); what decodes re-encodes to the same bytes; the
// streaming decoder, fed the same bytes in chunks whose sizes come from the input, yields the
// same frames and the same first error as decoding frame after frame.
#include "protocol/codec.hpp"
#include "protocol/stream_decoder.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <variant>
#include <vector>

namespace {

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "codec_fuzzer: %s\n", what);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace dbgsim::protocol;
  if (size < 1)
    return 0;
  // The first byte picks the chunking: the stream is cut into pieces of (byte % 64) + 1.
  const std::size_t chunk = static_cast<std::size_t>(data[0] % 64) + 1;
  std::span<const std::uint8_t> bytes(data + 1, size - 1);

  // One whole frame.
  auto whole = decode(bytes);
  if (auto* d = std::get_if<decoded>(&whole)) {
    auto again = encode(d->value);
    if (again.size() != bytes.size() || !std::equal(again.begin(), again.end(), bytes.begin()))
      fail("a decoded frame does not re-encode to the same bytes");
  } else if (std::get<decode_error>(whole).offset > bytes.size()) {
    fail("an error offset lies beyond the input");
  }

  // Frame after frame, as the reference for the streaming decoder.
  std::vector<frame> frames;
  std::optional<decode_error> error;
  std::size_t at = 0;
  while (at < bytes.size()) {
    auto r = decode_prefix(bytes.subspan(at));
    if (auto* d = std::get_if<decoded>(&r)) {
      if (d->size == 0 || d->size > bytes.size() - at)
        fail("decode_prefix consumed an impossible number of bytes");
      frames.push_back(d->value);
      at += d->size;
    } else {
      error = std::get<decode_error>(r);
      error->offset += at;
      break;
    }
  }

  stream_decoder stream;
  std::vector<frame> streamed;
  std::optional<decode_error> stream_error;
  for (std::size_t i = 0; i < bytes.size() && !stream_error; i += chunk) {
    stream.feed(bytes.subspan(i, std::min(chunk, bytes.size() - i)));
    while (auto r = stream.next()) {
      if (auto* d = std::get_if<decoded>(&*r)) {
        streamed.push_back(d->value);
      } else {
        stream_error = std::get<decode_error>(*r);
        break;
      }
    }
  }
  if (!stream_error)
    stream_error = stream.finish();
  if (streamed != frames)
    fail("the streaming decoder yields other frames than decode_prefix");
  if (error.has_value() != stream_error.has_value())
    fail("the streaming decoder and decode_prefix disagree on whether the stream is valid");
  if (error && error->code != stream_error->code && error->code != decode_errc::truncated &&
      stream_error->code != decode_errc::truncated)
    fail("the streaming decoder reports another error kind than decode_prefix");
  return 0;
}
