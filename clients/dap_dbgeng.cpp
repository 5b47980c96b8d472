// dap_dbgeng: a debug-adapter session of dap-dbgeng (svnscha/dap-dbgeng,
// src/debugger/debugger_session_targets.cpp and src/debugger/debugger_session.cpp), its
// process-server paths. Written from that public behaviour, not from its code:
//  - attach_remote: ConnectProcessServer (a failure throws, and the attach request fails), the
//    handle goes into one field, AttachProcess(handle, pid, DEBUG_ATTACH_DEFAULT), then a wait for
//    the first event. If the attach fails the handle is kept until teardown. A second
//    attach_remote overwrites the field without disconnecting the handle it held.
//  - The process list (remote): count (Ids = nullptr, Count = 0; a failure or a count of 0 gives
//    an empty list), fill a buffer of that size (a failure throws), resize the list to the count
//    the fill reported, and describe each id, ignoring description failures. S_FALSE is a success
//    to it.
//  - Teardown (dispose): EndSession(DEBUG_END_ACTIVE_TERMINATE), then DisconnectProcessServer of
//    the handle the field holds (if non-zero, its result ignored); never EndProcessServer.
// A failed attach request ends the debug session (the editor shows the error and disposes the
// adapter), so the program tears down and returns 1; a failed list request only fails that
// request.
//
// args: ACTION...
// ACTION: attach_remote OPTIONS PID | list | sleep MS
#include <dbgsim/dbgeng.h>

#include <cstdlib>
#include <string>
#include <vector>

namespace {

struct debugger_session {
  IDebugClient* client;
  ULONG64 process_server_handle = 0;  // process_server_handle_

  // attach_remote: connect (throws on failure), attach through the new handle, wait.
  bool attach_remote(const std::string& options, ULONG pid) {
    ULONG64 server = 0;
    if (FAILED(client->ConnectProcessServer(options.c_str(), &server)))
      return false;                   // "Could not connect to the process server"
    process_server_handle = server;   // Whatever the field held is forgotten.
    if (FAILED(client->AttachProcess(process_server_handle, pid, DEBUG_ATTACH_DEFAULT)))
      return false;                   // "Could not attach"; the handle stays in the field.
    Sleep(100);                       // wait_for_event: the initial break.
    return true;
  }

  // list_processes through the remote handle (a handle of 0 is listed with a local snapshot,
  // not through the engine).
  void list() {
    if (process_server_handle == 0)
      return;
    ULONG count = 0;
    if (FAILED(client->GetRunningProcessSystemIds(process_server_handle, nullptr, 0, &count)) ||
        count == 0)
      return;
    std::vector<ULONG> ids(count);
    if (FAILED(client->GetRunningProcessSystemIds(process_server_handle, ids.data(), count, &count)))
      return;  // check_hr throws: the request fails.
    ids.resize(count);
    for (ULONG id : ids) {
      char exe[1024];
      ULONG exe_size = 0;
      client->GetRunningProcessDescription(process_server_handle, id, DEBUG_PROC_DESC_DEFAULT, exe,
                                           sizeof exe, &exe_size, nullptr, 0, nullptr);
    }
  }

  // dispose: terminate the debuggee, then disconnect the handle the field holds.
  void teardown() {
    client->EndSession(DEBUG_END_ACTIVE_TERMINATE);
    if (process_server_handle != 0) {
      client->DisconnectProcessServer(process_server_handle);
      process_server_handle = 0;
    }
  }
};

}  // namespace

DBGSIM_CLIENT_PROGRAM(dap_dbgeng) {
  debugger_session session{client};
  for (int i = 1; i < argc; ++i) {
    const std::string action = argv[i];
    if (action == "attach_remote" && i + 2 < argc) {
      const std::string options = argv[++i];
      const auto pid = static_cast<ULONG>(std::strtoul(argv[++i], nullptr, 0));
      if (!session.attach_remote(options, pid)) {
        session.teardown();
        return 1;
      }
    } else if (action == "list") {
      session.list();
    } else if (action == "sleep" && i + 1 < argc) {
      Sleep(static_cast<DWORD>(std::strtoul(argv[++i], nullptr, 10)));
    } else {
      return 2;
    }
  }
  session.teardown();  // The editor ends the debug session.
  return 0;
}
