#define CATCH_CONFIG_MAIN
// Loads and stores trap through guard-page faults (memory/trap_handler.hpp): Catch2 must not
// replace the SIGSEGV handler.
#define CATCH_CONFIG_NO_POSIX_SIGNALS
#include <catch2/catch.hpp>
