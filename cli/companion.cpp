#include "cli/companion.hpp"

#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <sstream>

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
  std::vector<std::string> words;
  if (const char* wrapper = std::getenv("WSVM_EXE_WRAPPER"); wrapper && *wrapper) {
    std::istringstream split(wrapper);
    for (std::string word; split >> word;) words.push_back(word);
  }
  words.push_back(path);
  for (size_t i = 1; i < argv.size(); ++i) words.push_back(argv[i]);
  std::vector<char*> args;
  for (std::string& word : words) args.push_back(word.data());
  args.push_back(nullptr);
  // execvp: a wrapper is named as on a command line (found on PATH); the companion's own path
  // has a slash, so it is never searched for.
  execvp(args[0], args.data());
  print_error(words[0] + ": cannot start it (" + std::strerror(errno) + ")" +
              (words[0] == path ? "; it is built and installed with wsvm" : " ($WSVM_EXE_WRAPPER)"));
  return runner::kExitUsage;
}

}  // namespace wsvm::cli
