// `wsvm inspect`: what a module or component is and what it would ask for, without running
// it: imports and exports, memories and tables with their limits, sizes per section, the
// producers section, the capabilities its imports ask for, and risk notes. The report is
// data (Report); the front door prints it as text or JSON (format_text, to_json).
#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

namespace wsvm::container {

struct Entity {
  std::string module;  // core imports: the module name; empty otherwise
  std::string name;
  std::string kind;    // "func", "memory", ...; for components "instance", "func", ...
  std::string type;    // core: the signature or limits ("(i32 i32) -> (i32)"); components: a
                       // function's WIT signature ("func(a: u32) -> string"); may be empty
};

struct Section {
  std::string name;  // "type", "code", "custom:name", ...
  uint64_t size = 0;
};

struct Report {
  std::string name;        // the path as given
  bool component = false;
  uint64_t size = 0;
  std::vector<Section> sections;
  std::vector<Entity> imports, exports;
  std::vector<std::string> memories, tables;  // "memory 0: min 1 page, max 65536 pages", ...
  std::optional<uint32_t> start;              // core start function index
  std::vector<std::string> producers;         // "language: C11", "processed-by: clang 14"
  // What the imports ask for: "files", "sockets", "env", "args", "clocks", "random",
  // "http-outgoing", "exit"; "http-incoming" when it serves HTTP (an export).
  std::set<std::string> capabilities;
  std::vector<std::string> risks;             // one line each
  std::string wit;                            // components: the world as WIT (component_wit.hpp)
};

// Decodes `bytes` (a core module or a component) and describes it. A binary that does not
// decode is an error: "NAME: malformed at byte 0x..: ...".
std::expected<Report, std::string> inspect_binary(std::span<const uint8_t> bytes, const std::string& name);

std::string format_text(const Report& r);
std::string to_json(const Report& r);  // one JSON object, pretty-printed

}  // namespace wsvm::container
