// A client library defining a program the test binary defines too (rt_first): refused at load.
#include <dbgsim/dbgeng.h>

DBGSIM_CLIENT_PROGRAM(rt_first) { return 0; }
