// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78): the checksum that closes every frame.
#pragma once

#include <cstdint>
#include <span>

namespace dbgsim::protocol {

/// Continues a CRC-32C over `bytes`; start with `crc = 0`. crc32c("123456789") == 0xE3069283.
/// Uses the CPU's CRC-32C instruction where there is one (x86-64 with SSE4.2), eight bytes at
/// a time otherwise; every path gives the same value as crc32c_bytewise.
std::uint32_t crc32c(std::span<const std::uint8_t> bytes, std::uint32_t crc = 0);

/// The same checksum eight bytes at a time without the CPU's instruction (what crc32c uses
/// where there is none).
std::uint32_t crc32c_portable(std::span<const std::uint8_t> bytes, std::uint32_t crc = 0);

/// The same checksum one byte at a time, from its definition: the reference the faster paths
/// are tested against.
std::uint32_t crc32c_bytewise(std::span<const std::uint8_t> bytes, std::uint32_t crc = 0);

}  // namespace dbgsim::protocol
