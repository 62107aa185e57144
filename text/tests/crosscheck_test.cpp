// Cross-check with wabt: every module of the wasm-2.0 suite, as wsvm's parser encodes it and as
// `wast2json` (wabt 1.0.32) does.
//
// The comparison is bytes first: wsvm writes what wat2wasm writes wherever wabt's choice is
// canonical (minimal LEBs, runs of equal locals, the func-index element forms for funcref
// segments of plain ref.func items, a data count section only when an instruction needs it, no
// name section). Where the bytes differ, both are decoded with wsvm's decoder and compared as
// structures (types, imports, index spaces, exports, start, segments with their expressions,
// locals as a list of types, function bodies byte for byte): equal structure means the
// validator sees the same module. Modules that wast2json writes as text (assert_malformed
// quotes) are checked to be rejected by wsvm's parser instead. Skipped, with the reason
// printed, when the suite or wast2json is absent.
#include <catch2/catch.hpp>

#include <cstdio>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

#include "decoder/const_expr_reader.hpp"
#include "decoder/module.hpp"
#include "text/script.hpp"
#include "text/tests/suite_util.hpp"

using namespace wsvm;
using namespace wsvm::text;

namespace {

void dump_instr(std::ostringstream& s, const Instr& i) {
  s << op_name(i.op) << "(" << i.a << "," << i.b << "," << i.imm << "," << valtype_name(i.type) << ")";
}

std::string dump_expr(const Module& m, const ConstExpr& e) {
  std::ostringstream s;
  ConstExprReader reader(m, e);
  for (Instr i; reader.next(i).value_or(false); i = Instr{}) dump_instr(s, i);
  return s.str();
}

// An element item as an expression, whichever form held it (`ref.func x` for forms 0-3).
std::string dump_item(const Module& m, const ElemSegment& e, size_t k) {
  if (e.exprs) return dump_expr(m, e.item_expr(k));
  std::ostringstream s;
  Instr i;
  i.op = Op::ref_func;
  i.a = e.values[k];
  dump_instr(s, i);
  return s.str();
}

// A canonical text of a decoded module: equal for modules the validator treats alike.
std::string dump(const Module& m) {
  std::ostringstream s;
  for (const FuncType& t : m.types) s << "type " << t.to_string() << "\n";
  for (const Import& i : m.imports) {
    s << "import " << i.module << "." << i.name << " " << int(i.kind) << " " << i.func_type << " "
      << valtype_name(i.table.elem) << " " << i.table.limits.min << "/" << i.table.limits.max.value_or(~0ull)
      << " " << i.memory.limits.min << "/" << i.memory.limits.max.value_or(~0ull) << " "
      << valtype_name(i.global.type) << i.global.mut << "\n";
  }
  for (uint32_t f : m.funcs) s << "func " << f << "\n";
  for (const TableType& t : m.tables)
    s << "table " << valtype_name(t.elem) << " " << t.limits.min << "/" << t.limits.max.value_or(~0ull) << "\n";
  for (const MemoryType& t : m.memories)
    s << "memory " << t.limits.min << "/" << t.limits.max.value_or(~0ull) << "\n";
  for (const Global& g : m.global_defs)
    s << "global " << valtype_name(g.type.type) << g.type.mut << " " << dump_expr(m, g.init) << "\n";
  for (const Export& e : m.exports) s << "export " << e.name << " " << int(e.kind) << " " << e.index << "\n";
  if (m.start) s << "start " << *m.start << "\n";
  for (const ElemSegment& e : m.elems) {
    s << "elem " << int(e.mode) << " " << valtype_name(e.type) << " " << e.table << " "
      << (e.mode == SegmentMode::Active ? dump_expr(m, e.offset) : "");
    for (size_t k = 0; k < e.size(); ++k) s << " [" << dump_item(m, e, k) << "]";
    s << "\n";
  }
  for (const DataSegment& d : m.datas) {
    s << "data " << int(d.mode) << " " << d.memory << " " << (d.mode == SegmentMode::Active ? dump_expr(m, d.offset) : "") << " "
      << std::string(reinterpret_cast<const char*>(m.bytes.data() + d.bytes_offset), d.bytes_size) << "\n";
  }
  for (size_t i = 0; i < m.code.size(); ++i) {
    const FunctionBody& b = m.code[i];
    s << "code";
    for (const LocalRun& r : b.locals)
      for (uint32_t k = 0; k < r.count && k < 100000; ++k) s << " " << valtype_name(r.type);
    s << " |";
    for (size_t k = b.body_offset; k < b.body_end; ++k) s << " " << int(m.bytes[k]);
    s << "\n";
  }
  return s.str();
}

// Modules where wabt 1.0.32's encoding is not the spec's, so the structures differ on purpose.
struct Deviation {
  const char* file;
  uint32_t line;
  const char* why;
};
constexpr Deviation kWabtDeviations[] = {
    {"select.wast", 323,
     "(select (result)) with no types: the spec encodes select_t with an empty vector (the "
     "validator's \"invalid result arity\"), wabt writes the untyped select (\"type mismatch\")"},
};

const Deviation* known_deviation(const std::string& file, uint32_t line) {
  for (const Deviation& d : kWabtDeviations)
    if (file == d.file && line == d.line) return &d;
  return nullptr;
}

std::vector<uint8_t> read_bytes(const std::filesystem::path& p) {
  std::string s = testing::read_file(p);
  return std::vector<uint8_t>(s.begin(), s.end());
}

}  // namespace

TEST_CASE("every module of the wasm-2.0 suite: wsvm's encoding against wast2json's", "[crosscheck]") {
  std::filesystem::path suite = testing::suite_dir("wasm-2.0");
  if (suite.empty()) {
    std::printf("SKIPPED: the wasm-2.0 suite is not present (WSVM_SPEC_SUITE)\n");
    return;
  }
  if (std::system("wast2json --version >/dev/null 2>&1") != 0) {
    std::printf("SKIPPED: wast2json (wabt) is not installed\n");
    return;
  }
  std::filesystem::path tmp = std::filesystem::temp_directory_path() /
                              ("wsvm-text-crosscheck-" + std::to_string(::getpid()));
  std::filesystem::create_directories(tmp);
  size_t identical = 0, same_structure = 0, text_rejected = 0, files = 0, deviations = 0;
  std::map<std::string, size_t> differing;  // file -> modules with different bytes
  WatOptions options;
  options.names = false;          // wast2json writes no name section
  options.wasm2_limits = true;    // the 2.0 text format
  for (const auto& path : testing::wast_files(suite)) {
    if (path.parent_path() != suite) continue;  // proposals/ are not the 2.0 suite
    std::string stem = path.stem().string();
    std::filesystem::path json = tmp / (stem + ".json");
    std::string cmd = "wast2json --enable-all '" + path.string() + "' -o '" + json.string() + "' 2>/dev/null";
    INFO(path.filename().string());
    REQUIRE(std::system(cmd.c_str()) == 0);
    nlohmann::json j = nlohmann::json::parse(testing::read_file(json));
    auto script = parse_script(testing::read_file(path), options);
    REQUIRE(script.has_value());
    std::vector<const Command*> ours;
    for (const Command& c : script->commands)
      if (c.module) ours.push_back(&c);
    std::vector<const nlohmann::json*> theirs;
    for (const auto& c : j["commands"])
      if (c.contains("filename")) theirs.push_back(&c);
    REQUIRE(ours.size() == theirs.size());
    ++files;
    for (size_t i = 0; i < ours.size(); ++i) {
      const Command& c = *ours[i];
      const nlohmann::json& t = *theirs[i];
      INFO("line " << c.line);
      if (t.value("module_type", "binary") == "text") {
        CHECK_FALSE(c.module->binary.has_value());  // malformed text: we must reject it too
        ++text_rejected;
        continue;
      }
      REQUIRE(c.module->binary.has_value());
      std::vector<uint8_t> want = read_bytes(tmp / t["filename"].get<std::string>());
      const std::vector<uint8_t>& got = *c.module->binary;
      if (got == want) {
        ++identical;
        continue;
      }
      auto a = decode_module(std::span<const uint8_t>(got));
      auto b = decode_module(std::span<const uint8_t>(want));
      REQUIRE(a.has_value() == b.has_value());
      if (a) {
        std::string da = dump(**a), db = dump(**b);
        if (da != db && known_deviation(path.filename().string(), c.line)) {
          std::printf("  known wabt deviation, %s:%u: %s\n", path.filename().string().c_str(), c.line,
                      known_deviation(path.filename().string(), c.line)->why);
          ++deviations;
          continue;
        }
        if (da != db) {
          std::istringstream sa(da), sb(db);
          std::string la, lb;
          while (std::getline(sa, la) && std::getline(sb, lb) && la == lb) {
          }
          FAIL("first difference (wsvm, then wabt):\n" << la << "\n" << lb);
        }
      } else {
        CHECK(a.error().message == b.error().message);
      }
      ++same_structure;
      ++differing[path.filename().string()];
    }
  }
  std::filesystem::remove_all(tmp);
  std::printf("wasm-2.0 cross-check: %zu files; %zu modules byte-identical to wast2json, %zu equal "
              "after decoding, %zu malformed text modules rejected by both, %zu known wabt deviations\n",
              files, identical, same_structure, text_rejected, deviations);
  for (const auto& [file, n] : differing) std::printf("  bytes differ: %s (%zu modules)\n", file.c_str(), n);
  CHECK(files > 100);
}
