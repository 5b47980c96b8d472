// How disconnect_fuzzer's input bytes encode a scenario. The same decoding serves the fuzzer, which
// plays the scenario, and `dbgsim repro`, which writes it as a file, so a finding replays with
// `dbgsim run` exactly as the fuzzer ran it.
//
// Layout (docs/fuzzing.md has the tables): an 11-byte header, then 4-byte step records.
//   byte 0   engines (1 + bits 0-1), servers (1 + bit 2), password on srv1 (bit 3) and srv2
//            (bit 4), srv2 on srv1's machine (bit 5)
//   byte 1   sync disconnect per engine (bits 0-3), detach_on_exit per engine (bits 4-7)
//   byte 2   the world's seed (1 + byte)
//   3..10    one byte per (engine, server) link, engine-major: a link profile per direction
//            (low nibble engine → server, high nibble server → engine)
//   steps    [time, op, a, b]: time's low nibble is the delay since the previous step, bits 4-5
//            the engine; op picks the action; a and b are its arguments
// Missing bytes read as zero; records stop at max_steps or when simulated time passes max_time.
#pragma once

#include "scenario/scenario.hpp"

#include <cstddef>
#include <cstdint>
#include <span>

namespace dbgsim::fuzz {

/// Reads bounded values from the input, front to back; past the end every read gives 0.
class byte_reader {
public:
  explicit byte_reader(std::span<const std::uint8_t> bytes) : bytes_(bytes) {}

  /// The next byte, or 0 past the end.
  std::uint8_t byte() { return at_ < bytes_.size() ? bytes_[at_++] : 0; }

  /// Bytes not yet read.
  std::size_t remaining() const { return bytes_.size() - at_; }

private:
  std::span<const std::uint8_t> bytes_;
  std::size_t at_ = 0;
};

/// Size of the header before the step records.
inline constexpr std::size_t header_size = 11;
/// Size of one step record.
inline constexpr std::size_t step_size = 4;
/// Most steps an input encodes; the rest of the input is ignored.
inline constexpr std::size_t max_steps = 32;
/// Steps due after this much simulated time are not decoded, so every run stays short.
inline constexpr sim_time max_time = std::chrono::seconds(3);

/// The timing every decoded scenario uses: the semantics' defaults scaled down so that a settled
/// run spans a few simulated seconds.
timing fuzz_timing();

/// The scenario that `input` encodes. Total: every byte string gives a scenario that loads and
/// runs (names are bound by earlier steps before they are used; literals otherwise). Steps carry
/// no `expect`: any result passes and the oracle judges.
scenario decode_disconnect_input(std::span<const std::uint8_t> input);

}  // namespace dbgsim::fuzz
