// count_then_fill: the count-then-fill process listing of the older Ghidra Java dbgeng agent
// (NationalSecurityAgency/ghidra, Ghidra/Debug/Debugger-agent-dbgeng, its process listing) and of
// Binary Ninja's GetProcessList (Vector35/debugger, core/adapters/dbgengadapter.cpp): ask
// GetRunningProcessSystemIds for the count (Ids = nullptr, Count = 0), allocate exactly that many
// ids, list again into that buffer, and use what came back, checking only FAILED(). A process
// that starts between the two calls makes the second one S_FALSE (truncated, S17), and the list
// is used as if it were whole: the newest process is never seen. Written from that public
// behaviour, not from their code. Everything else is done right (the handle is disconnected on
// every path), so that the listing is the only thing to find.
//
// args: OPTIONS [GAP_MS]   GAP_MS: simulated time between the count and the fill (default 0),
//                          the window in which a scenario starts a process
#include <dbgsim/dbgeng.h>

#include <cstdlib>
#include <string>
#include <vector>

DBGSIM_CLIENT_PROGRAM(count_then_fill) {
  if (argc < 2)
    return 2;
  const std::string options = argv[1];
  const DWORD gap_ms = argc > 2 ? static_cast<DWORD>(std::strtoul(argv[2], nullptr, 10)) : 0;

  ULONG64 server = 0;
  if (FAILED(client->ConnectProcessServer(options.c_str(), &server)))
    return 1;

  ULONG count = 0;
  if (FAILED(client->GetRunningProcessSystemIds(server, nullptr, 0, &count))) {
    client->DisconnectProcessServer(server);
    return 1;
  }
  if (gap_ms != 0)
    Sleep(gap_ms);  // Whatever the caller did between its two calls (a UI refresh, a dialog).

  std::vector<ULONG> ids(count);
  ULONG actual = 0;
  const HRESULT hr = client->GetRunningProcessSystemIds(server, ids.data(), count, &actual);
  if (FAILED(hr)) {  // Only failure is checked: S_FALSE (truncated) passes as success.
    client->DisconnectProcessServer(server);
    return 1;
  }

  // Use the list: describe each process, as a process picker does.
  for (ULONG id : ids) {
    char exe[260];
    ULONG exe_size = 0;
    client->GetRunningProcessDescription(server, id, DEBUG_PROC_DESC_NO_PATHS, exe, sizeof exe,
                                         &exe_size, nullptr, 0, nullptr);
  }

  client->DisconnectProcessServer(server);
  return 0;
}
