// The commands of one wast2json script, parsed from JSON into plain structs so the runner
// never touches JSON. A command that cannot be parsed keeps its line and an error: the runner
// reports it as a failure instead of stopping the file.
// Format: https://github.com/WebAssembly/wabt/blob/main/docs/wast2json.md
#pragma once

#include <cstdint>
#include <expected>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "spec-tests/value_parse.hpp"

namespace wsvm::spec {

enum class CommandType : uint8_t {
  Module,
  Register,
  Action,
  AssertReturn,
  AssertTrap,
  AssertExhaustion,
  AssertInvalid,
  AssertMalformed,
  AssertUnlinkable,
  AssertUninstantiable,
  Unknown,
};

const char* command_type_name(CommandType t);

struct Action {
  enum class Kind : uint8_t { Invoke, Get };
  Kind kind = Kind::Invoke;
  std::optional<std::string> module;  // named module ("$M"); the current one if absent
  std::string field;
  std::vector<Value> args;
};

struct Command {
  CommandType type = CommandType::Unknown;
  std::string type_name;  // as written in the JSON (for Unknown)
  uint32_t line = 0;
  std::optional<std::string> name;  // module: its "$name"; register: the instance to register
  std::string filename;             // module / assert_{invalid,malformed,...}: the binary or .wat
  bool text_module = false;         // module_type "text" (a .wat we cannot load)
  std::string as;                   // register
  std::string text;                 // expected error / trap message
  std::optional<Action> action;     // action / assert_return / assert_trap / assert_exhaustion
  std::vector<ExpectedValue> expected;  // assert_return
  std::string parse_error;          // non-empty: the command is malformed JSON for us

  bool is_assertion() const {
    return type != CommandType::Module && type != CommandType::Register &&
           type != CommandType::Action;
  }
};

struct Script {
  std::string name;           // "i32.wast"
  std::filesystem::path dir;  // the JSON's directory; module filenames are relative to it
  std::vector<Command> commands;
};

// Reads and parses a wast2json file. Fails only if the file cannot be read or is not a
// wast2json object at all; individual bad commands carry parse_error instead.
std::expected<Script, std::string> load_script(const std::filesystem::path& json_path);

// Parses from text (for tests); `fallback_name` is used when there is no source_filename.
std::expected<Script, std::string> parse_script(const std::string& json_text,
                                                const std::string& fallback_name);

}  // namespace wsvm::spec
