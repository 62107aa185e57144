#include "container/checksum.hpp"

#include <nettle/sha2.h>

namespace wsvm::container {

std::string sha256_of(std::span<const uint8_t> bytes) {
  // nettle #defines sha256_digest to its own function: this file keeps clear of that name.
  sha256_ctx ctx;
  sha256_init(&ctx);
  // nettle takes a size_t length: one update covers any buffer.
  sha256_update(&ctx, bytes.size(), bytes.data());
  uint8_t digest[SHA256_DIGEST_SIZE];
  nettle_sha256_digest(&ctx, sizeof digest, digest);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "sha256:";
  for (uint8_t b : digest) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

std::expected<void, std::string> verify_digest(std::span<const uint8_t> bytes,
                                               const std::string& expected) {
  if (!expected.starts_with("sha256:"))
    return std::unexpected("unsupported digest '" + expected + "' (only sha256: is supported)");
  std::string got = sha256_of(bytes);
  if (got != expected) return std::unexpected("checksum mismatch: expected " + expected + ", got " + got);
  return {};
}

}  // namespace wsvm::container
