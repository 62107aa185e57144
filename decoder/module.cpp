// Module helpers that need more than a line: function names and the decode-only body scan.
#include <fmt/format.h>

#include "decoder/module.hpp"
#include "decoder/decode_util.hpp"

namespace wsvm {

std::string Module::function_name(uint32_t func_index) const {
  if (auto it = names.functions.find(func_index); it != names.functions.end()) return it->second;
  for (const Export& e : exports)
    if (e.kind == ExternKind::Func && e.index == func_index) return e.name;
  return fmt::format("func[{}]", func_index);
}

// Byte-level well-formedness of one body: every instruction decodes, the body ends exactly
// with the `end` that closes the function, and memory.init / data.drop have a data count
// section (https://webassembly.github.io/spec/core/binary/modules.html#data-count-section).
Result<void> scan_body(const Module& m, uint32_t func_index) {
  if (func_index < m.imported_funcs || func_index >= m.funcs.size() ||
      func_index - m.imported_funcs >= m.code.size())
    return make_error(ErrorKind::Invalid, kNoOffset, fmt::format("unknown function {}", func_index));
  const FunctionBody& b = m.body(func_index);
  Reader r(m.body_bytes(func_index), b.body_offset, true);
  Instr ins;
  uint32_t depth = 0;  // open block/loop/if frames inside the function's own
  const bool have_data_count = m.data_count.has_value();
  while (!r.at_end()) {
    WSVM_TRY_VOID(read_instr(r, ins));
    if (detail::closes_outermost(ins.op, depth)) {
      if (!r.at_end()) return r.fail("section size mismatch");
      return {};
    }
    if ((ins.op == Op::memory_init || ins.op == Op::data_drop) && !have_data_count)
      return r.fail_at(ins.offset, "data count section required");
  }
  return r.fail("END opcode expected");
}

}  // namespace wsvm
