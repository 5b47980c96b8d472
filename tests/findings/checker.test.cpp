// The client checker on hand-built event streams: for every rule of docs/clients.md, streams of
// programs that break it (the checker reports exactly that finding, with its program, handle,
// calls and a message naming what happened) and near misses that must stay quiet (no finding at
// all). Each test names its rule.
#include "findings/checker.hpp"

#include "protocol/hresult.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace dbgsim {
namespace {

using namespace std::chrono_literals;
using protocol::hresult;
using namespace protocol;  // The HRESULT constants.

constexpr std::uint64_t h1 = 0x8000000100000001ull;
constexpr std::uint64_t h2 = 0x8000000100000002ull;

/// The enum value a name in these tests stands for; a misspelt name fails the test at once
/// instead of silently meaning something else.
template <class E>
E named(const std::string& name) {
  auto v = from_name<E>(name);
  if (!v)
    throw std::invalid_argument("no such name: " + name);
  return *v;
}

/// Writes the events of client programs into a checker, with a clock that only moves forward.
/// Each engine numbers its calls 1, 2, ...; each program remembers its call in flight, so a
/// test writes `call` then `done` as a world would.
class stream {
public:
  client_checker checker;
  sim_time t{0};

  void tick(sim_time d = 1ms) { t += d; }

  /// A program_started of `prog` on `eng`.
  void start(const std::string& prog, const std::string& eng = "eng") {
    engine_[prog] = eng;
    auto e = make(event_kind::program_started, prog);
    e.detail = prog + " --remote tcp:server=srvm,port=5005";
    put(e);
  }

  /// A call of `prog`; returns its engine call number.
  std::uint64_t call(const std::string& prog, const std::string& api, std::uint64_t handle = 0,
                     std::uint32_t pid = 0) {
    auto e = make(event_kind::call, prog);
    e.call = ++calls_[engine(prog)];
    e.api = named<api::call_kind>(api);
    e.handle = handle;
    e.pid = pid;
    open_[prog] = e;
    put(e);
    return e.call;
  }

  /// The done of `prog`'s call in flight: `handle` is what a connect returned, `value` how many
  /// ids a listing returned.
  void done(const std::string& prog, hresult hr, std::uint64_t handle = 0, std::uint64_t value = 0) {
    auto c = open_.at(prog);
    open_.erase(prog);
    auto e = make(event_kind::done, prog);
    e.call = c.call;
    e.api = c.api;
    e.hr = hr;
    e.handle = handle;
    e.pid = c.pid;
    e.value = value;
    put(e);
  }

  /// A connect of `prog` that returns `handle` with `hr` at once; returns its call number.
  std::uint64_t connect(const std::string& prog, std::uint64_t handle, hresult hr = S_OK) {
    auto n = call(prog, "connect");
    done(prog, hr, hr == S_OK ? handle : 0);
    return n;
  }

  /// A call of `prog` answered at once with `hr`; returns its call number.
  std::uint64_t op(const std::string& prog, const std::string& api, std::uint64_t handle,
                   hresult hr = S_OK, std::uint64_t value = 0, std::uint32_t pid = 0) {
    auto n = call(prog, api, handle, pid);
    done(prog, hr, 0, value);
    return n;
  }

  /// A client_call of `prog`: `method` answered by the client API itself with `hr`.
  void client(const std::string& prog, const std::string& api, const std::string& method,
              std::uint64_t handle, hresult hr, std::uint32_t pid = 0) {
    auto e = make(event_kind::client_call, prog);
    if (!api.empty())
      e.api = named<api::call_kind>(api);
    e.detail = method;
    e.handle = handle;
    e.pid = pid;
    e.hr = hr;
    put(e);
  }

  /// A program_ended of `prog`: `reason` returned, hung or threw; `code` what it returned.
  void end(const std::string& prog, const std::string& reason = "returned", int code = 0,
           const std::string& detail = "") {
    auto e = make(event_kind::program_ended, prog);
    e.reason = named<reason_kind>(reason);
    e.value = static_cast<std::uint32_t>(code);
    e.detail = detail;
    put(e);
  }

  /// The engine `eng` crashed: a handle_dead engine_crash for `handle` (no program).
  void crash(const std::string& eng, std::uint64_t handle) {
    event e;
    e.t = t;
    e.kind = event_kind::handle_dead;
    e.actor = eng;
    e.handle = handle;
    e.reason = reason_kind::engine_crash;
    put(e);
  }

  /// Every finding so far.
  const std::vector<finding>& found() const { return checker.findings(); }

  /// The rules of every finding so far, in order ("C1", "C4").
  std::vector<std::string> rules() const {
    std::vector<std::string> out;
    for (const auto& f : found())
      out.emplace_back(rule_of(f.kind));
    return out;
  }

  /// Every finding so far as its line, for failure messages.
  std::string lines() const {
    std::string out;
    for (const auto& f : found())
      out += to_string(f) + "\n";
    return out;
  }

  void put(const event& e) { checker.observe(e); }

private:
  const std::string& engine(const std::string& prog) {
    auto [i, fresh] = engine_.try_emplace(prog, "eng");
    return i->second;
  }
  event make(event_kind k, const std::string& prog) {
    event e;
    e.t = t;
    e.kind = k;
    e.actor = engine(prog);
    e.program = prog;
    return e;
  }

  std::map<std::string, std::string> engine_;
  std::map<std::string, std::uint64_t> calls_;
  std::map<std::string, event> open_;
};

using rules_t = std::vector<std::string>;
using calls_t = std::vector<std::uint64_t>;

bool mentions(const finding& f, const std::string& text) {
  return f.message.find(text) != std::string::npos;
}

#define EXPECT_MENTIONS(f, text) \
  EXPECT_TRUE(mentions((f), (text))) << "message: " << (f).message << "\nmissing: " << (text)

// -- C1 leaked-handle -------------------------------------------------------------------------

TEST(Findings, C1_LeakedHandleOverwrittenBySecondConnect) {
  // Pybag and dap-dbgeng keep one handle field: a second connect overwrites the first handle.
  stream s;
  s.start("ide");
  s.tick(1s);
  const auto c1 = s.connect("ide", h1);
  s.tick(1s);
  const auto l1 = s.op("ide", "list_processes", h1);
  s.tick(1s);
  s.connect("ide", h2);
  s.op("ide", "list_processes", h2);
  s.op("ide", "disconnect", h2);
  s.tick(1s);
  s.end("ide");
  ASSERT_EQ(s.rules(), rules_t{"C1"}) << s.lines();
  const auto& f = s.found()[0];
  EXPECT_EQ(f.kind, finding_kind::leaked_handle);
  EXPECT_EQ(f.program, "ide");
  EXPECT_EQ(f.engine, "eng");
  EXPECT_EQ(f.handle, h1);
  EXPECT_EQ(f.calls, (calls_t{c1, l1}));
  EXPECT_EQ(f.t, 4s);
  EXPECT_MENTIONS(f, "0x8000000100000001");
  EXPECT_MENTIONS(f, "obtained at 1.000000s (call 1 (connect))");
  EXPECT_MENTIONS(f, "last used at 2.000000s (call 2 (list_processes))");
  EXPECT_EQ(to_string(f).rfind("C1 leaked-handle ide at 4.000000s: handle 0x8000000100000001", 0), 0u)
      << to_string(f);
}

TEST(Findings, C1_LeakedHandleNeverUsedNamesOnlyItsConnect) {
  // ChaosDbg: connect, then throw at once; the exception is C7, the handle C1.
  stream s;
  s.start("chaos");
  const auto c1 = s.connect("chaos", h1);
  s.end("chaos", "threw", 0, "not implemented");
  ASSERT_EQ(s.rules(), (rules_t{"C1", "C7"})) << s.lines();
  EXPECT_EQ(s.found()[0].calls, calls_t{c1});
  EXPECT_MENTIONS(s.found()[0], "never used after that connect");
  EXPECT_MENTIONS(s.found()[0], "threw");
}

TEST(Findings, C1_LastUseMayBeAClientCall) {
  stream s;
  s.start("ide");
  const auto c1 = s.connect("ide", h1);
  s.tick(1s);
  s.client("ide", "attach", "AttachProcess", h1, E_INVALIDARG, 42);
  s.end("ide");
  ASSERT_EQ(s.rules(), rules_t{"C1"}) << s.lines();
  EXPECT_EQ(s.found()[0].calls, calls_t{c1});
  EXPECT_MENTIONS(s.found()[0], "last used at 1.000000s (client call AttachProcess)");
}

TEST(Findings, C1_OneFindingPerHandleInTheOrderObtained) {
  stream s;
  s.start("ide");
  s.connect("ide", h2);  // Obtained first, though its value is the larger.
  s.connect("ide", h1);
  s.end("ide");
  ASSERT_EQ(s.rules(), (rules_t{"C1", "C1"})) << s.lines();
  EXPECT_EQ(s.found()[0].handle, h2);
  EXPECT_EQ(s.found()[1].handle, h1);
}

TEST(Findings, C1_QuietWhenDisconnected) {
  stream s;
  s.start("ide");
  s.connect("ide", h1);
  s.op("ide", "list_processes", h1);
  s.op("ide", "disconnect", h1);
  s.end("ide");
  EXPECT_TRUE(s.found().empty()) << s.lines();
}

TEST(Findings, C1_QuietWhenEndedWithEndServer) {
  // Binary Ninja's Reset(): EndSession, then EndProcessServer, and the handle is given up.
  stream s;
  s.start("bn");
  s.connect("bn", h1);
  s.op("bn", "end_session", 0);
  s.op("bn", "end_server", h1);
  s.end("bn");
  EXPECT_TRUE(s.found().empty()) << s.lines();
}

TEST(Findings, C1_QuietWhenAnEngineCrashKilledTheHandle) {
  stream s;
  s.start("ide");
  s.connect("ide", h1);
  s.tick(1s);
  s.crash("eng", h1);
  s.end("ide");
  EXPECT_TRUE(s.found().empty()) << s.lines();
}

TEST(Findings, C1_QuietWhenTheProgramHung) {
  // A program stopped at its timeout did not get to clean up: C6 alone.
  stream s;
  s.start("ide");
  s.connect("ide", h1);
  s.end("ide", "hung");
  EXPECT_EQ(s.rules(), rules_t{"C6"}) << s.lines();
}

TEST(Findings, C1_ADisconnectThatTimedOutStillGivesTheHandleUp) {
  // S6: a sync disconnect whose ack times out has killed the handle all the same, so the
  // program gave it up: no leak (near miss of C1).
  stream s;
  s.start("ide");
  s.connect("ide", h1);
  s.op("ide", "disconnect", h1, ERROR_SEM_TIMEOUT);
  s.end("ide");
  EXPECT_TRUE(s.found().empty()) << s.lines();
}

TEST(Findings, C1_ADisconnectRefusedWithInvalidArgGivesNothingUp) {
  // E_INVALIDARG: the handle passed was not live, so the one obtained is still held.
  stream s;
  s.start("ide");
  s.connect("ide", h1);
  const auto d = s.op("ide", "disconnect", h1, E_INVALIDARG);
  s.end("ide");
  ASSERT_EQ(s.rules(), rules_t{"C1"}) << s.lines();
  EXPECT_EQ(s.found()[0].calls, (calls_t{1, d}));
}

TEST(Findings, C1_AnEngineCrashSparesOnlyItsOwnEnginesPrograms) {
  stream s;
  s.start("a", "e1");
  s.start("b", "e2");
  s.connect("a", h1);
  s.connect("b", h1);  // Another engine's handle may have the same value.
  s.crash("e1", h1);
  s.end("a");
  s.end("b");
  ASSERT_EQ(s.rules(), rules_t{"C1"}) << s.lines();
  EXPECT_EQ(s.found()[0].program, "b");
  EXPECT_EQ(s.found()[0].engine, "e2");
}

// -- C2 use-after-disconnect ------------------------------------------------------------------

TEST(Findings, C2_CallAfterDisconnect) {
  stream s;
  s.start("ide");
  s.connect("ide", h1);
  s.tick(1s);
  const auto d = s.op("ide", "disconnect", h1);
  s.tick(1s);
  const auto a = s.op("ide", "attach", h1, E_INVALIDARG, 0, 77);
  s.end("ide");
  ASSERT_EQ(s.rules(), rules_t{"C2"}) << s.lines();
  const auto& f = s.found()[0];
  EXPECT_EQ(f.kind, finding_kind::use_after_disconnect);
  EXPECT_EQ(f.handle, h1);
  EXPECT_EQ(f.pid, 77u);
  EXPECT_EQ(f.calls, (calls_t{d, a}));
  EXPECT_EQ(f.t, 2s);
  EXPECT_MENTIONS(f, "call 3 (attach) went through handle 0x8000000100000001 at 2.000000s");
  EXPECT_MENTIONS(f, "call 2 (disconnect) completed S_OK at 1.000000s");
}

TEST(Findings, C2_SecondDisconnectOfTheSameHandle) {
  stream s;
  s.start("ide");
  s.connect("ide", h1);
  s.op("ide", "disconnect", h1);
  const auto again = s.op("ide", "disconnect", h1, E_INVALIDARG);
  s.end("ide");
  ASSERT_EQ(s.rules(), rules_t{"C2"}) << s.lines();
  EXPECT_EQ(s.found()[0].calls.back(), again);
}

TEST(Findings, C2_OneFindingPerOffendingCallIncludingClientCalls) {
  stream s;
  s.start("ide");
  s.connect("ide", h1);
  s.op("ide", "disconnect", h1);
  s.op("ide", "list_processes", h1, E_INVALIDARG);
  s.client("ide", "describe_process", "GetRunningProcessDescription", h1, E_POINTER, 5);
  s.end("ide");
  ASSERT_EQ(s.rules(), (rules_t{"C2", "C2"})) << s.lines();
  EXPECT_MENTIONS(s.found()[1], "client call GetRunningProcessDescription");
  EXPECT_EQ(s.found()[1].calls, calls_t{2});  // The disconnect; a client call has no number.
}

TEST(Findings, C2_CallAfterEndServerOtherThanDisconnect) {
  // After its own end_server, RPC_E_DISCONNECTED is what the program asked for: C2, not C4.
  stream s;
  s.start("ide");
  s.connect("ide", h1);
  const auto e = s.op("ide", "end_server", h1);
  const auto l = s.op("ide", "list_processes", h1, RPC_E_DISCONNECTED);
  s.op("ide", "disconnect", h1);
  s.end("ide");
  ASSERT_EQ(s.rules(), rules_t{"C2"}) << s.lines();
  EXPECT_EQ(s.found()[0].calls, (calls_t{e, l}));
  EXPECT_MENTIONS(s.found()[0], "(end_server) completed S_OK");
}

TEST(Findings, C2_QuietForEndThenDisconnect) {
  // S8: after EndProcessServer the handle stays live until disconnected.
  stream s;
  s.start("ide");
  s.connect("ide", h1);
  s.op("ide", "end_server", h1);
  s.op("ide", "disconnect", h1);
  s.end("ide");
  EXPECT_TRUE(s.found().empty()) << s.lines();
}

TEST(Findings, C2_QuietAfterADisconnectRefusedWithInvalidArg) {
  // A disconnect refused with E_INVALIDARG gave nothing up, so a later one is no use after it.
  stream s;
  s.start("ide");
  s.connect("ide", h1);
  s.op("ide", "disconnect", h1, E_INVALIDARG);
  s.tick(1s);
  s.op("ide", "disconnect", h1);
  s.end("ide");
  EXPECT_TRUE(s.found().empty()) << s.lines();
}

TEST(Findings, C2_DisconnectRetriedAfterOneThatTimedOut) {
  // S6: a sync disconnect that timed out killed the handle all the same; the retry is a use of
  // a handle already given up (the engine answers E_INVALIDARG).
  stream s;
  s.start("ide");
  s.connect("ide", h1);
  s.op("ide", "disconnect", h1, ERROR_SEM_TIMEOUT);
  s.tick(1s);
  s.op("ide", "disconnect", h1, E_INVALIDARG);
  s.end("ide");
  EXPECT_EQ(s.rules(), rules_t{"C2"}) << s.lines();
}

// -- C3 local-fallback ------------------------------------------------------------------------

TEST(Findings, C3_AttachThroughZeroAfterDisconnect) {
  // Binary Ninja's guide: after disconnecting, a launch runs on the local machine (handle 0).
  stream s;
  s.start("bn");
  s.connect("bn", h1);
  s.tick(1s);
  const auto d = s.op("bn", "disconnect", h1);
  s.tick(1s);
  const auto a = s.op("bn", "attach", 0, S_OK, 0, 1234);
  s.end("bn");
  ASSERT_EQ(s.rules(), rules_t{"C3"}) << s.lines();
  const auto& f = s.found()[0];
  EXPECT_EQ(f.kind, finding_kind::local_fallback);
  EXPECT_EQ(f.handle, 0u);
  EXPECT_EQ(f.pid, 1234u);
  EXPECT_EQ(f.calls, (calls_t{d, a}));
  EXPECT_MENTIONS(f, "call 3 (attach) went through handle 0");
  EXPECT_MENTIONS(f, "remote handle 0x8000000100000001");
  EXPECT_MENTIONS(f, "call 2 (disconnect) at 1.000000s");
}

TEST(Findings, C3_EveryLocalKindAndClientCallsAfterEndServer) {
  stream s;
  s.start("ide");
  s.connect("ide", h1);
  s.op("ide", "end_server", h1);
  s.op("ide", "disconnect", h1);
  s.op("ide", "list_processes", 0);
  s.op("ide", "find_process", 0);
  s.op("ide", "describe_process", 0, S_OK, 0, 4);
  s.op("ide", "create_process", 0);
  s.client("ide", "attach", "AttachProcess", 0, E_INVALIDARG, 4);
  s.end("ide");
  EXPECT_EQ(s.rules(), (rules_t{"C3", "C3", "C3", "C3", "C3"})) << s.lines();
  // The latest handle given up is the one named: the disconnect, call 3.
  EXPECT_MENTIONS(s.found()[0], "call 3 (disconnect)");
}

TEST(Findings, C3_QuietThroughZeroWithoutARemoteHandleGivenUp) {
  stream s;
  s.start("local");
  s.op("local", "list_processes", 0);
  s.op("local", "attach", 0, S_OK, 0, 9);
  s.connect("local", h1);
  s.op("local", "list_processes", 0);  // Local on purpose: h1 is still held.
  s.op("local", "disconnect", h1);
  s.end("local");
  EXPECT_TRUE(s.found().empty()) << s.lines();
}

TEST(Findings, C3_QuietForADisconnectOfHandleZero) {
  stream s;
  s.start("ide");
  s.connect("ide", h1);
  s.op("ide", "disconnect", h1);
  s.op("ide", "disconnect", 0, E_INVALIDARG);
  s.op("ide", "end_server", 0, E_INVALIDARG);
  s.op("ide", "detach_all", 0);
  s.end("ide");
  EXPECT_TRUE(s.found().empty()) << s.lines();
}

// -- C4 dead-handle-kept ----------------------------------------------------------------------

TEST(Findings, C4_CallThroughAHandleWhoseSessionWasGone) {
  stream s;
  s.start("ide");
  s.connect("ide", h1);
  s.tick(1s);
  const auto l = s.op("ide", "list_processes", h1, RPC_E_DISCONNECTED);
  s.tick(1s);
  const auto a = s.op("ide", "attach", h1, RPC_E_DISCONNECTED, 0, 8);
  s.op("ide", "disconnect", h1);
  s.end("ide");
  ASSERT_EQ(s.rules(), rules_t{"C4"}) << s.lines();
  const auto& f = s.found()[0];
  EXPECT_EQ(f.kind, finding_kind::dead_handle_kept);
  EXPECT_EQ(f.handle, h1);
  EXPECT_EQ(f.calls, (calls_t{l, a}));
  EXPECT_EQ(f.t, 2s);
  EXPECT_MENTIONS(f, "call 3 (attach) went through handle 0x8000000100000001 at 2.000000s");
  EXPECT_MENTIONS(f, "call 2 (list_processes) through it failed with RPC_E_DISCONNECTED at 1.000000s");
}

TEST(Findings, C4_ReturnedWithoutDisconnectingADeadHandle) {
  // Nothing detects a dead server (Binary Ninja): a reset fails a call, and the program returns.
  stream s;
  s.start("ide");
  s.connect("ide", h1);
  const auto l = s.call("ide", "list_processes", h1);
  s.tick(5s);
  s.done("ide", RPC_S_CALL_FAILED);
  s.end("ide");
  ASSERT_EQ(s.rules(), rules_t{"C4"}) << s.lines();  // Not also C1.
  EXPECT_EQ(s.found()[0].calls, calls_t{l});
  EXPECT_MENTIONS(s.found()[0], "returned at 5.000000s without disconnecting handle 0x8000000100000001");
  EXPECT_MENTIONS(s.found()[0], "RPC_S_CALL_FAILED");
}

TEST(Findings, C4_AtMostOnePerHandle) {
  stream s;
  s.start("ide");
  s.connect("ide", h1);
  s.op("ide", "list_processes", h1, RPC_E_DISCONNECTED);
  s.tick(1s);
  s.op("ide", "list_processes", h1, RPC_E_DISCONNECTED);
  s.tick(1s);
  s.op("ide", "end_server", h1, RPC_E_DISCONNECTED);
  s.end("ide");
  EXPECT_EQ(s.rules(), rules_t{"C4"}) << s.lines();
}

TEST(Findings, C4_QuietWhenTheDeadHandleIsDisconnected) {
  stream s;
  s.start("ide");
  s.connect("ide", h1);
  s.op("ide", "list_processes", h1, RPC_E_DISCONNECTED);
  s.tick(1s);
  s.op("ide", "disconnect", h1);
  s.connect("ide", h2);  // And a fresh connect is the remedy (S18).
  s.op("ide", "list_processes", h2);
  s.op("ide", "disconnect", h2);
  s.end("ide");
  EXPECT_TRUE(s.found().empty()) << s.lines();
}

TEST(Findings, C4_QuietForATimeoutThenARetry) {
  // ERROR_SEM_TIMEOUT says the server is slow or out of reach, not that the session is gone (S9).
  stream s;
  s.start("ide");
  s.connect("ide", h1);
  s.call("ide", "list_processes", h1);
  s.tick(5s);
  s.done("ide", ERROR_SEM_TIMEOUT);
  s.tick(1s);
  s.op("ide", "list_processes", h1);
  s.op("ide", "disconnect", h1);
  s.end("ide");
  EXPECT_TRUE(s.found().empty()) << s.lines();
}

TEST(Findings, C4_QuietWhenAnEngineCrashKilledTheHandle) {
  stream s;
  s.start("ide");
  s.connect("ide", h1);
  s.op("ide", "list_processes", h1, RPC_S_CALL_FAILED);
  s.crash("eng", h1);
  s.tick(1s);
  s.op("ide", "list_processes", h1, E_ABORT);
  s.end("ide");
  EXPECT_TRUE(s.found().empty()) << s.lines();
}

// -- C5 busy-retry ----------------------------------------------------------------------------

TEST(Findings, C5_FourFailuresBackToBack) {
  stream s;
  s.start("ide");
  s.connect("ide", h1);
  s.tick(1s);
  calls_t chain;
  for (int i = 0; i < 6; ++i)  // Six, but one chain: one finding, at the fourth.
    chain.push_back(s.op("ide", "attach", h1, E_ACCESSDENIED, 0, 66));
  s.op("ide", "disconnect", h1);
  s.end("ide");
  ASSERT_EQ(s.rules(), rules_t{"C5"}) << s.lines();
  const auto& f = s.found()[0];
  EXPECT_EQ(f.kind, finding_kind::busy_retry);
  EXPECT_EQ(f.calls, (calls_t{chain.begin(), chain.begin() + 4}));
  EXPECT_EQ(f.handle, h1);
  EXPECT_EQ(f.pid, 66u);
  EXPECT_MENTIONS(f, "4 failed calls in a row");
  EXPECT_MENTIONS(f, "call 5 (attach) E_ACCESSDENIED");
}

TEST(Findings, C5_AFailureThatTookTimeStillChains) {
  // The pause that counts is between one call's end and the next one's start.
  stream s;
  s.start("ide");
  s.connect("ide", h1);
  for (int i = 0; i < 4; ++i) {
    s.call("ide", "list_processes", h1);
    s.tick(5s);
    s.done("ide", ERROR_SEM_TIMEOUT);
  }
  s.op("ide", "disconnect", h1);
  s.end("ide");
  ASSERT_EQ(s.rules(), rules_t{"C5"}) << s.lines();
  EXPECT_MENTIONS(s.found()[0], "from 0.000000s to 20.000000s");
}

TEST(Findings, C5_ClientCallsAndEngineCallsChainTogether) {
  stream s;
  s.start("ide");
  s.op("ide", "connect", 0, RPC_S_SERVER_UNAVAILABLE);
  s.client("ide", "attach", "AttachProcess", 0, E_INVALIDARG);
  s.op("ide", "connect", 0, RPC_S_SERVER_UNAVAILABLE);
  s.client("ide", "", "GetProcessOptions", 0, E_POINTER);
  s.end("ide", "returned", 1);
  ASSERT_EQ(s.rules(), (rules_t{"C5", "C7"})) << s.lines();
  EXPECT_EQ(s.found()[0].calls, (calls_t{1, 2}));  // Only engine calls have numbers.
  EXPECT_MENTIONS(s.found()[0], "client call GetProcessOptions E_POINTER");
}

TEST(Findings, C5_AfterAGapANewChainReportsAgain) {
  stream s;
  s.start("ide");
  for (int i = 0; i < 4; ++i)
    s.op("ide", "connect", 0, RPC_S_SERVER_UNAVAILABLE);
  s.tick(100ms);
  for (int i = 0; i < 4; ++i)
    s.op("ide", "connect", 0, RPC_S_SERVER_UNAVAILABLE);
  s.end("ide");
  ASSERT_EQ(s.rules(), (rules_t{"C5", "C5"})) << s.lines();
  EXPECT_EQ(s.found()[1].calls, (calls_t{5, 6, 7, 8}));
}

TEST(Findings, C5_QuietForThreeFailures) {
  stream s;
  s.start("ide");
  for (int i = 0; i < 3; ++i)
    s.op("ide", "connect", 0, RPC_S_SERVER_UNAVAILABLE);
  s.end("ide");
  EXPECT_TRUE(s.found().empty()) << s.lines();
}

TEST(Findings, C5_QuietForFourFailuresWithASleepBetween) {
  // Binary Ninja's connect loop: retries 100 ms apart.
  stream s;
  s.start("bn");
  for (int i = 0; i < 8; ++i) {
    s.op("bn", "connect", 0, RPC_S_SERVER_UNAVAILABLE);
    if (i % 2 == 1)
      s.tick(100ms);
  }
  s.end("bn");
  EXPECT_TRUE(s.found().empty()) << s.lines();
}

TEST(Findings, C5_QuietWhenASuccessInterrupts) {
  stream s;
  s.start("ide");
  s.op("ide", "list_processes", 0, E_FAIL);
  s.op("ide", "list_processes", 0, E_FAIL);
  s.op("ide", "list_processes", 0, S_FALSE, 0);  // S_FALSE succeeds.
  s.op("ide", "list_processes", 0, E_FAIL);
  s.op("ide", "list_processes", 0, E_FAIL);
  s.client("ide", "", "GetProcessOptions", 0, S_OK);
  s.op("ide", "list_processes", 0, E_FAIL);
  s.end("ide");
  EXPECT_TRUE(s.found().empty()) << s.lines();
}

TEST(Findings, C5_AnotherProgramsCallDoesNotBreakTheChain) {
  stream s;
  s.start("a");
  s.start("b");
  for (int i = 0; i < 4; ++i) {
    s.op("a", "connect", 0, RPC_S_SERVER_UNAVAILABLE);
    s.op("b", "list_processes", 0);  // b succeeds in between, at the same instant.
  }
  s.end("a");
  s.end("b");
  ASSERT_EQ(s.rules(), rules_t{"C5"}) << s.lines();
  EXPECT_EQ(s.found()[0].program, "a");
  EXPECT_EQ(s.found()[0].calls, (calls_t{1, 3, 5, 7}));
}

// -- C6 hung-program --------------------------------------------------------------------------

TEST(Findings, C6_HungProgramNamesItsCallInFlight) {
  stream s;
  s.start("srv");
  const auto w = s.call("srv", "wait_server_end");
  s.tick(60s);
  s.end("srv", "hung");
  s.done("srv", S_FALSE);  // After it was stopped: not judged.
  ASSERT_EQ(s.rules(), rules_t{"C6"}) << s.lines();
  const auto& f = s.found()[0];
  EXPECT_EQ(f.kind, finding_kind::hung_program);
  EXPECT_EQ(f.program, "srv");
  EXPECT_EQ(f.t, 60s);
  EXPECT_EQ(f.calls, calls_t{w});
  EXPECT_MENTIONS(f, "stopped at 60.000000s");
  EXPECT_MENTIONS(f, "call 1 (wait_server_end)");
}

TEST(Findings, C6_HungProgramSkipsItsCleanupRules) {
  // Neither C1, C4 nor C8 for a program that was stopped before it could clean up.
  stream s;
  s.start("ide");
  s.connect("ide", h1);
  s.connect("ide", h2);
  s.op("ide", "list_processes", h2, RPC_E_DISCONNECTED);
  s.op("ide", "list_processes", h1, S_FALSE, 5);
  s.end("ide", "hung");
  EXPECT_EQ(s.rules(), rules_t{"C6"}) << s.lines();
}

TEST(Findings, C6_QuietWhenTheProgramReturned) {
  stream s;
  s.start("ide");
  s.call("ide", "wait_server_end");
  s.tick(60s);
  s.done("ide", S_FALSE);
  s.end("ide");
  EXPECT_TRUE(s.found().empty()) << s.lines();
}

// -- C7 program-failed ------------------------------------------------------------------------

TEST(Findings, C7_NonZeroReturnShowsTheCode) {
  stream s;
  s.start("ide");
  s.tick(3s);
  s.end("ide", "returned", -1);
  ASSERT_EQ(s.rules(), rules_t{"C7"}) << s.lines();
  const auto& f = s.found()[0];
  EXPECT_EQ(f.kind, finding_kind::program_failed);
  EXPECT_EQ(f.t, 3s);
  EXPECT_MENTIONS(f, "returned -1 (0xFFFFFFFF)");
}

TEST(Findings, C7_ReturnedAnHresult) {
  stream s;
  s.start("ide");
  s.end("ide", "returned", static_cast<int>(0x800706BAu));
  ASSERT_EQ(s.rules(), rules_t{"C7"}) << s.lines();
  EXPECT_MENTIONS(s.found()[0], "(0x800706BA)");
}

TEST(Findings, C7_ExceptionEscaped) {
  // dap-dbgeng's attach_remote throws when ConnectProcessServer fails.
  stream s;
  s.start("dap");
  s.op("dap", "connect", 0, RPC_S_SERVER_UNAVAILABLE);
  s.end("dap", "threw", 0, "ConnectProcessServer failed: 0x800706BA");
  ASSERT_EQ(s.rules(), rules_t{"C7"}) << s.lines();
  EXPECT_MENTIONS(s.found()[0], "an exception escaped");
  EXPECT_MENTIONS(s.found()[0], "ConnectProcessServer failed: 0x800706BA");
}

TEST(Findings, C7_QuietForReturnZero) {
  stream s;
  s.start("ide");
  s.op("ide", "connect", 0, RPC_S_SERVER_UNAVAILABLE);
  s.end("ide", "returned", 0);
  EXPECT_TRUE(s.found().empty()) << s.lines();
}

// -- C8 ignored-truncation --------------------------------------------------------------------

TEST(Findings, C8_TruncatedListingThenAttach) {
  stream s;
  s.start("ide");
  s.connect("ide", h1);
  s.tick(1s);
  const auto l = s.op("ide", "list_processes", h1, S_FALSE, 16);
  s.tick(1s);
  const auto a = s.op("ide", "attach", h1, S_OK, 0, 3);
  s.op("ide", "disconnect", h1);
  s.end("ide");
  ASSERT_EQ(s.rules(), rules_t{"C8"}) << s.lines();
  const auto& f = s.found()[0];
  EXPECT_EQ(f.kind, finding_kind::ignored_truncation);
  EXPECT_EQ(f.handle, h1);
  EXPECT_EQ(f.calls, (calls_t{l, a}));
  EXPECT_EQ(f.t, 2s);
  EXPECT_MENTIONS(f, "call 2 (list_processes) through handle 0x8000000100000001 came back S_FALSE at 1.000000s");
  EXPECT_MENTIONS(f, "next call was call 3 (attach)");
}

TEST(Findings, C8_ListingAgainThroughAnotherHandleIsStillIgnored) {
  stream s;
  s.start("ide");
  s.connect("ide", h1);
  s.connect("ide", h2);
  s.op("ide", "list_processes", h1, S_FALSE, 16);
  s.op("ide", "list_processes", h2);
  s.op("ide", "disconnect", h1);
  s.op("ide", "disconnect", h2);
  s.end("ide");
  ASSERT_EQ(s.rules(), rules_t{"C8"}) << s.lines();
  EXPECT_EQ(s.found()[0].calls, (calls_t{3, 4}));
}

TEST(Findings, C8_TruncatedListingThenReturn) {
  stream s;
  s.start("ide");
  const auto l = s.op("ide", "list_processes", 0, S_FALSE, 64);
  s.tick(1s);
  s.end("ide");
  ASSERT_EQ(s.rules(), rules_t{"C8"}) << s.lines();
  EXPECT_EQ(s.found()[0].calls, calls_t{l});
  EXPECT_EQ(s.found()[0].handle, 0u);
  EXPECT_MENTIONS(s.found()[0], "returned at 1.000000s without listing again");
}

TEST(Findings, C8_TheNextCallMayBeAClientCall) {
  stream s;
  s.start("ide");
  const auto l = s.op("ide", "list_processes", 0, S_FALSE, 64);
  s.client("ide", "", "GetProcessOptions", 0, S_OK);
  s.end("ide");
  ASSERT_EQ(s.rules(), rules_t{"C8"}) << s.lines();
  EXPECT_EQ(s.found()[0].calls, calls_t{l});
  EXPECT_MENTIONS(s.found()[0], "next call was client call GetProcessOptions");
}

TEST(Findings, C8_QuietWhenListingAgain) {
  // Pybag pads the count and lists again when the fill is still short.
  stream s;
  s.start("pybag");
  s.connect("pybag", h1);
  s.op("pybag", "list_processes", h1, S_FALSE, 16);
  s.op("pybag", "list_processes", h1, S_OK, 17);
  s.op("pybag", "disconnect", h1);
  s.end("pybag");
  EXPECT_TRUE(s.found().empty()) << s.lines();
}

TEST(Findings, C8_QuietForCountOnlyThenFill) {
  // Binary Ninja counts with no buffer (S_FALSE, no ids), then fills a buffer of that size.
  stream s;
  s.start("bn");
  s.connect("bn", h1);
  s.op("bn", "list_processes", h1, S_FALSE, 0);
  s.op("bn", "attach", h1, S_OK, 0, 3);  // Not a truncation, so anything may follow.
  s.op("bn", "list_processes", h1, S_FALSE, 0);
  s.op("bn", "list_processes", h1, S_OK, 12);
  s.op("bn", "disconnect", h1);
  s.end("bn");
  EXPECT_TRUE(s.found().empty()) << s.lines();
}

// -- programs, engines, order -----------------------------------------------------------------

TEST(Findings, TwoProgramsOnOneEngineDoNotMix) {
  stream s;
  s.start("a");
  s.start("b");
  s.connect("a", h1);
  s.connect("b", h2);
  s.op("b", "disconnect", h2);
  s.op("a", "list_processes", 0);        // b gave a handle up, not a: no C3 for a.
  s.op("a", "list_processes", h2, E_INVALIDARG);  // b's handle, not a's: no C2 for a.
  s.op("b", "list_processes", h1, RPC_E_DISCONNECTED);  // a's handle, not b's: marks nothing.
  s.op("a", "list_processes", h1);
  s.end("b");
  s.end("a");
  ASSERT_EQ(s.rules(), rules_t{"C1"}) << s.lines();
  EXPECT_EQ(s.found()[0].program, "a");
  EXPECT_EQ(s.found()[0].handle, h1);
}

TEST(Findings, EventsWithoutAProgramAreIgnored) {
  stream s;
  event e;
  e.kind = event_kind::call;
  e.actor = "eng";
  e.call = 1;
  e.api = api::call_kind::disconnect;
  e.handle = h1;
  s.put(e);
  e.kind = event_kind::program_ended;
  e.reason = reason_kind::hung;
  s.put(e);
  EXPECT_TRUE(s.found().empty()) << s.lines();
}

TEST(Findings, FindingsAtTheEndComeInRuleOrderAndAreDeterministic) {
  auto once = [] {
    stream s;
    s.start("ide");
    s.connect("ide", h2);
    s.connect("ide", h1);
    s.op("ide", "list_processes", h1, RPC_E_DISCONNECTED);
    s.op("ide", "list_processes", 0, S_FALSE, 3);
    s.end("ide", "returned", 2);
    std::vector<std::string> out;
    for (const auto& f : s.found())
      out.push_back(to_string(f));
    return out;
  };
  const auto first = once();
  ASSERT_EQ(first.size(), 4u);
  // The handles in the order obtained (h2's C1, then h1's C4), then C7, then C8.
  EXPECT_EQ(first[0].rfind("C1 leaked-handle ide", 0), 0u) << first[0];
  EXPECT_NE(first[0].find("0x8000000100000002"), std::string::npos) << first[0];
  EXPECT_EQ(first[1].rfind("C4 dead-handle-kept ide", 0), 0u) << first[1];
  EXPECT_EQ(first[2].rfind("C7 program-failed ide", 0), 0u) << first[2];
  EXPECT_EQ(first[3].rfind("C8 ignored-truncation ide", 0), 0u) << first[3];
  EXPECT_EQ(once(), first);
}

}  // namespace
}  // namespace dbgsim
