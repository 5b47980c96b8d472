// A client library as a user builds one (a MODULE linking dbgsim::client only), for the
// catalog's tests: two programs, one of which connects and disconnects.
#include <dbgsim/dbgeng.h>

DBGSIM_CLIENT_PROGRAM(lib_connect_disconnect) {
  ULONG64 h = 0;
  if (FAILED(client->ConnectProcessServer(argc > 1 ? argv[1] : "tcp:server=srv,port=5005", &h)))
    return 1;
  Sleep(100);
  return FAILED(client->DisconnectProcessServer(h)) ? 1 : 0;
}

DBGSIM_CLIENT_PROGRAM(lib_leaks) {
  ULONG64 h = 0;
  client->ConnectProcessServer("tcp:server=srv,port=5005", &h);
  return 0;
}
