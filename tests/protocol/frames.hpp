// Frames shared by the protocol tests.
#pragma once

#include "protocol/codec.hpp"

#include <cstdint>
#include <vector>

namespace dbgsim_test {

/// One frame of every message type (codec.test.cpp).
std::vector<dbgsim::protocol::frame> sample_frames();

/// The frames encoded one after another, as a stream carries them.
inline std::vector<std::uint8_t> concat(const std::vector<dbgsim::protocol::frame>& frames) {
  std::vector<std::uint8_t> out;
  for (const auto& f : frames) {
    auto b = dbgsim::protocol::encode(f);
    out.insert(out.end(), b.begin(), b.end());
  }
  return out;
}

}  // namespace dbgsim_test
