// The trace's schema, derived from the tables of vocabulary/event.hpp: `dbgsim schema` prints it
// (docs/trace-format.md is that output, and a test holds the two together), and `problems_of`
// checks an event against it, so a run that emits a field or value the schema does not list
// fails a test instead of silently escaping the oracle.
#pragma once

#include "vocabulary/event.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace dbgsim {

/// The fields a kind of event may set (bits by event_field).
std::uint32_t fields_of(event_kind k);

/// Which enum a kind's `what` holds.
what_kind what_of(event_kind k);

/// Who records a kind ("engine", "world", ...).
std::string_view recorder_of(event_kind k);

/// What a kind of event means, in one sentence.
std::string_view description_of(event_kind k);

/// The kinds that may carry a reason (bits by event_kind).
std::uint32_t kinds_of(reason_kind r);

/// What a reason means.
std::string_view description_of(reason_kind r);

/// What a timer is.
std::string_view description_of(timer_kind t);

/// What a fault does.
std::string_view description_of(fault_kind f);

/// What a server state means.
std::string_view description_of(server_state s);

/// What a field holds.
std::string_view description_of(event_field f);

/// Where `e` departs from the schema: a field its kind does not set, a `what` of the wrong enum,
/// a reason its kind does not carry. Empty for a conforming event.
std::vector<std::string> problems_of(const event& e);

/// The schema as Markdown: every kind with its fields, every value of every enum field.
std::string schema_markdown();

}  // namespace dbgsim
