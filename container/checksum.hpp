// SHA-256 digests in the "sha256:<64 lowercase hex>" form that manifests and OCI use, with
// nettle (Debian nettle-dev). Verified before anything is decoded: bytes whose digest does
// not match are never loaded.
#pragma once

#include <cstdint>
#include <expected>
#include <span>
#include <string>

namespace wsvm::container {

// "sha256:" followed by the digest of `bytes` in lowercase hex.
std::string sha256_of(std::span<const uint8_t> bytes);

// Nothing when `bytes` has the digest `expected` ("sha256:..."); otherwise one phrase
// naming both digests ("checksum mismatch: expected sha256:..., got sha256:...").
std::expected<void, std::string> verify_digest(std::span<const uint8_t> bytes,
                                               const std::string& expected);

}  // namespace wsvm::container
