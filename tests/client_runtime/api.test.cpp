// The IDebugClient a program gets (docs/clients.md, "The API"): each method's arguments are
// checked as dbgeng does — null pointers, unknown flags and what the model does not support get
// E_INVALIDARG, E_NOTIMPL or E_UNEXPECTED, never a crash — the refusals are `client_call` events
// with the program's name, and what passes reaches the engine with dbgeng's semantics (S12, S17,
// S20, S21).
#include "tests/client_runtime/fixture.hpp"
#include "protocol/hresult.hpp"

#include <dbgsim/dbgeng.h>

#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <string>

using dbgsim::test::program_log;

namespace {

std::string hr_name(HRESULT hr) {
  return dbgsim::protocol::to_string(dbgsim::protocol::hresult{static_cast<std::uint32_t>(hr)});
}

void note(const char* what, HRESULT hr) { program_log().push_back(std::string(what) + "=" + hr_name(hr)); }

}  // namespace

// Every refusal the API makes before anything reaches the engine, in a fixed order.
DBGSIM_CLIENT_PROGRAM(api_refusals) {
  ULONG64 h = 0;
  ULONG id = 0;
  char cmd[] = "notepad.exe";
  note("connect-null-options", client->ConnectProcessServer(nullptr, &h));
  note("connect-null-out", client->ConnectProcessServer("tcp:server=srv,port=5005", nullptr));
  note("attach-unknown-flag", client->AttachProcess(0, 4242, 0x40));
  note("attach-noninvasive", client->AttachProcess(0, 4242, DEBUG_ATTACH_NONINVASIVE));
  note("find-null-exe", client->GetRunningProcessSystemIdByExecutableName(0, nullptr, 0, &id));
  note("find-null-out", client->GetRunningProcessSystemIdByExecutableName(0, "calc.exe", 0, nullptr));
  note("find-unknown-flag", client->GetRunningProcessSystemIdByExecutableName(0, "calc.exe", 0x8, &id));
  note("find-service", client->GetRunningProcessSystemIdByExecutableName(
                           0, "calc.exe", DEBUG_GET_PROC_SERVICE_NAME, &id));
  note("describe-unknown-flag", client->GetRunningProcessDescription(0, 4242, 0x40, nullptr, 0,
                                                                     nullptr, nullptr, 0, nullptr));
  note("create-null", client->CreateProcess(0, nullptr, DEBUG_ONLY_THIS_PROCESS));
  note("create-no-debug-flag", client->CreateProcess(0, cmd, 0));
  note("create-unknown-flag", client->CreateProcess(0, cmd, DEBUG_ONLY_THIS_PROCESS | 0x100000));
  note("create-and-attach-both", client->CreateProcessAndAttach(0, cmd, DEBUG_ONLY_THIS_PROCESS, 4242, 0));
  note("create-and-attach-neither", client->CreateProcessAndAttach(0, nullptr, DEBUG_ONLY_THIS_PROCESS, 0, 0));
  note("end-session-disconnect", client->EndSession(DEBUG_END_DISCONNECT));
  note("end-session-unknown", client->EndSession(99));
  note("start-server-wrong-class", client->StartProcessServer(DEBUG_CLASS_KERNEL, "tcp:port=6000", nullptr));
  int reserved = 0;
  note("start-server-reserved", client->StartProcessServer(DEBUG_CLASS_USER_WINDOWS, "tcp:port=6000", &reserved));
  note("start-server-null", client->StartProcessServer(DEBUG_CLASS_USER_WINDOWS, nullptr, nullptr));
  note("get-options-null", client->GetProcessOptions(nullptr));
  note("add-options-unknown", client->AddProcessOptions(0x4));
  note("detach-current-none", client->DetachCurrentProcess());
  note("terminate-current-none", client->TerminateCurrentProcess());
  return 0;
}

// What passes the checks: listing, finding, describing with small buffers, attach and the
// current process, process options.
DBGSIM_CLIENT_PROGRAM(api_calls) {
  ULONG64 h = 0;
  note("connect", client->ConnectProcessServer("tcp:server=srv,port=5005", &h));
  ULONG count = 0;
  note("count", client->GetRunningProcessSystemIds(h, nullptr, 0, &count));
  program_log().push_back("count=" + std::to_string(count));
  ULONG ids[2] = {0, 0};
  ULONG actual = 0;
  note("fill", client->GetRunningProcessSystemIds(h, ids, 2, &actual));
  program_log().push_back("ids=" + std::to_string(ids[0]) + "," + std::to_string(ids[1]) +
                          " actual=" + std::to_string(actual));
  ULONG one[1] = {0};
  note("fill-short", client->GetRunningProcessSystemIds(h, one, 1, &actual));
  ULONG id = 0;
  note("find", client->GetRunningProcessSystemIdByExecutableName(h, "calc.exe", DEBUG_GET_PROC_ONLY_MATCH, &id));
  program_log().push_back("found=" + std::to_string(id));
  char exe[5];
  char desc[64];
  ULONG exe_size = 0, desc_size = 0;
  note("describe-short", client->GetRunningProcessDescription(h, 4242, DEBUG_PROC_DESC_DEFAULT, exe, sizeof exe,
                                                              &exe_size, desc, sizeof desc, &desc_size));
  program_log().push_back(std::string("exe=") + exe + " needs=" + std::to_string(exe_size) +
                          " desc=" + desc + " needs=" + std::to_string(desc_size));
  note("attach-4242", client->AttachProcess(h, 4242, DEBUG_ATTACH_DEFAULT));
  note("attach-4343", client->AttachProcess(h, 4343, DEBUG_ATTACH_INVASIVE_RESUME_PROCESS));
  ULONG options = 99;
  note("get-options", client->GetProcessOptions(&options));
  program_log().push_back("options=" + std::to_string(options));
  note("add-detach", client->AddProcessOptions(DEBUG_PROCESS_DETACH_ON_EXIT));
  note("add-only-this", client->AddProcessOptions(DEBUG_PROCESS_ONLY_THIS_PROCESS));
  client->GetProcessOptions(&options);
  program_log().push_back("options=" + std::to_string(options));
  note("remove-detach", client->RemoveProcessOptions(DEBUG_PROCESS_DETACH_ON_EXIT));
  client->GetProcessOptions(&options);
  program_log().push_back("options=" + std::to_string(options));
  // The current process is the most recent target: 4343, then 4242.
  note("detach-current", client->DetachCurrentProcess());
  note("terminate-current", client->TerminateCurrentProcess());
  note("detach-current-again", client->DetachCurrentProcess());
  note("disconnect", client->DisconnectProcessServer(h));
  return 0;
}

// Starts a process server on its own machine and reaches it by "localhost" and by its names.
DBGSIM_CLIENT_PROGRAM(api_localhost) {
  note("start", client->StartProcessServer(DEBUG_CLASS_USER_WINDOWS, "tcp:port=6000", nullptr));
  for (const char* options : {"tcp:server=localhost,port=6000", "tcp:server=LocalHost,port=6000",
                              "tcp:server=127.0.0.1,port=6000", "tcp:server=eng,port=6000",
                              "tcp:server=srv,port=6000"}) {
    ULONG64 h = 0;
    const HRESULT hr = client->ConnectProcessServer(options, &h);
    note(options, hr);
    if (SUCCEEDED(hr))
      client->DisconnectProcessServer(h);
  }
  return 0;
}

namespace dbgsim {
namespace {

using namespace test;

TEST(ClientApi, LocalhostIsTheEnginesOwnMachine) {
  // A short connect timeout: the last connect goes to srv, where nothing listens on 6000 (S3).
  auto r = run_yaml(world_yaml("defaults: { connect_timeout: 1s }\n"
                               "clients:\n  - { name: a, engine: eng, program: api_localhost }\n"));
  ASSERT_TRUE(r.passed()) << r.signature();
  EXPECT_EQ(program_log(), (std::vector<std::string>{
                               "start=S_OK", "tcp:server=localhost,port=6000=S_OK",
                               "tcp:server=LocalHost,port=6000=S_OK",
                               "tcp:server=127.0.0.1,port=6000=S_OK", "tcp:server=eng,port=6000=S_OK",
                               "tcp:server=srv,port=6000=RPC_S_SERVER_UNAVAILABLE"}));
}

TEST(ClientApi, RefusalsGiveTheDocumentedHresultAndReachNoEngine) {
  // Twenty-three failures in one instant: busy-retry (C5) too, as the checker must say.
  auto r = run_yaml(world_yaml(
      "clients:\n  - { name: a, engine: eng, program: api_refusals, expect: { findings: [busy-retry] } }\n"));
  ASSERT_TRUE(r.passed()) << r.signature();
  const std::vector<std::string> expected{
      "connect-null-options=E_INVALIDARG", "connect-null-out=E_INVALIDARG",
      "attach-unknown-flag=E_INVALIDARG", "attach-noninvasive=E_NOTIMPL",
      "find-null-exe=E_INVALIDARG", "find-null-out=E_INVALIDARG",
      "find-unknown-flag=E_INVALIDARG", "find-service=E_NOTIMPL",
      "describe-unknown-flag=E_INVALIDARG", "create-null=E_INVALIDARG",
      "create-no-debug-flag=E_INVALIDARG", "create-unknown-flag=E_INVALIDARG",
      "create-and-attach-both=E_NOTIMPL", "create-and-attach-neither=E_INVALIDARG",
      "end-session-disconnect=E_UNEXPECTED", "end-session-unknown=E_INVALIDARG",
      "start-server-wrong-class=E_INVALIDARG", "start-server-reserved=E_INVALIDARG",
      "start-server-null=E_INVALIDARG", "get-options-null=E_INVALIDARG",
      "add-options-unknown=E_INVALIDARG", "detach-current-none=E_UNEXPECTED",
      "terminate-current-none=E_UNEXPECTED"};
  EXPECT_EQ(program_log(), expected);
  // Each is a client_call naming its method, and none reached the engine.
  const auto refused = of_kind(r, event_kind::client_call);
  ASSERT_EQ(refused.size(), expected.size());
  EXPECT_EQ(refused.front().detail, "ConnectProcessServer");
  EXPECT_EQ(refused.front().program, "a");
  EXPECT_EQ(refused.front().actor, "eng");
  EXPECT_EQ(refused.back().detail, "TerminateCurrentProcess");
  EXPECT_TRUE(of_kind(r, event_kind::call).empty());
}

TEST(ClientApi, CallsThatPassReachTheEngineWithDbgengsSemantics) {
  // The one-id listing came back S_FALSE and was not listed again: ignored-truncation (C8).
  auto r = run_yaml(world_yaml(
      "clients:\n  - { name: a, engine: eng, program: api_calls, expect: { findings: [ignored-truncation] } }\n"));
  ASSERT_TRUE(r.passed()) << r.signature();
  const std::vector<std::string> expected{
      "connect=S_OK",
      "count=S_OK",  // S17: the count alone is no truncation.
      "count=2",
      "fill=S_OK",
      "ids=4242,4343 actual=2",
      "fill-short=S_FALSE",
      "find=S_OK",
      "found=4343",
      "describe-short=S_FALSE",  // The 5-byte buffer truncated "notepad.exe".
      "exe=note needs=12 desc=Notepad needs=8",
      "attach-4242=S_OK",
      "attach-4343=S_OK",
      "get-options=S_OK",
      "options=0",
      "add-detach=S_OK",
      "add-only-this=S_OK",
      "options=3",
      "remove-detach=S_OK",
      "options=2",
      "detach-current=S_OK",
      "terminate-current=S_OK",
      "detach-current-again=E_UNEXPECTED",
      "disconnect=S_OK"};
  EXPECT_EQ(program_log(), expected);
  // Detach went to the most recent target, terminate to the one before it (S21).
  std::vector<std::pair<api::call_kind, std::uint32_t>> target_calls;
  for (const auto& e : of_kind(r, event_kind::call))
    if (e.api == api::call_kind::detach || e.api == api::call_kind::terminate)
      target_calls.emplace_back(*e.api, e.pid);
  EXPECT_EQ(target_calls, (std::vector<std::pair<api::call_kind, std::uint32_t>>{
                              {api::call_kind::detach, 4343}, {api::call_kind::terminate, 4242}}));
  // DEBUG_PROCESS_DETACH_ON_EXIT reached the engine (twice); ONLY_THIS_PROCESS stayed local.
  std::size_t option_calls = 0;
  for (const auto& e : of_kind(r, event_kind::call))
    option_calls += e.api == api::call_kind::process_options;
  EXPECT_EQ(option_calls, 2u);
}

}  // namespace
}  // namespace dbgsim
