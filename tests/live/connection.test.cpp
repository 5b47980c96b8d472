// live/connection on real sockets on 127.0.0.1: the streaming decoder meets real partial reads
// and coalesced writes; malformed bytes, a huge announced length, a full read buffer, a full
// write queue and a missed deadline end that one connection; close() and reset() are a FIN and a
// RST as the peer sees them.
#include "tests/live/connection_harness.hpp"

#include <gtest/gtest.h>

#include <asio/ip/tcp.hpp>

#include <map>
#include <string>
#include <vector>

namespace dbgsim::live {
namespace {

using namespace std::chrono_literals;
using testing::raw_peer;

/// What one connection told its owner.
struct heard {
  std::vector<protocol::frame> frames;
  std::optional<close_reason> closed;
  std::string detail;
  bool connected = false;
};

/// A runtime with a listener on 127.0.0.1 port 0 whose accepted connections the test holds.
class ConnectionTest : public ::testing::Test {
protected:
  ConnectionTest() : acceptor_(rt_.context(), {testing::loopback(), 0}) {}

  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

  /// Accepts the next connection, with `limits`, and starts it.
  std::shared_ptr<connection> accept(connection_limits limits = {}) {
    std::shared_ptr<connection> c;
    auto h = std::make_shared<heard>();
    acceptor_.async_accept([&, h](const std::error_code& ec, asio::ip::tcp::socket s) {
      ASSERT_FALSE(ec) << ec.message();
      c = connection::adopt(rt_, std::move(s), limits);
      c->start(handlers_for(h));
    });
    EXPECT_TRUE(rt_.run_until([&] { return c != nullptr; }, 5s));
    heard_[c.get()] = h;
    return c;
  }

  connection::handlers handlers_for(const std::shared_ptr<heard>& h) {
    connection::handlers out;
    out.on_connected = [h] { h->connected = true; };
    out.on_frame = [h](protocol::frame f) { h->frames.push_back(std::move(f)); };
    out.on_closed = [h](close_reason r, const std::string& d) {
      EXPECT_FALSE(h->closed) << "on_closed came twice";
      h->closed = r;
      h->detail = d;
    };
    return out;
  }

  heard& of(const std::shared_ptr<connection>& c) { return *heard_.at(c.get()); }

  bool run_until(const std::function<bool()>& done, real_duration limit = 5s) {
    return rt_.run_until(done, limit);
  }

  static protocol::frame keepalive(std::uint32_t id) {
    return protocol::frame{0x5E55000000000001ull, 1, protocol::keepalive{id}};
  }

  runtime rt_;
  asio::ip::tcp::acceptor acceptor_;
  std::map<connection*, std::shared_ptr<heard>> heard_;
};

TEST_F(ConnectionTest, AFrameWrittenOneByteAtATimeArrivesWhole) {
  raw_peer peer(port());
  auto c = accept();
  const protocol::frame sent{0, 0, protocol::connect_request{7, 1, "eng", "s3cret"}};
  const auto bytes = protocol::encode(sent);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    peer.write(std::span(bytes).subspan(i, 1));
    // Let the runtime read each byte on its own, so the decoder sees real partial reads.
    rt_.run_for(2ms);
    if (i + 1 < bytes.size()) {
      ASSERT_TRUE(of(c).frames.empty()) << "a frame before its last byte, at byte " << i;
    }
  }
  ASSERT_TRUE(run_until([&] { return of(c).frames.size() == 1; }));
  EXPECT_EQ(of(c).frames[0], sent);
  EXPECT_EQ(c->bytes_received(), bytes.size());
  EXPECT_FALSE(of(c).closed);
}

TEST_F(ConnectionTest, ManyFramesInOneWriteArriveInOrder) {
  raw_peer peer(port());
  auto c = accept();
  std::vector<std::uint8_t> all;
  std::vector<protocol::frame> sent;
  for (std::uint32_t i = 1; i <= 500; ++i) {
    sent.push_back(keepalive(i));
    auto b = protocol::encode(sent.back());
    all.insert(all.end(), b.begin(), b.end());
  }
  peer.write(all);  // 16,000 bytes in one write: several frames per read.
  ASSERT_TRUE(run_until([&] { return of(c).frames.size() == sent.size(); }));
  EXPECT_EQ(of(c).frames, sent);
  EXPECT_FALSE(of(c).closed);
}

TEST_F(ConnectionTest, FramesQueuedTogetherLeaveAndArriveInOrder) {
  raw_peer peer(port());
  auto c = accept();
  for (std::uint32_t i = 1; i <= 300; ++i)
    ASSERT_TRUE(c->send(keepalive(i)));
  rt_.run_for(50ms);
  for (std::uint32_t i = 1; i <= 300; ++i) {
    auto f = peer.read_frame();
    ASSERT_TRUE(f) << "frame " << i;
    EXPECT_EQ(*f, keepalive(i));
  }
}

TEST_F(ConnectionTest, GarbageEndsOnlyThatConnectionNamingTheByteOffset) {
  raw_peer bad(port());
  auto bad_c = accept();
  raw_peer good(port());
  auto good_c = accept();
  // One good frame first, so the error's offset counts from the stream's start, not the frame's.
  bad.write(keepalive(1));
  std::vector<std::uint8_t> garbage(64, 0xAB);
  bad.write(garbage);
  ASSERT_TRUE(run_until([&] { return of(bad_c).closed.has_value(); }));
  EXPECT_EQ(*of(bad_c).closed, close_reason::decode_error);
  const auto at = "bad_magic at byte " + std::to_string(protocol::encode(keepalive(1)).size());
  EXPECT_EQ(of(bad_c).detail.rfind(at, 0), 0u) << of(bad_c).detail;
  EXPECT_EQ(of(bad_c).frames.size(), 1u);
  EXPECT_EQ(bad.read_to_end(), asio::error::connection_reset);
  // The other connection is untouched, both ways.
  good.write(keepalive(2));
  ASSERT_TRUE(run_until([&] { return of(good_c).frames.size() == 1; }));
  ASSERT_TRUE(good_c->send(keepalive(3)));
  rt_.run_for(10ms);
  EXPECT_EQ(good.read_frame(), keepalive(3));
  EXPECT_FALSE(of(good_c).closed);
}

TEST_F(ConnectionTest, AHugeAnnouncedLengthEndsTheConnectionAtTheHeader) {
  raw_peer peer(port());
  auto c = accept();
  auto bytes = protocol::encode(keepalive(1));
  bytes[20] = bytes[21] = bytes[22] = bytes[23] = 0xFF;  // length 4 GiB
  bytes.resize(protocol::frame_header_size);             // and nothing after the header
  peer.write(bytes);
  ASSERT_TRUE(run_until([&] { return of(c).closed.has_value(); }));
  EXPECT_EQ(*of(c).closed, close_reason::decode_error);
  EXPECT_EQ(of(c).detail.rfind("bad_length at byte 20", 0), 0u) << of(c).detail;
  EXPECT_LE(c->held_bytes(), protocol::frame_header_size);  // Nothing allocated for it.
}

TEST_F(ConnectionTest, TheLargestFrameIsNoError) {
  // Near miss of the two above: a frame far larger than any keepalive, within every maximum.
  raw_peer peer(port());
  auto c = accept();
  protocol::list_processes_reply r{1, protocol::S_OK, {}, protocol::max_pid_count};
  for (std::uint32_t i = 0; i < protocol::max_pid_count; ++i)
    r.pids.push_back(1000 + i);
  const protocol::frame big{1, 1, r};
  peer.write(protocol::encode(big));
  ASSERT_TRUE(run_until([&] { return of(c).frames.size() == 1; }));
  EXPECT_EQ(of(c).frames[0], big);
  EXPECT_FALSE(of(c).closed);
}

TEST_F(ConnectionTest, APartialFramePastTheReadBoundEndsTheConnection) {
  protocol::list_processes_reply r{1, protocol::S_OK, std::vector<std::uint32_t>(4000, 7), 4000};
  const auto bytes = protocol::encode(protocol::frame{1, 1, r});  // 16,044 bytes
  connection_limits tight;
  tight.max_read_buffer = 4096;
  {
    raw_peer peer(port());
    auto c = accept(tight);
    peer.write(std::span(bytes).first(8000));
    ASSERT_TRUE(run_until([&] { return of(c).closed.has_value(); }));
    EXPECT_EQ(*of(c).closed, close_reason::read_buffer_full);
    EXPECT_NE(of(c).detail.find("bound 4096"), std::string::npos) << of(c).detail;
  }
  // Near miss: the same frame under the default bound arrives.
  raw_peer peer(port());
  auto c = accept();
  peer.write(bytes);
  ASSERT_TRUE(run_until([&] { return of(c).frames.size() == 1; }));
  EXPECT_FALSE(of(c).closed);
}

TEST_F(ConnectionTest, ASilentPeerMissesTheHandshakeDeadline) {
  connection_limits limits;
  limits.handshake_deadline = 100ms;
  raw_peer peer(port());
  const auto t0 = std::chrono::steady_clock::now();
  auto c = accept(limits);
  ASSERT_TRUE(run_until([&] { return of(c).closed.has_value(); }, 3s));
  EXPECT_EQ(*of(c).closed, close_reason::handshake_timeout);
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 100ms);
  EXPECT_EQ(peer.read_to_end(), asio::error::connection_reset);
}

TEST_F(ConnectionTest, ASlowWriterMissesTheIdleDeadline) {
  connection_limits limits;
  limits.handshake_deadline = 300ms;
  limits.idle_deadline = 300ms;
  raw_peer peer(port());
  auto c = accept(limits);
  const auto bytes = protocol::encode(keepalive(1));
  // One byte per 50 ms: bytes keep coming, but no whole frame within the deadline.
  for (std::size_t i = 0; i < bytes.size() && !of(c).closed; ++i) {
    if (peer.write_fails(std::span(bytes).subspan(i, 1)))
      break;
    rt_.run_for(50ms);
  }
  ASSERT_TRUE(run_until([&] { return of(c).closed.has_value(); }, 3s));
  EXPECT_EQ(*of(c).closed, close_reason::handshake_timeout);
  EXPECT_TRUE(of(c).frames.empty());
}

TEST_F(ConnectionTest, FramesWithinTheIdleDeadlineKeepTheConnection) {
  // Near miss: a frame every 50 ms against a 300 ms deadline, for three deadlines' time.
  connection_limits limits;
  limits.handshake_deadline = 300ms;
  limits.idle_deadline = 300ms;
  raw_peer peer(port());
  auto c = accept(limits);
  for (std::uint32_t i = 1; i <= 18; ++i) {
    peer.write(keepalive(i));
    rt_.run_for(50ms);
  }
  EXPECT_FALSE(of(c).closed);
  EXPECT_EQ(of(c).frames.size(), 18u);
  // And once they stop, the idle deadline ends it.
  ASSERT_TRUE(run_until([&] { return of(c).closed.has_value(); }, 3s));
  EXPECT_EQ(*of(c).closed, close_reason::idle_timeout);
}

TEST_F(ConnectionTest, APeerThatDoesNotReadFillsTheWriteQueue) {
  connection_limits limits;
  limits.max_write_queue = 256 * 1024;
  raw_peer peer(port());
  ::setsockopt(peer.socket().native_handle(), SOL_SOCKET, SO_RCVBUF, "\0\x10\0\0", 4);
  auto c = accept(limits);
  protocol::list_processes_reply r{1, protocol::S_OK, std::vector<std::uint32_t>(8000, 7), 8000};
  const protocol::frame big{1, 1, r};  // 32 KB each; the peer never reads
  int sent = 0;
  while (c->open() && sent < 10'000) {
    c->send(big);
    ++sent;
    rt_.run_for(1ms);
  }
  ASSERT_TRUE(run_until([&] { return of(c).closed.has_value(); }));
  EXPECT_EQ(*of(c).closed, close_reason::write_queue_full);
  EXPECT_LT(sent, 10'000);
  EXPECT_EQ(c->queued_bytes(), 0u);  // The queue is let go with the connection.
}

TEST_F(ConnectionTest, CloseSendsWhatIsQueuedThenAFin) {
  raw_peer peer(port());
  auto c = accept();
  for (std::uint32_t i = 1; i <= 20; ++i)
    c->send(keepalive(i));
  c->close();
  EXPECT_FALSE(c->open());
  EXPECT_FALSE(c->send(keepalive(99)));  // Nothing more once closed.
  ASSERT_TRUE(run_until([&] { return of(c).closed.has_value(); }));
  EXPECT_EQ(*of(c).closed, close_reason::closed_here);
  for (std::uint32_t i = 1; i <= 20; ++i)
    EXPECT_EQ(peer.read_frame(), keepalive(i));
  EXPECT_EQ(peer.read_to_end(), asio::error::eof);
}

TEST_F(ConnectionTest, ResetIsARstThePeerSees) {
  raw_peer peer(port());
  auto c = accept();
  c->reset();
  ASSERT_TRUE(run_until([&] { return of(c).closed.has_value(); }));
  EXPECT_EQ(*of(c).closed, close_reason::reset_here);
  EXPECT_EQ(peer.read_to_end(), asio::error::connection_reset);
}

TEST_F(ConnectionTest, ThePeersFinAndRstAreToldApart) {
  raw_peer closing(port());
  auto a = accept();
  raw_peer resetting(port());
  auto b = accept();
  closing.close();
  resetting.reset();
  ASSERT_TRUE(run_until([&] { return of(a).closed && of(b).closed; }));
  EXPECT_EQ(*of(a).closed, close_reason::peer_closed);
  EXPECT_EQ(*of(b).closed, close_reason::peer_reset);
}

TEST_F(ConnectionTest, AnOutgoingConnectionCarriesFramesBothWaysAndQueuesBeforeItIsUp) {
  auto h = std::make_shared<heard>();
  auto out = connection::connect(rt_, {testing::loopback(), port()});
  out->start(handlers_for(h));
  ASSERT_TRUE(out->send(keepalive(1)));  // Before it is up: queued.
  auto in = accept();
  ASSERT_TRUE(run_until([&] { return h->connected && of(in).frames.size() == 1; }));
  EXPECT_EQ(of(in).frames[0], keepalive(1));
  in->send(keepalive(2));
  ASSERT_TRUE(run_until([&] { return h->frames.size() == 1; }));
  EXPECT_EQ(h->frames[0], keepalive(2));
  in->reset();
  ASSERT_TRUE(run_until([&] { return h->closed.has_value(); }));
  EXPECT_EQ(*h->closed, close_reason::peer_reset);
}

TEST_F(ConnectionTest, AnOutgoingConnectionToNoListenerIsRefused) {
  const auto free_port = port();
  acceptor_.close();  // Nothing listens there now.
  auto h = std::make_shared<heard>();
  auto out = connection::connect(rt_, {testing::loopback(), free_port});
  out->start(handlers_for(h));
  ASSERT_TRUE(run_until([&] { return h->closed.has_value(); }));
  EXPECT_EQ(*h->closed, close_reason::refused);
  EXPECT_FALSE(h->connected);
}

}  // namespace
}  // namespace dbgsim::live
