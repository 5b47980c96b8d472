// Arbitrary strings into the transport-option parser, both forms (a server's `dbgsrv -t` string
// and a client's connect string). Checks: parsing is total (a transport_options or an
// options_error with a message whose offset lies within the string); what parses prints
// (to_string) and re-parses to the same fields; the printed form is canonical (printing the
// re-parsed fields gives the same text); endpoint_of is total on whatever parsed.
#include "protocol/transport.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <variant>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace dbgsim::protocol;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (auto side : {options_side::server, options_side::client}) {
    auto r = parse_transport(text, side);
    if (auto* err = std::get_if<options_error>(&r)) {
      if (err->offset > text.size() || err->message.empty()) {
        std::fprintf(stderr, "options_fuzzer: error offset %zu beyond %zu bytes or no message\n",
                     err->offset, text.size());
        std::abort();
      }
      continue;
    }
    const auto& parsed = std::get<transport_options>(r);
    const auto printed = to_string(parsed);
    auto again = parse_transport(printed, side);
    if (!std::holds_alternative<transport_options>(again) ||
        std::get<transport_options>(again) != parsed) {
      std::fprintf(stderr, "options_fuzzer: '%.*s' prints as '%s', which does not re-parse equal\n",
                   static_cast<int>(text.size()), text.data(), printed.c_str());
      std::abort();
    }
    if (to_string(std::get<transport_options>(again)) != printed) {
      std::fprintf(stderr, "options_fuzzer: '%s' re-parses and prints differently\n",
                   printed.c_str());
      std::abort();
    }
    if (endpoint_of(parsed).empty()) {
      std::fprintf(stderr, "options_fuzzer: '%s' parses with an empty endpoint\n", printed.c_str());
      std::abort();
    }
  }
  return 0;
}
