#include "protocol/crc32c.hpp"

#include <array>
#include <cstring>

namespace dbgsim::protocol {
namespace {

constexpr std::uint32_t castagnoli_reflected = 0x82F63B78u;

// tables[0] is the classic byte table; tables[k][i] is the CRC of byte i followed by k zero
// bytes, so eight bytes fold in with eight lookups and no dependency between them
// ("slicing-by-8").
constexpr std::array<std::array<std::uint32_t, 256>, 8> make_tables() {
  std::array<std::array<std::uint32_t, 256>, 8> t{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int bit = 0; bit < 8; ++bit)
      c = (c & 1u) ? (c >> 1) ^ castagnoli_reflected : c >> 1;
    t[0][i] = c;
  }
  for (std::size_t k = 1; k < 8; ++k)
    for (std::uint32_t i = 0; i < 256; ++i)
      t[k][i] = (t[k - 1][i] >> 8) ^ t[0][t[k - 1][i] & 0xFFu];
  return t;
}

constexpr auto tables = make_tables();

std::uint32_t sliced(const std::uint8_t* p, std::size_t n, std::uint32_t crc) {
  for (; n >= 8; p += 8, n -= 8) {
    // Little-endian assembly by hand, so that the result does not depend on the host's order.
    const std::uint32_t lo = (std::uint32_t{p[0]} | std::uint32_t{p[1]} << 8 |
                              std::uint32_t{p[2]} << 16 | std::uint32_t{p[3]} << 24) ^
                             crc;
    crc = tables[7][lo & 0xFFu] ^ tables[6][(lo >> 8) & 0xFFu] ^ tables[5][(lo >> 16) & 0xFFu] ^
          tables[4][lo >> 24] ^ tables[3][p[4]] ^ tables[2][p[5]] ^ tables[1][p[6]] ^
          tables[0][p[7]];
  }
  for (; n > 0; ++p, --n)
    crc = tables[0][(crc ^ *p) & 0xFFu] ^ (crc >> 8);
  return crc;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
__attribute__((target("sse4.2"))) std::uint32_t hardware(const std::uint8_t* p, std::size_t n,
                                                          std::uint32_t crc) {
  std::uint64_t c = crc;
  for (; n >= 8; p += 8, n -= 8) {
    std::uint64_t word;
    std::memcpy(&word, p, 8);  // x86 is little-endian, as the instruction expects.
    c = __builtin_ia32_crc32di(c, word);
  }
  auto c32 = static_cast<std::uint32_t>(c);
  for (; n > 0; ++p, --n)
    c32 = __builtin_ia32_crc32qi(c32, *p);
  return c32;
}

// Decided once per process; the CPU does not change under a running program. Read before its
// initialisation (from another file's static initialiser) it is false: the portable path.
const bool has_crc_instruction = __builtin_cpu_supports("sse4.2");
#endif

}  // namespace

std::uint32_t crc32c(std::span<const std::uint8_t> bytes, std::uint32_t crc) {
  crc = ~crc;
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  if (has_crc_instruction)
    return ~hardware(bytes.data(), bytes.size(), crc);
#endif
  return ~sliced(bytes.data(), bytes.size(), crc);
}

std::uint32_t crc32c_portable(std::span<const std::uint8_t> bytes, std::uint32_t crc) {
  return ~sliced(bytes.data(), bytes.size(), ~crc);
}

std::uint32_t crc32c_bytewise(std::span<const std::uint8_t> bytes, std::uint32_t crc) {
  crc = ~crc;
  for (std::uint8_t b : bytes)
    crc = tables[0][(crc ^ b) & 0xFFu] ^ (crc >> 8);
  return ~crc;
}

}  // namespace dbgsim::protocol
