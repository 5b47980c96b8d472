// careful_client: a client written to the rules of docs/semantics.md, the model the others are
// measured against. No project's code; what it does, and why:
//  - Connects with bounded backoff: at most `connect_attempts` tries, a growing Sleep between
//    them (never two failed calls back to back, C5), and none started after the time budget.
//    Refusals that no retry can cure (a bad string, a wrong password, another protocol version)
//    end the attempts at once.
//  - Checks every HRESULT. Lists through a buffer and lists again, with a larger buffer, for as
//    long as the answer is S_FALSE (S17, C8).
//  - Attaches to the process it was given, then "debugs" it for HOLD_MS, asking the server for
//    its description every poll interval: that is how it notices a session that ended under it.
//  - A session that is gone (RPC_E_DISCONNECTED, RPC_S_CALL_FAILED: S10, S19, S22) is
//    disconnected at once, the only call it ever makes through that handle again (C4), and it
//    reconnects with backoff and carries on where it was, if the process is still there.
//  - A call that timed out (ERROR_SEM_TIMEOUT, S9) leaves the handle live: it is retried on the
//    same handle after a pause, a bounded number of times, and then given up like a lost one.
//  - Every handle it obtained is disconnected exactly once, on every path (C1), and never used
//    after that (C2); it never calls through handle 0 (C3).
//  - Returns 0 whenever it ends cleanly, including when the server stayed unreachable or the
//    process was gone: giving up after bounded attempts is correct behaviour, not a failure.
//
// args: OPTIONS PID [HOLD_MS] [BUDGET_MS]
//   OPTIONS    the ConnectProcessServer string, e.g. "tcp:server=srv,port=5005"
//   PID        the process on the server's machine to attach to
//   HOLD_MS    how long to debug it, in total across reconnects (default 10000)
//   BUDGET_MS  no new connect attempt starts after this much time from the start (default 120000)
#include <dbgsim/dbgeng.h>

#include <algorithm>
#include <cstdlib>
#include <vector>

namespace {

constexpr int connect_attempts = 6;    // Per (re)connect.
constexpr int max_sessions = 5;        // Connects that succeeded; bounds the recoveries.
constexpr int max_timeouts = 3;        // Timed-out calls in a row on one handle before giving up.
constexpr int max_relists = 8;         // S_FALSE answers in a row before the list is given up.
constexpr int max_attach_retries = 4;  // Attaches refused with E_ACCESSDENIED, tried again.
constexpr DWORD first_backoff_ms = 250;
constexpr DWORD max_backoff_ms = 4000;
constexpr DWORD poll_ms = 500;

// The session ended under the handle: only a disconnect may go through it now.
bool session_gone(HRESULT hr) { return hr == RPC_E_DISCONNECTED || hr == RPC_S_CALL_FAILED; }

// A connect failure that a later try may not share (silence, refusal, a reset, a shutting-down
// server); anything else (E_INVALIDARG, E_FAIL for the password, a version mismatch) is for good.
bool connect_may_recover(HRESULT hr) {
  return hr == ERROR_SEM_TIMEOUT || hr == RPC_S_SERVER_UNAVAILABLE || hr == RPC_S_CALL_FAILED ||
         hr == RPC_E_DISCONNECTED;
}

DWORD backoff(int attempt) {
  DWORD d = first_backoff_ms;
  for (int i = 0; i < attempt && d < max_backoff_ms; ++i)
    d *= 2;
  return std::min(d, max_backoff_ms);
}

// How a session through one handle ended.
enum class outcome {
  done,  // The work is finished, or cannot be done (the process is gone): stop.
  lost,  // The session is gone or silent: disconnect, reconnect, carry on.
};

struct careful {
  IDebugClient* client;
  const char* options;
  ULONG pid;
  DWORD hold_left;
  DWORD budget_ms;
  DWORD started = GetTickCount();

  DWORD elapsed() const { return GetTickCount() - started; }  // Wraps as Windows' does.

  // Bounded attempts with a growing pause; 0 when it gave up (and then it holds nothing).
  ULONG64 connect() {
    for (int attempt = 0; attempt < connect_attempts; ++attempt) {
      if (attempt > 0) {
        if (elapsed() >= budget_ms)
          return 0;
        Sleep(backoff(attempt - 1));
      }
      ULONG64 server = 0;
      const HRESULT hr = client->ConnectProcessServer(options, &server);
      if (hr == S_OK && server != 0)
        return server;
      if (!connect_may_recover(hr))
        return 0;
    }
    return 0;
  }

  // The listing, through a buffer grown until it holds them all; whether `pid` is in it. `gone`
  // tells the caller the session ended (or stayed silent) under the handle.
  bool find_pid(ULONG64 server, bool& gone) {
    std::vector<ULONG> ids(64);
    int timeouts = 0;
    for (int relists = 0; relists <= max_relists;) {
      ULONG actual = 0;
      const HRESULT hr =
          client->GetRunningProcessSystemIds(server, ids.data(), static_cast<ULONG>(ids.size()), &actual);
      if (hr == S_OK) {
        ids.resize(std::min<std::size_t>(actual, ids.size()));
        return std::find(ids.begin(), ids.end(), pid) != ids.end();
      }
      if (hr == S_FALSE) {  // Truncated: more processes than the buffer held. List again.
        ids.resize(static_cast<std::size_t>(actual) + 16);
        ++relists;
        continue;
      }
      if (hr == ERROR_SEM_TIMEOUT && ++timeouts <= max_timeouts) {
        Sleep(backoff(timeouts));  // The handle is live (S9): the same call, after a pause.
        continue;
      }
      gone = session_gone(hr) || hr == ERROR_SEM_TIMEOUT;
      return false;
    }
    return false;  // Still growing after max_relists lists: not something to attach into.
  }

  // One session: list, attach, debug for the time left, detach. The caller disconnects.
  outcome work(ULONG64 server) {
    bool gone = false;
    if (!find_pid(server, gone))
      return gone ? outcome::lost : outcome::done;

    HRESULT attached = client->AttachProcess(server, pid, DEBUG_ATTACH_DEFAULT);
    // E_ACCESSDENIED: another session still has the process, such as this engine's own old one
    // that the server keeps until its lease runs out (a half-open connection whose engine end is
    // gone, S19). Try again after pauses that add up to more than a lease.
    for (int retry = 0; attached == E_ACCESSDENIED && retry < max_attach_retries; ++retry) {
      Sleep(backoff(retry + 2));
      attached = client->AttachProcess(server, pid, DEBUG_ATTACH_DEFAULT);
    }
    if (session_gone(attached))
      return outcome::lost;
    if (attached == ERROR_SEM_TIMEOUT)
      return outcome::lost;  // Attached or not, the server did not say: start over elsewhere.
    if (FAILED(attached))
      return outcome::done;  // Another debugger has it, or it is going away.

    int timeouts = 0;
    while (hold_left > 0) {
      const DWORD before = GetTickCount();
      Sleep(std::min(poll_ms, hold_left));
      char exe[260];
      ULONG exe_size = 0;
      const HRESULT hr = client->GetRunningProcessDescription(
          server, pid, DEBUG_PROC_DESC_NO_PATHS, exe, sizeof exe, &exe_size, nullptr, 0, nullptr);
      const DWORD spent = GetTickCount() - before;
      hold_left -= std::min(spent, hold_left);
      if (SUCCEEDED(hr)) {
        timeouts = 0;
        continue;
      }
      if (session_gone(hr))
        return outcome::lost;  // The target went with the session (S22): nothing to detach.
      if (hr == ERROR_SEM_TIMEOUT) {
        if (++timeouts <= max_timeouts)
          continue;
        client->DetachCurrentProcess();  // Silent too long: let the target go, then start over.
        return outcome::lost;
      }
      client->DetachCurrentProcess();  // The process is going (it exited): let it go.
      return outcome::done;
    }
    // Done debugging. A failure here means the target is already gone (lost or exited): nothing
    // is left to let go either way.
    client->DetachCurrentProcess();
    return outcome::done;
  }

  int run() {
    for (int session = 0; session < max_sessions; ++session) {
      if (session > 0) {
        if (elapsed() >= budget_ms)
          break;
        Sleep(backoff(session));  // Never straight back after a lost session.
      }
      const ULONG64 server = connect();
      if (server == 0)
        break;  // Gave up after bounded attempts: nothing is held, nothing to clean.
      const outcome o = work(server);
      // The one call after a failure through this handle, on every path; its result changes
      // nothing (the handle is dead after it whatever it returns, S6).
      client->DisconnectProcessServer(server);
      if (o == outcome::done || hold_left == 0)
        break;
    }
    return 0;
  }
};

}  // namespace

DBGSIM_CLIENT_PROGRAM(careful_client) {
  if (argc < 3)
    return 2;
  careful c{client, argv[1], static_cast<ULONG>(std::strtoul(argv[2], nullptr, 0)),
            argc > 3 ? static_cast<DWORD>(std::strtoul(argv[3], nullptr, 10)) : 10000,
            argc > 4 ? static_cast<DWORD>(std::strtoul(argv[4], nullptr, 10)) : 120000};
  return c.run();
}
