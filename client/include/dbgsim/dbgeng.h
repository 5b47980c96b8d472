// <dbgsim/dbgeng.h>: what a client program is written against (docs/clients.md). The Windows and
// dbgeng names a process-server client uses, with Windows' widths and Microsoft's published
// values; `struct IDebugClient` with the process-server methods of dbgeng's IDebugClient, in
// dbgeng's order of parameters; `Sleep` and `GetTickCount` in simulated time; and
// DBGSIM_CLIENT_PROGRAM, which registers a program and exports it for `dbgsim run --client-lib`.
//
// This header needs nothing but the standard library and dbgsim's protocol table of HRESULTs, so
// a user's shared library links only `dbgsim::client` (an interface target): the program's calls
// reach the world through IDebugClient's virtual functions, which dbgsim implements.
#pragma once

#include "protocol/hresult.hpp"  // DBGSIM_HRESULTS: every HRESULT of docs/protocol.md, declared once.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

// -- Windows' types, with Windows' widths (ULONG and DWORD are 32 bits on Windows, not long) ----

using HRESULT = std::int32_t;
using LONG = std::int32_t;
using ULONG = std::uint32_t;
using DWORD = std::uint32_t;
using ULONG64 = std::uint64_t;
using BOOL = std::int32_t;
using PCSTR = const char*;
using PSTR = char*;
using PULONG = ULONG*;
using PULONG64 = ULONG64*;
using PVOID = void*;

#define SUCCEEDED(hr) (static_cast<HRESULT>(hr) >= 0)
#define FAILED(hr) (static_cast<HRESULT>(hr) < 0)

/// WaitForProcessServerEnd's "wait for ever".
inline constexpr DWORD INFINITE = 0xFFFFFFFFu;

// Every named HRESULT of docs/protocol.md (S_OK, S_FALSE, E_FAIL, E_INVALIDARG, E_NOTIMPL,
// E_UNEXPECTED, E_ABORT, RPC_E_DISCONNECTED, ...), from the protocol's one table.
#define DBGSIM_DBGENG_HRESULT(name, value) \
  inline constexpr HRESULT name = static_cast<HRESULT>(static_cast<std::uint32_t>(value));
DBGSIM_HRESULTS(DBGSIM_DBGENG_HRESULT)
#undef DBGSIM_DBGENG_HRESULT

// -- the DEBUG_* flags the process-server calls take (dbgeng.h's values) ------------------------

// AttachProcess's AttachFlags.
inline constexpr ULONG DEBUG_ATTACH_DEFAULT = 0x00000000;
inline constexpr ULONG DEBUG_ATTACH_NONINVASIVE = 0x00000001;
inline constexpr ULONG DEBUG_ATTACH_EXISTING = 0x00000002;
inline constexpr ULONG DEBUG_ATTACH_NONINVASIVE_NO_SUSPEND = 0x00000004;
inline constexpr ULONG DEBUG_ATTACH_INVASIVE_NO_INITIAL_BREAK = 0x00000008;
inline constexpr ULONG DEBUG_ATTACH_INVASIVE_RESUME_PROCESS = 0x00000010;
inline constexpr ULONG DEBUG_ATTACH_NONINVASIVE_ALLOW_PARTIAL = 0x00000020;

// EndSession's Flags.
inline constexpr ULONG DEBUG_END_PASSIVE = 0x00000000;
inline constexpr ULONG DEBUG_END_ACTIVE_TERMINATE = 0x00000001;
inline constexpr ULONG DEBUG_END_ACTIVE_DETACH = 0x00000002;
inline constexpr ULONG DEBUG_END_REENTRANT = 0x00000003;
inline constexpr ULONG DEBUG_END_DISCONNECT = 0x00000004;

// Add/Remove/Set/GetProcessOptions.
inline constexpr ULONG DEBUG_PROCESS_DETACH_ON_EXIT = 0x00000001;
inline constexpr ULONG DEBUG_PROCESS_ONLY_THIS_PROCESS = 0x00000002;

// GetRunningProcessSystemIdByExecutableName's Flags.
inline constexpr ULONG DEBUG_GET_PROC_DEFAULT = 0x00000000;
inline constexpr ULONG DEBUG_GET_PROC_FULL_MATCH = 0x00000001;
inline constexpr ULONG DEBUG_GET_PROC_ONLY_MATCH = 0x00000002;
inline constexpr ULONG DEBUG_GET_PROC_SERVICE_NAME = 0x00000004;

// GetRunningProcessDescription's Flags.
inline constexpr ULONG DEBUG_PROC_DESC_DEFAULT = 0x00000000;
inline constexpr ULONG DEBUG_PROC_DESC_NO_PATHS = 0x00000001;
inline constexpr ULONG DEBUG_PROC_DESC_NO_SERVICES = 0x00000002;
inline constexpr ULONG DEBUG_PROC_DESC_NO_MTS_PACKAGES = 0x00000004;
inline constexpr ULONG DEBUG_PROC_DESC_NO_COMMAND_LINE = 0x00000008;
inline constexpr ULONG DEBUG_PROC_DESC_NO_SESSION_ID = 0x00000010;
inline constexpr ULONG DEBUG_PROC_DESC_NO_USER_NAME = 0x00000020;

// StartProcessServer's Flags: the debuggee class it serves (only user-mode Windows is allowed).
inline constexpr ULONG DEBUG_CLASS_UNINITIALIZED = 0;
inline constexpr ULONG DEBUG_CLASS_KERNEL = 1;
inline constexpr ULONG DEBUG_CLASS_USER_WINDOWS = 2;

// CreateProcess's CreateFlags: Win32's process-creation flags (winbase.h) and dbgeng's own.
inline constexpr ULONG DEBUG_PROCESS = 0x00000001;
inline constexpr ULONG DEBUG_ONLY_THIS_PROCESS = 0x00000002;
inline constexpr ULONG CREATE_SUSPENDED = 0x00000004;
inline constexpr ULONG DETACHED_PROCESS = 0x00000008;
inline constexpr ULONG CREATE_NEW_CONSOLE = 0x00000010;
inline constexpr ULONG CREATE_NEW_PROCESS_GROUP = 0x00000200;
inline constexpr ULONG CREATE_UNICODE_ENVIRONMENT = 0x00000400;
inline constexpr ULONG CREATE_NO_WINDOW = 0x08000000;
inline constexpr ULONG DEBUG_CREATE_PROCESS_NO_DEBUG_HEAP = CREATE_UNICODE_ENVIRONMENT;

namespace dbgsim::client_detail {

/// The simulated clock behind Sleep and GetTickCount; IDebugClient carries it so that a program
/// in a user's shared library reaches the world that runs it (not part of dbgeng's interface).
struct program_clock {
  /// Sleep(ms): only this program waits, in simulated time.
  virtual void dbgsim_sleep(DWORD milliseconds) = 0;
  /// GetTickCount(): simulated milliseconds since the world started (wrapping at 2^32).
  virtual DWORD dbgsim_tick_count() = 0;

protected:
  ~program_clock() = default;
};

}  // namespace dbgsim::client_detail

/// The process-server subset of dbgeng's IDebugClient (and IDebugClient2/4 for EndProcessServer,
/// WaitForProcessServerEnd, DetachCurrentProcess and TerminateCurrentProcess), with the semantics
/// of docs/semantics.md. Each call blocks the program until it completes in simulated time. The
/// client belongs to the world: AddRef and Release count but never free it.
struct IDebugClient : dbgsim::client_detail::program_clock {
  virtual ULONG AddRef() = 0;
  virtual ULONG Release() = 0;
  virtual HRESULT AttachProcess(ULONG64 Server, ULONG ProcessId, ULONG AttachFlags) = 0;
  virtual HRESULT GetProcessOptions(PULONG Options) = 0;
  virtual HRESULT AddProcessOptions(ULONG Options) = 0;
  virtual HRESULT RemoveProcessOptions(ULONG Options) = 0;
  virtual HRESULT SetProcessOptions(ULONG Options) = 0;
  virtual HRESULT ConnectProcessServer(PCSTR RemoteOptions, PULONG64 Server) = 0;
  virtual HRESULT DisconnectProcessServer(ULONG64 Server) = 0;
  virtual HRESULT GetRunningProcessSystemIds(ULONG64 Server, PULONG Ids, ULONG Count,
                                             PULONG ActualCount) = 0;
  virtual HRESULT GetRunningProcessSystemIdByExecutableName(ULONG64 Server, PCSTR ExeName,
                                                            ULONG Flags, PULONG Id) = 0;
  virtual HRESULT GetRunningProcessDescription(ULONG64 Server, ULONG SystemId, ULONG Flags,
                                               PSTR ExeName, ULONG ExeNameSize,
                                               PULONG ActualExeNameSize, PSTR Description,
                                               ULONG DescriptionSize,
                                               PULONG ActualDescriptionSize) = 0;
  virtual HRESULT CreateProcess(ULONG64 Server, PSTR CommandLine, ULONG CreateFlags) = 0;
  virtual HRESULT CreateProcessAndAttach(ULONG64 Server, PSTR CommandLine, ULONG CreateFlags,
                                         ULONG ProcessId, ULONG AttachFlags) = 0;
  virtual HRESULT DetachProcesses() = 0;
  virtual HRESULT TerminateProcesses() = 0;
  virtual HRESULT EndSession(ULONG Flags) = 0;
  virtual HRESULT StartProcessServer(ULONG Flags, PCSTR Options, PVOID Reserved) = 0;
  virtual HRESULT EndProcessServer(ULONG64 Server) = 0;
  virtual HRESULT WaitForProcessServerEnd(ULONG Timeout) = 0;
  virtual HRESULT DetachCurrentProcess() = 0;
  virtual HRESULT TerminateCurrentProcess() = 0;

protected:
  ~IDebugClient() = default;
};
using PDEBUG_CLIENT = IDebugClient*;

/// What DBGSIM_CLIENT_PROGRAM defines: returns 0 when the program did what it meant to.
using dbgsim_program_fn = int (*)(IDebugClient* client, int argc, const char* const* argv);

/// One program of a library, as dbgsim_client_programs lists it.
struct dbgsim_program_entry {
  const char* name;
  dbgsim_program_fn entry;
};

/// The version of this interface; a library built against another one is refused at load.
#define DBGSIM_CLIENT_ABI 1

#if defined(__GNUC__)
#define DBGSIM_CLIENT_EXPORT __attribute__((visibility("default")))
#define DBGSIM_CLIENT_HIDDEN __attribute__((visibility("hidden")))
#define DBGSIM_CLIENT_WEAK __attribute__((weak))
#else
#define DBGSIM_CLIENT_EXPORT
#define DBGSIM_CLIENT_HIDDEN
#define DBGSIM_CLIENT_WEAK
#endif

// Why hidden: each shared library (and the dbgsim command itself) keeps its own registry and its
// own "current program", so two libraries loaded side by side never see each other's, whatever
// the dynamic linker does with vague-linkage symbols. Every function from here to the exports is
// hidden, not only the two that hold the state: an inline function of default visibility is
// exported by each library that uses it, and the first library loaded RTLD_GLOBAL (or a command
// linked with -rdynamic) would then stand in for it in every later one, so that, for instance, a
// second library's registrars filled the first one's registry and it listed no programs.
#if defined(__GNUC__)
#pragma GCC visibility push(hidden)
#endif

namespace dbgsim::client_detail {

/// The programs this library (or executable) defines, in the order their registrars ran.
DBGSIM_CLIENT_HIDDEN inline std::vector<dbgsim_program_entry>& programs() {
  static std::vector<dbgsim_program_entry> all;
  return all;
}

/// The clock of the program running on this thread (each program runs on a thread of its own).
DBGSIM_CLIENT_HIDDEN inline program_clock*& current_clock() {
  static thread_local program_clock* clock = nullptr;
  return clock;
}

/// Adds a program to programs() during static initialisation.
struct registrar {
  registrar(const char* name, dbgsim_program_fn entry) { programs().push_back({name, entry}); }
};

/// Makes `client` this thread's clock for the program's lifetime.
struct program_scope {
  explicit program_scope(IDebugClient* client) : saved(current_clock()) { current_clock() = client; }
  ~program_scope() { current_clock() = saved; }
  program_scope(const program_scope&) = delete;
  program_scope& operator=(const program_scope&) = delete;
  program_clock* saved;
};

/// The clock of the running program; outside one there is no simulated time to sleep in.
inline program_clock& clock_or_abort(const char* who) {
  if (auto* c = current_clock())
    return *c;
  std::fprintf(stderr, "dbgsim: %s called outside a client program (docs/clients.md)\n", who);
  std::abort();
}

}  // namespace dbgsim::client_detail

/// Suspends the calling program for `Milliseconds` of simulated time; other programs and the
/// world run meanwhile. Sleep(0) lets programs due at the same instant run first.
inline void Sleep(DWORD Milliseconds) {
  dbgsim::client_detail::clock_or_abort("Sleep").dbgsim_sleep(Milliseconds);
}

/// Simulated milliseconds since the world started, wrapping at 2^32 as Windows' does.
inline DWORD GetTickCount() { return dbgsim::client_detail::clock_or_abort("GetTickCount").dbgsim_tick_count(); }

#if defined(__GNUC__)
#pragma GCC visibility pop
#endif

/// Lists the programs of this library for dbgsim's loader (one weak definition per library).
extern "C" DBGSIM_CLIENT_EXPORT DBGSIM_CLIENT_WEAK const dbgsim_program_entry* dbgsim_client_programs(
    std::size_t* count, int* abi) {
  auto& all = dbgsim::client_detail::programs();
  *count = all.size();
  *abi = DBGSIM_CLIENT_ABI;
  return all.data();
}

/// Defines the client program `name`: the braces that follow are its body, which sees
/// `IDebugClient* client`, `int argc` and `const char* const* argv` (the scenario's `args`; argv[0]
/// is the program's name). It is registered for scenarios' `program: name` and exported with C
/// linkage as `dbgsim_program_<name>`.
#define DBGSIM_CLIENT_PROGRAM(name)                                                              \
  static int dbgsim_program_body_##name(IDebugClient* client, int argc, const char* const* argv); \
  extern "C" DBGSIM_CLIENT_EXPORT int dbgsim_program_##name(IDebugClient* client, int argc,       \
                                                            const char* const* argv) {            \
    ::dbgsim::client_detail::program_scope scope(client);                                        \
    return dbgsim_program_body_##name(client, argc, argv);                                        \
  }                                                                                               \
  static const ::dbgsim::client_detail::registrar dbgsim_registrar_##name(#name,                  \
                                                                          &dbgsim_program_##name); \
  static int dbgsim_program_body_##name([[maybe_unused]] IDebugClient* client,                    \
                                        [[maybe_unused]] int argc,                                \
                                        [[maybe_unused]] const char* const* argv)
