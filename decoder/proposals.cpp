#include "decoder/proposals.hpp"

#include <fmt/format.h>

namespace wsvm {

namespace {

std::string not_yet(const std::string& what) {
  return " (" + what + ", which wsvm does not support yet)";
}

constexpr const char* kExceptions = "the exception-handling proposal, part of Wasm 3.0";
constexpr const char* kTailCalls = "the tail-call proposal, part of Wasm 3.0";
constexpr const char* kFuncRefs = "the typed function references proposal, part of Wasm 3.0";
constexpr const char* kGc = "the garbage collection proposal, part of Wasm 3.0";

}  // namespace

std::string unsupported_section_note(uint8_t) { return ""; }

std::string unsupported_opcode_note(uint8_t prefix, uint32_t code) {
  const char* name = nullptr;
  const char* feature = nullptr;
  if (prefix == 0) {
    switch (code) {
      case 0xd3: name = "ref.eq"; feature = kGc; break;
      default: return "";
    }
    return not_yet(fmt::format("{}: {}", name, feature));
  }
  if (prefix == 0xfb) return not_yet(fmt::format("0xfb {}: {}", code, kGc));
  if (prefix == 0xfe) return not_yet(fmt::format("0xfe {}: an atomic instruction of the threads proposal", code));
  return "";
}

std::string unsupported_type_note(uint8_t byte) {
  switch (byte) {
    case 0x65: case 0x66: case 0x67: case 0x68: case 0x6a: case 0x6b: case 0x6c:
    case 0x6d: case 0x6e: case 0x71: case 0x72: case 0x73:
      return not_yet(std::string("a GC reference type: ") + kGc);
    default: return "";
  }
}

std::string unsupported_version_note(const uint8_t v[4]) {
  const unsigned version = v[0] | (v[1] << 8);
  const unsigned layer = v[2] | (v[3] << 8);
  if (layer == 1) {
    return fmt::format(
        " (this is a WebAssembly component: binary version 0x{:x}, layer 1; wsvm runs core "
        "modules only, the component model is not supported yet)", version);
  }
  return "";
}

}  // namespace wsvm
