#include "protocol/stream_decoder.hpp"

#include <string>
#include <utility>

namespace dbgsim::protocol {

void stream_decoder::feed(std::span<const std::uint8_t> chunk) {
  if (error_) return;  // a failed stream stays failed; its bytes are no longer needed
  if (start_ > 0) {
    // Compact: drop the frames already handed out, so the buffer holds at most one partial
    // frame (< max_frame_size) plus the new chunk.
    buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(start_));
    start_ = 0;
  }
  buffer_.insert(buffer_.end(), chunk.begin(), chunk.end());
}

std::optional<decode_result> stream_decoder::next() {
  if (error_) return decode_result{*error_};
  const std::size_t available = buffered();
  if (available == 0) return std::nullopt;
  auto r = decode_prefix(std::span<const std::uint8_t>(buffer_).subspan(start_));
  if (auto* d = std::get_if<decoded>(&r)) {
    start_ += d->size;
    consumed_ += d->size;
    return r;
  }
  auto& e = std::get<decode_error>(r);
  // The frame is incomplete (decode_prefix reports `truncated` at exactly the number of bytes it
  // was given); wait for more. A `truncated` inside a complete frame's payload has an offset
  // before the payload's end and is final.
  if (e.code == decode_errc::truncated && e.offset == available) return std::nullopt;
  return fail(std::move(e));
}

std::optional<decode_error> stream_decoder::finish() {
  if (error_) return error_;
  if (buffered() == 0) return std::nullopt;
  auto r = decode_prefix(std::span<const std::uint8_t>(buffer_).subspan(start_));
  if (auto* e = std::get_if<decode_error>(&r)) {
    fail(std::move(*e));
    return error_;
  }
  return std::nullopt;  // a whole frame is still waiting for next()
}

decode_result stream_decoder::fail(decode_error e) {
  e.detail = "in the frame at stream offset " + std::to_string(consumed_) + ": " + e.detail;
  e.offset += consumed_;
  error_ = std::move(e);
  buffer_.clear();
  buffer_.shrink_to_fit();
  start_ = 0;
  return *error_;
}

}  // namespace dbgsim::protocol
