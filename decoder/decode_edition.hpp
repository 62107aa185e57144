// Decoding by the rules of a given edition of the binary format. Wasm 3.0's are the default
// (decode_module); the 2.0 spec suite asks for 2.0's, where a few encodings differ: u32
// limits (3.0: u64), reserved 0x00 bytes where 3.0 has memory indices (multi-memory), u32
// memarg offsets (the walker checks these two for a Module with `wasm2` set).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "decoder/error.hpp"
#include "decoder/module.hpp"

namespace wsvm {

// decode_module, with Module::wasm2 = `wasm2` set before any section is read.
Result<std::shared_ptr<Module>> decode_module_edition(std::vector<uint8_t>&& bytes, bool wasm2);

}  // namespace wsvm
