// XML 1.0 text for the SVG chart and the JUnit report: one escaping function, so both are
// well-formed whatever a scenario file held.
#pragma once

#include <string>
#include <string_view>

namespace dbgsim {

/// `text` for XML 1.0 attribute values and element content: `& < > " '` as entities, CR as
/// `&#13;`; every character XML 1.0 does not allow (controls other than tab and newline,
/// U+FFFE, U+FFFF) and every byte that is not part of valid UTF-8 (overlong forms, surrogates,
/// stray continuation bytes) becomes U+FFFD. Tab and newline stay as they are.
std::string xml_escape(std::string_view text);

}  // namespace dbgsim
