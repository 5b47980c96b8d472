// Every list of names in dbgsim (API calls, scenario actions, faults, trace event kinds, reasons,
// timers, server states, planted bugs) is one X-macro table, declared once. This header turns
// such a table into an enum with its names, a lookup by name and the list of every value, so the
// loader, the writer, the trace, the oracle, --help texts and `dbgsim schema` all derive from it.
//
// A table is a macro taking a macro: `#define DBGSIM_FRUITS(X) X(apple, "apple", ...) ...`. Rows
// start with the C++ identifier and the name users read; further columns are the table's own.
#pragma once

#include "protocol/table.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace dbgsim {

/// Specialised by DBGSIM_NAMED_ENUM for each table's enum: `names` in declaration order.
template <class E>
struct enum_names;

/// The name of an enum value from its table ("handle_born", "reuse-handles").
template <class E>
constexpr std::string_view name_of(E value)
  requires requires { enum_names<E>::names; }
{
  return enum_names<E>::names[static_cast<std::size_t>(value)];
}

/// The value a name stands for, or nothing.
template <class E>
constexpr std::optional<E> from_name(std::string_view name) {
  for (std::size_t i = 0; i < enum_names<E>::names.size(); ++i)
    if (enum_names<E>::names[i] == name)
      return static_cast<E>(i);
  return std::nullopt;
}

/// Every value of the enum, in declaration order.
template <class E>
constexpr auto all_values() {
  std::array<E, enum_names<E>::names.size()> out{};
  for (std::size_t i = 0; i < out.size(); ++i)
    out[i] = static_cast<E>(i);
  return out;
}

/// How many values the enum has.
template <class E>
inline constexpr std::size_t value_count = enum_names<E>::names.size();

}  // namespace dbgsim

/// Declares `enum class Type` from TABLE's identifiers (in any namespace).
#define DBGSIM_ENUM(Type, TABLE) enum class Type : std::uint8_t { TABLE(DBGSIM_ROW_ID) }

/// Registers TABLE's names for the enum `Type` (fully qualified; in namespace dbgsim).
#define DBGSIM_ENUM_NAMES(Type, TABLE)                         \
  template <>                                                  \
  struct enum_names<Type> {                                    \
    static constexpr std::array names{TABLE(DBGSIM_ROW_NAME)}; \
  }

/// Both of the above, for an enum declared in namespace dbgsim.
#define DBGSIM_NAMED_ENUM(Type, TABLE) \
  DBGSIM_ENUM(Type, TABLE);            \
  DBGSIM_ENUM_NAMES(Type, TABLE)
