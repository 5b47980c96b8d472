// The visitor idiom for std::visit over the tables' variants (calls, actions): one lambda per
// alternative, and a missing alternative is a compile error, not a silent default.
#pragma once

namespace dbgsim {

/// A callable with every lambda's operator().
template <class... Fs>
struct overloaded : Fs... {
  using Fs::operator()...;
};
template <class... Fs>
overloaded(Fs...) -> overloaded<Fs...>;

}  // namespace dbgsim
