// Runtime traps: a kind, the spec's message, and a backtrace of wasm function names.
// Execution returns traps as values (std::optional<Trap> / Expected<T, Trap>), never throws.
#pragma once

#include <cstdint>
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
  std::vector<BacktraceFrame> backtrace;  // innermost first

  static Trap make(TrapKind kind);
};

}  // namespace wsvm
