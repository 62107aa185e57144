// Catch2 must not install its own SIGSEGV handler: the JIT's guard-page traps need
// memory/trap_handler's.
#define CATCH_CONFIG_NO_POSIX_SIGNALS
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
