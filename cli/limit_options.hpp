// Limit options (--max-memory, --max-stack, --timeout, --fuel, --stats): parsing into
// LimitOptions (cli core library, no engine needed) and the defaults wsvm applies to
// untrusted code when an option is not given. Their meaning for the engines is the limits
// contract above ExecContext in runtime/store.hpp.
#pragma once

#include <chrono>
#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>

namespace wsvm::cli {

// Defaults (see cli/README.md "Limits" for the reasoning):
// 4 GiB per memory is the wasm32 maximum, so no valid program is refused, and memory is
// committed only as it grows; 1 MiB of wasm stack bounds runaway recursion (wasmtime: 512 KiB
// of machine stack); no timeout and no fuel unless asked for, as in wasmtime.
inline constexpr uint64_t kDefaultMaxMemoryBytes = uint64_t{4} << 30;
inline constexpr uint64_t kDefaultMaxStackBytes = uint64_t{1} << 20;
inline constexpr uint64_t kMaxStackCeiling = uint64_t{1} << 30;  // largest --max-stack
inline constexpr uint64_t kWasmPage = 65536;

struct LimitOptions {
  uint64_t max_memory_bytes = kDefaultMaxMemoryBytes;  // --max-memory (bytes as given)
  uint64_t max_stack_bytes = kDefaultMaxStackBytes;    // --max-stack
  std::optional<std::chrono::microseconds> timeout;    // --timeout
  std::optional<std::chrono::microseconds> compile_timeout;  // --compile-timeout
  std::optional<uint64_t> fuel;                        // --fuel
  bool stats = false;                                  // --stats or --stats=json
  bool stats_json = false;                             // --stats=json: one JSON object

  // --max-memory rounded down to whole 64 KiB pages, at most 65536 (4 GiB).
  uint64_t max_memory_pages() const;
};

// True for the options handled here (all but --stats take a value; --stats may be
// given one with `=`: --stats=json).
bool is_limit_option(std::string_view name);
bool limit_option_takes_value(std::string_view name);
// Applies one option; the error is a one-line usage message.
std::expected<void, std::string> add_limit_option(LimitOptions& l, std::string_view name,
                                                  const std::string& value);

// "64MiB", "1GiB", "512KiB", "100B", "65536" (bytes). Integers only.
std::expected<uint64_t, std::string> parse_size(std::string_view text);
// "500ms", "5s", "1.5s", "2m", "10" (seconds, as GNU timeout). Must be > 0.
std::expected<std::chrono::microseconds, std::string> parse_duration(std::string_view text);
// "1500ms" -> "1500ms", "5000000us" -> "5s": how a timeout is named in messages.
std::string duration_text(std::chrono::microseconds d);

}  // namespace wsvm::cli
