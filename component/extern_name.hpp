// Import and export names: the lexical grammar of Explainer.md ("Import and Export
// Definitions"), strong uniqueness ("Name Uniqueness"), versions and their canonical form
// ("Canonical Interface Name"), and the semver compatibility the host linker uses to give a
// component importing `wasi:cli/environment@0.2.3` the host's 0.2.12 (as wasmtime does).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "decoder/error.hpp"

namespace wsvm::component {

// label ::= first-fragment ('-' fragment)*   (kebab case: words or ACRONYMS)
bool is_label(std::string_view s);

// A semantic version (https://semver.org): major.minor.patch[-pre][+build].
struct Semver {
  uint64_t major = 0, minor = 0, patch = 0;
  std::string pre;    // without the '-'
  std::string build;  // without the '+'
  std::string to_string() const;
  bool operator==(const Semver&) const = default;
};
std::optional<Semver> parse_semver(std::string_view s);

// The split of Explainer.md: 1.2.3 -> "1" / ".2.3"; 0.2.6-rc.1 -> "0.2" / ".6-rc.1";
// 0.0.1-alpha -> "0.0.1" / "-alpha".
struct CanonVersion {
  std::string canon;
  std::string suffix;
};
CanonVersion canonicalize(const Semver& v);

struct ParsedName {
  enum class Kind : uint8_t { Label, Constructor, Method, Static, Interface };
  Kind kind = Kind::Label;
  std::string resource;  // Constructor/Method/Static: the resource's label
  std::string label;     // Label, Method/Static: the function's label
  // Interface: namespace:package/interface@version
  std::string ns, package, interface;
  std::optional<std::string> version;  // text after '@' (a valid semver or a canonversion)
};

// Parses an externname; the error (Invalid, at `offset`) quotes the name and says why.
Result<ParsedName> parse_extern_name(std::string_view name, size_t offset = kNoOffset);

// Interface names without their version: "wasi:cli/environment".
std::string interface_without_version(const ParsedName& n);

// The canonicalised form that decides strong uniqueness: acronyms lowercased, `[method]l.l`
// and `[static]l.l` become `l`, annotations other than `[constructor]` stripped.
std::string uniqueness_key(std::string_view name);

// Whether a provided version can satisfy an imported one: equal, or the same canonical
// version with neither a pre-release (0.2.3 and 0.2.12 match; 1.0.0 and 1.4.2 match;
// 0.0.1 and 0.0.2 do not), as wasmtime's linker matches WASI imports.
bool semver_compatible(const Semver& imported, const Semver& provided);

// When `provided` (an interface name with a version) can satisfy an import named `wanted`:
// the same interface at a semver-compatible version, which is returned (linkers prefer the
// highest); nullopt otherwise. Equal names without a version are the caller's to accept.
std::optional<Semver> satisfying_version(std::string_view provided, std::string_view wanted);

}  // namespace wsvm::component
