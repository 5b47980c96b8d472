// retry_connect: connect to a process server that may not be up yet, with a bounded number of
// attempts and a growing pause between them; list its processes; disconnect. What a careful tool
// does, so its scenario expects no findings (docs/clients.md, C1...C8).
//
// args: OPTIONS [ATTEMPTS] [FIRST_PAUSE_MS]  e.g. "tcp:server=srv,port=5005" 5 250
#include <dbgsim/dbgeng.h>

#include <cstdio>
#include <cstdlib>
#include <vector>

namespace {

/// Lists every process through `server`, growing the buffer while the answer is S_FALSE (more
/// processes than the buffer held), so that no listing is silently cut short (C8).
HRESULT list_processes(IDebugClient* client, ULONG64 server, std::vector<ULONG>& ids) {
  ULONG capacity = 4;
  for (;;) {
    ids.assign(capacity, 0);
    ULONG actual = 0;
    const HRESULT hr = client->GetRunningProcessSystemIds(server, ids.data(), capacity, &actual);
    if (FAILED(hr))
      return hr;
    if (hr == S_OK) {
      ids.resize(actual);
      return S_OK;
    }
    capacity = actual > capacity ? actual : capacity * 2;
  }
}

}  // namespace

DBGSIM_CLIENT_PROGRAM(retry_connect) {
  if (argc < 2)
    return 2;
  const char* options = argv[1];
  const ULONG attempts = argc > 2 ? static_cast<ULONG>(std::strtoul(argv[2], nullptr, 10)) : 5;
  DWORD pause_ms = argc > 3 ? static_cast<DWORD>(std::strtoul(argv[3], nullptr, 10)) : 250;

  ULONG64 server = 0;
  HRESULT hr = E_FAIL;
  for (ULONG attempt = 1; attempt <= attempts; ++attempt) {
    hr = client->ConnectProcessServer(options, &server);
    if (SUCCEEDED(hr))
      break;
    std::printf("retry_connect: attempt %u failed with 0x%08X at %u ms\n", attempt,
                static_cast<unsigned>(hr), static_cast<unsigned>(GetTickCount()));
    if (attempt == attempts)
      break;
    // A pause before the next attempt: an immediate retry only repeats the failure (C5).
    Sleep(pause_ms);
    pause_ms *= 2;
  }
  if (FAILED(hr))
    return 1;  // Out of attempts: the scenario sees program-failed (C7), and nothing leaked.

  std::vector<ULONG> ids;
  hr = list_processes(client, server, ids);
  std::printf("retry_connect: %zu processes, listing 0x%08X\n", ids.size(),
              static_cast<unsigned>(hr));
  // Disconnect whatever the listing did: after RPC_E_DISCONNECTED the handle is dead but still
  // ours to give up (C4), and after success it must not outlive the program (C1).
  client->DisconnectProcessServer(server);
  return SUCCEEDED(hr) ? 0 : 1;
}
