// The one Catch2 main every unit-test program links (catch2_main_dep, top-level meson.build).
// Catch2's runner is the slowest file in the build to compile (about a minute each, several
// with sanitizers): compiling it once instead of once per test program saves most of a
// clean build's time.
// Many suites trap through guard-page faults (memory/trap_handler.hpp), so Catch2 must never
// replace the SIGSEGV/SIGBUS handler with its own: a crash still fails the test program.
#define CATCH_CONFIG_NO_POSIX_SIGNALS
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
