#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "runner/read_file.hpp"

using namespace wsvm;

TEST_CASE("read_module_file reads a regular file", "[load]") {
  std::string path = "runner_read_file_test.bin";
  {
    std::ofstream f(path, std::ios::binary);
    f.write("\0asm\1\0\0\0", 8);
  }
  auto b = runner::read_module_file(path);
  REQUIRE(b);
  CHECK(b->size() == 8);
  CHECK((*b)[1] == 'a');
  std::remove(path.c_str());
}

TEST_CASE("read_module_file reports I/O errors as values", "[load]") {
  auto missing = runner::read_module_file("no/such/file.wasm");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().kind == ErrorKind::Io);
  CHECK(missing.error().message.find("No such file") != std::string::npos);
  auto dir = runner::read_module_file(".");
  REQUIRE_FALSE(dir);
  CHECK(dir.error().message == "is a directory");
}

TEST_CASE("read_module_file reads large files, empty files and pipes whole", "[load]") {
  // Bigger than any single read() chunk: every byte must arrive, in order.
  std::string path = "runner_read_file_test_big.bin";
  std::vector<uint8_t> want(200000);
  for (size_t i = 0; i < want.size(); ++i) want[i] = static_cast<uint8_t>(i * 7 + i / 256);
  {
    std::ofstream f(path, std::ios::binary);
    f.write(reinterpret_cast<const char*>(want.data()), static_cast<std::streamsize>(want.size()));
  }
  auto big = runner::read_module_file(path);
  REQUIRE(big);
  CHECK(*big == want);
  { std::ofstream f(path, std::ios::binary | std::ios::trunc); }
  auto empty = runner::read_module_file(path);
  REQUIRE(empty);
  CHECK(empty->empty());
  std::remove(path.c_str());

  // A pipe has no size: read until EOF (the data fits the pipe buffer, so no writer thread).
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  const std::string text("\0asm\1\0\0\0piped", 13);
  REQUIRE(write(fds[1], text.data(), text.size()) == static_cast<ssize_t>(text.size()));
  close(fds[1]);
  auto piped = runner::read_module_file("/dev/fd/" + std::to_string(fds[0]));
  close(fds[0]);
  REQUIRE(piped);
  CHECK(std::string(piped->begin(), piped->end()) == text);
}
