// Parsing of wast2json output into Commands (see json_commands.hpp).
#include "spec-tests/json_commands.hpp"

#include <fstream>
#include <sstream>

#include <fmt/format.h>

namespace wsvm::spec {

namespace {

using nlohmann::json;

CommandType command_type(const std::string& s) {
  if (s == "module") return CommandType::Module;
  if (s == "register") return CommandType::Register;
  if (s == "action") return CommandType::Action;
  if (s == "assert_return") return CommandType::AssertReturn;
  if (s == "assert_trap") return CommandType::AssertTrap;
  if (s == "assert_exhaustion") return CommandType::AssertExhaustion;
  if (s == "assert_invalid") return CommandType::AssertInvalid;
  if (s == "assert_malformed") return CommandType::AssertMalformed;
  if (s == "assert_unlinkable") return CommandType::AssertUnlinkable;
  if (s == "assert_uninstantiable") return CommandType::AssertUninstantiable;
  return CommandType::Unknown;
}

std::optional<std::string> string_field(const json& j, const char* key) {
  if (!j.contains(key) || !j[key].is_string()) return std::nullopt;
  return j[key].get<std::string>();
}

std::expected<Action, std::string> parse_action(const json& j) {
  if (!j.is_object()) return std::unexpected("action is not an object");
  Action a;
  const auto type = string_field(j, "type");
  if (type == "invoke") a.kind = Action::Kind::Invoke;
  else if (type == "get") a.kind = Action::Kind::Get;
  else return std::unexpected(fmt::format("unknown action type \"{}\"", type.value_or("")));
  a.module = string_field(j, "module");
  auto field = string_field(j, "field");
  if (!field) return std::unexpected("action without a field");
  a.field = *field;
  if (j.contains("args")) {
    if (!j["args"].is_array()) return std::unexpected("action args is not an array");
    for (const auto& arg : j["args"]) {
      auto v = parse_value(arg);
      if (!v) return std::unexpected("argument: " + v.error());
      a.args.push_back(*v);
    }
  }
  return a;
}

// Fills `c` from `j`; returns an error message for anything we cannot use.
std::string parse_command(const json& j, Command& c) {
  if (!j.is_object()) return "command is not an object";
  c.type_name = string_field(j, "type").value_or("?");
  c.type = command_type(c.type_name);
  if (j.contains("line") && j["line"].is_number_unsigned()) c.line = j["line"].get<uint32_t>();
  c.name = string_field(j, "name");
  c.filename = string_field(j, "filename").value_or("");
  c.text_module = string_field(j, "module_type") == "text";
  c.as = string_field(j, "as").value_or("");
  c.text = string_field(j, "text").value_or("");

  switch (c.type) {
    case CommandType::Unknown: return fmt::format("unsupported command \"{}\"", c.type_name);
    case CommandType::Register:
      if (c.as.empty()) return "register without \"as\"";
      return {};
    case CommandType::Module:
    case CommandType::AssertInvalid:
    case CommandType::AssertMalformed:
    case CommandType::AssertUnlinkable:
    case CommandType::AssertUninstantiable:
      if (c.filename.empty()) return "command without a filename";
      return {};
    case CommandType::Action:
    case CommandType::AssertReturn:
    case CommandType::AssertTrap:
    case CommandType::AssertExhaustion: break;
  }
  if (!j.contains("action")) return "command without an action";
  auto action = parse_action(j["action"]);
  if (!action) return action.error();
  c.action = std::move(*action);
  if (c.type == CommandType::AssertReturn) {
    if (!j.contains("expected") || !j["expected"].is_array()) return "assert_return without expected";
    for (const auto& e : j["expected"]) {
      auto ev = parse_expected(e);
      if (!ev) return "expected: " + ev.error();
      c.expected.push_back(std::move(*ev));
    }
  }
  return {};
}

}  // namespace

const char* command_type_name(CommandType t) {
  switch (t) {
    case CommandType::Module: return "module";
    case CommandType::Register: return "register";
    case CommandType::Action: return "action";
    case CommandType::AssertReturn: return "assert_return";
    case CommandType::AssertTrap: return "assert_trap";
    case CommandType::AssertExhaustion: return "assert_exhaustion";
    case CommandType::AssertInvalid: return "assert_invalid";
    case CommandType::AssertMalformed: return "assert_malformed";
    case CommandType::AssertUnlinkable: return "assert_unlinkable";
    case CommandType::AssertUninstantiable: return "assert_uninstantiable";
    case CommandType::Unknown: return "unknown";
  }
  return "unknown";
}

std::expected<Script, std::string> parse_script(const std::string& json_text,
                                                const std::string& fallback_name) {
  json root = json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) return std::unexpected("not valid JSON");
  if (!root.is_object() || !root.contains("commands") || !root["commands"].is_array())
    return std::unexpected("not a wast2json script (no \"commands\" array)");
  Script s;
  s.name = fallback_name;
  if (auto src = string_field(root, "source_filename"))
    s.name = std::filesystem::path(*src).filename().string();
  for (const auto& j : root["commands"]) {
    Command c;
    c.parse_error = parse_command(j, c);
    s.commands.push_back(std::move(c));
  }
  return s;
}

std::expected<Script, std::string> load_script(const std::filesystem::path& json_path) {
  std::ifstream in(json_path, std::ios::binary);
  if (!in) return std::unexpected(fmt::format("cannot open {}", json_path.string()));
  std::ostringstream text;
  text << in.rdbuf();
  if (!in && !in.eof()) return std::unexpected(fmt::format("cannot read {}", json_path.string()));
  auto s = parse_script(text.str(), json_path.stem().string() + ".wast");
  if (!s) return std::unexpected(fmt::format("{}: {}", json_path.string(), s.error()));
  s->dir = json_path.parent_path();
  return s;
}

}  // namespace wsvm::spec
