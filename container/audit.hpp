// The security audit of a manifest (`wsvm inspect wcontainer.toml`, and `wsvm up` before it
// starts anything): each finding has a code, a severity and one line. `wsvm up` prints the
// warnings and refuses to start on a critical finding unless told to (--allow-risky).
#pragma once

#include <string>
#include <vector>

#include "container/inspect.hpp"
#include "container/manifest.hpp"

namespace wsvm::container {

enum class Severity { Info, Warning, Critical };
const char* severity_name(Severity s);  // "info", "warning", "critical"

struct Finding {
  std::string code;  // MEMORY_LIMIT, NO_TIMEOUT, OVERLY_BROAD_FS, SENSITIVE_ENV, ...
  Severity severity = Severity::Info;
  std::string message;
};

// Above this a memory limit is worth a warning (and so is no limit: 4 GiB).
inline constexpr uint64_t kMemoryWarningBytes = uint64_t{64} << 20;

// `image` is the inspected image when it could be read (what it asks for is compared with
// what the manifest grants), else null.
std::vector<Finding> audit_manifest(const Manifest& m, const Report* image);

bool has_critical(const std::vector<Finding>& findings);
std::string format_findings(const std::vector<Finding>& findings);  // "critical NO_TIMEOUT: ..." lines
std::string findings_json(const Manifest& m, const std::vector<Finding>& findings);

}  // namespace wsvm::container
