// Trap messages use the spec test suite's assert_trap wording.
#include "runtime/trap.hpp"

#include <fmt/format.h>

#include "decoder/printable.hpp"

namespace wsvm {

const char* trap_kind_message(TrapKind kind) {
  switch (kind) {
    case TrapKind::Unreachable: return "unreachable";
    case TrapKind::MemoryOutOfBounds: return "out of bounds memory access";
    case TrapKind::TableOutOfBounds: return "out of bounds table access";
    case TrapKind::IntegerDivideByZero: return "integer divide by zero";
    case TrapKind::IntegerOverflow: return "integer overflow";
    case TrapKind::InvalidConversion: return "invalid conversion to integer";
    case TrapKind::IndirectCallTypeMismatch: return "indirect call type mismatch";
    case TrapKind::UndefinedElement: return "undefined element";
    case TrapKind::UninitializedElement: return "uninitialized element";
    case TrapKind::NullReference: return "null reference";
    case TrapKind::CallStackExhausted: return "call stack exhausted";
    case TrapKind::Interrupted: return "interrupted";
    case TrapKind::OutOfFuel: return "out of fuel";
    case TrapKind::Exit: return "exit";
    case TrapKind::Host: return "host error";
    case TrapKind::NullFunctionReference: return "null function reference";
    case TrapKind::UncaughtException: return "uncaught exception";
    case TrapKind::NullExceptionReference: return "null exception reference";
  }
  return "unknown trap";
}

Trap Trap::make(TrapKind kind) {
  Trap t;
  t.kind = kind;
  t.message = trap_kind_message(kind);
  return t;
}

namespace {

// Cycles longer than this are printed frame by frame (mutual recursion is rarely longer).
constexpr size_t kMaxCycle = 4;

// A run of `period` frames starting at `start`, repeated `repeats` times in a row.
struct Run {
  size_t start;
  size_t period;
  size_t repeats;
};

size_t repeats_at(std::span<const BacktraceFrame> f, size_t start, size_t period) {
  size_t reps = 1;
  while (start + (reps + 1) * period <= f.size()) {
    for (size_t k = 0; k < period; ++k) {
      const BacktraceFrame &a = f[start + reps * period + k], &b = f[start + k];
      if (a.func_index != b.func_index || a.function != b.function) return reps;
    }
    ++reps;
  }
  return reps;
}

// Greedy, left to right: at each frame, the period whose repetition covers most frames.
std::vector<Run> find_runs(std::span<const BacktraceFrame> f) {
  std::vector<Run> runs;
  for (size_t i = 0; i < f.size();) {
    Run best{i, 1, 1};
    for (size_t p = 1; p <= kMaxCycle && i + 2 * p <= f.size(); ++p) {
      size_t r = repeats_at(f, i, p);
      if (r >= 2 && p * r > best.period * best.repeats) best = Run{i, p, r};
    }
    runs.push_back(best);
    i += best.period * best.repeats;
  }
  return runs;
}

}  // namespace

std::string format_backtrace(std::span<const BacktraceFrame> frames, size_t max_lines) {
  // Each run becomes its lines; `frames_in` counts the frames they stand for.
  struct Lines {
    std::vector<std::string> text;
    size_t frames_in;
  };
  std::vector<Lines> groups;
  for (const Run& r : find_runs(frames)) {
    Lines g{{}, r.period * r.repeats};
    for (size_t k = 0; k < r.period; ++k) g.text.push_back("  at " + printable(frames[r.start + k].function));
    if (r.repeats > 1) {
      if (r.period == 1) g.text.back() += fmt::format(" \u00d7{}", r.repeats);
      else g.text.push_back(fmt::format("  (the {} frames above \u00d7{})", r.period, r.repeats));
    }
    groups.push_back(std::move(g));
  }
  size_t total = 0;
  for (const Lines& g : groups) total += g.text.size();
  std::string out;
  if (total <= max_lines || max_lines < 2) {
    for (const Lines& g : groups)
      for (const std::string& line : g.text) out += line + "\n";
    return out;
  }
  // Too long: whole groups from the front and the back, half the budget each.
  const size_t half = (max_lines - 1) / 2;
  size_t head = 0, head_lines = 0;
  while (head < groups.size() && head_lines + groups[head].text.size() <= half)
    head_lines += groups[head++].text.size();
  size_t tail = groups.size(), tail_lines = 0;
  while (tail > head && tail_lines + groups[tail - 1].text.size() <= half)
    tail_lines += groups[--tail].text.size();
  size_t omitted = 0;
  for (size_t g = head; g < tail; ++g) omitted += groups[g].frames_in;
  for (size_t g = 0; g < head; ++g)
    for (const std::string& line : groups[g].text) out += line + "\n";
  if (omitted > 0) out += fmt::format("  ... {} more frame{}\n", omitted, omitted == 1 ? "" : "s");
  for (size_t g = tail; g < groups.size(); ++g)
    for (const std::string& line : groups[g].text) out += line + "\n";
  return out;
}

}  // namespace wsvm
