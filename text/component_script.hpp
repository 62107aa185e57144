// Component WAST scripts (the component-model reference tests): their commands, with each
// component as binary bytes (or its text error), and component values as written
// (`(u32.const 1)`, `(str.const "a")`, `(record.const (field "k" str.const "a"))`, ...).
// Values are untyped here: a runner gives them meaning from the invoked function's type.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "text/error.hpp"
#include "text/text.hpp"

namespace wsvm::text {

struct CValue {
  // The form's head without ".const": "u32", "s8", "f64", "bool", "char", "str", "list",
  // "record", "tuple", "variant", "enum", "flags"; and "option.some", "option.none",
  // "result.ok", "result.err".
  std::string kind;
  std::string number;   // integers and floats: the literal as written (a runner parses it)
  std::string text;     // str/char contents; variant case and enum label; bool "true"/"false"
  std::vector<std::string> labels;  // record field names, flags
  std::vector<CValue> items;        // list/tuple elements, record fields, a payload
};

struct ComponentCommand {
  enum class Kind : uint8_t {
    Component,        // (component $id? ...): define and instantiate
    Definition,       // (component definition $id? ...)
    Instance,         // (component instance $id $def)
    Invoke,           // (invoke ...)
    AssertReturn,
    AssertTrap,       // an invoke, or a component whose instantiation traps
    AssertInvalid,
    AssertMalformed,
    AssertUnlinkable,
    AssertUninstantiable,
    Unsupported,      // a command this parser does not know (kept, so runners count it)
  };
  Kind kind = Kind::Component;
  uint32_t line = 0;
  std::optional<std::string> id;  // $id of a component/definition/instance
  std::optional<std::string> of;  // Instance: the definition it instantiates
  // Component forms (and asserts on one): the bytes or why the text is malformed.
  bool has_component = false;
  TextResult<std::vector<uint8_t>> component{std::vector<uint8_t>{}};
  // Actions.
  std::optional<std::string> instance;  // (invoke $i "f" ...)
  std::string func;
  std::vector<CValue> args;
  std::vector<CValue> results;
  std::string message;  // assert_trap/invalid/malformed/...: the expected text
  std::string head;     // Unsupported: the command's keyword
};

struct ComponentScript {
  std::vector<ComponentCommand> commands;
};

// Fails only on a broken script (lexing, a malformed command or value); a component whose
// text is malformed keeps its error in its command.
TextResult<ComponentScript> parse_component_script(std::string_view source, const WatOptions& options = {});

}  // namespace wsvm::text
