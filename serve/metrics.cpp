#include "serve/metrics.hpp"

#include <sys/resource.h>

#include <fmt/format.h>

#include "memory/memory_image.hpp"

namespace wsvm::serve {

void Metrics::observe(int status, std::chrono::microseconds latency) {
  const double s = static_cast<double>(latency.count()) / 1e6;
  std::lock_guard lock(m_mutex);
  ++m_by_status[status];
  size_t i = 0;
  while (i < kBuckets.size() && s > kBuckets[i]) ++i;
  ++m_histogram[i];
  m_latency_sum += s;
  ++m_count;
}

void Metrics::failure(const std::string& kind) {
  std::lock_guard lock(m_mutex);
  ++m_failures[kind];
}

std::string Metrics::render() const {
  std::lock_guard lock(m_mutex);
  std::string out;
  out += "# HELP wsvm_requests_total Requests answered, by status code.\n# TYPE wsvm_requests_total counter\n";
  for (const auto& [status, n] : m_by_status) out += fmt::format("wsvm_requests_total{{code=\"{}\"}} {}\n", status, n);
  out += "# HELP wsvm_request_duration_seconds Time from the request line to the answer.\n"
         "# TYPE wsvm_request_duration_seconds histogram\n";
  uint64_t cumulative = 0;
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    cumulative += m_histogram[i];
    out += fmt::format("wsvm_request_duration_seconds_bucket{{le=\"{}\"}} {}\n", kBuckets[i], cumulative);
  }
  cumulative += m_histogram.back();
  out += fmt::format("wsvm_request_duration_seconds_bucket{{le=\"+Inf\"}} {}\n", cumulative);
  out += fmt::format("wsvm_request_duration_seconds_sum {}\nwsvm_request_duration_seconds_count {}\n", m_latency_sum, m_count);
  out += "# HELP wsvm_handler_failures_total Requests whose instance trapped, hit a limit, failed or answered badly.\n"
         "# TYPE wsvm_handler_failures_total counter\n";
  for (const char* kind : {"trap", "timeout", "fuel", "exit", "bad_output", "start"}) {
    auto it = m_failures.find(kind);
    out += fmt::format("wsvm_handler_failures_total{{kind=\"{}\"}} {}\n", kind, it == m_failures.end() ? 0 : it->second);
  }
  out += "# HELP wsvm_requests_in_flight Requests being handled now (one instance each).\n"
         "# TYPE wsvm_requests_in_flight gauge\n";
  out += fmt::format("wsvm_requests_in_flight {}\n", m_in_flight ? m_in_flight() : 0u);
  const memory::ImagePoolTotals pool = memory::image_pool_totals();
  out += "# HELP wsvm_image_memories_live Linear memories in use that were mapped from a copy-on-write image.\n"
         "# TYPE wsvm_image_memories_live gauge\n";
  out += fmt::format("wsvm_image_memories_live {}\n", pool.live);
  out += "# HELP wsvm_image_memories_pooled Reset memory reservations waiting in the images' pools for the next instance.\n"
         "# TYPE wsvm_image_memories_pooled gauge\n";
  out += fmt::format("wsvm_image_memories_pooled {}\n", pool.pooled);
  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);
  out += "# HELP wsvm_peak_rss_bytes Peak resident memory of the server process.\n# TYPE wsvm_peak_rss_bytes gauge\n";
  out += fmt::format("wsvm_peak_rss_bytes {}\n", static_cast<uint64_t>(ru.ru_maxrss) * 1024);
  return out;
}

}  // namespace wsvm::serve
