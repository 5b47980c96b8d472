// A name interned once per process: one pointer wide, so that the names events, routes and
// packets carry (engines, servers, machines, links, endpoints, programs) copy as a pointer and
// compare equal by one pointer comparison, where a std::string copied its text at every hop and
// compared it character by character in every ordered map.
//
// What stays as it was: a symbol reads as its text everywhere (it converts to const std::string&,
// prints, formats and orders by its text), so an ordered container keyed by symbols walks in the
// same order as one keyed by strings, and nothing of a pointer's value reaches a trace.
//
// The pool never frees a text: a name lives as long as the process. A world's names are few and
// repeat across worlds (a sweep of 1,000 seeds interns the same dozen names), and a name read from
// a file is bounded by that file. Free text (an options string, a decode error, a password) is not
// a name and stays a std::string.
#pragma once

#include <fmt/format.h>

#include <compare>
#include <cstddef>
#include <functional>
#include <iosfwd>
#include <string>
#include <string_view>

namespace dbgsim {

/// An interned name: reads as its text, copies and compares equal as a pointer.
class symbol {
public:
  /// The empty name.
  symbol() noexcept : text_(empty_text()) {}
  /// The name `text`, interned (thread-safe).
  symbol(std::string_view text) : text_(intern(text)) {}  // NOLINT: reads as a string
  /// The name `text`, interned (thread-safe).
  symbol(const std::string& text) : symbol(std::string_view(text)) {}  // NOLINT
  /// The name `text`, interned (thread-safe).
  symbol(const char* text) : symbol(std::string_view(text)) {}  // NOLINT

  /// Its text, which lives as long as the process.
  const std::string& str() const noexcept { return *text_; }
  /// Its text, which lives as long as the process.
  operator const std::string&() const noexcept { return *text_; }  // NOLINT: reads as a string
  /// Its text as a view.
  std::string_view view() const noexcept { return *text_; }
  /// Its text as a view.
  operator std::string_view() const noexcept { return *text_; }  // NOLINT: reads as a string

  /// Whether it is the empty name.
  bool empty() const noexcept { return text_->empty(); }
  /// Its text's length.
  std::size_t size() const noexcept { return text_->size(); }
  /// Its text, NUL-terminated.
  const char* c_str() const noexcept { return text_->c_str(); }

  friend bool operator==(symbol a, symbol b) noexcept { return a.text_ == b.text_; }
  friend bool operator==(symbol a, const std::string& b) noexcept { return *a.text_ == b; }
  friend bool operator==(symbol a, std::string_view b) noexcept { return a.view() == b; }
  friend bool operator==(symbol a, const char* b) noexcept { return a.view() == b; }
  // By text, so that ordered containers walk in name order whatever the pool's addresses.
  friend std::strong_ordering operator<=>(symbol a, symbol b) noexcept {
    return a.text_ == b.text_ ? std::strong_ordering::equal : a.view() <=> b.view();
  }
  friend std::strong_ordering operator<=>(symbol a, const std::string& b) noexcept {
    return a.view() <=> std::string_view(b);
  }
  friend std::strong_ordering operator<=>(symbol a, std::string_view b) noexcept {
    return a.view() <=> b;
  }
  friend std::strong_ordering operator<=>(symbol a, const char* b) noexcept {
    return a.view() <=> std::string_view(b);
  }

  friend std::string operator+(symbol a, symbol b) { return a.str() + b.str(); }
  friend std::string operator+(symbol a, const std::string& b) { return a.str() + b; }
  friend std::string operator+(const std::string& a, symbol b) { return a + b.str(); }
  friend std::string operator+(symbol a, const char* b) { return a.str() + b; }
  friend std::string operator+(const char* a, symbol b) { return a + b.str(); }
  friend std::string operator+(symbol a, char b) { return a.str() + b; }

  /// Hashes the identity, which is the text's (equal texts are one symbol). Only for containers
  /// that are searched, never walked where the order could reach a trace.
  std::size_t hash() const noexcept { return std::hash<const void*>{}(text_); }

private:
  static const std::string* empty_text() noexcept;
  static const std::string* intern(std::string_view text);

  const std::string* text_;
};

/// Writes the symbol's text.
std::ostream& operator<<(std::ostream& out, symbol s);

}  // namespace dbgsim

template <>
struct std::hash<dbgsim::symbol> {
  std::size_t operator()(dbgsim::symbol s) const noexcept { return s.hash(); }
};

template <>
struct fmt::formatter<dbgsim::symbol> : fmt::formatter<std::string_view> {
  template <class Context>
  auto format(dbgsim::symbol s, Context& ctx) const {
    return fmt::formatter<std::string_view>::format(s.view(), ctx);
  }
};
