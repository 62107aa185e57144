#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>

#include "cli/load.hpp"

using namespace wsvm;

TEST_CASE("read_module_file reads a regular file", "[load]") {
  std::string path = "cli_load_test.bin";
  {
    std::ofstream f(path, std::ios::binary);
    f.write("\0asm\1\0\0\0", 8);
  }
  auto b = cli::read_module_file(path);
  REQUIRE(b);
  CHECK(b->size() == 8);
  CHECK((*b)[1] == 'a');
  std::remove(path.c_str());
}

TEST_CASE("read_module_file reports I/O errors as values", "[load]") {
  auto missing = cli::read_module_file("no/such/file.wasm");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().kind == ErrorKind::Io);
  CHECK(missing.error().message.find("No such file") != std::string::npos);
  auto dir = cli::read_module_file(".");
  REQUIRE_FALSE(dir);
  CHECK(dir.error().message == "is a directory");
}
