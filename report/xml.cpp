#include "report/xml.hpp"

#include <cstdint>

namespace dbgsim {
namespace {

constexpr std::string_view replacement = "\xEF\xBF\xBD";  // U+FFFD

// The length of the valid UTF-8 sequence at text[i] and its code point; 0 when invalid.
std::size_t utf8_at(std::string_view text, std::size_t i, std::uint32_t& cp) {
  const auto b = static_cast<unsigned char>(text[i]);
  std::size_t len;
  std::uint32_t min;
  if (b < 0x80) {
    cp = b;
    return 1;
  } else if (b >= 0xc2 && b <= 0xdf) {
    len = 2, min = 0x80, cp = b & 0x1f;
  } else if (b >= 0xe0 && b <= 0xef) {
    len = 3, min = 0x800, cp = b & 0x0f;
  } else if (b >= 0xf0 && b <= 0xf4) {
    len = 4, min = 0x10000, cp = b & 0x07;
  } else {
    return 0;
  }
  if (i + len > text.size())
    return 0;
  for (std::size_t k = 1; k < len; ++k) {
    const auto c = static_cast<unsigned char>(text[i + k]);
    if ((c & 0xc0) != 0x80)
      return 0;
    cp = (cp << 6) | (c & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
    return 0;
  return len;
}

// XML 1.0's Char production.
bool xml_char(std::uint32_t cp) {
  return cp == 0x9 || cp == 0xa || cp == 0xd || (cp >= 0x20 && cp <= 0xd7ff) ||
         (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
}

}  // namespace

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    std::uint32_t cp = 0;
    const auto len = utf8_at(text, i, cp);
    if (len == 0) {
      out += replacement;
      ++i;
      continue;
    }
    if (!xml_char(cp)) {
      out += replacement;
    } else {
      switch (cp) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&apos;"; break;
        case '\r': out += "&#13;"; break;
        default: out.append(text.substr(i, len));
      }
    }
    i += len;
  }
  return out;
}

}  // namespace dbgsim
