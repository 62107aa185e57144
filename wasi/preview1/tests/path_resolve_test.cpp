// Both resolvers (openat2 and the fallback walk) against a tree with hostile symlinks.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "wasi/preview1/path_resolve.hpp"

using namespace wsvm::wasi;

namespace {

struct Tree {
  std::string root;
  int fd = -1;
  Tree() {
    char tmpl[] = "/tmp/wsvm-wasi-resolve-XXXXXX";
    root = mkdtemp(tmpl);
    std::string sandbox = root + "/box";
    mkdir(sandbox.c_str(), 0755);
    mkdir((sandbox + "/sub").c_str(), 0755);
    close(open((sandbox + "/sub/file").c_str(), O_CREAT | O_WRONLY, 0644));
    close(open((root + "/secret").c_str(), O_CREAT | O_WRONLY, 0644));
    symlink("../secret", (sandbox + "/up").c_str());
    symlink("/etc/passwd", (sandbox + "/abs").c_str());
    symlink("loop2", (sandbox + "/loop1").c_str());
    symlink("loop1", (sandbox + "/loop2").c_str());
    symlink("sub/file", (sandbox + "/good").c_str());
    symlink("sub", (sandbox + "/subdir_link").c_str());
    symlink("sub/../../box/sub/file", (sandbox + "/sneaky").c_str());
    fd = open(sandbox.c_str(), O_RDONLY | O_DIRECTORY);
  }
  ~Tree() {
    close(fd);
    std::string cmd = "rm -rf '" + root + "'";
    (void)std::system(cmd.c_str());
  }
};

}  // namespace

TEST_CASE("path resolution stays beneath the directory") {
  bool fallback = GENERATE(false, true);
  Resolver how = fallback ? Resolver::Walk : Resolver::Openat2;
  Tree t;
  auto ok = [&](const char* p, bool follow = true) {
    auto r = open_beneath(how, t.fd, p, O_RDONLY, 0, follow);
    INFO(p << (fallback ? " (walk)" : " (openat2)"));
    CHECK(r.has_value());
  };
  auto refused = [&](const char* p, Errno want, bool follow = true) {
    auto r = open_beneath(how, t.fd, p, O_RDONLY, 0, follow);
    INFO(p << (fallback ? " (walk)" : " (openat2)"));
    REQUIRE(!r.has_value());
    CHECK(static_cast<int>(r.error()) == static_cast<int>(want));
  };
  ok("sub/file");
  ok("./sub/../sub/file");
  ok("good");
  ok("subdir_link/file");
  ok("sub/");
  refused("..", Errno::NotCapable);
  refused("../secret", Errno::NotCapable);
  refused("sub/../../secret", Errno::NotCapable);
  refused("/etc/passwd", Errno::NotCapable);
  refused("up", Errno::NotCapable);
  refused("abs", Errno::NotCapable);
  refused("loop1", Errno::Loop);
  refused("sneaky", Errno::NotCapable);
  refused("", Errno::NoEnt);
  refused("sub/file/", Errno::NotDir);
  refused("good", Errno::Loop, false);  // O_NOFOLLOW on a final symlink
  std::string with_nul("sub\0file", 8);
  auto r = open_beneath(how, t.fd, with_nul, O_RDONLY, 0, true);
  CHECK((!r && r.error() == Errno::Inval));
}

TEST_CASE("resolve_parent splits the final name and refuses escapes") {
  bool fallback = GENERATE(false, true);
  Resolver how = fallback ? Resolver::Walk : Resolver::Openat2;
  Tree t;
  auto pn = resolve_parent(how, t.fd, "sub/newfile");
  REQUIRE(pn);
  CHECK(pn->name == "newfile");
  pn = resolve_parent(how, t.fd, "sub/dir/");
  REQUIRE(pn);
  CHECK(pn->name == "dir");
  CHECK(pn->trailing_slash);
  pn = resolve_parent(how, t.fd, "sub/..");
  REQUIRE(pn);
  CHECK(pn->name == ".");
  CHECK(!resolve_parent(how, t.fd, "../x"));
  CHECK(!resolve_parent(how, t.fd, ".."));
  CHECK(!resolve_parent(how, t.fd, "up/x"));
  CHECK(!resolve_parent(how, t.fd, "/tmp/x"));
}

TEST_CASE("paths of kPathMax bytes or more are ENAMETOOLONG in both resolvers") {
  bool fallback = GENERATE(false, true);
  Resolver how = fallback ? Resolver::Walk : Resolver::Openat2;
  INFO((fallback ? "walk" : "openat2"));
  Tree t;
  auto err = [&](const std::string& p) {
    auto r = open_beneath(how, t.fd, p, O_RDONLY, 0, true);
    return r ? Errno::Success : r.error();
  };
  // Short components, as a hostile guest would write them: each is a real directory step.
  std::string under = "sub/";
  while (under.size() + 6 < kPathMax) under += "./";  // ends at 4094 bytes with "file"
  under += "file";
  REQUIRE(under.size() < kPathMax);
  CHECK(err(under) == Errno::Success);
  std::string at_limit(kPathMax, 'a');
  for (size_t i = 1; i < at_limit.size(); i += 2) at_limit[i] = '/';
  CHECK(err(at_limit) == Errno::NameTooLong);
  CHECK(err(std::string(64u << 20, '/').replace(0, 1, "a")) == Errno::NameTooLong);  // 64 MiB
  auto parent = resolve_parent(how, t.fd, at_limit);
  REQUIRE_FALSE(parent);
  CHECK(parent.error() == Errno::NameTooLong);
}

TEST_CASE("the walk refuses a path that symlinks make longer than kPathMax") {
  Tree t;
  // A link whose target is nearly PATH_MAX long ("./././.../sub"): followed once it is fine,
  // followed where a long rest of the path remains it is not.
  std::string target;
  while (target.size() + 6 < kPathMax - 200) target += "./";
  target += "sub";
  std::string box = t.root + "/box";
  REQUIRE(symlink(target.c_str(), (box + "/long").c_str()) == 0);
  auto r = open_beneath(Resolver::Walk, t.fd, "long/file", O_RDONLY, 0, true);
  CHECK(r.has_value());
  std::string rest;
  while (rest.size() < 400) rest += "./";
  r = open_beneath(Resolver::Walk, t.fd, "long/" + rest + "file", O_RDONLY, 0, true);
  REQUIRE_FALSE(r);
  CHECK(r.error() == Errno::NameTooLong);
}
