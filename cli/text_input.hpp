// Module files in the text format: `wsvm x.wat` converts the text (text/) before the runner
// compiles it, so the runner itself only ever sees binary modules.
#pragma once

#include <expected>
#include <string>
#include <vector>

#include "runner/runner.hpp"

namespace wsvm::cli {

// The bytes of the module file at `path`: a binary module as read, a text module (no wasm
// magic, and a .wat name or text starting with '(' or a comment) converted to binary, or the
// Wasm layer of an OCI image layout named `oci:DIR[:TAG]` (container/oci_layout.hpp). A file
// that cannot be read, or malformed text ("x.wat:3:14: malformed: unexpected token"), is a
// LoadError outcome.
std::expected<std::vector<uint8_t>, runner::Outcome> read_module_input(const std::string& path);

// `wsvm validate` of such a file: decode and validate the converted bytes.
runner::Outcome validate_module_input(const std::string& path);

}  // namespace wsvm::cli
