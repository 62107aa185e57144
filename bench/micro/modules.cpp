#include "bench/micro/modules.hpp"

namespace wsvm::bench {
namespace {

// A function entry of the code section: size, local declarations, body (which ends in `end`).
void put_code_entry(Bytes& code, std::initializer_list<std::pair<uint32_t, uint8_t>> locals,
                    const Bytes& body) {
  Bytes entry;
  put_u32(entry, locals.size());
  for (auto [count, type] : locals) {
    put_u32(entry, count);
    entry.push_back(type);
  }
  put_bytes(entry, body);
  put_u32(code, entry.size());
  put_bytes(code, entry);
}

void i32_const(Bytes& b, int32_t v) {
  b.push_back(kI32Const);
  put_s64(b, v);
}

void local(Bytes& b, uint8_t op, uint32_t index) {
  b.push_back(op);
  put_u32(b, index);
}

// One unrolled step of the large module's loop body; `salt` varies the constants.
void loop_step(Bytes& b, uint32_t salt) {
  // $2 = $0 + $1; $3 = ($2 * K) ^ $3
  local(b, kLocalGet, 0); local(b, kLocalGet, 1); b.push_back(kI32Add); local(b, kLocalSet, 2);
  local(b, kLocalGet, 2); i32_const(b, static_cast<int32_t>(0x9E3779B1u + salt * 2654435761u));
  b.push_back(kI32Mul); local(b, kLocalGet, 3); b.push_back(kI32Xor); local(b, kLocalSet, 3);
  // mem[($2 & 1023) << 2] = $3
  local(b, kLocalGet, 2); i32_const(b, 1023); b.push_back(kI32And); i32_const(b, 2);
  b.push_back(kI32Shl); local(b, kLocalGet, 3); put(b, {kI32Store, 2, 0});
  // $4 += mem[(($2 & 1023) << 2) + 4]
  local(b, kLocalGet, 2); i32_const(b, 1023); b.push_back(kI32And); i32_const(b, 2);
  b.push_back(kI32Shl); put(b, {kI32Load, 2, 4}); local(b, kLocalGet, 4); b.push_back(kI32Add);
  local(b, kLocalSet, 4);
  // $5 = $5 * 1.5 + f64($2)
  local(b, kLocalGet, 5);
  b.push_back(kF64Const);
  put(b, {0, 0, 0, 0, 0, 0, 0xf8, 0x3f});  // 1.5
  b.push_back(kF64Mul); local(b, kLocalGet, 2); b.push_back(kF64ConvertI32S); b.push_back(kF64Add);
  local(b, kLocalSet, 5);
  // if ($3 > 100+salt) $1 += 3 else $1 -= 1
  local(b, kLocalGet, 3); i32_const(b, static_cast<int32_t>(100 + salt)); b.push_back(kI32GtU);
  put(b, {kIf, kVoid});
  local(b, kLocalGet, 1); i32_const(b, 3); b.push_back(kI32Add); local(b, kLocalSet, 1);
  b.push_back(kElse);
  local(b, kLocalGet, 1); i32_const(b, 1); b.push_back(kI32Sub); local(b, kLocalSet, 1);
  b.push_back(kEnd);
}

}  // namespace

Bytes large_module(uint32_t funcs) {
  Bytes m = module_header();
  Bytes types;  // 0: (i32 i32) -> i32
  put_u32(types, 1);
  put(types, {0x60, 2, kI32, kI32, 1, kI32});
  put_section(m, 1, types);
  Bytes fsec;
  put_u32(fsec, funcs);
  for (uint32_t i = 0; i < funcs; ++i) put_u32(fsec, 0);
  put_section(m, 3, fsec);
  put_section(m, 5, {1, 0x00, 1});  // one memory, min 1 page
  Bytes exports;
  put_u32(exports, 1);
  put_name(exports, "f");
  exports.push_back(0x00);
  put_u32(exports, funcs - 1);
  put_section(m, 7, exports);
  Bytes code;
  put_u32(code, funcs);
  for (uint32_t i = 0; i < funcs; ++i) {
    Bytes b;
    put(b, {kBlock, kVoid, kLoop, kVoid});
    for (uint32_t r = 0; r < 8; ++r) loop_step(b, i * 8 + r);
    local(b, kLocalGet, 0); i32_const(b, 1); b.push_back(kI32Sub); local(b, kLocalTee, 0);
    b.push_back(kI32Eqz); put(b, {kBrIf, 1, kBr, 0, kEnd, kEnd});
    local(b, kLocalGet, 3); local(b, kLocalGet, 4);
    if (i > 0) {
      b.push_back(kCall);
      put_u32(b, i - 1);
    } else {
      b.push_back(kI32Add);
    }
    local(b, kLocalGet, 2); b.push_back(kI32Add);
    b.push_back(kEnd);
    put_code_entry(code, {{3, kI32}, {1, kF64}}, b);
  }
  put_section(m, 10, code);
  return m;
}

Bytes small_module() {
  Bytes m = module_header();
  Bytes types;  // 0: (i32 i32) -> i32, 1: () -> i32
  put_u32(types, 2);
  put(types, {0x60, 2, kI32, kI32, 1, kI32, 0x60, 0, 1, kI32});
  put_section(m, 1, types);
  put_section(m, 3, {3, 0, 1, 1});
  put_section(m, 4, {1, kFuncRef, 0x00, 4});  // table funcref min 4
  put_section(m, 5, {1, 0x00, 1});
  Bytes globals;  // (mut i32) = 7, i32 = 42
  put_u32(globals, 2);
  put(globals, {kI32, 1, kI32Const, 7, kEnd, kI32, 0, kI32Const, 42, kEnd});
  put_section(m, 6, globals);
  Bytes exports;
  put_u32(exports, 3);
  put_name(exports, "add"); put(exports, {0x00, 0});
  put_name(exports, "get"); put(exports, {0x00, 1});
  put_name(exports, "mem"); put(exports, {0x02, 0});
  put_section(m, 7, exports);
  put_section(m, 9, {1, 0x00, kI32Const, 0, kEnd, 3, 0, 1, 2});  // table[0..3) = f0 f1 f2
  Bytes code;
  put_u32(code, 3);
  put_code_entry(code, {}, {kLocalGet, 0, kLocalGet, 1, kI32Add, kEnd});
  put_code_entry(code, {}, {kGlobalGet, 0, kEnd});
  put_code_entry(code, {}, {kI32Const, 16, kI32Load, 2, 0, kEnd});
  put_section(m, 10, code);
  Bytes data;  // memory[16..80) = 0, 1, 2, ...
  put(data, {1, 0x00, kI32Const, 16, kEnd, 64});
  for (uint8_t i = 0; i < 64; ++i) data.push_back(i);
  put_section(m, 11, data);
  return m;
}

Bytes call_module() {
  Bytes m = module_header();
  Bytes types;  // 0: (i32) -> i32, 1: (i32 i32) -> i32
  put_u32(types, 2);
  put(types, {0x60, 1, kI32, 1, kI32, 0x60, 2, kI32, kI32, 1, kI32});
  put_section(m, 1, types);
  Bytes imports;
  put_u32(imports, 1);
  put_name(imports, "env");
  put_name(imports, "host");
  put(imports, {0x00, 0});
  put_section(m, 2, imports);
  put_section(m, 3, {2, 1, 0});  // func 1 = add, func 2 = call_host
  Bytes exports;
  put_u32(exports, 2);
  put_name(exports, "add"); put(exports, {0x00, 1});
  put_name(exports, "call_host"); put(exports, {0x00, 2});
  put_section(m, 7, exports);
  Bytes code;
  put_u32(code, 2);
  put_code_entry(code, {}, {kLocalGet, 0, kLocalGet, 1, kI32Add, kEnd});
  // acc = 0; while (n != 0) { acc += host(n); n -= 1 } return acc
  put_code_entry(code, {{1, kI32}},
                 {kBlock, kVoid, kLoop, kVoid,
                  kLocalGet, 0, kI32Eqz, kBrIf, 1,
                  kLocalGet, 1, kLocalGet, 0, kCall, 0, kI32Add, kLocalSet, 1,
                  kLocalGet, 0, kI32Const, 1, kI32Sub, kLocalSet, 0,
                  kBr, 0, kEnd, kEnd,
                  kLocalGet, 1, kEnd});
  put_section(m, 10, code);
  return m;
}

}  // namespace wsvm::bench
