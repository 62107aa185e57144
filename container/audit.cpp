#include "container/audit.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "decoder/printable.hpp"

namespace wsvm::container {
namespace {

// Granting one of these read-write hands the guest the host itself.
bool is_system_dir(const std::string& p) {
  static const char* const kDirs[] = {"/", "/bin", "/boot", "/dev", "/etc", "/home", "/lib", "/lib64",
                                      "/opt", "/proc", "/root", "/run", "/sbin", "/srv", "/sys", "/usr", "/var"};
  for (const char* d : kDirs)
    if (p == d) return true;
  return false;
}

// The host path a grant really names: symlinks and `..` resolved as far as the path exists,
// so "data/../../etc" or a link to /etc is judged as /etc.
std::string real_host_path(const Manifest& m, const FsGrant& g) {
  std::error_code ec;
  std::filesystem::path p = std::filesystem::weakly_canonical(std::filesystem::absolute(m.host_path(g), ec), ec);
  if (ec) return m.host_path(g);
  std::string s = p.lexically_normal().string();
  while (s.size() > 1 && s.ends_with('/')) s.pop_back();
  return s;
}

bool sensitive_name(std::string name) {
  std::ranges::transform(name, name.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  for (const char* w : {"PASSWORD", "PASSWD", "SECRET", "TOKEN", "API_KEY", "PRIVATE_KEY", "CREDENTIAL", "ACCESS_KEY"})
    if (name.find(w) != std::string::npos) return true;
  return false;
}

std::string mib(uint64_t bytes) { return fmt::format("{:.0f} MiB", bytes / 1048576.0); }

}  // namespace

const char* severity_name(Severity s) {
  switch (s) {
    case Severity::Info: return "info";
    case Severity::Warning: return "warning";
    case Severity::Critical: return "critical";
  }
  return "?";
}

std::vector<Finding> audit_manifest(const Manifest& m, const Report* image) {
  std::vector<Finding> f;
  auto add = [&f](const char* code, Severity s, std::string msg) { f.push_back({code, s, std::move(msg)}); };

  if (!m.max_memory_bytes)
    add("MEMORY_LIMIT", Severity::Warning, "no resources.max_memory: each memory may grow to 4 GiB");
  else if (*m.max_memory_bytes > kMemoryWarningBytes)
    add("MEMORY_LIMIT", Severity::Warning, fmt::format("resources.max_memory is {}, above {}", mib(*m.max_memory_bytes), mib(kMemoryWarningBytes)));
  if (!m.max_cpu_time && !m.fuel)
    add("NO_TIMEOUT", Severity::Critical, "neither resources.max_cpu_time nor resources.fuel: a looping guest runs forever");
  if (!m.checksum && !m.source.starts_with("oci:"))
    add("NO_CHECKSUM", Severity::Warning, "image.checksum is not set: the image is run unverified");

  for (const FsGrant& g : m.fs) {
    std::string real = real_host_path(m, g);
    if (is_system_dir(real) && !g.read_only)
      add("OVERLY_BROAD_FS", Severity::Critical, fmt::format("'{}' ({}) is granted read-write", printable(g.host), printable(real)));
    else if (is_system_dir(real))
      add("OVERLY_BROAD_FS", Severity::Warning, fmt::format("'{}' ({}) is granted read-only", printable(g.host), printable(real)));
    else
      add("FS_GRANT", Severity::Info, fmt::format("'{}' as '{}' {}", printable(g.host), printable(g.guest), g.read_only ? "read-only" : "read-write"));
  }
  for (const std::string& name : m.env_allow)
    if (sensitive_name(name) && m.env.contains(name))
      add("SENSITIVE_ENV", Severity::Warning, fmt::format("env {} looks like a secret and is passed to the guest", printable(name)));
  for (const std::string& name : m.denied_env())
    add("ENV_NOT_ALLOWED", Severity::Warning, fmt::format("env {} is not in permissions.env: not injected", printable(name)));
  for (const std::string& a : m.inbound)
    add("NETWORK_INBOUND", a.starts_with("0.0.0.0:") || a.starts_with("[::]:") ? Severity::Warning : Severity::Info,
        fmt::format("listens on {}", printable(a)));
  for (const std::string& h : m.outbound)
    add("NETWORK_OUTBOUND", h == "*" ? Severity::Warning : Severity::Info,
        h == "*" ? std::string("outgoing HTTP to any host") : fmt::format("outgoing HTTP to {}", printable(h)));

  if (image != nullptr) {
    auto asks = [&](const char* cap) { return image->capabilities.contains(cap); };
    auto ungranted = [&](const char* cap, const char* grant) {
      add("UNGRANTED_CAPABILITY", Severity::Warning,
          fmt::format("the image imports {} but the manifest grants no {}: those calls will fail", cap, grant));
    };
    if (asks("files") && m.fs.empty()) ungranted("files", "permissions.fs");
    if (asks("env") && m.granted_env().empty()) ungranted("env", "permissions.env variable");
    if (asks("sockets") && m.inbound.empty()) ungranted("sockets", "permissions.network.inbound");
    if (asks("http-outgoing") && m.outbound.empty()) ungranted("http-outgoing", "permissions.network.outbound");
    for (const std::string& r : image->risks) add("IMAGE_NOTE", Severity::Info, r);
  }
  return f;
}

bool has_critical(const std::vector<Finding>& findings) {
  return std::ranges::any_of(findings, [](const Finding& x) { return x.severity == Severity::Critical; });
}

std::string format_findings(const std::vector<Finding>& findings) {
  std::string s;
  for (const Finding& x : findings) s += fmt::format("{} {}: {}\n", severity_name(x.severity), x.code, x.message);
  return s;
}

std::string findings_json(const Manifest& m, const std::vector<Finding>& findings) {
  nlohmann::json a = nlohmann::json::array();
  for (const Finding& x : findings) a.push_back({{"code", x.code}, {"severity", severity_name(x.severity)}, {"message", x.message}});
  nlohmann::json j = {{"manifest", m.path}, {"name", m.name}, {"image", m.source}, {"findings", a}};
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace wsvm::container
