#include "fuzz/client_input.hpp"

#include "fuzz/disconnect_input.hpp"

#include <array>

namespace dbgsim::fuzz {
namespace {

using namespace std::chrono_literals;
using fk = finding_kind;

/// Delays between records, by the low nibble of a record's first byte: zeros so that faults
/// come in one instant (a reset with a partition), up to several seconds so that a schedule
/// spans a program's retries and the lease.
constexpr std::array<sim_time, 16> delays = {0ms,   0ms,   1ms,    10ms,  50ms,  100ms,
                                             250ms, 500ms, 1000ms, 1500ms, 2000ms, 3000ms,
                                             4000ms, 5000ms, 7000ms, 10000ms};

/// Faults by a record's op byte (mod 16): an advance now and then, resets, partitions and heals
/// more often than the rest, since they are what programs meet most.
constexpr std::array<std::optional<action_kind>, 16> ops = {
    std::nullopt,                 action_kind::partition,    action_kind::heal,
    action_kind::reset,           action_kind::half_open,    action_kind::set_link,
    action_kind::crash_server,    action_kind::restart_server, action_kind::exit_process,
    action_kind::reset,           action_kind::partition,    action_kind::heal,
    action_kind::set_link,        action_kind::half_open,    action_kind::reset,
    std::nullopt,
};

}  // namespace

const std::vector<fuzz_client>& fuzz_clients() {
  // Allowed sets: what each program's shipped scenario (scenarios/c-*.yaml) declares.
  static const std::vector<fuzz_client> clients = {
      // c-ghidra-agent-never-disconnects: it never gives its handle up. What it does under faults
      // besides (C7 when its connect or create fails, C4 when a reset takes its session) is found
      // within a few executions: the row that shows the fuzzer and `repro --client` at work.
      {"ghidra_agent", {std::string(client_world_options), "notepad.exe", "1000"},
       {fk::leaked_handle}},
      // c-careful-client-recovers: written to the rules, so any finding is a bug of the program
      // or of the model. It debugs notepad.exe for 5 s across reconnects and gives up cleanly
      // after a minute without a session.
      {"careful_client", {std::string(client_world_options), "4242", "5000", "60000"}, {}},
      // The other shipped programs are left out: each shows its documented mistake under most
      // faults (that is what its scenario demonstrates), so as fuzz targets they are noise.
  };
  return clients;
}

const fuzz_client* find_fuzz_client(const std::string& program) {
  for (const auto& c : fuzz_clients())
    if (c.program == program)
      return &c;
  return nullptr;
}

client_world decode_client_input(std::span<const std::uint8_t> input) {
  byte_reader in(input);
  const auto& row = fuzz_clients()[in.byte() % fuzz_clients().size()];
  client_world w;
  w.program = row.program;
  w.args = row.args;
  const std::uint8_t shape = in.byte();
  w.second_server = (shape & 1) != 0;
  w.second_engine = (shape & 2) != 0;
  w.link = static_cast<std::uint8_t>((shape >> 2) & 7);
  w.seed = 1 + static_cast<std::uint64_t>(in.byte());
  sim_time at{0};
  while (in.remaining() > 0 && w.faults.size() < client_world_max_faults) {
    const std::uint8_t time = in.byte();
    const std::uint8_t op = in.byte();
    const std::uint8_t a = in.byte();
    const std::uint8_t b = in.byte();
    client_fault f;
    f.after = delays[time & 15];
    if (at + f.after > client_world_max_time)
      break;
    at += f.after;
    f.kind = ops[op % ops.size()];
    f.server = a & 1;
    f.way = static_cast<std::uint8_t>((a >> 1) & 3);
    f.profile = b;
    f.process = b;
    w.faults.push_back(f);
  }
  return w;
}

const std::vector<finding_kind>& allowed_of_client_input(std::span<const std::uint8_t> input) {
  const std::uint8_t first = input.empty() ? 0 : input[0];
  return fuzz_clients()[first % fuzz_clients().size()].allowed;
}

}  // namespace dbgsim::fuzz
