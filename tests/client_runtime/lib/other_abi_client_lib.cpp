// A library that says it was built against another client interface version: refused at load.
// It defines the loader's entry point by hand (not through <dbgsim/dbgeng.h>) to say so.
#include <cstddef>

extern "C" __attribute__((visibility("default"))) const void* dbgsim_client_programs(
    std::size_t* count, int* abi) {
  *count = 0;
  *abi = 999;
  return nullptr;
}
