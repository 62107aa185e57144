// Shared by the tests that run the component fixtures of component/tests (made with jco) and
// check that nothing a run opened stays open.
#pragma once

#include <dirent.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace wsvm::test {

// The bytes of fixture `name` in $WSVM_COMPONENT_FIXTURES (empty when unset or missing).
inline std::vector<uint8_t> component_fixture(const char* name) {
  const char* dir = std::getenv("WSVM_COMPONENT_FIXTURES");
  if (!dir) return {};
  std::ifstream f(std::string(dir) + "/" + name, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), {}};
}

// How many file descriptors this process has open (with /proc/self/fd's own).
inline size_t open_fds() {
  size_t n = 0;
  DIR* d = opendir("/proc/self/fd");
  while (readdir(d)) ++n;
  closedir(d);
  return n;
}

}  // namespace wsvm::test
