// The WebAssembly text format to binary: the entry points of text/.
// Spec: https://webassembly.github.io/spec/core/text/index.html
//
// The result is the binary module; it is not decoded or validated here, so every semantic
// error (type mismatch, unknown function index, ...) is still reported by the decoder and
// validator with their usual messages. Only what the text format itself forbids is an error
// here (the spec's "malformed" text: unexpected token, unknown operator, constant out of range,
// unknown label, mismatching label, inline function type, duplicate names, ...).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "text/error.hpp"

namespace wsvm::text {

struct WatOptions {
  // Write a "name" custom section with the function names ($ids and (@name "...")), so traps
  // show them in backtraces. Off for byte comparisons with wat2wasm (which writes none).
  bool names = true;
  // The Wasm 2.0 text format reads the limits and memarg offsets of 32-bit memories and tables
  // as u32 ("i32 constant out of range" is malformed text); Wasm 3.0 reads every one as u64
  // and leaves the range to validation ("memory size", "offset out of range"). The two spec
  // suites test both: a runner of the 2.0 suite sets this.
  bool wasm2_limits = false;
};

// A .wat file: `(module ...)`, `(module binary ...)`, `(module quote ...)`, or the bare fields
// of a module.
TextResult<std::vector<uint8_t>> wat_to_wasm(std::string_view source, const WatOptions& options = {});

}  // namespace wsvm::text
