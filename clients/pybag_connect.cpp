// pybag_connect: a script on Pybag's UserDbg (dshikashio/Pybag, pybag/userdbg.py and
// pybag/dbgeng/idebugclient.py), its process-server calls. Written from that public behaviour,
// not from its code:
//  - The client wrapper keeps one handle field, 0 at first. connect() calls ConnectProcessServer
//    and stores the handle it gets, so a second connect overwrites the first without
//    disconnecting it.
//  - Every server call (list, describe, attach, create, end) goes through that field, whatever it
//    holds; after a disconnect it holds 0, the local machine.
//  - The process list counts (Ids = None, Count = 0), pads the count by 100, fills, and returns
//    the ids the fill reported; a description that fails is shown as "<UKNOWN>".
//  - disconnect() calls DisconnectProcessServer only if the field is non-zero, then zeroes it;
//    EndProcessServer zeroes it too.
//  - WaitForProcessServerEnd's S_FALSE raises a timeout error.
//  - Every HRESULT other than S_OK (S_FALSE included) raises an exception (exception.check_err),
//    which ends the script unless the script catches it.
// The program is a user's script: each action is one line of it, `try ACTION` is that line inside
// a try/except that carries on (as a notebook user re-running a cell does); an exception that
// escapes the script returns 1.
//
// args: ACTION...
// ACTION: connect OPTIONS | list | attach PID | create CMD | detach | terminate | disconnect |
//         end_server | wait_server_end MS | sleep MS | try ACTION
#include <dbgsim/dbgeng.h>

#include <cstdlib>
#include <string>
#include <vector>

namespace {

struct pybag_client {
  IDebugClient* client;
  ULONG64 proc_server_hndl = 0;  // self._proc_server_hndl

  // exception.check_err: S_OK passes, everything else raises.
  static bool ok(HRESULT hr) { return hr == S_OK; }

  bool connect(const std::string& options) {
    ULONG64 server = 0;
    if (!ok(client->ConnectProcessServer(options.c_str(), &server)))
      return false;
    proc_server_hndl = server;  // The old handle, if any, is simply forgotten.
    return true;
  }

  bool disconnect() {
    if (proc_server_hndl != 0 && !ok(client->DisconnectProcessServer(proc_server_hndl)))
      return false;  // Raised before the field is zeroed.
    proc_server_hndl = 0;
    return true;
  }

  bool end_server() {
    if (!ok(client->EndProcessServer(proc_server_hndl)))
      return false;
    proc_server_hndl = 0;
    return true;
  }

  // GetRunningProcessSystemIds (count, pad by 100, fill), then proc_list's descriptions.
  bool list() {
    const ULONG64 server = proc_server_hndl;
    ULONG count = 0;
    if (!ok(client->GetRunningProcessSystemIds(server, nullptr, 0, &count)))
      return false;
    count += 100;
    std::vector<ULONG> pids(count);
    ULONG actual = 0;
    if (!ok(client->GetRunningProcessSystemIds(server, pids.data(), count, &actual)))
      return false;
    pids.resize(actual < count ? actual : count);
    for (ULONG pid : pids) {
      char exe[1024], desc[1024];
      ULONG exe_size = 0, desc_size = 0;
      // A failed description is caught: the row shows "<UKNOWN>".
      client->GetRunningProcessDescription(proc_server_hndl, pid, 0, exe, sizeof exe, &exe_size,
                                           desc, sizeof desc, &desc_size);
    }
    return true;
  }

  bool wait_server_end(DWORD ms) {
    // S_FALSE raises DbgEngTimeout; any other failure raises through check_err.
    return client->WaitForProcessServerEnd(ms) == S_OK;
  }
};

}  // namespace

DBGSIM_CLIENT_PROGRAM(pybag_connect) {
  pybag_client dbg{client};
  for (int i = 1; i < argc; ++i) {
    bool caught = false;  // `try`: the script catches what this line raises.
    std::string action = argv[i];
    if (action == "try" && i + 1 < argc) {
      caught = true;
      action = argv[++i];
    }
    const bool has_operand = i + 1 < argc;
    bool fine = true;
    if (action == "connect" && has_operand) {
      fine = dbg.connect(argv[++i]);
    } else if (action == "list") {
      fine = dbg.list();
    } else if (action == "attach" && has_operand) {
      const auto pid = static_cast<ULONG>(std::strtoul(argv[++i], nullptr, 0));
      fine = dbg.ok(client->AttachProcess(dbg.proc_server_hndl, pid, DEBUG_ATTACH_DEFAULT));
    } else if (action == "create" && has_operand) {
      std::string command_line = argv[++i];
      fine = dbg.ok(client->CreateProcess(dbg.proc_server_hndl, command_line.data(),
                                          DEBUG_ONLY_THIS_PROCESS));
    } else if (action == "detach") {
      fine = dbg.ok(client->DetachCurrentProcess());
    } else if (action == "terminate") {
      fine = dbg.ok(client->TerminateCurrentProcess());
    } else if (action == "disconnect") {
      fine = dbg.disconnect();
    } else if (action == "end_server") {
      fine = dbg.end_server();
    } else if (action == "wait_server_end" && has_operand) {
      fine = dbg.wait_server_end(static_cast<DWORD>(std::strtoul(argv[++i], nullptr, 10)));
    } else if (action == "sleep" && has_operand) {
      Sleep(static_cast<DWORD>(std::strtoul(argv[++i], nullptr, 10)));
    } else {
      return 2;
    }
    if (!fine && !caught)
      return 1;  // The exception escapes the script.
  }
  return 0;
}
