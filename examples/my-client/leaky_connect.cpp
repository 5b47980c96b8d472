// leaky_connect: the mistake this example is there to show. It connects, finds a process by
// name, and returns without DisconnectProcessServer, so the server keeps a session for a tool
// that has long finished: the checker reports leaked-handle (C1, docs/clients.md), and the
// scenario expects exactly that finding.
//
// args: OPTIONS EXE  e.g. "tcp:server=srv,port=5005" notepad.exe
#include <dbgsim/dbgeng.h>

#include <cstdio>

DBGSIM_CLIENT_PROGRAM(leaky_connect) {
  if (argc < 3)
    return 2;
  ULONG64 server = 0;
  if (FAILED(client->ConnectProcessServer(argv[1], &server)))
    return 1;
  ULONG pid = 0;
  const HRESULT hr =
      client->GetRunningProcessSystemIdByExecutableName(server, argv[2], DEBUG_GET_PROC_ONLY_MATCH, &pid);
  std::printf("leaky_connect: %s is pid %u (0x%08X)\n", argv[2], static_cast<unsigned>(pid),
              static_cast<unsigned>(hr));
  return SUCCEEDED(hr) ? 0 : 1;  // The bug: `server` is never disconnected.
}
