// Connection setup on the links (actors/link.hpp): an engine opens a connection before its first
// frame, the link accepts it when that frame reaches a listening server or refuses it when
// nothing listens (S3), and every fault applies to the connection from its first moment (S19).
#include "fixture.hpp"

#include "actors/environment.hpp"
#include "protocol/codec.hpp"
#include "protocol/hresult.hpp"

#include <caf/all.hpp>

#include <algorithm>

namespace dbgsim::testing {
namespace {

using namespace protocol;

/// The position of the first event of kind `k` (with `what` `text`, if given), or -1.
long first(const world& w, event_kind k, const std::string& text = "") {
  const auto& es = w.events();
  auto i = std::find_if(es.begin(), es.end(), [&](const event& e) {
    return e.kind == k && (text.empty() || what_text(e) == text);
  });
  return i == es.end() ? -1 : static_cast<long>(i - es.begin());
}

link_params slow() {
  link_params lp;
  lp.latency = 20ms;
  return lp;
}

TEST(Connections, S3_AConnectionIsOpenedThenAcceptedBeforeItsFirstFrameIsDelivered) {
  world w(small_topology(1), 1);
  ASSERT_NE(connect(w), 0u);
  const auto opened = first(w, event_kind::connection_opened);
  const auto accepted = first(w, event_kind::connection_accepted);
  const auto delivered = first(w, event_kind::frame_delivered, "connect_request");
  ASSERT_GE(opened, 0);
  EXPECT_LT(opened, accepted);
  EXPECT_LT(accepted, delivered) << "the server learns of the connection before its first frame";
  const auto& o = w.events()[static_cast<std::size_t>(opened)];
  EXPECT_EQ(o.actor, "eng<->srv");
  EXPECT_EQ(o.peer, "eng");
  EXPECT_EQ(o.conn, 1u);
  EXPECT_EQ(o.detail, "srv/tcp:5005");
  EXPECT_EQ(w.events()[static_cast<std::size_t>(accepted)].detail, "srv");
  EXPECT_EQ(count(w, event_kind::connect_refused), 0u);
  expect_clean(w);
}

TEST(Connections, S3_WithNothingListeningTheOpenedConnectionIsRefused) {
  world w(small_topology(1, slow()), 1);
  auto r = run_call(w, "eng", api::connect{"tcp:server=srv,port=6000"});
  EXPECT_EQ(r.hr, RPC_S_SERVER_UNAVAILABLE) << "S3";
  EXPECT_EQ(count(w, event_kind::connection_opened), 1u);
  EXPECT_EQ(count(w, event_kind::connection_accepted), 0u);
  EXPECT_EQ(count(w, event_kind::connect_refused), 1u);
  expect_clean(w);
}

TEST(Connections, S19_AResetBeforeTheFirstFrameArrivesEndsTheConnectionAtBothEnds) {
  // The connect_request is 20 ms on its way when the link is reset. The engine is told at once;
  // the frame then reaches no server, so no session is opened for a connection already gone.
  world w(small_topology(1, slow()), 1);
  auto c = w.call("eng", api::connect{connect_options});
  w.run_for(10ms);
  w.reset("eng", "srv");
  ASSERT_TRUE(w.result_of("eng", c));
  EXPECT_EQ(w.result_of("eng", c)->hr, RPC_S_CALL_FAILED) << "S19: the engine is told at once";
  w.run_for(100ms);
  EXPECT_EQ(count(w, event_kind::session_open), 0u) << "S19: nothing reached the server";
  EXPECT_TRUE(w.inspect_server("srv").sessions.empty());
  EXPECT_EQ(count(w, event_kind::frame_dropped, "reset"), 1u);
  EXPECT_EQ(count(w, event_kind::connection_accepted), 0u);
  EXPECT_NE(connect(w), 0u) << "S18: a new connection is accepted as usual";
  expect_clean(w);
}

TEST(Connections, S19_AHalfOpenOrCutConnectionIsNeverAccepted) {
  for (int fault = 0; fault < 2; ++fault) {
    world w(small_topology(1, slow()), 1);
    auto c = w.call("eng", api::connect{connect_options});
    w.run_for(10ms);
    if (fault == 0)
      w.half_open("eng", "srv", true);  // The opening vanishes with its frame.
    else
      w.partition("eng", "srv");        // Cut on arrival.
    w.run_for(31s);
    ASSERT_TRUE(w.result_of("eng", c));
    EXPECT_EQ(w.result_of("eng", c)->hr, ERROR_SEM_TIMEOUT) << "S3: only the timeout finds it";
    EXPECT_EQ(count(w, event_kind::connection_opened), 1u);
    EXPECT_EQ(count(w, event_kind::connection_accepted), 0u) << "fault " << fault;
    EXPECT_EQ(count(w, event_kind::session_open), 0u) << "fault " << fault;
    expect_clean(w);
  }
}

// An engine that skips the opening: its connect_request goes straight onto the link.
engine_handle::behavior_type careless_engine(engine_handle::pointer self, environment* env,
                                             engine_config config) {
  return {
      [=](call_atom, std::uint64_t, const api::call&) -> api::result {
        packet p;
        p.via = route{config.name, 1, "srv", "tcp:5005"};
        p.from_machine = config.machine;
        p.to_machine = "srv";
        p.bytes = encode(frame{0, 0, connect_request{1, protocol_version, config.name, password}});
        p.id = env->next_frame_id();
        self->send(env->link_between(config.machine, "srv"), std::move(p));
        return api::status(E_FAIL);
      },
      [](const packet&) {},
      [](reset_atom, const route&) {},
      [](refused_atom, const route&) {},
      [](timer_atom, std::uint64_t) {},
      [](exited_atom, std::uint32_t) {},
      [](srv_end_atom, const std::string&) {},
      [](crash_atom) {},
  };
}

TEST(Connections, Seam_AFrameOnAConnectionNeverOpenedIsDropped) {
  world_options o;
  o.make_engine = [](caf::actor_system& sys, environment* env, const engine_config& c) {
    return sys.spawn(careless_engine, env, c);
  };
  world w(small_topology(1), 1, o);
  run_call(w, "eng", api::connect{connect_options});
  w.run_for(100ms);
  EXPECT_EQ(count(w, event_kind::frame_dropped, "not_open"), 1u);
  EXPECT_EQ(count(w, event_kind::frame_delivered), 0u);
  EXPECT_EQ(count(w, event_kind::session_open), 0u);
}

}  // namespace
}  // namespace dbgsim::testing

namespace dbgsim::testing {
namespace {

TEST(Connections, S3_PipeAndComNamesAreFoundRegardlessOfCase) {
  // Windows compares pipe and COM port names case-insensitively (COM01 is COM1 too): a connect
  // to pipe `debug` reaches the server listening on `Debug`, and a start_server on `COM01` finds
  // `com1` taken, as validate() refuses both clashes at load.
  auto t = small_topology(1);
  t.servers[0].listen = "npipe:pipe=Debug";
  world w(t, 1, env_options());
  EXPECT_EQ(run_call(w, "eng", api::connect{"npipe:server=srv,pipe=DEBUG"}).hr, S_OK);
  EXPECT_EQ(run_call(w, "eng", api::start_server{"com:port=com1,baud=115200,channel=1"}).hr, S_OK);
  EXPECT_EQ(run_call(w, "eng", api::start_server{"com:port=COM01,baud=115200,channel=1"}).hr, E_FAIL);
  EXPECT_EQ(run_call(w, "eng", api::start_server{"npipe:pipe=local"}).hr, S_OK);
  EXPECT_EQ(run_call(w, "eng", api::start_server{"npipe:pipe=LOCAL"}).hr, E_FAIL);
  expect_clean(w);
}

}  // namespace
}  // namespace dbgsim::testing
