// The fuzz corpora (fuzz/corpus/*/, docs/fuzzing.md) replayed over a socket into a live process
// server, one connection per file: the codec corpus cut into the chunks its first bytes name
// (as codec_fuzzer cuts it), the others in one write. Whatever a file holds, its connection ends
// or is served, and the server is alive and serving afterwards.
#include "tests/live/server_harness.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace dbgsim::live {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

std::vector<fs::path> corpus_files() {
  std::vector<fs::path> out;
  for (const auto& dir : fs::directory_iterator(fs::path(DBGSIM_SOURCE_DIR) / "fuzz" / "corpus"))
    if (dir.is_directory())
      for (const auto& f : fs::directory_iterator(dir.path()))
        if (f.is_regular_file())
          out.push_back(f.path());
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::uint8_t> read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// The chunk sizes and the stream of a codec_fuzzer input (fuzz/codec_fuzzer.cpp's layout).
std::pair<std::vector<std::size_t>, std::vector<std::uint8_t>> codec_input(
    const std::vector<std::uint8_t>& data) {
  if (data.empty())
    return {{1}, {}};
  const std::size_t n = std::min<std::size_t>((data[0] >> 6) + 1, data.size());
  std::vector<std::size_t> chunks;
  for (std::size_t i = 0; i < n; ++i)
    chunks.push_back(static_cast<std::size_t>(data[i] % 64) + 1);
  return {chunks, std::vector<std::uint8_t>(data.begin() + n, data.end())};
}

TEST(SocketReplay, EveryCorpusFileOverASocketLeavesTheServerServing) {
  server_host_options o;
  o.limits.handshake_deadline = 1s;
  timing t;
  t.lease = 60s;
  testing::server_fixture srv(t, o);
  testing::test_client normal(srv.port());
  ASSERT_TRUE(normal.connect());
  const std::vector<std::uint32_t> pids{4242, 4343, 4444};
  ASSERT_EQ(normal.list(), pids);

  const auto files = corpus_files();
  ASSERT_GE(files.size(), 50u) << "the corpora were not found";
  std::size_t codec_files = 0;
  for (const auto& file : files) {
    SCOPED_TRACE(file.string());
    const auto data = read_bytes(file);
    const auto accepted_before = srv.on_runtime([&] { return srv.host().counts().accepted; });
    testing::raw_peer peer(srv.port());
    if (file.parent_path().filename() == "codec_fuzzer") {
      ++codec_files;
      auto [chunks, stream] = codec_input(data);
      std::size_t at = 0;
      for (std::size_t i = 0; at < stream.size(); ++i) {
        const auto n = std::min(chunks[i % chunks.size()], stream.size() - at);
        if (peer.write_fails(std::span(stream).subspan(at, n)))
          break;  // The server closed it: the bytes were not frames.
        at += n;
        std::this_thread::sleep_for(1ms);  // Separate reads, as the chunks are meant.
      }
    } else {
      peer.write_fails(data);
    }
    peer.close();
    // The connection ends (by the server's decision or the FIN), and nothing else does.
    auto gone = [&] {
      return srv.on_runtime([&] {
        return srv.host().counts().accepted > accepted_before && srv.host().connections() == 1;
      });
    };
    const auto until = std::chrono::steady_clock::now() + 5s;
    while (!gone() && std::chrono::steady_clock::now() < until)
      std::this_thread::sleep_for(2ms);
    ASSERT_EQ(srv.on_runtime([&] { return srv.host().connections(); }), 1u);
  }
  EXPECT_GT(codec_files, 0u);
  EXPECT_EQ(normal.list(), pids);
  EXPECT_TRUE(srv.on_runtime([&] { return srv.host().running(); }));
  testing::test_client after(srv.port());
  auto r = after.connect();
  ASSERT_TRUE(r);
  EXPECT_TRUE(std::holds_alternative<protocol::connect_accepted>(r->body));
  EXPECT_EQ(srv.inspect().sessions.size(), 2u);
}

}  // namespace
}  // namespace dbgsim::live
