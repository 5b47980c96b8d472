// An event a record may come to keep for a violation's excerpt: one pointer while it has none.
// Internal to the oracle (see oracle/detail/state.hpp).
#pragma once

#include "vocabulary/event.hpp"

#include <memory>

namespace dbgsim::oracle_detail {

/// An optional event stored out of line. Why not std::optional<event>: an event is about 256
/// bytes, most records never get most of their optional events (a session's end, its options, a
/// served disconnect, its release), and a world of 10,000 idle sessions kept ~1 KiB of empty
/// optionals per session. Reads like std::optional: assign an event, test, dereference.
class event_box {
public:
  event_box() = default;
  event_box(const event_box& other) : p_(other.p_ ? std::make_unique<event>(*other.p_) : nullptr) {}
  event_box(event_box&&) noexcept = default;
  event_box& operator=(const event_box& other) {
    if (this != &other)
      p_ = other.p_ ? std::make_unique<event>(*other.p_) : nullptr;
    return *this;
  }
  event_box& operator=(event_box&&) noexcept = default;
  ~event_box() = default;

  /// Keeps a copy of `e` (replacing any event kept before).
  event_box& operator=(const event& e) {
    if (p_)
      *p_ = e;
    else
      p_ = std::make_unique<event>(e);
    return *this;
  }

  /// Drops the event kept, if any.
  void reset() { p_.reset(); }

  /// Whether an event is kept.
  explicit operator bool() const { return p_ != nullptr; }
  /// The event kept; only when there is one.
  const event& operator*() const { return *p_; }
  /// The event kept; only when there is one.
  const event* operator->() const { return p_.get(); }

private:
  std::unique_ptr<event> p_;
};

}  // namespace dbgsim::oracle_detail
