// Cuts a byte stream that arrives in arbitrary chunks into frames, as a TCP transport needs.
#pragma once

#include "protocol/codec.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace dbgsim::protocol {

/// Accumulates bytes and yields whole frames; after the first error it yields only that error.
class stream_decoder {
 public:
  /// Appends the next chunk of the stream.
  void feed(std::span<const std::uint8_t> chunk);

  /// The next complete frame, the stream's error, or nothing when more bytes are needed.
  /// Error offsets count from the first byte ever fed.
  std::optional<decode_result> next();

  /// Bytes fed but not yet consumed by a frame.
  std::size_t buffered() const { return buffer_.size() - start_; }

  /// Bytes held in memory, consumed or not: at most one partial frame plus the last chunk fed
  /// when next() is drained after every feed (the buffer is compacted on feed).
  std::size_t held() const { return buffer_.size(); }

  /// True once the stream has failed; a failed stream stays failed.
  bool failed() const { return error_.has_value(); }

  /// The stream has ended (e.g. the connection closed): call after next() returned nothing.
  /// Gives the stream's error, `truncated` at the stream's end when a partial frame is left over
  /// (the stream then stays failed with it), or nothing for a stream that ended between frames.
  std::optional<decode_error> finish();

 private:
  /// Records an error found at `e.offset` from buffer_[start_]; returns it with its stream offset.
  decode_result fail(decode_error e);

  std::vector<std::uint8_t> buffer_;
  std::size_t start_ = 0;      ///< First unconsumed byte of buffer_.
  std::size_t consumed_ = 0;   ///< Stream offset of buffer_[start_].
  std::optional<decode_error> error_;
};

}  // namespace dbgsim::protocol
