// `wsvm serve --metrics HOST:PORT`: counters of the server in the Prometheus text format
// (version 0.0.4), served at /metrics by a second HttpServer. Updated from the access log
// (every answered request: status, latency) and from the handler (failures by kind).
#pragma once

#include <array>
#include <functional>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <string>

namespace wsvm::serve {

class Metrics {
 public:
  // Latency histogram bounds in seconds (the last bucket, +Inf, is implied).
  static constexpr std::array<double, 12> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                      0.05,   0.1,   0.25,   0.5,   1.0,  5.0};

  void observe(int status, std::chrono::microseconds latency);
  // A request the handler could not answer normally: "trap", "timeout", "fuel", "exit",
  // "bad_output", "start".
  void failure(const std::string& kind);
  void set_in_flight_source(std::function<unsigned()> f) { m_in_flight = std::move(f); }

  std::string render() const;

 private:
  mutable std::mutex m_mutex;
  std::map<int, uint64_t> m_by_status;
  std::map<std::string, uint64_t> m_failures;
  std::array<uint64_t, kBuckets.size() + 1> m_histogram{};
  double m_latency_sum = 0;
  uint64_t m_count = 0;
  std::function<unsigned()> m_in_flight;
};

}  // namespace wsvm::serve
