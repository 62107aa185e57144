// Runtime traps: a kind, the spec's message, and a backtrace of wasm function names.
// Execution returns traps as values (std::optional<Trap> / Expected<T, Trap>), never throws.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace wsvm {

enum class TrapKind : uint8_t {
  Unreachable,               // "unreachable"
  MemoryOutOfBounds,         // "out of bounds memory access"
  TableOutOfBounds,          // "out of bounds table access"
  IntegerDivideByZero,       // "integer divide by zero"
  IntegerOverflow,           // "integer overflow"
  InvalidConversion,         // "invalid conversion to integer"
  IndirectCallTypeMismatch,  // "indirect call type mismatch"
  UndefinedElement,          // "undefined element"       (call_indirect index >= table size)
  UninitializedElement,      // "uninitialized element"   (call_indirect of a null entry)
  NullReference,             // "null reference"
  CallStackExhausted,        // "call stack exhausted"
  Interrupted,               // "interrupted" (timeout)
  OutOfFuel,                 // "out of fuel"
  Exit,                      // not an error: WASI proc_exit unwinding; `exit_code` is set
  Host,                      // a host function failed; `message` says why
  NullFunctionReference,     // "null function reference" (call_ref of a null reference)
  // A wasm exception no handler caught ends the call (exception handling); `exception`
  // is the exnref, so a caller in another tier or the host can rethrow or report it.
  UncaughtException,         // "uncaught exception"
  NullExceptionReference,    // "null exception reference" (throw_ref of a null exnref)
};

const char* trap_kind_message(TrapKind kind);

struct BacktraceFrame {
  std::string function;  // name from the name section / export, else "func[N]"
  uint32_t func_index = 0;
};

struct Trap {
  TrapKind kind = TrapKind::Unreachable;
  std::string message;  // trap_kind_message(kind), or a host's own text
  int exit_code = 0;    // TrapKind::Exit
  uint64_t exception = 0;  // TrapKind::UncaughtException: the Exception* (an exnref)
  std::vector<BacktraceFrame> backtrace;  // innermost first

  static Trap make(TrapKind kind);
};

// The backtrace as text, one `  at NAME` line per frame, innermost first, for people: a run of
// one frame repeated (unbounded recursion) is one line `  at f ×N`; a run of a short cycle
// (f calls g calls f ...) is the cycle's lines once and `  (the K frames above ×N)`; past
// `max_lines` lines, the first and last halves are kept around one `  ... N more frames`
// line. Names are made printable (decoder/printable.hpp), so each frame stays one line.
// Both engines build the same Trap::backtrace, so their traps print alike.
std::string format_backtrace(std::span<const BacktraceFrame> frames, size_t max_lines = 40);

}  // namespace wsvm
