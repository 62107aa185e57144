// Child-process isolation of one script (see file_process.hpp). The child reports its
// counts through a pipe before every command; the parent keeps the last report, so after a
// crash it knows the counts and the command that was running.
#include "spec-tests/file_process.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <sstream>

#include <fmt/format.h>

namespace wsvm::spec {

using namespace wast;

namespace {

// One report: "P <passed> <failed> <skipped> <mismatches> <done> <line> <stopped>\n", then,
// at the end, "R <count> <reason>\n" per skip reason and "E\n".
std::string encode_counts(const FileResult& r, uint32_t line) {
  return fmt::format("P {} {} {} {} {} {} {}\n", r.passed, r.failed, r.skipped,
                     r.message_mismatches, r.assertions_done, line, r.stopped ? 1 : 0);
}

void write_all(int fd, const std::string& s) {
  const char* p = s.data();
  size_t left = s.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    p += n;
    left -= static_cast<size_t>(n);
  }
}

[[noreturn]] void child_main(int fd, Engine& engine, const std::string& name, const text::Script& script,
                             const RunOptions& options) {
  ProgressFn progress = [fd](const FileResult& r, const text::Command& c) {
    write_all(fd, encode_counts(r, c.line));
  };
  FileResult r = run_script(engine, name, script, options, progress);
  std::string tail = encode_counts(r, 0);
  for (const auto& [reason, count] : r.skip_reasons) tail += fmt::format("R {} {}\n", count, reason);
  tail += "E\n";
  std::fflush(stdout);
  write_all(fd, tail);
  ::_exit(0);
}

struct ParentState {
  FileResult result;
  uint32_t line = 0;
  bool complete = false;
  std::string pending;  // an incomplete line
};

void consume_line(ParentState& st, const std::string& line) {
  std::istringstream in(line);
  char tag = 0;
  in >> tag;
  if (tag == 'P') {
    FileResult r;
    int stopped = 0;
    in >> r.passed >> r.failed >> r.skipped >> r.message_mismatches >> r.assertions_done >> st.line >> stopped;
    r.stopped = stopped != 0;
    r.skip_reasons = std::move(st.result.skip_reasons);
    if (in) st.result = std::move(r);
  } else if (tag == 'R') {
    uint64_t count = 0;
    in >> count;
    std::string reason;
    std::getline(in >> std::ws, reason);
    st.result.skip_reasons[reason] += count;
  } else if (tag == 'E') {
    st.complete = true;
  }
}

void consume(ParentState& st, const char* data, size_t n) {
  st.pending.append(data, n);
  size_t start = 0;
  for (size_t nl; (nl = st.pending.find('\n', start)) != std::string::npos; start = nl + 1)
    consume_line(st, st.pending.substr(start, nl - start));
  st.pending.erase(0, start);
}

}  // namespace

IsolatedResult run_script_isolated(Engine& engine, const std::string& name, const text::Script& script,
                                   const RunOptions& options, unsigned timeout_seconds) {
  IsolatedResult out;
  int fds[2];
  if (::pipe(fds) != 0) {
    out.abnormal = fmt::format("cannot create a pipe: {}", std::strerror(errno));
    out.result.failed = 1;
    return out;
  }
  std::fflush(stdout);
  std::fflush(stderr);
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    out.abnormal = fmt::format("cannot fork: {}", std::strerror(errno));
    out.result.failed = 1;
    return out;
  }
  if (pid == 0) {
    ::close(fds[0]);
    child_main(fds[1], engine, name, script, options);
  }
  ::close(fds[1]);

  ParentState st;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
  bool timed_out = false;
  char buf[4096];
  for (;;) {
    int wait_ms = -1;
    if (timeout_seconds > 0) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) { timed_out = true; break; }
      wait_ms = static_cast<int>(std::min<int64_t>(left.count(), 1000));
    }
    pollfd p{fds[0], POLLIN, 0};
    const int ready = ::poll(&p, 1, wait_ms);
    if (ready < 0 && errno == EINTR) continue;
    if (ready == 0) continue;
    const ssize_t n = ::read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // EOF: the child ended
    consume(st, buf, static_cast<size_t>(n));
  }
  ::close(fds[0]);
  if (timed_out) ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {}

  out.result = std::move(st.result);
  if (st.complete && !timed_out && WIFEXITED(status) && WEXITSTATUS(status) == 0) return out;

  if (timed_out) out.abnormal = fmt::format("timed out after {} s", timeout_seconds);
  else if (WIFSIGNALED(status))
    out.abnormal = fmt::format("crashed with signal {} ({})", WTERMSIG(status), strsignal(WTERMSIG(status)));
  else if (WIFEXITED(status))
    out.abnormal = fmt::format("exited early with status {}", WEXITSTATUS(status));
  else
    out.abnormal = "ended abnormally";
  out.abnormal += fmt::format(" at line {}", st.line);
  // The command that was running fails, and so does every assertion not reached.
  size_t first = script.commands.size();
  for (size_t i = 0; i < script.commands.size(); ++i) {
    if (st.line != 0 && script.commands[i].line == st.line) {
      first = i;
      out.abnormal += ": " + describe_command(script.commands[i]);
      break;
    }
  }
  uint64_t failed = 0;
  for (size_t i = first; i < script.commands.size(); ++i) failed += is_assertion(script.commands[i].kind) ? 1 : 0;
  out.result.failed += std::max<uint64_t>(1, failed);
  out.result.assertions_done = count_assertions(script);
  return out;
}

}  // namespace wsvm::spec
