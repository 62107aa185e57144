// OCI image layouts kept as one tar file (what `skopeo copy ... oci-archive:x.tar` and
// `docker save`-style tools exchange): the same files as a layout directory. Read with
// libarchive (Debian libarchive-dev; only its tar reader and gzip filter, so the static `wsvm`
// links libarchive.a and zlib and nothing else of it); written as plain ustar here.
//
// Nothing is ever extracted to disk: the entries an image can name are read into memory by
// name, so a hostile archive ("../x", absolute names, links, devices) cannot reach a file.
#pragma once

#include <cstdint>
#include <expected>
#include <map>
#include <string>
#include <vector>

namespace wsvm::container {

// Layout files by name relative to the layout root ("index.json", "oci-layout",
// "blobs/sha256/<64 hex>").
using LayoutFiles = std::map<std::string, std::vector<uint8_t>>;

// Whether oci:PATH names an archive: an existing regular file, or (to be written) a path
// ending in ".tar" that does not exist yet.
bool is_layout_archive(const std::string& path);

// The layout's files in the tar (optionally gzip-compressed) at `path`: index.json,
// oci-layout and the blobs under blobs/sha256/, each a regular file; "./" prefixes are
// dropped; other entries are skipped. index.json and oci-layout may be at most `json_cap`
// bytes, a blob at most `blob_cap`; a name present twice, a truncated or corrupt archive is
// an error (one phrase).
std::expected<LayoutFiles, std::string> read_layout_archive(const std::string& path, uint64_t json_cap,
                                                            uint64_t blob_cap);

// Writes `files` as a ustar archive at `path`, replacing it only once the whole archive is
// written (a temporary file beside it, then rename).
std::expected<void, std::string> write_layout_archive(const std::string& path, const LayoutFiles& files);

}  // namespace wsvm::container
