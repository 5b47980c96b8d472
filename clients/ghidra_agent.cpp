// ghidra_agent: the connect path of Ghidra's dbgeng agent (NationalSecurityAgency/ghidra,
// Ghidra/Debug/Debugger-agent-dbgeng, built on Pybag): connect to the process server, create the
// target through it, wait, and carry on with the trace; it never disconnects and never ends the
// server. Written from that public behaviour (docs/clients.md), not from its code.
//
// args: OPTIONS COMMAND_LINE [WAIT_MS]  e.g. "tcp:server=srv,port=5005" "notepad.exe" 1000
#include <dbgsim/dbgeng.h>

#include <cstdlib>
#include <string>

DBGSIM_CLIENT_PROGRAM(ghidra_agent) {
  if (argc < 3)
    return 2;
  const std::string options = argv[1];
  std::string command_line = argv[2];
  const DWORD wait_ms = argc > 3 ? static_cast<DWORD>(std::strtoul(argv[3], nullptr, 10)) : 1000;

  ULONG64 server = 0;
  if (FAILED(client->ConnectProcessServer(options.c_str(), &server)))
    return 1;
  if (FAILED(client->CreateProcess(server, command_line.data(), DEBUG_ONLY_THIS_PROCESS)))
    return 1;
  Sleep(wait_ms);  // The agent waits for the target's first event, then starts its trace.
  return 0;        // ... and never calls DisconnectProcessServer or EndProcessServer.
}
