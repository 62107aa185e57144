// The application manifest, wcontainer.toml: what to run (an image: a path or an OCI layout,
// with the checksum it must have) and everything it may touch (resources, permissions,
// environment, mounts, scaling). Parsed with toml++; every problem is one line naming the
// file, line, column and the field ("app.toml:7:14: resources.max_memory: ...").
//
// Sizes and durations keep their text: the front door turns them into numbers with the same
// parsers as its command-line options (ValueParsers), so `max_memory = "64MiB"` means what
// `--max-memory 64MiB` means. The schema is in container/README.md.
#pragma once

#include <chrono>
#include <cstdint>
#include <expected>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wsvm::container {

// Where a value was written: for messages about it after parsing.
struct Place {
  uint32_t line = 0, column = 0;
};

// How the front door reads sizes ("64MiB") and durations ("5s"); errors are one phrase.
struct ValueParsers {
  std::function<std::expected<uint64_t, std::string>(std::string_view)> size;
  std::function<std::expected<std::chrono::microseconds, std::string>(std::string_view)> duration;
};

struct FsGrant {
  std::string host;   // as written (relative to the manifest's folder)
  std::string guest;  // the name the guest sees: the [mount] target, else `host`
  bool read_only = true;
  Place place;
};

// [components.NAME]: another component the image links to by interface name.
struct LinkedImage {
  std::string name;                     // NAME
  std::string source;                   // as written: a path or "oci:DIR[:TAG]"
  std::optional<std::string> checksum;  // "sha256:" + 64 lowercase hex digits
  Place place;
};

struct Manifest {
  std::string path;     // the manifest file as given
  std::string base_dir; // its folder: relative paths in it start here

  // [container]
  std::string name, version, description;
  // [image]
  std::string source;                 // as written: a path or "oci:DIR[:TAG]"
  std::optional<std::string> checksum;  // "sha256:" + 64 lowercase hex digits
  std::vector<std::string> args;      // program arguments after argv[0]
  // [components.NAME]: components whose interface exports satisfy the image's (and each
  // other's) imports, instantiated first in dependency order (runner/component_links.hpp)
  std::vector<LinkedImage> components;
  // [resources]; absent fields keep the front door's defaults
  std::optional<uint64_t> max_memory_bytes;
  std::optional<std::chrono::microseconds> max_cpu_time;
  std::optional<uint64_t> max_stack_bytes;
  std::optional<uint64_t> fuel;
  // [permissions]
  std::vector<FsGrant> fs;
  std::vector<std::string> env_allow;        // names the guest may see
  std::vector<std::string> inbound;          // "HOST:PORT" listening sockets
  std::vector<std::string> outbound;         // hosts outgoing HTTP may reach (wsvm serve)
  bool clocks = true, random = true;
  // [env]: KEY -> value; only keys in env_allow reach the guest (env_denied lists the rest)
  std::map<std::string, std::string> env;
  // [http]: present when the image answers HTTP requests (`wsvm up` serves it as `wsvm
  // serve` would, on `addr`)
  std::optional<std::string> http_addr;       // "HOST:PORT" (port 0: any free port)
  std::optional<uint32_t> http_max_connections;
  // [scaling]
  uint32_t min_instances = 0, max_instances = 0, concurrency = 1;  // 0: no limit

  // "KEY=VALUE" for every [env] entry the allow-list admits, in key order.
  std::vector<std::string> granted_env() const;
  // [env] keys the allow-list does not admit (not injected; `wsvm up` says so).
  std::vector<std::string> denied_env() const;
  // `source` resolved against base_dir (unchanged for oci: references and absolute paths);
  // resolve() does the same for another source (a linked component's).
  std::string source_path() const { return resolve(source); }
  std::string resolve(const std::string& source) const;
  std::string host_path(const FsGrant& g) const;
};

// Reads and checks `path`. The error is one line: "PATH:LINE:COLUMN: FIELD: what".
std::expected<Manifest, std::string> load_manifest(const std::string& path,
                                                   const ValueParsers& parsers);
// The same for text already read (`path` names it in messages and sets base_dir).
std::expected<Manifest, std::string> parse_manifest(std::string_view text, const std::string& path,
                                                    const ValueParsers& parsers);

}  // namespace wsvm::container
