// Default values of each type. Spec: https://webassembly.github.io/spec/core/exec/runtime.html#default-val
#include "runtime/value.hpp"

namespace wsvm {

Value Value::zero(ValType t) {
  Value x;  // the constructor zeroes all 16 bytes: 0, +0.0, null ref and a zero v128 alike
  x.type = t;
  return x;
}

}  // namespace wsvm
