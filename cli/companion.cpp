#include "cli/companion.hpp"

#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>

#include "cli/run.hpp"
#include "runner/exit_status.hpp"

namespace wsvm::cli {

int exec_companion(const std::string& program, const std::vector<std::string>& argv) {
  char self[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) {
    print_error("cannot find the wsvm program's folder (/proc/self/exe)");
    return runner::kExitUsage;
  }
  std::string path(self, static_cast<size_t>(n));
  path = path.substr(0, path.rfind('/') + 1) + program;
  std::vector<char*> args;
  args.push_back(const_cast<char*>(path.c_str()));
  for (size_t i = 1; i < argv.size(); ++i) args.push_back(const_cast<char*>(argv[i].c_str()));
  args.push_back(nullptr);
  execv(path.c_str(), args.data());
  print_error(path + ": cannot start it (" + std::strerror(errno) + "); it is built and installed with wsvm");
  return runner::kExitUsage;
}

}  // namespace wsvm::cli
