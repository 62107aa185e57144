// WAVE, the WebAssembly Value Encoding (the value syntax of wasmtime's `--invoke` for
// components): parsing arguments by a component function's parameter types and printing
// its results. `true`, `-7`, `2.5`, `nan`, `inf`, `'x'`, `"text\n"`, `[1, 2]`, `(1, "a")`,
// `{x: 1, y: 2}` (records), `{read, write}` (flags), `case` / `case(payload)` (variants and
// enums), `some(x)` / `none`, `ok` / `ok(x)` / `err(x)`. Resources have no WAVE form.
#pragma once

#include <expected>
#include <string>
#include <string_view>
#include <vector>

#include "component/abi_type.hpp"
#include "component/value.hpp"

namespace wsvm::cli {

// One value of type `t`; the error says what was expected where ("at 4: expected ']'").
std::expected<component::Val, std::string> parse_wave(const component::VType& t, std::string_view text);

// `name(v1, v2)` split into the name and the argument texts (top-level commas); a text
// without parentheses is a name with no argument list (nullopt).
struct Invocation {
  std::string name;
  std::optional<std::vector<std::string>> args;
};
std::expected<Invocation, std::string> split_invocation(std::string_view text);

// A value as WAVE text, with the type's labels.
std::string format_wave(const component::VType& t, const component::Val& v);

}  // namespace wsvm::cli
