// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78): the checksum that closes every frame.
#pragma once

#include <cstdint>
#include <span>

namespace dbgsim::protocol {

/// Continues a CRC-32C over `bytes`; start with `crc = 0`. crc32c("123456789") == 0xE3069283.
std::uint32_t crc32c(std::span<const std::uint8_t> bytes, std::uint32_t crc = 0);

}  // namespace dbgsim::protocol
