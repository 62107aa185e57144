#include "cli/limit_options.hpp"

#include <charconv>
#include <cmath>
#include <limits>

namespace wsvm::cli {
namespace {

std::unexpected<std::string> usage(std::string msg) { return std::unexpected(std::move(msg)); }

// Splits "64MiB" into its leading digits (with one optional '.' when `fraction`) and the unit.
std::pair<std::string_view, std::string_view> split_number(std::string_view text, bool fraction) {
  size_t i = 0;
  bool dot = false;
  while (i < text.size()) {
    char c = text[i];
    if (c >= '0' && c <= '9') {
      ++i;
    } else if (c == '.' && fraction && !dot) {
      dot = true;
      ++i;
    } else {
      break;
    }
  }
  return {text.substr(0, i), text.substr(i)};
}

std::optional<uint64_t> parse_u64(std::string_view digits) {
  uint64_t v = 0;
  if (digits.empty()) return std::nullopt;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
  if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  return v;
}

constexpr double kMaxTimeoutSeconds = 1e6;  // ~11.6 days: beyond that, use no timeout

}  // namespace

uint64_t LimitOptions::max_memory_pages() const {
  return std::min<uint64_t>(max_memory_bytes / kWasmPage, 65536);
}

std::expected<uint64_t, std::string> parse_size(std::string_view text) {
  auto [digits, unit] = split_number(text, false);
  auto n = parse_u64(digits);
  if (!n) {
    return usage("'" + std::string(text) +
                 "' is not a size (expected a whole number with B, KiB, MiB or GiB, e.g. 64MiB)");
  }
  unsigned shift;
  if (unit.empty() || unit == "B") {
    shift = 0;
  } else if (unit == "KiB") {
    shift = 10;
  } else if (unit == "MiB") {
    shift = 20;
  } else if (unit == "GiB") {
    shift = 30;
  } else {
    return usage("unknown size unit '" + std::string(unit) + "' in '" + std::string(text) +
                 "' (expected B, KiB, MiB or GiB)");
  }
  if (*n > (std::numeric_limits<uint64_t>::max() >> shift))
    return usage("size '" + std::string(text) + "' is too large");
  return *n << shift;
}

std::expected<std::chrono::microseconds, std::string> parse_duration(std::string_view text) {
  auto [number, unit] = split_number(text, true);
  auto bad = [&] {
    return usage("'" + std::string(text) +
                 "' is not a duration (expected a number with ms, s or m, e.g. 500ms, 1.5s)");
  };
  if (number.empty() || number == "." || number.size() > 20) return bad();
  double seconds_per_unit;
  if (unit == "ms") {
    seconds_per_unit = 1e-3;
  } else if (unit.empty() || unit == "s") {
    seconds_per_unit = 1;
  } else if (unit == "m") {
    seconds_per_unit = 60;
  } else {
    return usage("unknown duration unit '" + std::string(unit) + "' in '" + std::string(text) +
                 "' (expected ms, s or m)");
  }
  double value = 0;
  auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
  if (ec != std::errc() || end != number.data() + number.size()) return bad();
  double seconds = value * seconds_per_unit;
  if (seconds > kMaxTimeoutSeconds) return usage("timeout '" + std::string(text) + "' is too long");
  auto us = static_cast<int64_t>(std::llround(seconds * 1e6));
  if (us <= 0) return usage("timeout '" + std::string(text) + "' must be at least 1us");
  return std::chrono::microseconds(us);
}

std::string duration_text(std::chrono::microseconds d) {
  int64_t us = d.count();
  if (us % 1000000 == 0) return std::to_string(us / 1000000) + "s";
  if (us % 1000 == 0) return std::to_string(us / 1000) + "ms";
  return std::to_string(us) + "us";
}

bool is_limit_option(std::string_view name) {
  return name == "--max-memory" || name == "--max-stack" || name == "--timeout" ||
         name == "--compile-timeout" || name == "--fuel" || name == "--stats";
}

bool limit_option_takes_value(std::string_view name) { return name != "--stats"; }

std::expected<void, std::string> add_limit_option(LimitOptions& l, std::string_view name,
                                                  const std::string& value) {
  const std::string opt(name);
  if (name == "--stats") {
    if (!value.empty() && value != "json") return usage("--stats: unknown format '" + value + "' (--stats or --stats=json)");
    l.stats = true;
    l.stats_json = value == "json";
    return {};
  }
  if (name == "--max-memory" || name == "--max-stack") {
    auto size = parse_size(value);
    if (!size) return usage(opt + ": " + size.error());
    if (name == "--max-memory") {
      l.max_memory_bytes = *size;
      return {};
    }
    if (*size == 0) return usage("--max-stack must be greater than 0");
    if (*size > kMaxStackCeiling) return usage("--max-stack '" + value + "' is over the 1GiB ceiling");
    l.max_stack_bytes = *size;
    return {};
  }
  if (name == "--timeout" || name == "--compile-timeout") {
    auto d = parse_duration(value);
    if (!d) return usage(opt + ": " + d.error());
    (name == "--timeout" ? l.timeout : l.compile_timeout) = *d;
    return {};
  }
  if (name == "--fuel") {
    auto n = parse_u64(value);
    if (!n || *n > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return usage("--fuel: '" + value + "' is not a whole number from 0 to " +
                   std::to_string(std::numeric_limits<int64_t>::max()));
    }
    l.fuel = *n;
    return {};
  }
  return usage("unknown option '" + opt + "'");
}

}  // namespace wsvm::cli
