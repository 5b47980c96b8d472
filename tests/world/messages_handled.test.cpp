// world::messages_handled, the count world_bench sets beside bare CAF's to print each figure's
// messaging floor (docs/performance.md): it counts every message the world's actors handle.
#include "tests/world/fixture.hpp"

#include <gtest/gtest.h>

namespace dbgsim {
namespace {

using namespace dbgsim::testing;

// An API call is three messages: the world to its driver, the driver's request to the engine,
// the engine's answer. A handle-0 listing is answered in the instant, with no frame.
TEST(MessagesHandled, ALocalCallIsThreeMessages) {
  world w(small_topology(1), 1);
  const auto before = w.messages_handled();
  w.call("eng", api::list_processes{0, 8});
  EXPECT_EQ(w.messages_handled() - before, 3u);
  w.call("eng", api::list_processes{0, 8});
  EXPECT_EQ(w.messages_handled() - before, 6u);
}

// A frame is three messages (to the link, the link's delivery to itself when its delay is up,
// on to the receiver), so a remote listing, with its request and its reply, is the call's three
// and the frames' six.
TEST(MessagesHandled, ARemoteCallAddsThreeMessagesAFrame) {
  world w(small_topology(1), 1);
  const auto h = run_call(w, "eng", api::connect{connect_options}).handle;
  ASSERT_NE(h, 0u);
  const auto before = w.messages_handled();
  const auto frames_before = w.event_count(event_kind::frame_delivered);
  const auto n = w.call("eng", api::list_processes{h, 8});
  w.run_for(5ms);  // Short of the keepalive (1 s): only the call's own frames.
  ASSERT_TRUE(w.result_of("eng", n).has_value());
  EXPECT_EQ(w.event_count(event_kind::frame_delivered) - frames_before, 2u);
  EXPECT_EQ(w.messages_handled() - before, 3u + 2u * 3u);
}

// Building a world starts its actors, which the count includes; equal worlds count alike.
TEST(MessagesHandled, StartingTheActorsCountsAndEqualWorldsCountAlike) {
  world a(small_topology(2), 7);
  world b(small_topology(2), 7);
  EXPECT_GT(a.messages_handled(), 0u);
  for (auto* w : {&a, &b}) {
    run_call(*w, "eng", api::connect{connect_options});
    w->run_for(3s);
  }
  EXPECT_EQ(a.messages_handled(), b.messages_handled());
}

}  // namespace
}  // namespace dbgsim
