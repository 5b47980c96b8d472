#include "vocabulary/trace_schema.hpp"

#include <array>
#include <sstream>

namespace dbgsim {
namespace {

#define DBGSIM_KIND_FIELDS(id, name, who, fields, what, doc) std::uint32_t{fields},
#define DBGSIM_KIND_WHAT(id, name, who, fields, what, doc) what_kind::what,
#define DBGSIM_KIND_WHO(id, name, who, fields, what, doc) std::string_view{who},
#define DBGSIM_KIND_DOC(id, name, who, fields, what, doc) std::string_view{doc},
constexpr std::array kind_fields{DBGSIM_EVENT_KINDS(DBGSIM_KIND_FIELDS)};
constexpr std::array kind_what{DBGSIM_EVENT_KINDS(DBGSIM_KIND_WHAT)};
constexpr std::array kind_who{DBGSIM_EVENT_KINDS(DBGSIM_KIND_WHO)};
constexpr std::array kind_doc{DBGSIM_EVENT_KINDS(DBGSIM_KIND_DOC)};

#define DBGSIM_REASON_KINDS(id, name, kinds, doc) std::uint32_t{kinds},
#define DBGSIM_REASON_DOC(id, name, kinds, doc) std::string_view{doc},
constexpr std::array reason_kinds{DBGSIM_REASONS(DBGSIM_REASON_KINDS)};
constexpr std::array reason_doc{DBGSIM_REASONS(DBGSIM_REASON_DOC)};

// The other tables' last column is their description.
#define DBGSIM_THIRD(id, name, doc) std::string_view{doc},
constexpr std::array timer_doc{DBGSIM_TIMERS(DBGSIM_THIRD)};
constexpr std::array fault_doc{DBGSIM_FAULTS(DBGSIM_THIRD)};
constexpr std::array state_doc{DBGSIM_SERVER_STATES(DBGSIM_THIRD)};
constexpr std::array field_doc{DBGSIM_EVENT_FIELDS(DBGSIM_THIRD)};

template <class E>
std::size_t index(E e) {
  return static_cast<std::size_t>(e);
}

bool sets(const event& e, event_field f) {
  switch (f) {
    case event_field::actor: return !e.actor.empty();
    case event_field::peer: return !e.peer.empty();
    case event_field::to: return !e.to.empty();
    case event_field::call: return e.call != 0;
    case event_field::api: return e.api.has_value();
    case event_field::handle: return e.handle != 0;
    case event_field::conn: return e.conn != 0;
    case event_field::session: return e.session != 0;
    case event_field::inc: return e.incarnation != 0;
    case event_field::pid: return e.pid != 0;
    case event_field::hr: return e.hr.has_value();
    case event_field::what: return !std::holds_alternative<std::monostate>(e.what);
    case event_field::reason: return e.reason.has_value();
    case event_field::detail: return !e.detail.empty();
    case event_field::value: return e.value != 0;
    case event_field::frame: return e.frame != 0;
    case event_field::program: return !e.program.empty();
  }
  return false;
}

what_kind what_held(const event_what& w) {
  switch (w.index()) {
    case 1: return what_kind::message;
    case 2: return what_kind::fault;
    case 3: return what_kind::timer;
    case 4: return what_kind::state;
    default: return what_kind::none;
  }
}

// Markdown helpers.
std::string code(std::string_view s) { return "`" + std::string(s) + "`"; }

template <class E>
std::string value_list() {
  std::string out;
  for (auto v : all_values<E>())
    out += (out.empty() ? "" : ", ") + code(name_of(v));
  return out;
}

}  // namespace

std::uint32_t fields_of(event_kind k) { return kind_fields[index(k)]; }
what_kind what_of(event_kind k) { return kind_what[index(k)]; }
std::string_view recorder_of(event_kind k) { return kind_who[index(k)]; }
std::string_view description_of(event_kind k) { return kind_doc[index(k)]; }
std::uint32_t kinds_of(reason_kind r) { return reason_kinds[index(r)]; }
std::string_view description_of(reason_kind r) { return reason_doc[index(r)]; }
std::string_view description_of(timer_kind t) { return timer_doc[index(t)]; }
std::string_view description_of(fault_kind f) { return fault_doc[index(f)]; }
std::string_view description_of(server_state s) { return state_doc[index(s)]; }
std::string_view description_of(event_field f) { return field_doc[index(f)]; }

std::vector<std::string> problems_of(const event& e) {
  std::vector<std::string> out;
  const auto kind = std::string(name_of(e.kind));
  for (auto f : all_values<event_field>())
    if (sets(e, f) && (fields_of(e.kind) & (1u << index(f))) == 0)
      out.push_back(kind + " sets `" + std::string(name_of(f)) + "`, which the schema does not list");
  const auto held = what_held(e.what);
  // A `what` on a kind without one is already reported as a field the schema does not list.
  if (held != what_kind::none && what_of(e.kind) != what_kind::none && held != what_of(e.kind))
    out.push_back(kind + " holds a " + std::string(name_of(held)) + " in `what`; the schema says " +
                  std::string(name_of(what_of(e.kind))));
  if (e.reason && (kinds_of(*e.reason) & (1u << index(e.kind))) == 0)
    out.push_back(kind + " carries reason `" + std::string(name_of(*e.reason)) +
                  "`, which the schema does not list for it");
  return out;
}

std::string schema_markdown() {
  std::ostringstream o;
  o << "# Trace format\n\n"
       "<!-- This file is the output of `dbgsim schema`; tests/scenario/schema.test.cpp fails when "
       "they differ. Edit the tables in vocabulary/event.hpp, then run "
       "`dbgsim schema > docs/trace-format.md`. -->\n\n"
       "A trace is JSON lines, one event per line, in the order events happened. Every line has "
       "`t` (simulated time in µs since the world started) and `ev` (the kind); the other fields "
       "appear only when set, in the order of the field table below. Numbers are decimal except "
       "`handle` and `session`, which are hex strings.\n\n";
  o << "## Fields\n\n| field | meaning |\n|---|---|\n";
  for (auto f : all_values<event_field>())
    o << "| " << code(name_of(f)) << " | " << description_of(f) << " |\n";
  o << "\n## Event kinds\n\n| kind | recorded by | fields | `what` | meaning |\n|---|---|---|---|---|\n";
  for (auto k : all_values<event_kind>()) {
    std::string fields;
    for (auto f : all_values<event_field>())
      if ((fields_of(k) & (1u << index(f))) != 0)
        fields += (fields.empty() ? "" : ", ") + std::string(name_of(f));
    std::string reasons;
    for (auto r : all_values<reason_kind>())
      if ((kinds_of(r) & (1u << index(k))) != 0)
        reasons += (reasons.empty() ? "" : ", ") + code(name_of(r));
    o << "| " << code(name_of(k)) << " | " << recorder_of(k) << " | " << fields << " | "
      << (what_of(k) == what_kind::none ? "" : std::string(name_of(what_of(k)))) << " | "
      << description_of(k) << (reasons.empty() ? "" : "; reasons: " + reasons) << " |\n";
  }
  o << "\n## Values of `reason`\n\n| reason | meaning | carried by |\n|---|---|---|\n";
  for (auto r : all_values<reason_kind>()) {
    std::string kinds;
    for (auto k : all_values<event_kind>())
      if ((kinds_of(r) & (1u << index(k))) != 0)
        kinds += (kinds.empty() ? "" : ", ") + code(name_of(k));
    o << "| " << code(name_of(r)) << " | " << description_of(r) << " | " << kinds << " |\n";
  }
  o << "\n## Values of `what`\n\n### message (`frame_*` events)\n\n";
  std::string messages;
  for (auto m : protocol::all_message_types())
    messages += (messages.empty() ? "" : ", ") + code(protocol::name_of(m));
  o << messages << " (docs/protocol.md)\n\n### fault (`fault` events)\n\n| fault | meaning |\n|---|---|\n";
  for (auto f : all_values<fault_kind>())
    o << "| " << code(name_of(f)) << " | " << description_of(f) << " |\n";
  o << "\n`exit_process` is recorded as a `process_exited` event, not as a `fault`.\n";
  o << "\n### timer (`timer` events)\n\n| timer | meaning |\n|---|---|\n";
  for (auto t : all_values<timer_kind>())
    o << "| " << code(name_of(t)) << " | " << description_of(t) << " |\n";
  o << "\n### state (`server_state` events)\n\n| state | meaning |\n|---|---|\n";
  for (auto s : all_values<server_state>())
    o << "| " << code(name_of(s)) << " | " << description_of(s) << " |\n";
  o << "\n## Values of `api`\n\n" << value_list<api::call_kind>() << "\n\n## Values of `hr`\n\n";
  std::string codes;
  for (auto n : protocol::hresult_names())
    codes += (codes.empty() ? "" : ", ") + code(n);
  o << codes << ", or `0x%08X` for a code without a name.\n";
  return o.str();
}

}  // namespace dbgsim
