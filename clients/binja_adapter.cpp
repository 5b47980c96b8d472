// binja_adapter: Binary Ninja's dbgeng adapter (Vector35/debugger, core/adapters/dbgengadapter.cpp,
// DbgEngAdapter), its process-server paths. Written from that public behaviour, not from its code:
//  - Start(), for local debugging, starts its own process server on a named pipe (there
//    `dbgsrv.exe -t npipe:pipe=NAME` as a detached process; here StartProcessServer) and connects
//    to it with "npipe:pipe=NAME,Server=localhost"; a remote server is reached with
//    ConnectToDebugServer's "tcp:port=P, Server=HOST" instead, and then no server is started.
//  - ConnectToDebugServerInternal tries ConnectProcessServer 300 times, 100 ms apart, and on
//    failure only logs a timeout: against a silent server each try waits out the whole connect
//    timeout, so the loop is 300 of those.
//  - Launch is CreateProcess(2) through the handle, attach AttachProcess(handle, pid, 0); either
//    failing calls Reset(), which tears down only a server the adapter started itself:
//    EndSession(DEBUG_END_PASSIVE), then EndProcessServer, then the handle field is zeroed. A
//    remote handle is left as it is (so a dead one is kept).
//  - The process list counts (Ids = nullptr, Count = 0), allocates exactly that many, fills, and
//    takes anything but S_OK from either call as a failure.
//  - DisconnectDebugServer is DisconnectProcessServer and then handle = 0, with no EndSession; the
//    project's guide (docs/guide/remote-debugging.md) warns that a launch after that runs on the
//    local machine. This program takes the guide's word: the launch goes through the zeroed field,
//    handle 0. (The adapter's current Start() would instead start a fresh local dbgsrv when it is
//    no longer connected; either way the target runs locally, not on the remote machine.)
//  - Nothing detects a dead server: an error is shown to the user and the adapter carries on.
// The GUI posts an error event for each failure and carries on, so the program returns 0 whatever
// its operations gave; only bad arguments return 2.
//
// args: local PIPE ACTION...        the adapter starts "npipe:pipe=PIPE" and connects to it with
//                                   "npipe:pipe=PIPE,Server=localhost" (its own machine)
//       remote OPTIONS ACTION...     ConnectToDebugServer(OPTIONS) first, e.g. "tcp:port=5005, Server=srv"
// ACTION: launch CMD | attach PID | list | disconnect | detach | quit | sleep MS
#include <dbgsim/dbgeng.h>

#include <cstdlib>
#include <string>
#include <vector>

namespace {

struct binja_adapter {
  IDebugClient* client;
  bool local_mode = false;
  std::string pipe = {};

  ULONG64 server = 0;             // m_server
  bool connected = false;         // m_connectedToDebugServer
  bool launched_by_adapter = false;  // m_dbgSrvLaunchedByAdapter
  bool active = false;            // m_debugActive

  // ConnectToDebugServerInternal: 300 tries, 100 ms apart; a failure is only logged.
  bool connect_internal(const std::string& options) {
    for (int i = 0; i < 300; ++i) {
      if (client->ConnectProcessServer(options.c_str(), &server) == S_OK) {
        connected = true;
        return true;
      }
      Sleep(100);
    }
    return false;  // "ConnectToDebugServerInternal timeout"
  }

  // Start(): a local session starts its own server first; a remote one is already connected (or,
  // after DisconnectDebugServer, goes on with handle 0; see the header).
  bool start() {
    if (active)
      reset();
    if (!connected && local_mode) {
      const std::string listen = "npipe:pipe=" + pipe;
      if (client->StartProcessServer(DEBUG_CLASS_USER_WINDOWS, listen.c_str(), nullptr) != S_OK)
        return false;
      launched_by_adapter = true;
      if (!connect_internal("npipe:pipe=" + pipe + ",Server=localhost"))
        return false;  // The server it started is left running: Reset() below sees !active.
    }
    active = true;
    return true;
  }

  // Reset(): only a server the adapter started is torn down; a remote handle is kept as it is.
  void reset() {
    if (!active)
      return;
    if (launched_by_adapter) {
      client->EndSession(DEBUG_END_PASSIVE);
      client->EndProcessServer(server);
      launched_by_adapter = false;
      connected = false;
      server = 0;
    }
    active = false;
  }

  void launch(std::string command_line) {
    if (!start()) {
      reset();
      return;  // "Failed to initialize DbgEng"
    }
    if (client->CreateProcess(server, command_line.data(), DEBUG_ONLY_THIS_PROCESS) != S_OK)
      reset();  // "CreateProcess2 failed"
  }

  void attach(ULONG pid) {
    start();  // AttachInternal ignores Start()'s result.
    if (client->AttachProcess(server, pid, DEBUG_ATTACH_DEFAULT) != S_OK)
      reset();  // "AttachProcess failed"
  }

  // GetProcessList: count, allocate exactly that, fill; anything but S_OK is a failure.
  void list() {
    if (!active && !start())
      return;
    ULONG count = 0;
    if (client->GetRunningProcessSystemIds(server, nullptr, 0, &count) != S_OK)
      return;  // "Failed to get system process count."
    std::vector<ULONG> ids(count);
    if (client->GetRunningProcessSystemIds(server, ids.data(), count, &count) != S_OK)
      return;  // "Failed to get system process ids."
    for (ULONG id : ids) {
      char name[260] = {};
      client->GetRunningProcessDescription(server, id, DEBUG_PROC_DESC_DEFAULT, name, sizeof name,
                                           nullptr, nullptr, 0, nullptr);
    }
  }

  // DisconnectDebugServer: disconnect, forget the handle, no EndSession.
  void disconnect() {
    if (!connected)
      return;
    client->DisconnectProcessServer(server);
    connected = false;
    server = 0;
  }
};

}  // namespace

DBGSIM_CLIENT_PROGRAM(binja_adapter) {
  if (argc < 3)
    return 2;
  binja_adapter a{client};
  const std::string mode = argv[1];
  int i = 2;
  if (mode == "local") {
    a.local_mode = true;
    a.pipe = argv[2];
    i = 3;
  } else if (mode == "remote") {
    a.connect_internal(argv[2]);  // ConnectToDebugServer: the user's "Connect to Debug Server".
    i = 3;
  } else {
    return 2;
  }

  for (; i < argc; ++i) {
    const std::string action = argv[i];
    const bool has_operand = i + 1 < argc;
    if (action == "launch" && has_operand) {
      a.launch(argv[++i]);
    } else if (action == "attach" && has_operand) {
      a.attach(static_cast<ULONG>(std::strtoul(argv[++i], nullptr, 0)));
    } else if (action == "list") {
      a.list();
    } else if (action == "disconnect") {
      a.disconnect();
    } else if (action == "detach") {
      client->DetachProcesses();  // Detach: DetachProcesses (and ExitDispatch, not modelled).
    } else if (action == "quit") {
      client->TerminateProcesses();  // Quit: TerminateProcesses.
    } else if (action == "sleep" && has_operand) {
      Sleep(static_cast<DWORD>(std::strtoul(argv[++i], nullptr, 10)));
    } else {
      return 2;
    }
  }
  return 0;
}
