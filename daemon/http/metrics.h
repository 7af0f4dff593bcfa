#pragma once
// Request metrics kept by the HTTP layer and rendered, with the writer's and
// the store's figures, in the Prometheus text format.
//
// Thread-safety: all methods are safe from any thread (atomics, and a mutex
// for the per-route counters).

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>

namespace helpdesk::http {

class Metrics {
 public:
  static constexpr double kLatencyBuckets[] = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};

  Metrics() = default;
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  void CountRequest(const std::string& route, const std::string& method,
                    int status, double seconds);
  void ConnectionOpened() { connections_.fetch_add(1); }
  void ConnectionClosed() { connections_.fetch_sub(1); }
  void ConnectionRejected() { rejected_.fetch_add(1); }
  int64_t open_connections() const { return connections_.load(); }

  // Appends the HTTP metrics to `out`.
  void Render(std::string& out) const;

 private:
  mutable std::mutex mu_;
  // Transparent comparison: a hit is looked up by string_view, without
  // building the key's strings on every request.
  std::map<std::tuple<std::string, std::string, int>, uint64_t, std::less<>>
      requests_;  // guarded by mu_
  std::array<std::atomic<uint64_t>, std::size(kLatencyBuckets) + 1>
      latency_buckets_{};
  std::atomic<uint64_t> latency_count_{0};
  std::atomic<uint64_t> latency_sum_us_{0};
  std::atomic<int64_t> connections_{0};
  std::atomic<uint64_t> rejected_{0};
};

}  // namespace helpdesk::http
