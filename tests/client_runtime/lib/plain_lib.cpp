// A shared library that is not a client library: it defines no programs.
extern "C" __attribute__((visibility("default"))) int plain_function() { return 42; }
