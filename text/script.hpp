// Spec scripts (.wast): the commands of a script as plain data, for a runner to execute.
// Spec: https://github.com/WebAssembly/spec/tree/main/interpreter#scripts (Wasm 3.0 forms
// included: module definition/instance, assert_exception, either, ref.* result patterns).
//
// Modules are encoded while parsing; a module the text format rejects keeps its error (the
// runner reports it, or expects it in assert_malformed), so one bad module never stops the
// script. Only an error in the script's own syntax fails parse_script.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "text/error.hpp"
#include "text/text.hpp"

namespace wsvm::text {

struct ScriptModule {
  enum class Form : uint8_t { Text, Binary, Quote };
  Form form = Form::Text;
  std::optional<std::string> id;  // "$M" (with the '$')
  bool definition = false;        // (module definition ...): compiled, not instantiated
  // The binary module, or the text format's error (expected by assert_malformed).
  TextResult<std::vector<uint8_t>> binary = std::vector<uint8_t>{};
};

// The lane shape of a v128 literal.
enum class Shape : uint8_t { I8x16, I16x8, I32x4, I64x2, F32x4, F64x2 };
uint32_t lane_count(Shape s);

// An argument of invoke: a number or vector (bits, little-endian lanes for v128), or a
// reference.
struct Const {
  enum class Kind : uint8_t { I32, I64, F32, F64, V128, RefNull, RefExtern, RefHost };
  Kind kind = Kind::I32;
  uint64_t bits = 0;   // I32..F64: the value's bits; RefExtern/RefHost: the host number N
  uint64_t high = 0;   // V128: bits 64..127 (`bits` holds 0..63)
  int64_t heap = 0;    // RefNull: the heap type (abstract: negative s33 of its byte; or index)
};

enum class NanKind : uint8_t { None, Canonical, Arithmetic };

// One scalar, or one lane of a v128: exact bits or a NaN class.
struct LanePattern {
  NanKind nan = NanKind::None;
  uint64_t bits = 0;
};

// An expected result of assert_return.
struct ResultPattern {
  enum class Kind : uint8_t {
    I32, I64, F32, F64, V128,
    RefNull,    // a null reference (of `heap` if has_heap)
    RefFunc,    // any non-null funcref
    RefExtern,  // a non-null externref: host number `value` if present
    RefHost,    // (ref.host N)
    RefAny, RefEq, RefI31, RefStruct, RefArray, RefExn,  // a non-null reference of that kind
    Either,     // any one of `alternatives`
  };
  Kind kind = Kind::I32;
  LanePattern scalar;           // I32..F64
  Shape shape = Shape::I32x4;   // V128
  std::vector<LanePattern> lanes;  // V128: lane_count(shape) lanes
  std::optional<uint64_t> value;   // RefExtern / RefHost
  bool has_heap = false;           // RefNull
  int64_t heap = 0;
  std::vector<ResultPattern> alternatives;  // Either
};

struct Action {
  enum class Kind : uint8_t { Invoke, Get };
  Kind kind = Kind::Invoke;
  std::optional<std::string> module;  // "$M"; the latest module if absent
  std::string field;
  std::vector<Const> args;
};

enum class CommandKind : uint8_t {
  Module,          // define (and, unless `definition`, instantiate) `module`
  ModuleInstance,  // (module instance $I? $M?): instantiate a module definition
  Register,        // (register "name" $M?)
  Action,          // invoke / get on its own: must not trap
  AssertReturn,
  AssertTrap,      // action traps with `message`, or (with `module`) instantiation traps
  AssertExhaustion,
  AssertException,
  AssertInvalid,
  AssertMalformed,
  AssertUnlinkable,
  AssertUninstantiable,
};
const char* command_kind_name(CommandKind k);

struct Command {
  CommandKind kind = CommandKind::Module;
  uint32_t line = 0;
  std::optional<ScriptModule> module;   // Module and the module assertions
  std::optional<std::string> instance;  // ModuleInstance: the new instance's "$I"
  std::optional<std::string> module_ref;  // ModuleInstance: "$M"; Register: the instance
  std::string name;                     // Register: the name to register as
  std::optional<Action> action;
  std::vector<ResultPattern> results;   // AssertReturn
  std::string message;                  // the expected error or trap text
};

struct Script {
  std::vector<Command> commands;
};

TextResult<Script> parse_script(std::string_view source, const WatOptions& options = {});

}  // namespace wsvm::text
