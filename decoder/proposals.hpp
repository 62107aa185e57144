// Names the WebAssembly feature (a post-2.0 proposal, or the component model) that an
// encoding wsvm cannot decode yet belongs to, so that a user reads "this needs tail calls"
// instead of a bare "illegal opcode". Each entry disappears when its feature lands.
// The spec suite's wording stays first in every message ("malformed section id (a tag section: ...)"),
// so its assertions still match.
#pragma once

#include <cstdint>
#include <string>

namespace wsvm {

// A known but unsupported section id ("" when unknown to every proposal).
std::string unsupported_section_note(uint8_t id);
// A known but unsupported opcode: `prefix` 0 for one-byte opcodes, else 0xfb..0xfe.
std::string unsupported_opcode_note(uint8_t prefix, uint32_t code);
// A known but unsupported value/reference type byte.
std::string unsupported_type_note(uint8_t byte);
// The 4 bytes after the magic: a component (version 0x0d, layer 1) or another layer.
std::string unsupported_version_note(const uint8_t version[4]);

}  // namespace wsvm
