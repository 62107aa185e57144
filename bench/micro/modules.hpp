// Wasm modules generated for the micro-benchmarks (no files needed at run time).
#pragma once

#include "bench/micro/wasm_writer.hpp"

namespace wsvm::bench {

// A large module of `funcs` functions (~600 bytes of code each: loops, branches, locals,
// i32/f64 arithmetic, loads/stores, calls), for decode/validate/translate throughput.
Bytes large_module(uint32_t funcs);

// A small module with a bit of everything instantiation touches: a memory with a data
// segment, a table with an element segment, globals, and a few exported functions.
Bytes small_module();

// Call-overhead module: imports env.host (i32)->i32; exports add (i32,i32)->i32 and
// call_host (n: i32)->i32, which calls env.host n times in a loop.
Bytes call_module();

}  // namespace wsvm::bench
