// The oracle on synthetic traces: for every check, one trace that breaks it (the oracle reports
// exactly that rule) and a close variant that obeys it (no violation at all).
#include "oracle/oracle.hpp"

#include "protocol/hresult.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace dbgsim {
namespace {

using namespace std::chrono_literals;
using protocol::hresult;

constexpr std::uint64_t h1 = 0x0000000100000001ull;
constexpr std::uint64_t h2 = 0x0000000100000002ull;

/// The enum value a name in these tests stands for; a misspelt name fails the test at once
/// instead of silently turning a check off.
template <class E>
E named(const std::string& name) {
  auto v = from_name<E>(name);
  if (!v)
    throw std::invalid_argument("no such name: " + name);
  return *v;
}
std::optional<reason_kind> reason_named(const std::string& name) {
  if (name.empty())
    return std::nullopt;
  return named<reason_kind>(name);
}
event_what what_named(const std::string& name) {
  if (auto m = protocol::message_type_from_name(name))
    return *m;
  if (auto f = from_name<fault_kind>(name))
    return *f;
  if (auto t = from_name<timer_kind>(name))
    return *t;
  return named<dbgsim::server_state>(name);
}

/// Writes a trace into an oracle, one event at a time, with a clock that only moves forward.
/// Every world starts with server "srv" on machine "srvm", listening with password "pw".
class trace {
public:
  trace() { listening("srv", 1, "pw"); }

  oracle judge{timing{}};
  sim_time t{0};

  void tick(sim_time d = 1ms) { t += d; }

  event make(event_kind k, const std::string& actor) {
    event e;
    e.t = t;
    e.kind = k;
    e.actor = actor;
    return e;
  }
  void put(const event& e) { judge.observe(e); }

  // -- engine events --------------------------------------------------------------------

  void call(const std::string& eng, std::uint64_t n, const std::string& api,
            std::uint64_t handle = 0, sim_time bound = 5s) {
    auto e = make(event_kind::call, eng);
    e.call = n;
    e.api = named<api::call_kind>(api);
    e.handle = handle;
    e.value = static_cast<std::uint64_t>(bound.count());
    put(e);
  }
  void done(const std::string& eng, std::uint64_t n, const std::string& api, hresult hr,
            std::uint64_t handle = 0) {
    auto e = make(event_kind::done, eng);
    e.call = n;
    e.api = named<api::call_kind>(api);
    e.hr = hr;
    e.handle = handle;
    put(e);
  }
  void born(const std::string& eng, std::uint64_t handle, std::uint64_t call, std::uint64_t conn,
            std::uint64_t session, std::uint32_t inc = 1) {
    auto e = make(event_kind::handle_born, eng);
    e.handle = handle;
    e.call = call;
    e.conn = conn;
    e.session = session;
    e.incarnation = inc;
    e.peer = "srvm";
    put(e);
  }
  void dead(const std::string& eng, std::uint64_t handle, const std::string& reason = "disconnect") {
    auto e = make(event_kind::handle_dead, eng);
    e.handle = handle;
    e.reason = reason_named(reason);
    put(e);
  }
  void held(const std::string& eng, std::uint64_t conn, std::uint64_t session,
            std::uint32_t inc = 1) {
    auto e = make(event_kind::session_held, eng);
    e.conn = conn;
    e.session = session;
    e.incarnation = inc;
    e.peer = "srvm";
    put(e);
  }
  void released(const std::string& eng, std::uint64_t conn, std::uint64_t session,
                const std::string& reason = "released") {
    auto e = make(event_kind::session_released, eng);
    e.conn = conn;
    e.session = session;
    e.reason = reason_named(reason);
    put(e);
  }
  void target(event_kind k, const std::string& eng, std::uint32_t pid, std::uint64_t conn,
              std::uint64_t session, const std::string& reason = "") {
    auto e = make(k, eng);
    e.pid = pid;
    e.conn = conn;
    e.session = session;
    e.reason = reason_named(reason);
    e.peer = "srvm";
    put(e);
  }
  void sent(const std::string& actor, const std::string& peer, std::uint64_t conn,
            std::uint64_t session, const std::string& what, std::uint64_t call = 0,
            std::uint32_t inc = 1) {
    auto e = make(event_kind::frame_sent, actor);
    e.peer = peer;
    e.conn = conn;
    e.session = session;
    e.incarnation = inc;
    e.what = what_named(what);
    e.call = call;
    e.value = 40;
    put(e);
  }

  // -- server events --------------------------------------------------------------------

  void listening(const std::string& srv, std::uint32_t inc, const std::string& password) {
    auto e = make(event_kind::server_state, srv);
    e.what = dbgsim::server_state::listening;
    e.incarnation = inc;
    e.detail = password;
    e.peer = "srvm";
    put(e);
  }
  void server_state(const std::string& srv, const std::string& what, std::uint32_t inc = 1) {
    auto e = make(event_kind::server_state, srv);
    e.what = what_named(what);
    e.incarnation = inc;
    e.peer = "srvm";
    put(e);
  }
  void open(const std::string& eng, std::uint64_t conn, std::uint64_t session,
            const std::string& password = "pw", std::uint32_t inc = 1) {
    auto e = make(event_kind::session_open, "srv");
    e.peer = eng;
    e.conn = conn;
    e.session = session;
    e.incarnation = inc;
    e.detail = password;
    put(e);
  }
  void end(const std::string& eng, std::uint64_t conn, std::uint64_t session,
           const std::string& reason, std::uint32_t inc = 1) {
    auto e = make(event_kind::session_end, "srv");
    e.peer = eng;
    e.conn = conn;
    e.session = session;
    e.incarnation = inc;
    e.reason = reason_named(reason);
    put(e);
  }
  void served(const std::string& eng, std::uint64_t conn, std::uint64_t session,
              const std::string& what, std::uint32_t inc = 1) {
    auto e = make(event_kind::frame_served, "srv");
    e.peer = eng;
    e.conn = conn;
    e.session = session;
    e.incarnation = inc;
    e.what = what_named(what);
    put(e);
  }
  void process(event_kind k, std::uint32_t pid, std::uint64_t session, std::uint64_t value = 0) {
    auto e = make(k, "srv");
    e.peer = "srvm";
    e.pid = pid;
    e.session = session;
    e.value = value;
    put(e);
  }
  void options(const std::string& eng, std::uint64_t session, std::uint64_t value) {
    auto e = make(event_kind::options_received, "srv");
    e.peer = eng;
    e.session = session;
    e.value = value;
    put(e);
  }
  /// An engine's timer expiry, for call `n` on `conn` (S3, S9).
  void timer(const std::string& eng, const std::string& what, std::uint64_t n,
             std::uint64_t conn) {
    auto e = make(event_kind::timer, eng);
    e.what = what_named(what);
    e.call = n;
    e.conn = conn;
    put(e);
  }
  void fault(const std::string& what, const std::string& ends) {
    auto e = make(event_kind::fault, "world");
    e.what = what_named(what);
    const auto arrow = ends.find("->");
    e.peer = ends.substr(0, arrow);
    e.to = arrow == std::string::npos ? std::string() : ends.substr(arrow + 2);
    put(e);
  }

  // -- whole exchanges, as a correct engine and server record them ----------------------

  /// A successful connect: call `n` of `eng` on connection `conn` gets session `s`, handle `h`.
  void connect(const std::string& eng, std::uint64_t n, std::uint64_t conn, std::uint64_t s,
               std::uint64_t h) {
    call(eng, n, "connect", 0, 30s);
    sent(eng, "srvm", conn, 0, "connect_request", n, 0);
    tick();
    open(eng, conn, s);
    tick();
    held(eng, conn, s);
    born(eng, h, n, conn, s);
    done(eng, n, "connect", protocol::S_OK, h);
    tick();
  }

  /// A disconnect of live handle `h` with nothing else holding its session (S6, S7).
  void disconnect(const std::string& eng, std::uint64_t n, std::uint64_t h, std::uint64_t conn,
                  std::uint64_t s) {
    call(eng, n, "disconnect", h);
    dead(eng, h);
    released(eng, conn, s);
    sent(eng, "srvm", conn, s, "disconnect_request", n);
    done(eng, n, "disconnect", protocol::S_OK);
    tick();
    served(eng, conn, s, "disconnect_request");
    end(eng, conn, s, "disconnect");
    tick();
  }

  /// An attach of `pid` through handle `h` (conn, session `s`); `opts` are the engine's
  /// process options as the server received them.
  void attach(const std::string& eng, std::uint64_t n, std::uint64_t h, std::uint64_t conn,
              std::uint64_t s, std::uint32_t pid, std::uint64_t opts = 0) {
    call(eng, n, "attach", h);
    sent(eng, "srvm", conn, s, "attach_request", n);
    tick();
    served(eng, conn, s, "attach_request");
    options(eng, s, opts);
    process(event_kind::process_attached, pid, s, opts);
    tick();
    target(event_kind::target_added, eng, pid, conn, s);
    done(eng, n, "attach", protocol::S_OK);
    tick();
  }

  void finish(sim_time after = 100s, bool settled = true) {
    t += after;
    judge.finish(t, settled);
  }

  std::vector<std::string> rules() const {
    std::vector<std::string> out;
    for (const auto& v : judge.violations())
      out.push_back(v.rule);
    return out;
  }

  std::string report() const {
    std::ostringstream out;
    for (const auto& v : judge.violations()) {
      out << v.rule << " at " << v.t.count() << "us: " << v.message << "\n";
      for (const auto& e : v.events)
        out << "    " << to_json_line(e) << "\n";
    }
    return out.str();
  }
};

using rules = std::vector<std::string>;
const rules none{};

#define EXPECT_RULES(tr, ...) EXPECT_EQ((tr).rules(), (rules{__VA_ARGS__})) << (tr).report()

// -- a correct run, end to end ----------------------------------------------------------

TEST(Oracle, CorrectRunHasNoViolations) {
  trace tr;
  tr.connect("eng", 1, 1, 7, h1);
  tr.connect("eng2", 1, 1, 8, h2);
  tr.attach("eng", 2, h1, 1, 7, 4242);
  tr.call("eng", 3, "list_processes", h1);
  tr.sent("eng", "srvm", 1, 7, "list_processes_request", 3);
  tr.tick(20ms);
  tr.served("eng", 1, 7, "list_processes_request");
  tr.tick(20ms);
  tr.done("eng", 3, "list_processes", protocol::S_OK);
  tr.tick();
  // S20: the target keeps the session after the handle goes; no frame yet.
  tr.call("eng", 4, "disconnect", h1);
  tr.dead("eng", h1);
  tr.done("eng", 4, "disconnect", protocol::S_OK);
  tr.tick(10s);
  tr.served("eng", 1, 7, "keepalive");
  tr.tick();
  tr.call("eng", 5, "detach");
  tr.tick();
  tr.served("eng", 1, 7, "detach_request");
  tr.process(event_kind::process_detached, 4242, 7);
  tr.tick();
  tr.target(event_kind::target_removed, "eng", 4242, 1, 7, "detach");
  tr.released("eng", 1, 7);
  tr.sent("eng", "srvm", 1, 7, "disconnect_request");
  tr.done("eng", 5, "detach", protocol::S_OK);
  tr.tick();
  tr.served("eng", 1, 7, "disconnect_request");
  tr.end("eng", 1, 7, "disconnect");
  tr.tick();
  tr.disconnect("eng2", 2, h2, 1, 8);
  tr.finish();
  EXPECT_RULES(tr);
}

// -- S1 -----------------------------------------------------------------------------------

TEST(Oracle, S1_HandleWithoutHighBitsIsReported) {
  trace tr;
  tr.connect("eng", 1, 1, 7, 0x1234);
  tr.finish(1s, false);
  EXPECT_RULES(tr, "S1");
}

TEST(Oracle, S1_HandleWithHighBitsPasses) {
  trace tr;
  tr.connect("eng", 1, 1, 7, h1);
  tr.finish(1s, false);
  EXPECT_RULES(tr);
}

TEST(Oracle, S1_HandleBornTwiceIsReported) {
  trace tr;
  tr.connect("eng", 1, 1, 7, h1);
  tr.disconnect("eng", 2, h1, 1, 7);
  tr.connect("eng", 3, 2, 8, h1);  // reuse-handles
  tr.finish(1s, false);
  EXPECT_RULES(tr, "S1");
}

TEST(Oracle, S1_DistinctHandlesPass) {
  trace tr;
  tr.connect("eng", 1, 1, 7, h1);
  tr.disconnect("eng", 2, h1, 1, 7);
  tr.connect("eng", 3, 2, 8, h2);
  tr.connect("eng2", 1, 1, 9, h1);  // Another engine's values are its own business.
  tr.finish(1s, false);
  EXPECT_RULES(tr);
}

TEST(Oracle, S1_ConnectOkWithoutHandleBornIsReported) {
  trace tr;
  tr.call("eng", 1, "connect", 0, 30s);
  tr.tick();
  tr.open("eng", 1, 7);
  tr.held("eng", 1, 7);
  tr.done("eng", 1, "connect", protocol::S_OK, h1);
  tr.tick();
  tr.born("eng", h1, 1, 1, 7);  // One instant too late.
  tr.finish(1s, false);
  EXPECT_RULES(tr, "S1");
}

TEST(Oracle, S1_HandleBornInTheDonesInstantPasses) {
  trace tr;
  tr.call("eng", 1, "connect", 0, 30s);
  tr.tick();
  tr.open("eng", 1, 7);
  tr.held("eng", 1, 7);
  tr.done("eng", 1, "connect", protocol::S_OK, h1);
  tr.born("eng", h1, 1, 1, 7);  // "before or with" its done.
  tr.finish(1s, false);
  EXPECT_RULES(tr);
}


// Once a connect's done and its handle_born agree, the oracle drops the done it kept (the
// handle's born event stands for it): a second, different handle born for that call later is
// still an S1 violation, citing the first handle's birth.
TEST(Oracle, S1_SecondHandleBornForAMatchedConnectIsReported) {
  for (bool born_first : {false, true}) {
    SCOPED_TRACE(born_first ? "born before its done" : "done before its born");
    trace tr;
    tr.call("eng", 1, "connect", 0, 30s);
    tr.tick();
    tr.open("eng", 1, 7);
    tr.held("eng", 1, 7);
    if (born_first)
      tr.born("eng", h1, 1, 1, 7);
    tr.done("eng", 1, "connect", protocol::S_OK, h1);
    if (!born_first)
      tr.born("eng", h1, 1, 1, 7);
    tr.tick();
    tr.born("eng", h2, 1, 1, 7);
    tr.finish(1s, false);
    EXPECT_RULES(tr, "S1");
    ASSERT_EQ(tr.judge.violations().size(), 1u);
    const auto& v = tr.judge.violations().front();
    ASSERT_EQ(v.events.size(), 2u);
    EXPECT_EQ(v.events[0].kind, event_kind::handle_born);
    EXPECT_EQ(v.events[0].handle, h1);
    EXPECT_EQ(v.events[1].handle, h2);
  }
}

// The near miss: the same handle born again for its matched connect is S1's "second time"
// rule only, once.
TEST(Oracle, S1_MatchedConnectsHandleBornAgainIsReportedOnce) {
  trace tr;
  tr.connect("eng", 1, 1, 7, h1);
  tr.tick();
  tr.born("eng", h1, 1, 1, 7);
  tr.finish(1s, false);
  EXPECT_RULES(tr, "S1");
}
// -- S3 -----------------------------------------------------------------------------------

TEST(Oracle, S3_HandleBornAfterAFailedConnectIsReported) {
  trace tr;
  tr.call("eng", 1, "connect", 0, 30s);
  tr.tick(20s);
  tr.open("eng", 1, 7);
  tr.tick(10s);
  tr.done("eng", 1, "connect", protocol::ERROR_SEM_TIMEOUT);
  tr.tick(10s);
  tr.held("eng", 1, 7);
  tr.born("eng", h1, 1, 1, 7);  // late-reply-revives
  tr.finish(1s, false);
  EXPECT_RULES(tr, "S3");
}

TEST(Oracle, S3_LateReplyDroppedPasses) {
  trace tr;
  tr.call("eng", 1, "connect", 0, 30s);
  tr.tick(20s);
  tr.open("eng", 1, 7);
  tr.tick(10s);
  tr.done("eng", 1, "connect", protocol::ERROR_SEM_TIMEOUT);
  tr.tick(15s);
  tr.end("eng", 1, 7, "lease");
  tr.finish();
  EXPECT_RULES(tr);
}

// -- S5 / S12 -----------------------------------------------------------------------------

TEST(Oracle, S5_ForeignHandleAcceptedIsReported) {
  trace tr;
  tr.connect("eng", 1, 1, 7, h1);
  tr.connect("eng2", 1, 1, 8, h2);
  tr.call("eng2", 2, "disconnect", h1);  // foreign-handle
  tr.done("eng2", 2, "disconnect", protocol::S_OK);
  tr.finish(1s, false);
  EXPECT_RULES(tr, "S5");
}

TEST(Oracle, S5_ForeignHandleRefusedPasses) {
  trace tr;
  tr.connect("eng", 1, 1, 7, h1);
  tr.connect("eng2", 1, 1, 8, h2);
  tr.call("eng2", 2, "disconnect", h1);
  tr.done("eng2", 2, "disconnect", protocol::E_INVALIDARG);
  tr.finish(1s, false);
  EXPECT_RULES(tr);
}

TEST(Oracle, S5_FrameSentForAnInvalidHandleIsReported) {
  trace tr;
  tr.connect("eng", 1, 1, 7, h1);
  tr.call("eng", 2, "list_processes", 0x0000000900000009ull);
  tr.sent("eng", "srvm", 1, 7, "list_processes_request", 2);
  tr.done("eng", 2, "list_processes", protocol::E_INVALIDARG);
  tr.finish(1s, false);
  EXPECT_RULES(tr, "S5");
}

TEST(Oracle, S5_DeadHandleNotAnsweredAtOnceIsReported) {
  trace tr;
  tr.connect("eng", 1, 1, 7, h1);
  tr.disconnect("eng", 2, h1, 1, 7);
  tr.call("eng", 3, "list_processes", h1);
  tr.tick();
  tr.done("eng", 3, "list_processes", protocol::E_INVALIDARG);
  tr.finish(1s, false);
  EXPECT_RULES(tr, "S5");
}

TEST(Oracle, S5_DeadHandleAnsweredAtOncePasses) {
  trace tr;
  tr.connect("eng", 1, 1, 7, h1);
  tr.disconnect("eng", 2, h1, 1, 7);
  tr.call("eng", 3, "list_processes", h1);
  tr.done("eng", 3, "list_processes", protocol::E_INVALIDARG);
  tr.call("eng", 4, "disconnect", h1);
  tr.done("eng", 4, "disconnect", protocol::E_INVALIDARG);
  tr.finish();
  EXPECT_RULES(tr);
}

TEST(Oracle, S12_DisconnectOfHandleZeroAcceptedIsReported) {
  trace tr;
  tr.call("eng", 1, "disconnect", 0);
  tr.done("eng", 1, "disconnect", protocol::S_OK);
  tr.finish(1s, false);
  EXPECT_RULES(tr, "S12");
}

TEST(Oracle, S12_HandleZeroRefusedAndLocalCallsPass) {
  trace tr;
  tr.call("eng", 1, "disconnect", 0);
  tr.done("eng", 1, "disconnect", protocol::E_INVALIDARG);
  tr.call("eng", 2, "end_server", 0);
  tr.done("eng", 2, "end_server", protocol::E_INVALIDARG);
  tr.call("eng", 3, "list_processes", 0);  // Handle 0 is the engine's own machine.
  tr.done("eng", 3, "list_processes", protocol::S_OK);
  tr.finish(1s, false);
  EXPECT_RULES(tr);
}

TEST(Oracle, CrashedEngineAnsweringEAbortPasses) {
  trace tr;
  tr.connect("eng", 1, 1, 7, h1);
  tr.fault("crash_engine", "eng");
  tr.dead("eng", h1, "engine_crash");
  tr.released("eng", 1, 7, "engine_crash");
  tr.tick();
  tr.call("eng", 2, "disconnect", h1);
  tr.done("eng", 2, "disconnect", protocol::E_ABORT);
  tr.call("eng", 3, "disconnect", 0);
  tr.done("eng", 3, "disconnect", protocol::E_ABORT);
  tr.tick(5s);
  tr.end("eng", 1, 7, "lease");
  tr.finish();
  EXPECT_RULES(tr);
}

// -- S6 -----------------------------------------------------------------------------------

TEST(Oracle, S6_HandleAliveAfterDisconnectIsReported) {
  trace tr;
  tr.connect("eng", 1, 1, 7, h1);
  tr.call("eng", 2, "disconnect", h1);
  tr.sent("eng", "srvm", 1, 7, "disconnect_request", 2);
  tr.done("eng", 2, "disconnect", protocol::S_OK);  // release-on-ack: no handle_dead yet
  tr.tick();
  tr.call("eng", 3, "list_processes", h1);
  tr.done("eng", 3, "list_processes", protocol::ERROR_SEM_TIMEOUT);
  tr.finish(1s, false);
  EXPECT_RULES(tr, "S6");
}

TEST(Oracle, S6_HandleDeadInTheDisconnectsInstantPasses) {
  trace tr;
  tr.connect("eng", 1, 1, 7, h1);
  tr.call("eng", 2, "disconnect", h1);
  tr.sent("eng", "srvm", 1, 7, "disconnect_request", 2);
  tr.done("eng", 2, "disconnect", protocol::S_OK);
  tr.released("eng", 1, 7);
  tr.dead("eng", h1);  // After its done, but in the same instant.
  tr.tick();
  tr.served("eng", 1, 7, "disconnect_request");
  tr.end("eng", 1, 7, "disconnect");
  tr.finish();
  EXPECT_RULES(tr);
}

// -- S7 -----------------------------------------------------------------------------------

TEST(Oracle, S7_SessionOfACrashedEngineLeaksIsReported) {
  trace tr;
  tr.connect("eng", 1, 1, 7, h1);
  tr.fault("crash_engine", "eng");
  tr.dead("eng", h1, "engine_crash");
  tr.released("eng", 1, 7, "engine_crash");
  tr.finish();  // no-lease-expiry: the session never ends
  EXPECT_RULES(tr, "S7");
}

TEST(Oracle, S7_SessionOfACrashedEngineEndedByLeasePasses) {
  trace tr;
  tr.connect("eng", 1, 1, 7, h1);
  tr.fault("crash_engine", "eng");
  tr.dead("eng", h1, "engine_crash");
  tr.released("eng", 1, 7, "engine_crash");
  tr.tick(5s);
  tr.end("eng", 1, 7, "lease");
  tr.finish();
  EXPECT_RULES(tr);
}

TEST(Oracle, S7_SessionReleasedByItsEngineLeaksIsReported) {
  trace tr;
  tr.connect("eng", 1, 1, 7, h1);
  tr.call("eng", 2, "disconnect", h1);
  tr.dead("eng", h1);
  tr.released("eng", 1, 7);
  tr.sent("eng", "srvm", 1, 7, "disconnect_request", 2);
  tr.done("eng", 2, "disconnect", protocol::S_OK);
  tr.finish();  // The disconnect frame was lost and no lease ever ended the session.
  EXPECT_RULES(tr, "S7");
}

TEST(Oracle, S7_RecentReleaseIsNotJudgedYet) {
  trace tr;
  tr.connect("eng", 1, 1, 7, h1);
  tr.tick(60s);
  tr.served("eng", 1, 7, "keepalive");
  tr.tick();
  tr.call("eng", 2, "disconnect", h1);
  tr.dead("eng", h1);
  tr.released("eng", 1, 7);
  tr.sent("eng", "srvm", 1, 7, "disconnect_request", 2);
  tr.done("eng", 2, "disconnect", protocol::S_OK);
  tr.finish(3s);  // Within a lease of the release: the server may not know yet.
  EXPECT_RULES(tr);
}

// -- S8 -----------------------------------------------------------------------------------

TEST(Oracle, S8_SessionOpenedWhileShuttingDownIsReported) {
  trace tr;
  tr.connect("eng", 1, 1, 7, h1);
  tr.server_state("srv", "shutting_down");
  tr.tick();
  tr.open("eng2", 1, 8);
  tr.tick();
  tr.end("eng", 1, 7, "server_end");
  tr.end("eng2", 1, 8, "server_end");
  tr.server_state("srv", "ended");
  tr.finish();
  EXPECT_RULES(tr, "S8");
}

TEST(Oracle, S8_SessionOpenedBeforeShutdownPasses) {
  trace tr;
  tr.connect("eng", 1, 1, 7, h1);
  tr.open("eng2", 1, 8);
  tr.tick();
  tr.server_state("srv", "shutting_down");
  tr.tick();
  tr.end("eng", 1, 7, "server_end");
  tr.end("eng2", 1, 8, "server_end");
  tr.server_state("srv", "ended");
  tr.finish();
  EXPECT_RULES(tr);
}

TEST(Oracle, S8_ServerNotEndedWithinGraceIsReported) {
  trace tr;
  tr.server_state("srv", "shutting_down");
  tr.tick(15s + 1ms);  // grace 10 s + one rpc timeout 5 s
  tr.server_state("srv", "ended");
  tr.finish(1s, false);
  EXPECT_RULES(tr, "S8");
}

TEST(Oracle, S8_ServerEndedWithinGracePasses) {
  trace tr;
  tr.server_state("srv", "shutting_down");
  tr.tick(10s);
  tr.server_state("srv", "ended");
  tr.tick(30s);
  tr.server_state("srv2", "shutting_down");
  tr.tick(1s);
  tr.server_state("srv2", "crashed");  // A crash excuses it.
  tr.finish();
  EXPECT_RULES(tr);
}

// -- S10 ----------------------------------------------------------------------------------

TEST(Oracle, S10_StaleIncarnationServedIsReported) {
  trace tr;
  tr.connect("eng", 1, 1, 7, h1);
  tr.server_state("srv", "crashed");
  tr.end("eng", 1, 7, "crash");
  tr.tick();
  tr.listening("srv", 2, "pw");
  tr.tick();
  tr.served("eng", 1, 7, "keepalive", 1);  // accept-stale-incarnation
  tr.finish(1s, false);
  EXPECT_RULES(tr, "S10");
}

TEST(Oracle, S10_CurrentIncarnationServedPasses) {
  trace tr;
  tr.connect("eng", 1, 1, 7, h1);
  tr.server_state("srv", "crashed");
  tr.end("eng", 1, 7, "crash");
  tr.tick();
  tr.listening("srv", 2, "pw");
  tr.tick();
  tr.open("eng2", 1, 7, "pw", 2);  // The new incarnation's first session id again.
  tr.served("eng2", 1, 7, "keepalive", 2);
  tr.finish(1s, false);
  EXPECT_RULES(tr);
}

// -- S11 ----------------------------------------------------------------------------------

TEST(Oracle, S11_SecondSessionForOneConnectIsReported) {
  trace tr;
  tr.connect("eng", 1, 1, 7, h1);
  tr.open("eng", 1, 8);  // duplicate-connect: the duplicated connect frame opens another
  tr.finish(1s, false);
  EXPECT_RULES(tr, "S11");
}

TEST(Oracle, S11_OneSessionPerConnectPasses) {
  trace tr;
  tr.connect("eng", 1, 1, 7, h1);
  tr.connect("eng", 2, 2, 8, h2);   // Another connect of the same engine: another conn.
  tr.connect("eng2", 1, 1, 9, h1);  // Another engine with the same conn number.
  tr.finish(1s, false);
  EXPECT_RULES(tr);
}

TEST(Oracle, S11_DisconnectEndWithoutServedRequestIsReported) {
  trace tr;
  tr.connect("eng", 1, 1, 7, h1);
  tr.connect("eng2", 1, 1, 8, h2);
  tr.call("eng2", 2, "disconnect", h2);
  tr.dead("eng2", h2);
  tr.released("eng2", 1, 8);
  tr.sent("eng2", "srvm", 1, 8, "disconnect_request", 2);
  tr.done("eng2", 2, "disconnect", protocol::S_OK);
  tr.tick();
  tr.served("eng2", 1, 8, "disconnect_request");
  tr.end("eng2", 1, 8, "disconnect");
  tr.end("eng", 1, 7, "disconnect");  // eng's session ended by eng2's disconnect
  tr.finish(1s, false);
  EXPECT_RULES(tr, "S11");
}

TEST(Oracle, S11_DisconnectServedInTheEndsInstantPasses) {
  trace tr;
  tr.connect("eng", 1, 1, 7, h1);
  tr.connect("eng2", 1, 1, 8, h2);
  tr.call("eng2", 2, "disconnect", h2);
  tr.dead("eng2", h2);
  tr.released("eng2", 1, 8);
  tr.sent("eng2", "srvm", 1, 8, "disconnect_request", 2);
  tr.done("eng2", 2, "disconnect", protocol::S_OK);
  tr.tick();
  tr.end("eng2", 1, 8, "disconnect");
  tr.served("eng2", 1, 8, "disconnect_request");  // Recorded after the end, same instant.
  tr.finish(1s, false);
  EXPECT_RULES(tr);
}

TEST(Oracle, S11_FrameOfAnotherEnginesSessionServedIsReported) {
  trace tr;
  tr.connect("eng", 1, 1, 7, h1);
  tr.connect("eng2", 1, 2, 8, h2);
  tr.served("eng2", 2, 7, "list_processes_request");  // eng2's frame acted on eng's session
  tr.finish(1s, false);
  EXPECT_RULES(tr, "S11");
}

// -- S14 ----------------------------------------------------------------------------------

TEST(Oracle, S14_SessionWithoutThePasswordIsReported) {
  trace tr;
  tr.call("eng", 1, "connect", 0, 30s);
  tr.tick();
  tr.open("eng", 1, 7, "");  // skip-password
  tr.held("eng", 1, 7);
  tr.born("eng", h1, 1, 1, 7);
  tr.done("eng", 1, "connect", protocol::S_OK, h1);
  tr.finish(1s, false);
  EXPECT_RULES(tr, "S14");
}

TEST(Oracle, S14_SessionWithThePasswordPasses) {
  trace tr;
  tr.connect("eng", 1, 1, 7, h1);
  tr.call("eng", 2, "connect", 0, 30s);
  tr.tick();
  tr.done("eng", 2, "connect", protocol::E_FAIL);  // Refused: no session.
  tr.listening("srv2", 1, "");                     // No password required.
  tr.finish(1s, false);
  EXPECT_RULES(tr);
}

// -- S15 ----------------------------------------------------------------------------------

TEST(Oracle, S15_CallPastItsBoundIsReported) {
  trace tr;
  tr.connect("eng", 1, 1, 7, h1);
  tr.call("eng", 2, "list_processes", h1, 5s);
  tr.tick(5s + 1us);
  tr.done("eng", 2, "list_processes", protocol::ERROR_SEM_TIMEOUT);
  tr.finish(1s, false);
  EXPECT_RULES(tr, "S15");
}

TEST(Oracle, S15_CallDoneExactlyAtItsBoundPasses) {
  trace tr;
  tr.connect("eng", 1, 1, 7, h1);
  tr.call("eng", 2, "list_processes", h1, 5s);
  tr.tick(5s);
  tr.done("eng", 2, "list_processes", protocol::ERROR_SEM_TIMEOUT);
  tr.call("eng", 3, "wait_server_end", 0, 0s);  // Bound 0: in the same instant.
  tr.done("eng", 3, "wait_server_end", protocol::S_FALSE);
  tr.finish(1s, false);
  EXPECT_RULES(tr);
}

TEST(Oracle, S15_CallOpenAtTheEndIsReported) {
  trace tr;
  tr.connect("eng", 1, 1, 7, h1);
  tr.call("eng", 2, "list_processes", h1, 5s);
  tr.finish(6s, false);
  EXPECT_RULES(tr, "S15");
}

TEST(Oracle, S15_CallStillWithinItsBoundAtTheEndPasses) {
  trace tr;
  tr.connect("eng", 1, 1, 7, h1);
  tr.call("eng", 2, "wait_server_end", 0, 3600s);
  tr.finish(100s, false);
  EXPECT_RULES(tr);
}

// -- S19 ----------------------------------------------------------------------------------

TEST(Oracle, S19_CallInFlightNotFailedByAResetIsReported) {
  trace tr;
  tr.connect("eng", 1, 1, 7, h1);
  tr.call("eng", 2, "list_processes", h1);
  tr.sent("eng", "srvm", 1, 7, "list_processes_request", 2);
  tr.tick(10ms);
  tr.released("eng", 1, 7, "reset");
  tr.end("eng", 1, 7, "reset");
  tr.tick(5s - 10ms);
  tr.done("eng", 2, "list_processes", protocol::ERROR_SEM_TIMEOUT);
  tr.finish(1s, false);
  EXPECT_RULES(tr, "S19");
}

TEST(Oracle, S19_CallInFlightFailedAtTheResetPasses) {
  trace tr;
  tr.connect("eng", 1, 1, 7, h1);
  tr.connect("eng", 2, 2, 8, h2);
  tr.call("eng", 3, "list_processes", h1);
  tr.call("eng", 4, "list_processes", h2);  // On another conn: not affected.
  tr.tick(10ms);
  tr.end("eng", 1, 7, "reset");
  tr.released("eng", 1, 7, "reset");
  tr.done("eng", 3, "list_processes", protocol::RPC_S_CALL_FAILED);
  tr.tick(10ms);
  tr.done("eng", 4, "list_processes", protocol::S_OK);
  tr.call("eng", 5, "list_processes", h1);  // Live, its session gone.
  tr.done("eng", 5, "list_processes", protocol::RPC_E_DISCONNECTED);
  tr.finish(1s, false);
  EXPECT_RULES(tr);
}

// The tests below feed events in the order the reference engine and server record them, taken
// from real traces (`dbgsim run FILE --trace T` of the scenario each names).

// -- S4 -----------------------------------------------------------------------------------

TEST(Oracle, S4_SessionForAnotherProtocolVersionIsReported) {
  // s04-other-protocol-version-is-refused.yaml under accept-other-version.
  trace tr;
  tr.call("old", 1, "connect", 0, 30s);
  auto e = tr.make(event_kind::session_open, "srv");
  e.peer = "old";
  e.conn = 1;
  e.session = 7;
  e.incarnation = 1;
  e.detail = "pw";
  e.value = protocol::protocol_version + 1;
  tr.put(e);
  tr.finish(1s, false);
  EXPECT_RULES(tr, "S4");
}

TEST(Oracle, S4_SessionForThisProtocolVersionPasses) {
  trace tr;
  tr.call("eng", 1, "connect", 0, 30s);
  auto e = tr.make(event_kind::session_open, "srv");
  e.peer = "eng";
  e.conn = 1;
  e.session = 7;
  e.incarnation = 1;
  e.detail = "pw";
  e.value = protocol::protocol_version;
  tr.put(e);
  tr.done("eng", 1, "connect", protocol::RPC_E_VERSION_MISMATCH);  // Another engine's refusal.
  tr.finish(1s, false);
  EXPECT_RULES(tr);
}

// -- S6: calls in flight -----------------------------------------------------------------

/// s06-sync-disconnect-waits-for-the-ack.yaml at 4.5 s: a list in flight on h1 when h1 is
/// disconnected; `hr` is what the list completes with, in the disconnect's instant or later.
trace list_in_flight_at_disconnect(hresult hr, sim_time later) {
  trace tr;
  tr.connect("eng", 1, 1, 7, h1);
  tr.call("eng", 2, "list_processes", h1);
  tr.sent("eng", "srvm", 1, 7, "list_processes_request", 2);
  tr.tick(500ms);
  tr.call("eng", 3, "disconnect", h1);
  tr.dead("eng", h1);
  tr.released("eng", 1, 7);
  tr.sent("eng", "srvm", 1, 7, "disconnect_request", 3);
  tr.tick(later);
  tr.done("eng", 2, "list_processes", hr);
  tr.done("eng", 3, "disconnect", protocol::S_OK);
  tr.tick();
  tr.served("eng", 1, 7, "disconnect_request");
  tr.end("eng", 1, 7, "disconnect");
  tr.finish();
  return tr;
}

TEST(Oracle, S6_CallInFlightNotAbortedByTheDisconnectIsReported) {
  // keep-calls-on-disconnect: the list waits for its reply and gets it later.
  auto tr = list_in_flight_at_disconnect(protocol::S_OK, 20ms);
  EXPECT_RULES(tr, "S6");
}

TEST(Oracle, S6_CallInFlightAbortedWithAnotherHresultIsReported) {
  auto tr = list_in_flight_at_disconnect(protocol::RPC_E_DISCONNECTED, 0ms);
  EXPECT_RULES(tr, "S6");
}

TEST(Oracle, S6_CallInFlightAbortedAtTheDisconnectPasses) {
  auto tr = list_in_flight_at_disconnect(protocol::ERROR_OPERATION_ABORTED, 0ms);
  EXPECT_RULES(tr);
}

// -- S9 -----------------------------------------------------------------------------------

/// s09-silent-server-times-out.yaml: a list on a partitioned link, failed by its rpc timer.
trace list_timed_out(hresult hr) {
  trace tr;
  tr.connect("eng", 1, 1, 7, h1);
  tr.fault("partition", "eng->srvm");
  tr.call("eng", 2, "list_processes", h1);
  tr.sent("eng", "srvm", 1, 7, "list_processes_request", 2);
  tr.tick(5s);
  tr.timer("eng", "rpc_timeout", 2, 1);
  tr.done("eng", 2, "list_processes", hr);
  tr.finish(1s, false);
  return tr;
}

TEST(Oracle, S9_RpcTimeoutWithAnotherHresultIsReported) {
  // timeout-wrong-hresult: the rpc timeout gives RPC_S_CALL_FAILED.
  auto tr = list_timed_out(protocol::RPC_S_CALL_FAILED);
  EXPECT_RULES(tr, "S9");
}

TEST(Oracle, S9_RpcTimeoutWithErrorSemTimeoutPasses) {
  auto tr = list_timed_out(protocol::ERROR_SEM_TIMEOUT);
  EXPECT_RULES(tr);
}

TEST(Oracle, S3_ConnectTimeoutWithAnotherHresultIsReported) {
  trace tr;
  tr.call("eng", 1, "connect", 0, 30s);
  tr.tick(30s);
  tr.timer("eng", "connect_timeout", 1, 1);
  tr.done("eng", 1, "connect", protocol::RPC_S_SERVER_UNAVAILABLE);
  tr.finish(1s, false);
  EXPECT_RULES(tr, "S3");
}

// -- S12: local calls ----------------------------------------------------------------------

TEST(Oracle, S12_LocalCallAnsweredLaterIsReported) {
  // local-calls-wait: a handle-0 listing answered a millisecond late.
  trace tr;
  tr.call("eng", 1, "list_processes", 0);
  tr.tick();
  tr.done("eng", 1, "list_processes", protocol::S_OK);
  tr.finish(1s, false);
  EXPECT_RULES(tr, "S12");
}

TEST(Oracle, S12_LocalCallSendingAFrameIsReported) {
  trace tr;
  tr.connect("eng", 1, 1, 7, h1);
  tr.call("eng", 2, "attach", 0);
  tr.sent("eng", "srvm", 1, 7, "attach_request", 2);
  tr.done("eng", 2, "attach", protocol::S_OK);
  tr.finish(1s, false);
  EXPECT_RULES(tr, "S12");
}

// -- S19, in the engine's order ----------------------------------------------------------

/// s19-reset-ends-sessions-at-once.yaml at 2.2 s: the reset fault, the engine's release (before
/// it fails the calls), the server's end, then the list in flight completes with `hr`.
trace list_in_flight_at_reset(hresult hr) {
  trace tr;
  tr.connect("eng", 1, 1, 7, h1);
  tr.call("eng", 2, "list_processes", h1);
  tr.sent("eng", "srvm", 1, 7, "list_processes_request", 2);
  tr.tick(10ms);
  tr.fault("reset", "eng->srvm");
  tr.released("eng", 1, 7, "reset");
  tr.end("eng", 1, 7, "reset");
  tr.done("eng", 2, "list_processes", hr);
  tr.finish(1s, false);
  return tr;
}

TEST(Oracle, S19_ResetFailingACallWithAnotherHresultIsReported) {
  // reset-wrong-hresult: the call in flight fails with RPC_E_DISCONNECTED.
  auto tr = list_in_flight_at_reset(protocol::RPC_E_DISCONNECTED);
  EXPECT_RULES(tr, "S19");
}

TEST(Oracle, S19_ResetFailingACallWithRpcSCallFailedPasses) {
  auto tr = list_in_flight_at_reset(protocol::RPC_S_CALL_FAILED);
  EXPECT_RULES(tr);
}

TEST(Oracle, S19_ServerSessionKeptAfterAResetIsReported) {
  // reset-keeps-session: the engine loses the session, the server keeps it.
  trace tr;
  tr.connect("eng", 1, 1, 7, h1);
  tr.tick(10ms);
  tr.fault("reset", "eng->srvm");
  tr.released("eng", 1, 7, "reset");
  tr.finish(1s, false);
  EXPECT_RULES(tr, "S19");
}

TEST(Oracle, S19_ServerSessionKeptAfterAHalfOpenPasses) {
  // The engine end is gone silently: only the engine forgets; the server's lease will find it.
  trace tr;
  tr.connect("eng", 1, 1, 7, h1);
  tr.tick(10ms);
  tr.fault("half_open", "eng->srvm");
  tr.released("eng", 1, 7, "reset");
  tr.tick(5s);
  tr.end("eng", 1, 7, "lease");
  tr.finish(1s, false);
  EXPECT_RULES(tr);
}

TEST(Oracle, S19_CallFailedWithoutAResetIsReported) {
  trace tr;
  tr.connect("eng", 1, 1, 7, h1);
  tr.call("eng", 2, "list_processes", h1);
  tr.tick(10ms);
  tr.done("eng", 2, "list_processes", protocol::RPC_S_CALL_FAILED);
  tr.finish(1s, false);
  EXPECT_RULES(tr, "S19");
}

TEST(Oracle, S19_ConnectFailedByAResetBeforeAcceptancePasses) {
  // connections.test.cpp's reset before the first frame arrives: no session, no release.
  trace tr;
  tr.call("eng", 1, "connect", 0, 30s);
  tr.tick(1ms);
  tr.fault("reset", "eng->srvm");
  tr.done("eng", 1, "connect", protocol::RPC_S_CALL_FAILED);
  tr.finish(1s, false);
  EXPECT_RULES(tr);
}

// -- S20 ----------------------------------------------------------------------------------

TEST(Oracle, S20_DisconnectFrameWhileATargetHoldsTheSessionIsReported) {
  trace tr;
  tr.connect("eng", 1, 1, 7, h1);
  tr.attach("eng", 2, h1, 1, 7, 4242);
  tr.call("eng", 3, "disconnect", h1);
  tr.dead("eng", h1);
  tr.sent("eng", "srvm", 1, 7, "disconnect_request", 3);  // disconnect-ends-targets
  tr.done("eng", 3, "disconnect", protocol::S_OK);
  tr.finish(1s, false);
  EXPECT_RULES(tr, "S20");
}

TEST(Oracle, S20_DisconnectFrameAfterTheLastTargetWentPasses) {
  trace tr;
  tr.connect("eng", 1, 1, 7, h1);
  tr.attach("eng", 2, h1, 1, 7, 4242);
  tr.call("eng", 3, "disconnect", h1);
  tr.dead("eng", h1);
  tr.done("eng", 3, "disconnect", protocol::S_OK);
  tr.tick();
  tr.call("eng", 4, "terminate");
  tr.tick();
  tr.served("eng", 1, 7, "terminate_process_request");
  tr.process(event_kind::process_killed, 4242, 7);
  tr.tick();
  tr.released("eng", 1, 7);
  tr.sent("eng", "srvm", 1, 7, "disconnect_request");
  tr.target(event_kind::target_removed, "eng", 4242, 1, 7, "terminate");  // Same instant.
  tr.done("eng", 4, "terminate", protocol::S_OK);
  tr.tick();
  tr.served("eng", 1, 7, "disconnect_request");
  tr.end("eng", 1, 7, "disconnect");
  tr.finish();
  EXPECT_RULES(tr);
}

TEST(Oracle, S20_SessionKeptAfterTheLastTargetIsReported) {
  trace tr;
  tr.connect("eng", 1, 1, 7, h1);
  tr.attach("eng", 2, h1, 1, 7, 4242);
  tr.call("eng", 3, "disconnect", h1);
  tr.dead("eng", h1);
  tr.done("eng", 3, "disconnect", protocol::S_OK);
  tr.tick();
  tr.call("eng", 4, "detach");
  tr.tick();
  tr.served("eng", 1, 7, "detach_request");
  tr.process(event_kind::process_detached, 4242, 7);
  tr.tick();
  tr.target(event_kind::target_removed, "eng", 4242, 1, 7, "detach");
  tr.done("eng", 4, "detach", protocol::S_OK);  // target-leaks-session: no release
  tr.tick(1s);
  tr.served("eng", 1, 7, "keepalive");
  tr.finish(1s, false);
  EXPECT_RULES(tr, "S20");
}

TEST(Oracle, S20_SessionReleasedWithTheLastTargetPasses) {
  trace tr;
  tr.connect("eng", 1, 1, 7, h1);
  tr.attach("eng", 2, h1, 1, 7, 4242);
  tr.attach("eng", 3, h1, 1, 7, 4343);
  tr.call("eng", 4, "disconnect", h1);
  tr.dead("eng", h1);
  tr.done("eng", 4, "disconnect", protocol::S_OK);
  tr.tick();
  tr.call("eng", 5, "detach_all");
  tr.tick();
  tr.process(event_kind::process_detached, 4242, 7);
  tr.process(event_kind::process_detached, 4343, 7);
  tr.tick();
  tr.target(event_kind::target_removed, "eng", 4242, 1, 7, "detach");  // Not the last yet.
  tr.tick();
  tr.target(event_kind::target_removed, "eng", 4343, 1, 7, "detach");
  tr.done("eng", 5, "detach_all", protocol::S_OK);
  tr.released("eng", 1, 7);  // After the done, but in the same instant.
  tr.sent("eng", "srvm", 1, 7, "disconnect_request");
  tr.tick();
  tr.served("eng", 1, 7, "disconnect_request");
  tr.end("eng", 1, 7, "disconnect");
  tr.finish();
  EXPECT_RULES(tr);
}

TEST(Oracle, S20_SessionHeldWithoutHandleOrTargetAtTheEndIsReported) {
  trace tr;
  tr.connect("eng", 1, 1, 7, h1);
  tr.call("eng", 2, "disconnect", h1);
  tr.dead("eng", h1);
  tr.done("eng", 2, "disconnect", protocol::S_OK);  // Never released, keepalives go on.
  tr.tick(50s);
  tr.served("eng", 1, 7, "keepalive");
  tr.finish();
  EXPECT_RULES(tr, "S20");
}

TEST(Oracle, S20_SessionHeldByATargetAtTheEndPasses) {
  trace tr;
  tr.connect("eng", 1, 1, 7, h1);
  tr.attach("eng", 2, h1, 1, 7, 4242);
  tr.call("eng", 3, "disconnect", h1);
  tr.dead("eng", h1);
  tr.done("eng", 3, "disconnect", protocol::S_OK);
  tr.tick(50s);
  tr.served("eng", 1, 7, "keepalive");
  tr.finish();
  EXPECT_RULES(tr);
}

// -- S21 ----------------------------------------------------------------------------------

TEST(Oracle, S21_ProcessLeftAttachedToAnEndedSessionIsReported) {
  trace tr;
  tr.connect("eng", 1, 1, 7, h1);
  tr.attach("eng", 2, h1, 1, 7, 4242);
  tr.tick();
  tr.end("eng", 1, 7, "reset");  // keep-attached: nothing becomes of 4242
  tr.released("eng", 1, 7, "reset");
  tr.target(event_kind::target_lost, "eng", 4242, 1, 7, "reset");
  tr.finish(1s, false);
  EXPECT_RULES(tr, "S21");
}

TEST(Oracle, S21_ProcessKilledByDefaultPasses) {
  trace tr;
  tr.connect("eng", 1, 1, 7, h1);
  tr.attach("eng", 2, h1, 1, 7, 4242);
  tr.tick();
  tr.end("eng", 1, 7, "reset");
  tr.process(event_kind::process_killed, 4242, 7);  // After the end, same instant.
  tr.released("eng", 1, 7, "reset");
  tr.target(event_kind::target_lost, "eng", 4242, 1, 7, "reset");
  tr.finish();
  EXPECT_RULES(tr);
}

TEST(Oracle, S21_KilledDespiteDetachOnExitIsReported) {
  trace tr;
  tr.connect("eng", 1, 1, 7, h1);
  tr.attach("eng", 2, h1, 1, 7, 4242, 0);
  tr.options("eng", 7, 1);  // detach-on-exit arrives later
  tr.tick(6s);
  tr.end("eng", 1, 7, "lease");
  tr.process(event_kind::process_killed, 4242, 7);
  tr.finish(1s, false);
  EXPECT_RULES(tr, "S21");
}

TEST(Oracle, S21_DetachedWithDetachOnExitPasses) {
  trace tr;
  tr.connect("eng", 1, 1, 7, h1);
  tr.attach("eng", 2, h1, 1, 7, 4242, 0);
  tr.options("eng", 7, 1);
  tr.tick(6s);
  tr.end("eng", 1, 7, "lease");
  tr.process(event_kind::process_detached, 4242, 7);
  tr.tick();
  tr.released("eng", 1, 7, "silence");
  tr.target(event_kind::target_lost, "eng", 4242, 1, 7, "silence");
  tr.finish();
  EXPECT_RULES(tr);
}

TEST(Oracle, S21_ServerCrashFollowsThePolicyPasses) {
  trace tr;
  tr.connect("eng", 1, 1, 7, h1);
  tr.attach("eng", 2, h1, 1, 7, 4242, 1);
  tr.attach("eng", 3, h1, 1, 7, 4343, 1);
  tr.tick();
  tr.process(event_kind::process_detached, 4242, 7);  // Before the crash is recorded.
  tr.server_state("srv", "crashed");
  tr.process(event_kind::process_detached, 4343, 7);  // After.
  tr.tick(7s);
  tr.released("eng", 1, 7, "silence");
  tr.target(event_kind::target_lost, "eng", 4242, 1, 7, "silence");
  tr.target(event_kind::target_lost, "eng", 4343, 1, 7, "silence");
  tr.finish();
  EXPECT_RULES(tr);
}

// -- S22 ----------------------------------------------------------------------------------

TEST(Oracle, S22_TargetWithoutASessionAtTheEndIsReported) {
  trace tr;
  tr.connect("eng", 1, 1, 7, h1);
  tr.attach("eng", 2, h1, 1, 7, 4242);
  tr.tick();
  tr.end("eng", 1, 7, "lease");
  tr.process(event_kind::process_killed, 4242, 7);
  tr.tick(60s);
  tr.released("eng", 1, 7, "silence");  // The session, but not the target.
  tr.finish();
  EXPECT_RULES(tr, "S22");
}

TEST(Oracle, S22_TargetsLostOrOnAnOpenSessionPass) {
  trace tr;
  tr.connect("eng", 1, 1, 7, h1);
  tr.attach("eng", 2, h1, 1, 7, 4242);
  tr.connect("eng", 3, 2, 8, h2);
  tr.attach("eng", 4, h2, 2, 8, 4343);
  tr.call("eng", 5, "attach", 0);  // A local target (handle 0, conn 0).
  tr.target(event_kind::target_added, "eng", 8, 0, 0);
  tr.done("eng", 5, "attach", protocol::S_OK);
  tr.tick();
  tr.end("eng", 1, 7, "lease");
  tr.process(event_kind::process_killed, 4242, 7);
  tr.tick(6s);
  tr.released("eng", 1, 7, "silence");
  tr.target(event_kind::target_lost, "eng", 4242, 1, 7, "silence");
  tr.tick(50s);
  tr.served("eng", 2, 8, "keepalive");
  tr.finish();
  EXPECT_RULES(tr);
}

TEST(Oracle, ViolationsCarryTheirEventsOldestFirst) {
  trace tr;
  tr.connect("eng", 1, 1, 7, h1);
  tr.call("eng", 2, "disconnect", h1);
  tr.done("eng", 2, "disconnect", protocol::S_OK);
  tr.finish(1s, false);
  ASSERT_EQ(tr.judge.violations().size(), 1u) << tr.report();
  const auto& v = tr.judge.violations().front();
  EXPECT_EQ(v.rule, "S6");
  EXPECT_NE(v.message.find("eng"), std::string::npos);
  EXPECT_NE(v.message.find("0x100000001"), std::string::npos);
  ASSERT_GE(v.events.size(), 3u);
  EXPECT_EQ(v.events.front().kind, event_kind::handle_born);
  for (std::size_t i = 1; i < v.events.size(); ++i)
    EXPECT_LE(v.events[i - 1].t, v.events[i].t);
}

TEST(Oracle, FinishingTwiceReportsOnce) {
  trace tr;
  tr.connect("eng", 1, 1, 7, h1);
  tr.fault("crash_engine", "eng");
  tr.finish();
  tr.finish();
  EXPECT_RULES(tr, "S7");
}

}  // namespace
}  // namespace dbgsim
