// The limits and scale tests trap through signals on engines that use guard pages, and
// Catch2 would replace the trap handler under test with its own.
#define CATCH_CONFIG_NO_POSIX_SIGNALS
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "memory/trap_handler.hpp"

int main(int argc, char** argv) {
  wsvm::memory::install_trap_handler();
  return Catch::Session().run(argc, argv);
}
