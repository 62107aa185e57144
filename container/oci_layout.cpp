#include "container/oci_layout.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "container/checksum.hpp"
#include "container/oci_archive.hpp"
#include "decoder/printable.hpp"
#include "runner/read_file.hpp"

namespace wsvm::container {
namespace {

using nlohmann::json;
using Fail = std::unexpected<std::string>;

// index.json, manifests and configs are small; a big one is refused before it is read.
constexpr uint64_t kMaxJsonBytes = 4 << 20;

std::expected<std::vector<uint8_t>, std::string> read_capped(const std::string& path, uint64_t cap) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return Fail(fmt::format("{}: {}", printable(path), std::strerror(errno)));
  if (S_ISREG(st.st_mode) && static_cast<uint64_t>(st.st_size) > cap)
    return Fail(fmt::format("{}: larger than {} bytes", printable(path), cap));
  auto bytes = runner::read_module_file(path);
  if (!bytes) return Fail(fmt::format("{}: {}", printable(path), bytes.error().message));
  if (bytes->size() > cap) return Fail(fmt::format("{}: larger than {} bytes", printable(path), cap));
  return std::move(*bytes);
}

std::string_view text_of(const std::vector<uint8_t>& b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

// A string member, or an empty string when absent or not a string.
std::string str(const json& o, const char* key) {
  auto it = o.find(key);
  return it != o.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::expected<Descriptor, std::string> descriptor(const json& o, const char* what) {
  if (!o.is_object()) return Fail(fmt::format("{}: not a descriptor object", what));
  Descriptor d{str(o, "mediaType"), str(o, "digest"), 0};
  auto size = o.find("size");
  if (size == o.end() || !size->is_number_unsigned()) return Fail(fmt::format("{}: size missing or not a whole number", what));
  d.size = size->get<uint64_t>();
  if (!valid_digest(d.digest)) return Fail(fmt::format("{}: digest '{}' is not sha256:<64 hex digits>", what, printable(d.digest)));
  return d;
}

// The files of a layout: a directory, or a tar archive read into memory once (oci_archive.hpp).
class LayoutReader {
 public:
  static std::expected<LayoutReader, std::string> open(const std::string& path) {
    LayoutReader r;
    r.m_dir = path;
    if (is_layout_archive(path)) {
      auto files = read_layout_archive(path, kMaxJsonBytes, runner::kMaxModuleFileBytes);
      if (!files) return Fail(files.error());
      r.m_archive = std::move(*files);
    }
    return r;
  }

  // The file at `name` (relative to the layout root), at most `cap` bytes. Each file is read
  // once, so an archive's entry is moved out rather than copied (a layer may be 1 GiB).
  std::expected<std::vector<uint8_t>, std::string> take(const std::string& name, uint64_t cap) {
    if (!m_archive) return read_capped(m_dir + "/" + name, cap);
    auto it = m_archive->find(name);
    if (it == m_archive->end()) return Fail(fmt::format("{}: not in the archive", name));
    if (it->second.size() > cap) return Fail(fmt::format("{}: larger than {} bytes", name, cap));
    std::vector<uint8_t> bytes = std::move(it->second);
    m_archive->erase(it);
    return bytes;
  }

 private:
  std::string m_dir;
  std::optional<LayoutFiles> m_archive;
};

std::expected<std::vector<uint8_t>, std::string> read_blob(LayoutReader& layout, const Descriptor& d, uint64_t cap) {
  if (d.size > cap) return Fail(fmt::format("blob {} is {} bytes, more than the {} allowed", d.digest, d.size, cap));
  auto bytes = layout.take("blobs/sha256/" + d.digest.substr(7), cap);
  if (!bytes) return bytes;
  if (bytes->size() != d.size) return Fail(fmt::format("blob {}: {} bytes, the descriptor says {}", d.digest, bytes->size(), d.size));
  if (auto ok = verify_digest(*bytes, d.digest); !ok) return Fail(fmt::format("blob {}: {}", d.digest, ok.error()));
  return bytes;
}

std::vector<uint8_t> bytes_of(const std::string& s) { return {s.begin(), s.end()}; }

std::expected<void, std::string> write_file(const std::filesystem::path& p, std::span<const uint8_t> bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) return Fail(fmt::format("{}: cannot write", printable(p.string())));
  return {};
}

}  // namespace

bool valid_digest(std::string_view d) {
  if (!d.starts_with("sha256:") || d.size() != 7 + 64) return false;
  for (char c : d.substr(7))
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

std::optional<OciRef> parse_oci_ref(std::string_view source) {
  if (!source.starts_with("oci:")) return std::nullopt;
  source.remove_prefix(4);
  OciRef r;
  size_t slash = source.rfind('/');
  size_t colon = source.rfind(':');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
    r.tag = std::string(source.substr(colon + 1));
    source = source.substr(0, colon);
  }
  r.dir = std::string(source);
  return r;
}

WasmImage make_wasm_image(std::vector<uint8_t> wasm) {
  WasmImage img;
  img.wasm = std::move(wasm);
  img.layer_desc = {std::string(kWasmLayerType), sha256_of(img.wasm), img.wasm.size()};
  json config = {{"architecture", "wasm"}, {"os", "wasip1"}, {"layerDigests", {img.layer_desc.digest}}};
  img.config = bytes_of(config.dump());
  img.config_desc = {std::string(kWasmConfigType), sha256_of(img.config), img.config.size()};
  auto desc = [](const Descriptor& d) { return json{{"mediaType", d.media_type}, {"digest", d.digest}, {"size", d.size}}; };
  json manifest = {{"schemaVersion", 2},
                   {"mediaType", kOciManifestType},
                   {"artifactType", kWasmConfigType},
                   {"config", desc(img.config_desc)},
                   {"layers", json::array({desc(img.layer_desc)})}};
  img.manifest = bytes_of(manifest.dump());
  return img;
}

std::expected<std::pair<Descriptor, Descriptor>, std::string> parse_wasm_manifest(std::string_view text) {
  json m = json::parse(text, nullptr, false);
  if (m.is_discarded() || !m.is_object()) return Fail("the manifest is not a JSON object");
  auto config = m.find("config");
  if (config == m.end()) return Fail("the manifest has no config");
  auto c = descriptor(*config, "manifest config");
  if (!c) return Fail(c.error());
  if (c->media_type != kWasmConfigType)
    return Fail(fmt::format("config media type '{}' is not {} (not a Wasm artifact)", printable(c->media_type), kWasmConfigType));
  auto layers = m.find("layers");
  if (layers == m.end() || !layers->is_array()) return Fail("the manifest has no layers");
  std::optional<Descriptor> wasm;
  for (const json& l : *layers) {
    auto d = descriptor(l, "manifest layer");
    if (!d) return Fail(d.error());
    if (d->media_type != kWasmLayerType && d->media_type != kWasmContentLayerType) continue;
    if (wasm) return Fail("the manifest has more than one Wasm layer");
    wasm = *d;
  }
  if (!wasm) return Fail(fmt::format("no layer of type {} or {}", kWasmLayerType, kWasmContentLayerType));
  return std::pair{*c, *wasm};
}

std::expected<WasmImage, std::string> read_oci_layout(const OciRef& ref) {
  auto fail = [&ref](const std::string& what) { return Fail(fmt::format("oci:{}: {}", printable(ref.dir), what)); };
  auto layout = LayoutReader::open(ref.dir);
  if (!layout) return fail(layout.error());
  auto index_bytes = layout->take("index.json", kMaxJsonBytes);
  if (!index_bytes) return fail("not an OCI image layout: " + index_bytes.error());
  json index = json::parse(text_of(*index_bytes), nullptr, false);
  if (index.is_discarded() || !index.is_object()) return fail("index.json is not a JSON object");
  auto manifests = index.find("manifests");
  if (manifests == index.end() || !manifests->is_array() || manifests->empty()) return fail("index.json lists no manifests");
  const json* chosen = nullptr;
  std::vector<std::string> tags;
  for (const json& m : *manifests) {
    if (!m.is_object()) return fail("index.json: a manifest entry is not an object");
    std::string tag;
    if (auto a = m.find("annotations"); a != m.end() && a->is_object()) tag = str(*a, "org.opencontainers.image.ref.name");
    tags.push_back(tag);
    if (ref.tag ? tag == *ref.tag : manifests->size() == 1) chosen = &m;
  }
  if (chosen == nullptr) {
    std::string known;
    for (const std::string& t : tags) known += (known.empty() ? "" : ", ") + (t.empty() ? "(untagged)" : printable(t));
    return fail(ref.tag ? fmt::format("no manifest tagged '{}' (tags: {})", printable(*ref.tag), known)
                        : fmt::format("{} manifests: name one with oci:DIR:TAG (tags: {})", manifests->size(), known));
  }
  auto mdesc = descriptor(*chosen, "index.json manifest");
  if (!mdesc) return fail(mdesc.error());
  if (mdesc->media_type == kOciIndexType) return fail("nested image indexes are not supported");
  WasmImage img;
  auto manifest = read_blob(*layout, *mdesc, kMaxJsonBytes);
  if (!manifest) return fail(manifest.error());
  img.manifest = std::move(*manifest);
  auto descs = parse_wasm_manifest(text_of(img.manifest));
  if (!descs) return fail(descs.error());
  std::tie(img.config_desc, img.layer_desc) = *descs;
  auto config = read_blob(*layout, img.config_desc, kMaxJsonBytes);
  if (!config) return fail(config.error());
  img.config = std::move(*config);
  auto wasm = read_blob(*layout, img.layer_desc, runner::kMaxModuleFileBytes);
  if (!wasm) return fail(wasm.error());
  img.wasm = std::move(*wasm);
  return img;
}

std::expected<void, std::string> write_oci_layout(const std::string& dir, const std::string& tag, const WasmImage& image) {
  namespace fs = std::filesystem;
  bool archive = is_layout_archive(dir);
  LayoutFiles files;  // what changes: the three blobs, oci-layout, index.json
  for (auto* b : {&image.manifest, &image.config, &image.wasm}) files["blobs/sha256/" + sha256_of(*b).substr(7)] = *b;
  files["oci-layout"] = bytes_of(R"({"imageLayoutVersion":"1.0.0"})");
  LayoutFiles old;
  if (archive && fs::exists(dir)) {
    auto read = read_layout_archive(dir, kMaxJsonBytes, runner::kMaxModuleFileBytes);
    if (!read) return Fail(fmt::format("oci:{}: {}", printable(dir), read.error()));
    old = std::move(*read);
  } else if (!archive) {
    if (auto index = read_capped(dir + "/index.json", kMaxJsonBytes)) old["index.json"] = std::move(*index);
  }
  json index = {{"schemaVersion", 2}, {"mediaType", kOciIndexType}, {"manifests", json::array()}};
  if (auto it = old.find("index.json"); it != old.end()) {
    json parsed = json::parse(text_of(it->second), nullptr, false);
    if (!parsed.is_discarded() && parsed.is_object() && parsed.contains("manifests") && parsed["manifests"].is_array())
      index = parsed;
  }
  json kept = json::array();
  for (const json& m : index["manifests"]) {
    const json* a = m.is_object() && m.contains("annotations") ? &m["annotations"] : nullptr;
    if (a != nullptr && a->is_object() && str(*a, "org.opencontainers.image.ref.name") == tag) continue;
    kept.push_back(m);
  }
  kept.push_back({{"mediaType", kOciManifestType},
                  {"digest", sha256_of(image.manifest)},
                  {"size", image.manifest.size()},
                  {"annotations", {{"org.opencontainers.image.ref.name", tag}}}});
  index["manifests"] = kept;
  files["index.json"] = bytes_of(index.dump(2));
  if (archive) {
    for (auto& [name, bytes] : files) old[name] = std::move(bytes);  // other tags' blobs stay
    if (auto ok = write_layout_archive(dir, old); !ok) return Fail(ok.error());
    return {};
  }
  std::error_code ec;
  fs::create_directories(fs::path(dir) / "blobs" / "sha256", ec);
  if (ec) return Fail(fmt::format("{}: {}", printable(dir), ec.message()));
  // In name order: the blobs, then index.json naming them (a layout cut short by a crash
  // keeps its old, complete index).
  for (const auto& [name, bytes] : files)
    if (auto ok = write_file(fs::path(dir) / name, bytes); !ok) return ok;
  return {};
}

}  // namespace wsvm::container
