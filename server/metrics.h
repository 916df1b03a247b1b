// /metrics: brookd's Prometheus text exposition (format 0.0.4).
//
// RequestMetrics counts requests by endpoint and status and keeps a latency histogram per
// endpoint (seconds from the request's arrival at the service to the handler's return: for a
// push query, its whole life). RenderEngineMetrics reads the engine: per persistent query its
// records in and out, processing errors and consumer lag per partition; per query its state
// store size on disk; the processing log's total. Metric names are listed in docs/rest-api.md.
//
// Thread-safety: Record and Render may be called from any thread.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

namespace brook {
class Engine;
}

namespace brook::server {

class RequestMetrics {
 public:
  // Upper bounds of the latency buckets, in seconds (+Inf is implied).
  static constexpr std::array<double, 12> kBuckets = {0.001, 0.005, 0.01, 0.025, 0.05, 0.1,
                                                      0.25,  0.5,   1,    2.5,   5,    10};

  // `endpoint` is the route ("/ksql", "/status/*", "other" for unknown paths).
  void Record(std::string_view endpoint, int status, double seconds);
  void Render(std::string& out) const;

 private:
  struct Histogram {
    std::array<uint64_t, kBuckets.size()> buckets{};
    uint64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mu_;
  std::map<std::pair<std::string, int>, uint64_t> requests_;
  std::map<std::string, Histogram> latency_;
};

// Appends the engine's metrics.
void RenderEngineMetrics(Engine& engine, std::string& out);

// A Prometheus label value with \, " and newline escaped.
std::string PromLabel(std::string_view value);

}  // namespace brook::server
