#include "container/oci_archive.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include <cerrno>
#include <cstdio>
#include <algorithm>
#include <cstring>
#include <fstream>
#include <memory>
#include <string_view>

#include <fmt/format.h>

#include "container/oci_layout.hpp"
#include "decoder/printable.hpp"

namespace wsvm::container {
namespace {

using Fail = std::unexpected<std::string>;

// A layout has index.json, oci-layout and a handful of blobs; an archive with more entries
// than this is not one (and scanning it would only cost time).
constexpr uint64_t kMaxEntries = 100000;

struct ArchiveFree {
  void operator()(archive* a) const { archive_read_free(a); }
};

std::string error_of(archive* a) {
  const char* e = archive_error_string(a);
  return e ? printable(e) : "unknown error";
}

// The layout-relative name of an entry we keep, or "" for one we skip.
std::string kept_name(std::string_view name) {
  while (name.starts_with("./")) name.remove_prefix(2);
  if (name == "index.json" || name == "oci-layout") return std::string(name);
  if (name.starts_with("blobs/sha256/") && valid_digest("sha256:" + std::string(name.substr(13))))
    return std::string(name);
  return "";
}

// Writing is done here rather than by libarchive: any of its writers links its table of every
// output format, which pulls in bzip2, lzma, libxml2 and more that the static `wsvm` would
// have to carry. A layout needs only plain ustar entries: short names (at most
// "blobs/sha256/" + 64 hex digits), regular files and two directories.
constexpr size_t kTarBlock = 512;

std::vector<char> ustar_header(const std::string& name, char type, unsigned mode, uint64_t size) {
  std::vector<char> h(kTarBlock, '\0');
  auto field = [&h](size_t at, size_t width, const std::string& text) {
    std::memcpy(h.data() + at, text.data(), std::min(width, text.size()));
  };
  auto octal = [&field](size_t at, size_t width, uint64_t v) { field(at, width, fmt::format("{:0{}o}", v, width - 1)); };
  field(0, 100, name);
  octal(100, 8, mode);
  octal(108, 8, 0);     // uid
  octal(116, 8, 0);     // gid
  octal(124, 12, size);
  octal(136, 12, 0);    // mtime: fixed, so the same image gives the same bytes
  h[156] = type;
  field(257, 6, std::string("ustar", 6));
  field(263, 2, "00");
  std::memset(h.data() + 148, ' ', 8);  // the checksum counts its own field as spaces
  unsigned sum = 0;
  for (char c : h) sum += static_cast<unsigned char>(c);
  field(148, 8, fmt::format("{:06o}", sum) + std::string("\0 ", 2));
  return h;
}

}  // namespace

bool is_layout_archive(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) == 0) return S_ISREG(st.st_mode);
  return path.ends_with(".tar");
}

std::expected<LayoutFiles, std::string> read_layout_archive(const std::string& path, uint64_t json_cap,
                                                            uint64_t blob_cap) {
  std::unique_ptr<archive, ArchiveFree> a(archive_read_new());
  if (!a) return Fail("out of memory");
  archive_read_support_format_tar(a.get());
  archive_read_support_filter_gzip(a.get());
  if (archive_read_open_filename(a.get(), path.c_str(), 64 * 1024) != ARCHIVE_OK)
    return Fail(fmt::format("not a tar archive: {}", error_of(a.get())));
  LayoutFiles files;
  archive_entry* entry = nullptr;
  for (uint64_t count = 0;; ++count) {
    int r = archive_read_next_header(a.get(), &entry);
    if (r == ARCHIVE_EOF) break;
    if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
      return Fail(count == 0 ? fmt::format("not a tar archive: {}", error_of(a.get()))
                             : fmt::format("a damaged tar archive: {}", error_of(a.get())));
    }
    if (count >= kMaxEntries) return Fail(fmt::format("more than {} entries: not an OCI image layout", kMaxEntries));
    const char* raw = archive_entry_pathname(entry);
    std::string name = kept_name(raw ? raw : "");
    if (name.empty() || archive_entry_filetype(entry) != AE_IFREG) continue;  // links are never followed
    if (files.contains(name)) return Fail(fmt::format("{} appears twice in the archive", name));
    int64_t declared = archive_entry_size(entry);
    uint64_t cap = name.starts_with("blobs/") ? blob_cap : json_cap;
    if (declared < 0 || static_cast<uint64_t>(declared) > cap)
      return Fail(fmt::format("{}: larger than {} bytes", name, cap));
    std::vector<uint8_t> bytes(static_cast<size_t>(declared));
    size_t got = 0;
    while (got < bytes.size()) {
      la_ssize_t n = archive_read_data(a.get(), bytes.data() + got, bytes.size() - got);
      if (n < 0) return Fail(fmt::format("{}: {}", name, error_of(a.get())));
      if (n == 0) break;
      got += static_cast<size_t>(n);
    }
    if (got != bytes.size()) return Fail(fmt::format("{}: the archive ends after {} of its {} bytes", name, got, bytes.size()));
    files.emplace(std::move(name), std::move(bytes));
  }
  return files;
}

std::expected<void, std::string> write_layout_archive(const std::string& path, const LayoutFiles& files) {
  std::string tmp = path + ".tmp-" + std::to_string(getpid());
  std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
  auto block = [&out](const std::vector<char>& b) { out.write(b.data(), static_cast<std::streamsize>(b.size())); };
  // The directories first, as tar tools write them; then every file, sorted by name.
  for (const char* dir : {"blobs/", "blobs/sha256/"}) block(ustar_header(dir, '5', 0755, 0));
  for (const auto& [name, bytes] : files) {
    block(ustar_header(name, '0', 0644, bytes.size()));
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    block(std::vector<char>((kTarBlock - bytes.size() % kTarBlock) % kTarBlock, '\0'));
  }
  block(std::vector<char>(2 * kTarBlock, '\0'));  // the end-of-archive marker
  out.close();
  if (!out || std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::string why = std::strerror(errno);
    std::remove(tmp.c_str());
    return Fail(fmt::format("{}: cannot write: {}", printable(path), why));
  }
  return {};
}

}  // namespace wsvm::container
