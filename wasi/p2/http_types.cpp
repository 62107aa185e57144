#include "wasi/p2/http_types.hpp"

#include <poll.h>
#include <strings.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <array>
#include <cctype>

#include <fmt/format.h>

namespace wsvm::wasi::p2::http {

using component::Val;

namespace {

constexpr std::array<const char*, 39> kCaseNames = {
    "DNS-timeout", "DNS-error", "destination-not-found", "destination-unavailable",
    "destination-IP-prohibited", "destination-IP-unroutable", "connection-refused",
    "connection-terminated", "connection-timeout", "connection-read-timeout",
    "connection-write-timeout", "connection-limit-reached", "TLS-protocol-error",
    "TLS-certificate-error", "TLS-alert-received", "HTTP-request-denied",
    "HTTP-request-length-required", "HTTP-request-body-size", "HTTP-request-method-invalid",
    "HTTP-request-URI-invalid", "HTTP-request-URI-too-long", "HTTP-request-header-section-size",
    "HTTP-request-header-size", "HTTP-request-trailer-section-size", "HTTP-request-trailer-size",
    "HTTP-response-incomplete", "HTTP-response-header-section-size", "HTTP-response-header-size",
    "HTTP-response-body-size", "HTTP-response-trailer-section-size", "HTTP-response-trailer-size",
    "HTTP-response-transfer-coding", "HTTP-response-content-coding", "HTTP-response-timeout",
    "HTTP-upgrade-failed", "HTTP-protocol-error", "loop-detected", "configuration-error",
    "internal-error",
};

// The payload shape of each case.
enum class Payload { None, DnsOrTls, OptSize, OptU32, OptFieldSize, FieldSize, OptString };

Payload payload_of(uint32_t c) {
  switch (c) {
    case ErrorCode::DnsError: case ErrorCode::TlsAlertReceived: return Payload::DnsOrTls;
    case ErrorCode::HttpRequestBodySize: case ErrorCode::HttpResponseBodySize: return Payload::OptSize;
    case ErrorCode::HttpRequestHeaderSectionSize: case ErrorCode::HttpRequestTrailerSectionSize:
    case ErrorCode::HttpResponseHeaderSectionSize: case ErrorCode::HttpResponseTrailerSectionSize:
      return Payload::OptU32;
    case ErrorCode::HttpRequestHeaderSize: return Payload::OptFieldSize;
    case ErrorCode::HttpRequestTrailerSize: case ErrorCode::HttpResponseHeaderSize:
    case ErrorCode::HttpResponseTrailerSize:
      return Payload::FieldSize;
    case ErrorCode::HttpResponseTransferCoding: case ErrorCode::HttpResponseContentCoding:
    case ErrorCode::InternalError:
      return Payload::OptString;
    default: return Payload::None;
  }
}

}  // namespace

Val ErrorCode::to_val() const {
  const Val empty_pair = Val::record({Val::none(), Val::none()});
  switch (payload_of(code)) {
    case Payload::None: return Val::variant(code);
    case Payload::DnsOrTls: case Payload::FieldSize: return Val::variant(code, {empty_pair});
    case Payload::OptSize: return Val::variant(code, {size ? Val::some(Val::u64(*size)) : Val::none()});
    case Payload::OptU32: case Payload::OptFieldSize: return Val::variant(code, {Val::none()});
    case Payload::OptString:
      if (code == InternalError && !detail.empty()) return Val::variant(code, {Val::some(Val::string(detail))});
      return Val::variant(code, {Val::none()});
  }
  return Val::variant(InternalError, {Val::none()});
}

ErrorCode ErrorCode::from_val(const Val& v) {
  ErrorCode e;
  e.code = v.disc < kCaseNames.size() ? v.disc : InternalError;
  const Val* opt = v.items.empty() ? nullptr : &v.items[0];
  if (opt && opt->kind == component::VKind::Option && opt->disc == 1 && !opt->items.empty()) {
    const Val& x = opt->items[0];
    if (x.kind == component::VKind::String) e.detail = x.str;
    else if (x.kind == component::VKind::U64) e.size = x.u;
  }
  return e;
}

std::string ErrorCode::describe() const {
  std::string s = code < kCaseNames.size() ? kCaseNames[code] : "internal-error";
  if (size) s += fmt::format("({})", *size);
  if (!detail.empty()) s += ": " + detail;
  return s;
}

std::string OutgoingRequest::method_name() const {
  static constexpr const char* kNames[] = {"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"};
  if (method < 9) return kNames[method];
  return method_other.value_or("GET");
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// RFC 9110 token: the characters a field name may have.
bool valid_field_name(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u)) continue;
    if (std::string_view("!#$%&'*+-.^_`|~").find(c) == std::string_view::npos) return false;
  }
  return true;
}

// No control bytes but horizontal tab (so no CR, LF or NUL can split a header).
bool valid_field_value(std::string_view value) {
  for (char c : value) {
    auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t') || u == 0x7f) return false;
  }
  return true;
}

// Hop-by-hop fields belong to the connection, which the server or client manages.
bool forbidden_field(std::string_view n) {
  return n == "connection" || n == "keep-alive" || n == "proxy-connection" || n == "transfer-encoding" ||
         n == "upgrade" || n == "http2-settings";
}

PendingResponse::PendingResponse() : m_fd(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {}
PendingResponse::~PendingResponse() {
  if (m_fd >= 0) ::close(m_fd);
}

void PendingResponse::resolve(std::expected<std::shared_ptr<IncomingResponse>, ErrorCode> r) {
  std::lock_guard lock(m_mutex);
  if (m_result) return;
  m_result = std::move(r);
  uint64_t one = 1;
  ssize_t n = ::write(m_fd, &one, sizeof one);
  (void)n;
}

std::optional<std::expected<std::shared_ptr<IncomingResponse>, ErrorCode>> PendingResponse::get() {
  std::lock_guard lock(m_mutex);
  return m_result;
}

Readiness PendingResponse::readiness() {
  std::lock_guard lock(m_mutex);
  if (m_result) return Readiness::now();
  return Readiness::on_fd(m_fd, POLLIN);
}

namespace {

// "host:port", "[v6]:port" or "host" -> host (lower case, brackets kept off) and port.
std::pair<std::string, std::optional<uint16_t>> split_authority(std::string_view a) {
  std::string_view host = a, port;
  if (a.starts_with('[')) {
    size_t close = a.find(']');
    if (close == std::string_view::npos) return {lower(a), std::nullopt};
    host = a.substr(1, close - 1);
    if (close + 1 < a.size() && a[close + 1] == ':') port = a.substr(close + 2);
  } else if (size_t colon = a.rfind(':'); colon != std::string_view::npos && a.find(':') == colon) {
    host = a.substr(0, colon);
    port = a.substr(colon + 1);
  }
  std::optional<uint16_t> p;
  if (!port.empty() && port.size() <= 5 && port.find_first_not_of("0123456789") == std::string_view::npos) {
    unsigned v = 0;
    for (char c : port) v = v * 10 + unsigned(c - '0');
    if (v <= 65535) p = uint16_t(v);
  }
  return {lower(host), p};
}

}  // namespace

bool host_allowed(const std::vector<std::string>& allow, std::string_view authority, std::string_view scheme) {
  auto [host, port] = split_authority(authority);
  uint16_t effective = port.value_or(scheme == "https" ? 443 : 80);
  for (const std::string& entry : allow) {
    if (entry == "*") return true;
    auto [h, p] = split_authority(entry);
    if (h == host && (!p || *p == effective)) return true;
  }
  return false;
}

}  // namespace wsvm::wasi::p2::http
