// Catch2's own SIGSEGV handler would replace the trap handler under test.
#define CATCH_CONFIG_NO_POSIX_SIGNALS
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
