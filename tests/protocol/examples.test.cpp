// The captured streams checked in under scenarios/examples/ (used by `dbgsim decode` and the
// README's main command). This test re-encodes the frames each file should hold and compares them
// byte for byte, so the files can never silently rot when the codec changes.
//
// To regenerate the files after a deliberate change to the wire format:
//   DBGSIM_REGENERATE_EXAMPLES=1 build/default/tests/protocol_tests --gtest_filter='Examples.*'
// then review `git diff --stat scenarios/examples` and commit the new files with the change.
#include "protocol/stream_decoder.hpp"
#include "tests/protocol/frames.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace {

using namespace dbgsim::protocol;
using bytes = std::vector<std::uint8_t>;

constexpr std::uint64_t session = 0x00010000DB65E55Eull;  // high bits in use, as rule S1 wants
constexpr std::uint32_t incarnation = 1;

/// A clean session: connect, list processes, disconnect (rules S1, S6, S17).
std::vector<frame> handshake_frames() {
  return {
      {0, 0, connect_request{1, protocol_version, "engine-a", "Secr3t"}},
      {session, incarnation, connect_accepted{1, session, incarnation}},
      {session, incarnation, list_processes_request{2, 16}},
      {session, incarnation, list_processes_reply{2, S_OK, {4, 512, 1024}, 3}},
      {session, incarnation, disconnect_request{3}},
      {session, incarnation, disconnect_ack{3}},
  };
}

using dbgsim_test::concat;

/// The offset of frame `index`'s CRC in concat(frames).
std::size_t crc_offset(const std::vector<frame>& frames, std::size_t index) {
  std::size_t end = 0;
  for (std::size_t i = 0; i <= index; ++i) end += encode(frames[i]).size();
  return end - frame_trailer_size;
}

struct example {
  std::string file;
  bytes content;
  std::vector<frame> frames;                // what a decoder yields before any error
  std::optional<decode_errc> error;         // the stream's error, if any
  std::size_t error_offset = 0;
};

std::vector<example> examples() {
  std::vector<example> out;
  const auto hs = handshake_frames();
  out.push_back({"handshake.bin", concat(hs), hs, std::nullopt, 0});

  // The third frame's CRC has one bit flipped: decoding stops at that CRC.
  bytes bad = concat(hs);
  const std::size_t crc_at = crc_offset(hs, 2);
  bad[crc_at] ^= 0x01;
  out.push_back({"bad-checksum.bin", bad, {hs[0], hs[1]}, decode_errc::bad_checksum, crc_at});

  // The capture ends in the middle of the fourth frame (a connection that closed mid-frame).
  bytes cut = concat(hs);
  const std::size_t cut_at = crc_offset(hs, 2) + frame_trailer_size + 10;
  cut.resize(cut_at);
  out.push_back({"truncated.bin", cut, {hs[0], hs[1], hs[2]}, decode_errc::truncated, cut_at});
  return out;
}

std::string path_of(const std::string& file) {
  return std::string(DBGSIM_SOURCE_DIR) + "/scenarios/examples/" + file;
}

bool regenerating() {
  const char* v = std::getenv("DBGSIM_REGENERATE_EXAMPLES");
  return v != nullptr && std::string(v) == "1";
}

TEST(Examples, CheckedInFilesMatchTheirFrames) {
  for (const auto& ex : examples()) {
    SCOPED_TRACE(ex.file);
    if (regenerating()) {
      std::ofstream out(path_of(ex.file), std::ios::binary | std::ios::trunc);
      out.write(reinterpret_cast<const char*>(ex.content.data()), static_cast<std::streamsize>(ex.content.size()));
      ASSERT_TRUE(out.good()) << "cannot write " << path_of(ex.file);
      continue;
    }
    std::ifstream in(path_of(ex.file), std::ios::binary);
    ASSERT_TRUE(in.good()) << "missing " << path_of(ex.file)
                           << " (DBGSIM_REGENERATE_EXAMPLES=1 writes it)";
    const bytes on_disk((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(on_disk, ex.content) << "the checked-in file differs from what the codec encodes; "
                                      "regenerate with DBGSIM_REGENERATE_EXAMPLES=1 if intended";
  }
}

TEST(Examples, EachDecodesToItsFramesAndError) {
  for (const auto& ex : examples()) {
    SCOPED_TRACE(ex.file);
    stream_decoder d;
    d.feed(ex.content);
    std::vector<frame> got;
    std::optional<decode_error> error;
    while (auto r = d.next()) {
      if (auto* f = std::get_if<decoded>(&*r)) {
        got.push_back(f->value);
      } else {
        error = std::get<decode_error>(*r);
        break;
      }
    }
    if (!error) error = d.finish();
    EXPECT_EQ(got, ex.frames);
    ASSERT_EQ(error.has_value(), ex.error.has_value());
    if (error) {
      EXPECT_EQ(error->code, *ex.error) << error->detail;
      EXPECT_EQ(error->offset, ex.error_offset);
    }
  }
}

}  // namespace
