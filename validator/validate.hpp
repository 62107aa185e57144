// Validation entry points. Spec: https://webassembly.github.io/spec/core/valid/index.html
#pragma once

#include <cstdint>

#include "decoder/error.hpp"
#include "decoder/module.hpp"

namespace wsvm {

// Which edition's rules apply. Wasm 3.0 relaxes some 2.0 rules (a constant expression may
// read any earlier immutable global); the 2.0 spec suite asserts the old ones, so its
// runner asks for them. Everything else is the same code.
struct ValidateOptions {
  bool wasm2 = false;
};

// Everything except function bodies: types referenced by index, limits, import/export
// types, duplicate export names, start function type, constant expressions of globals,
// element and data segments, data count, ref.func declarations (C.refs). Errors are
// ErrorKind::Invalid with spec wording ("unknown type", "duplicate export name",
// "constant expression required", "size minimum must not be greater than maximum", ...).
Result<void> validate_module_level(const Module& m, const ValidateOptions& options = {});

// Validates one function body with no listener.
Result<void> validate_function(const Module& m, uint32_t func_index);

// The spec decodes everything before validating anything, so a module that is both
// malformed (somewhere in a body: bodies are decoded lazily by the walker) and invalid must
// report malformed. Given an Invalid error, scans all bodies and returns the first malformed
// error found, else `invalid` unchanged.
Error prefer_malformed(const Module& m, Error invalid);

// validate_module_level + every function body. When a body is invalid, the remaining bodies
// are scanned for a malformed instruction first (decode-then-validate order of the spec).
Result<void> validate_module(const Module& m);

}  // namespace wsvm
