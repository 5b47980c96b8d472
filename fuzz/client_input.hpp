// How client_fuzzer's input bytes encode a client world (scenario/client_world.hpp): which bundled
// program runs, the world around it, and the faults spread over its run. The same decoding serves
// the fuzzer, which plays the world, and `dbgsim repro --client`, which writes it as a file, so a
// finding replays with `dbgsim run` exactly as the fuzzer ran it.
//
// Layout (docs/fuzzing.md has the tables): a 3-byte header, then 4-byte fault records.
//   byte 0   the program: an index into fuzz_clients() (mod its size)
//   byte 1   srv2 (bit 0), the bystander engine eng2 (bit 1), the first link profile (bits 2-4)
//   byte 2   the world's seed (1 + byte)
//   records  [time, op, a, b]: time's low nibble is the delay since the previous record; op picks
//            the fault (or an advance); a: the server (bit 0) and the way (bits 1-2); b: the link
//            profile (set_link) or the process (exit_process)
// Missing bytes read as zero; records stop at client_world_max_faults or past
// client_world_max_time (to_scenario drops the rest).
#pragma once

#include "scenario/client_world.hpp"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace dbgsim::fuzz {

/// A bundled program client_fuzzer runs: what it is called, the args it gets in the client world,
/// and the findings it may show there (those its shipped scenario in scenarios/ declares).
struct fuzz_client {
  std::string program;
  std::vector<std::string> args;
  std::vector<finding_kind> allowed;
};

/// The fuzzable bundled programs, in the order byte 0 picks them.
const std::vector<fuzz_client>& fuzz_clients();

/// The row of `program`, or nullptr.
const fuzz_client* find_fuzz_client(const std::string& program);

/// Size of the header before the fault records.
inline constexpr std::size_t client_header_size = 3;
/// Size of one fault record.
inline constexpr std::size_t client_record_size = 4;

/// The client world `input` encodes. Total: every byte string gives a world whose scenario loads
/// and runs.
client_world decode_client_input(std::span<const std::uint8_t> input);

/// The findings the program of `input` may show (its fuzz_clients() row).
const std::vector<finding_kind>& allowed_of_client_input(std::span<const std::uint8_t> input);

}  // namespace dbgsim::fuzz
