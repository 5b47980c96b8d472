// <dbgsim/dbgeng.h> on its own (docs/clients.md): Windows' widths, Microsoft's published values of
// the DEBUG_* and creation flags, SUCCEEDED/FAILED, the protocol's HRESULTs, and the registry and
// exports that DBGSIM_CLIENT_PROGRAM makes for `dbgsim run --client-lib`. This binary links only
// dbgsim::client, as a user's library does.
//
// Where the values come from (every value below was read there, not from this project's header):
// - Microsoft's dbgeng.h of the Debugging Tools for Windows SDK ("Debugger engine interfaces.
//   Copyright (c) Microsoft Corporation"), sections "Process creation flags", "Attach flags",
//   "GetRunningProcessSystemIdByExecutableName flags", "GetRunningProcessDescription flags",
//   "Process options", "EndSession flags" and "Classes of debuggee";
// - the same constants in Microsoft's windows crate, generated from the Windows SDK metadata:
//   https://microsoft.github.io/windows-docs-rs/doc/windows/Win32/System/Diagnostics/Debug/Extensions/
//   (e.g. constant.DEBUG_PROC_DESC_NO_USER_NAME.html: 32u32);
// - mingw-w64's dbgeng.h, which agrees (ziglang/zig lib/libc/include/any-windows-any/dbgeng.h);
// - the Win32 creation flags and INFINITE: Microsoft Learn, "Process Creation Flags"
//   (https://learn.microsoft.com/en-us/windows/win32/procthread/process-creation-flags) and
//   winbase.h.
#include <dbgsim/dbgeng.h>

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

// -- widths: a program that stores a ULONG64 handle in a ULONG, or compares an HRESULT with < 0,
// -- must behave as on Windows, where ULONG and DWORD are 32 bits even on 64-bit systems --------

static_assert(sizeof(ULONG) == 4 && std::is_unsigned_v<ULONG>);
static_assert(sizeof(DWORD) == 4 && std::is_unsigned_v<DWORD>);
static_assert(sizeof(LONG) == 4 && std::is_signed_v<LONG>);
static_assert(sizeof(ULONG64) == 8 && std::is_unsigned_v<ULONG64>);
static_assert(sizeof(HRESULT) == 4 && std::is_signed_v<HRESULT>);
static_assert(sizeof(BOOL) == 4);
static_assert(std::is_same_v<PULONG, ULONG*> && std::is_same_v<PULONG64, ULONG64*>);
static_assert(std::is_same_v<PCSTR, const char*> && std::is_same_v<PSTR, char*>);
static_assert(std::is_same_v<PDEBUG_CLIENT, IDebugClient*>);

namespace {

/// One named constant of the header next to the value Microsoft publishes for it.
struct published {
  const char* name;
  ULONG actual;
  ULONG expected;
};

// The stringised name keeps a failure readable; the decltype check keeps every flag a ULONG, the
// type of the parameters they are passed in.
#define DBGSIM_PUBLISHED(name, value)                                        \
  published { #name, name, value }
static_assert(std::is_same_v<decltype(DEBUG_ATTACH_DEFAULT), const ULONG>);
static_assert(std::is_same_v<decltype(CREATE_NO_WINDOW), const ULONG>);
static_assert(std::is_same_v<decltype(INFINITE), const DWORD>);

// dbgeng.h, "Attach flags" (AttachProcess's AttachFlags).
const std::vector<published> attach_flags = {
    DBGSIM_PUBLISHED(DEBUG_ATTACH_DEFAULT, 0x00000000),
    DBGSIM_PUBLISHED(DEBUG_ATTACH_NONINVASIVE, 0x00000001),
    DBGSIM_PUBLISHED(DEBUG_ATTACH_EXISTING, 0x00000002),
    DBGSIM_PUBLISHED(DEBUG_ATTACH_NONINVASIVE_NO_SUSPEND, 0x00000004),
    DBGSIM_PUBLISHED(DEBUG_ATTACH_INVASIVE_NO_INITIAL_BREAK, 0x00000008),
    DBGSIM_PUBLISHED(DEBUG_ATTACH_INVASIVE_RESUME_PROCESS, 0x00000010),
    DBGSIM_PUBLISHED(DEBUG_ATTACH_NONINVASIVE_ALLOW_PARTIAL, 0x00000020),
};

// dbgeng.h, "EndSession flags".
const std::vector<published> end_flags = {
    DBGSIM_PUBLISHED(DEBUG_END_PASSIVE, 0x00000000),
    DBGSIM_PUBLISHED(DEBUG_END_ACTIVE_TERMINATE, 0x00000001),
    DBGSIM_PUBLISHED(DEBUG_END_ACTIVE_DETACH, 0x00000002),
    DBGSIM_PUBLISHED(DEBUG_END_REENTRANT, 0x00000003),
    DBGSIM_PUBLISHED(DEBUG_END_DISCONNECT, 0x00000004),
};

// dbgeng.h, "Process options" (Get/Set/Add/RemoveProcessOptions).
const std::vector<published> process_options = {
    DBGSIM_PUBLISHED(DEBUG_PROCESS_DETACH_ON_EXIT, 0x00000001),
    DBGSIM_PUBLISHED(DEBUG_PROCESS_ONLY_THIS_PROCESS, 0x00000002),
};

// dbgeng.h, GetRunningProcessSystemIdByExecutableName's and GetRunningProcessDescription's flags.
const std::vector<published> process_lookup_flags = {
    DBGSIM_PUBLISHED(DEBUG_GET_PROC_DEFAULT, 0x00000000),
    DBGSIM_PUBLISHED(DEBUG_GET_PROC_FULL_MATCH, 0x00000001),
    DBGSIM_PUBLISHED(DEBUG_GET_PROC_ONLY_MATCH, 0x00000002),
    DBGSIM_PUBLISHED(DEBUG_GET_PROC_SERVICE_NAME, 0x00000004),
    DBGSIM_PUBLISHED(DEBUG_PROC_DESC_DEFAULT, 0x00000000),
    DBGSIM_PUBLISHED(DEBUG_PROC_DESC_NO_PATHS, 0x00000001),
    DBGSIM_PUBLISHED(DEBUG_PROC_DESC_NO_SERVICES, 0x00000002),
    DBGSIM_PUBLISHED(DEBUG_PROC_DESC_NO_MTS_PACKAGES, 0x00000004),
    DBGSIM_PUBLISHED(DEBUG_PROC_DESC_NO_COMMAND_LINE, 0x00000008),
    DBGSIM_PUBLISHED(DEBUG_PROC_DESC_NO_SESSION_ID, 0x00000010),
    DBGSIM_PUBLISHED(DEBUG_PROC_DESC_NO_USER_NAME, 0x00000020),
};

// dbgeng.h, "Classes of debuggee" (StartProcessServer's Flags).
const std::vector<published> debuggee_classes = {
    DBGSIM_PUBLISHED(DEBUG_CLASS_UNINITIALIZED, 0),
    DBGSIM_PUBLISHED(DEBUG_CLASS_KERNEL, 1),
    DBGSIM_PUBLISHED(DEBUG_CLASS_USER_WINDOWS, 2),
};

// Microsoft Learn, "Process Creation Flags" (CreateProcess's CreateFlags), and dbgeng.h's
// "#define DEBUG_CREATE_PROCESS_NO_DEBUG_HEAP CREATE_UNICODE_ENVIRONMENT".
const std::vector<published> creation_flags = {
    DBGSIM_PUBLISHED(DEBUG_PROCESS, 0x00000001),
    DBGSIM_PUBLISHED(DEBUG_ONLY_THIS_PROCESS, 0x00000002),
    DBGSIM_PUBLISHED(CREATE_SUSPENDED, 0x00000004),
    DBGSIM_PUBLISHED(DETACHED_PROCESS, 0x00000008),
    DBGSIM_PUBLISHED(CREATE_NEW_CONSOLE, 0x00000010),
    DBGSIM_PUBLISHED(CREATE_NEW_PROCESS_GROUP, 0x00000200),
    DBGSIM_PUBLISHED(CREATE_UNICODE_ENVIRONMENT, 0x00000400),
    DBGSIM_PUBLISHED(CREATE_NO_WINDOW, 0x08000000),
    DBGSIM_PUBLISHED(DEBUG_CREATE_PROCESS_NO_DEBUG_HEAP, 0x00000400),
    DBGSIM_PUBLISHED(INFINITE, 0xFFFFFFFF),  // winbase.h: WaitForProcessServerEnd's "for ever".
};
#undef DBGSIM_PUBLISHED

void expect_published(const std::vector<published>& table) {
  for (const auto& c : table)
    EXPECT_EQ(c.actual, c.expected) << c.name << " differs from Microsoft's published value";
}

TEST(DbgengHeader, AttachFlagsAreMicrosofts) { expect_published(attach_flags); }
TEST(DbgengHeader, EndSessionFlagsAreMicrosofts) { expect_published(end_flags); }
TEST(DbgengHeader, ProcessOptionsAreMicrosofts) { expect_published(process_options); }
TEST(DbgengHeader, ProcessLookupFlagsAreMicrosofts) { expect_published(process_lookup_flags); }
TEST(DbgengHeader, DebuggeeClassesAreMicrosofts) { expect_published(debuggee_classes); }
TEST(DbgengHeader, CreationFlagsAreMicrosofts) { expect_published(creation_flags); }

// SUCCEEDED and FAILED test the sign bit only (winerror.h): S_FALSE is a success although it is
// not S_OK (the truncated listing of C8), and a code written as an unsigned literal, as
// Microsoft's headers spell them, is still a failure.
TEST(DbgengHeader, SucceededAndFailedTestTheSignBit) {
  EXPECT_TRUE(SUCCEEDED(S_OK));
  EXPECT_FALSE(FAILED(S_OK));
  EXPECT_TRUE(SUCCEEDED(S_FALSE));
  EXPECT_FALSE(FAILED(S_FALSE));
  EXPECT_NE(S_FALSE, S_OK);
  EXPECT_TRUE(FAILED(E_FAIL));
  EXPECT_FALSE(SUCCEEDED(E_FAIL));
  EXPECT_TRUE(FAILED(0x80004005u));
  EXPECT_TRUE(SUCCEEDED(0x7FFFFFFFu));
  EXPECT_LT(E_FAIL, 0);  // A signed HRESULT: `hr < 0` works as on Windows.
}

// Every code of protocol/hresult.hpp's table is a constant of the header, of type HRESULT, with
// the table's value (whose values tests/protocol/hresult.test.cpp pins against winerror.h): a
// code added to the protocol reaches client programs without editing the header.
TEST(DbgengHeader, EveryProtocolHresultIsPresentWithItsValue) {
  int count = 0;
#define DBGSIM_CHECK_HRESULT(id, code)                                                 \
  static_assert(std::is_same_v<decltype(::id), const HRESULT>);                        \
  EXPECT_EQ(static_cast<std::uint32_t>(::id), static_cast<std::uint32_t>(code)) << #id; \
  EXPECT_EQ(static_cast<std::uint32_t>(::id), dbgsim::protocol::id.value) << #id;      \
  ++count;
  DBGSIM_HRESULTS(DBGSIM_CHECK_HRESULT)
#undef DBGSIM_CHECK_HRESULT
  EXPECT_EQ(count, 20);  // The table's size today: a code dropped from it shows up here.
}

// -- the registry and the exports -------------------------------------------------------------

/// A test double of the whole interface: records each call by name, answers E_NOTIMPL except
/// where a test sets an answer, and keeps a clock that only Sleep moves.
struct fake_client final : IDebugClient {
  std::vector<std::string> calls;
  std::vector<DWORD> sleeps;
  DWORD now = 0;
  ULONG refs = 1;
  HRESULT connect_result = S_OK;
  ULONG64 next_server = 0x0000000100000001ull;

  void dbgsim_sleep(DWORD ms) override {
    sleeps.push_back(ms);
    now += ms;
  }
  DWORD dbgsim_tick_count() override { return now; }

  ULONG AddRef() override { return ++refs; }
  ULONG Release() override { return --refs; }
  HRESULT AttachProcess(ULONG64, ULONG, ULONG) override { return record("AttachProcess"); }
  HRESULT GetProcessOptions(PULONG) override { return record("GetProcessOptions"); }
  HRESULT AddProcessOptions(ULONG) override { return record("AddProcessOptions"); }
  HRESULT RemoveProcessOptions(ULONG) override { return record("RemoveProcessOptions"); }
  HRESULT SetProcessOptions(ULONG) override { return record("SetProcessOptions"); }
  HRESULT ConnectProcessServer(PCSTR options, PULONG64 server) override {
    calls.push_back(std::string("ConnectProcessServer ") + options);
    if (SUCCEEDED(connect_result))
      *server = next_server;
    return connect_result;
  }
  HRESULT DisconnectProcessServer(ULONG64) override { return record("DisconnectProcessServer", S_OK); }
  HRESULT GetRunningProcessSystemIds(ULONG64, PULONG, ULONG, PULONG) override {
    return record("GetRunningProcessSystemIds");
  }
  HRESULT GetRunningProcessSystemIdByExecutableName(ULONG64, PCSTR, ULONG, PULONG) override {
    return record("GetRunningProcessSystemIdByExecutableName");
  }
  HRESULT GetRunningProcessDescription(ULONG64, ULONG, ULONG, PSTR, ULONG, PULONG, PSTR, ULONG,
                                       PULONG) override {
    return record("GetRunningProcessDescription");
  }
  HRESULT CreateProcess(ULONG64, PSTR, ULONG) override { return record("CreateProcess"); }
  HRESULT CreateProcessAndAttach(ULONG64, PSTR, ULONG, ULONG, ULONG) override {
    return record("CreateProcessAndAttach");
  }
  HRESULT DetachProcesses() override { return record("DetachProcesses"); }
  HRESULT TerminateProcesses() override { return record("TerminateProcesses"); }
  HRESULT EndSession(ULONG) override { return record("EndSession"); }
  HRESULT StartProcessServer(ULONG, PCSTR, PVOID) override { return record("StartProcessServer"); }
  HRESULT EndProcessServer(ULONG64) override { return record("EndProcessServer"); }
  HRESULT WaitForProcessServerEnd(ULONG) override { return record("WaitForProcessServerEnd"); }
  HRESULT DetachCurrentProcess() override { return record("DetachCurrentProcess"); }
  HRESULT TerminateCurrentProcess() override { return record("TerminateCurrentProcess"); }

private:
  HRESULT record(const char* name, HRESULT result = E_NOTIMPL) {
    calls.emplace_back(name);
    return result;
  }
};

/// What the last run of `echo` saw, so that a test can compare it with what it passed.
struct echo_seen {
  IDebugClient* client = nullptr;
  std::vector<std::string> argv;
  DWORD tick_before = 0;
  DWORD tick_after = 0;
};
echo_seen seen;

}  // namespace

// Two programs, as a user's library defines them. `echo` keeps what it was given, sleeps for its
// first argument's milliseconds through Sleep and reads the clock either side; `connect_once`
// connects with its first argument and disconnects what it got.
DBGSIM_CLIENT_PROGRAM(echo) {
  seen.client = client;
  seen.argv.assign(argv, argv + argc);
  seen.tick_before = GetTickCount();
  Sleep(argc > 1 ? static_cast<DWORD>(std::stoul(argv[1])) : 0);
  seen.tick_after = GetTickCount();
  return 40 + argc;
}

DBGSIM_CLIENT_PROGRAM(connect_once) {
  ULONG64 server = 0;
  if (argc < 2 || FAILED(client->ConnectProcessServer(argv[1], &server)))
    return 1;
  return SUCCEEDED(client->DisconnectProcessServer(server)) ? 0 : 1;
}

namespace {

// The loader's view (client_runtime/program_catalog.cpp): dbgsim_client_programs lists both
// programs, in definition order, with this header's ABI, and each entry is the exported
// dbgsim_program_<name> itself, so that the registry and dlsym find the same function.
TEST(DbgengRegistry, ListsBothProgramsWithTheAbi) {
  std::size_t count = 0;
  int abi = 0;
  const dbgsim_program_entry* entries = dbgsim_client_programs(&count, &abi);
  EXPECT_EQ(abi, DBGSIM_CLIENT_ABI);
  EXPECT_EQ(abi, 1);
  ASSERT_EQ(count, 2u);
  ASSERT_NE(entries, nullptr);
  EXPECT_STREQ(entries[0].name, "echo");
  EXPECT_EQ(entries[0].entry, &dbgsim_program_echo);
  EXPECT_STREQ(entries[1].name, "connect_once");
  EXPECT_EQ(entries[1].entry, &dbgsim_program_connect_once);
}

// The exported function runs the body with the loader's client, argc and argv, and returns what
// the body returns; Sleep and GetTickCount inside reach that client's clock, not the wall clock.
TEST(DbgengRegistry, ExportedProgramRunsTheBodyOnTheFakesClock) {
  fake_client fake;
  fake.now = 1000;
  const char* const argv[] = {"echo", "250", "extra"};
  seen = {};
  EXPECT_EQ(dbgsim_program_echo(&fake, 3, argv), 43);
  EXPECT_EQ(seen.client, &fake);
  EXPECT_EQ(seen.argv, (std::vector<std::string>{"echo", "250", "extra"}));
  EXPECT_EQ(fake.sleeps, std::vector<DWORD>{250});
  EXPECT_EQ(seen.tick_before, 1000u);
  EXPECT_EQ(seen.tick_after, 1250u);
  EXPECT_EQ(dbgsim::client_detail::current_clock(), nullptr);  // Given back at return.
}

// Calls through `client` reach the fake's methods: the connect gets the program's options and
// the disconnect follows; a refused connect makes the program fail, as it was written to.
TEST(DbgengRegistry, CallsThroughTheClientReachTheFake) {
  fake_client fake;
  const char* const argv[] = {"connect_once", "tcp:server=srv,port=5005"};
  EXPECT_EQ(dbgsim_program_connect_once(&fake, 2, argv), 0);
  EXPECT_EQ(fake.calls, (std::vector<std::string>{"ConnectProcessServer tcp:server=srv,port=5005",
                                                  "DisconnectProcessServer"}));

  fake_client refusing;
  refusing.connect_result = RPC_S_SERVER_UNAVAILABLE;
  EXPECT_EQ(dbgsim_program_connect_once(&refusing, 2, argv), 1);
  EXPECT_EQ(refusing.calls.size(), 1u);
}

// The registry's entry and the exported name run the same program, and a program run from
// another's body (nesting) gets its own client's clock and gives the outer one back after.
TEST(DbgengRegistry, EachRunUsesItsOwnClientsClock) {
  std::size_t count = 0;
  int abi = 0;
  const dbgsim_program_entry* entries = dbgsim_client_programs(&count, &abi);
  ASSERT_EQ(count, 2u);
  fake_client outer;
  fake_client inner;
  const char* const argv[] = {"echo", "7"};
  {
    dbgsim::client_detail::program_scope scope(&outer);
    EXPECT_EQ(entries[0].entry(&inner, 2, argv), 42);
    Sleep(5);  // Back on the outer client's clock once the inner program returned.
  }
  EXPECT_EQ(inner.sleeps, std::vector<DWORD>{7});
  EXPECT_EQ(outer.sleeps, std::vector<DWORD>{5});
}

// Outside a program there is no simulated time: Sleep and GetTickCount stop the process with a
// message naming the caller rather than sleep on the wall clock (docs/clients.md).
TEST(DbgengRegistryDeathTest, SleepOutsideAProgramAborts) {
  EXPECT_DEATH(Sleep(1), "Sleep called outside a client program");
  EXPECT_DEATH(GetTickCount(), "GetTickCount called outside a client program");
}

}  // namespace
