// Trap messages use the spec test suite's assert_trap wording.
#include "runtime/trap.hpp"

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
  }
  return "unknown trap";
}

Trap Trap::make(TrapKind kind) {
  Trap t;
  t.kind = kind;
  t.message = trap_kind_message(kind);
  return t;
}

}  // namespace wsvm
