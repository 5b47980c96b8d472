// Helpers for X-macro tables, the form every list of names in dbgsim takes (one declaration, all
// else derived; vocabulary/names.hpp builds enums and name lookups on top). Here, at the bottom
// layer, because the wire's own message table uses them too.
#pragma once

#include <string_view>
#include <variant>

// Column pickers for rows of the form X(identifier, "name", ...).
#define DBGSIM_ROW_ID(id, ...) id,
#define DBGSIM_ROW_NAME(id, name, ...) std::string_view{name},
// For tables whose name is the identifier itself (the wire's messages).
#define DBGSIM_ROW_NAME_OF_ID(id, ...) std::string_view{#id},

namespace dbgsim {

/// std::variant<Ts...> without the last of Ts: a table's rows each end in a comma, so a variant
/// of its types is written `variant_without_last<TABLE(DBGSIM_ROW_ID) void>`.
template <class Done, class... Ts>
struct drop_last;
template <class... Done, class Last>
struct drop_last<std::variant<Done...>, Last> {
  using type = std::variant<Done...>;
};
template <class... Done, class T, class U, class... Rest>
struct drop_last<std::variant<Done...>, T, U, Rest...> {
  using type = typename drop_last<std::variant<Done..., T>, U, Rest...>::type;
};
template <class... Ts>
using variant_without_last = typename drop_last<std::variant<>, Ts...>::type;

}  // namespace dbgsim
