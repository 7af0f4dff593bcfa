#pragma once
// Request metrics kept by the HTTP layer and rendered, with the writer's and
// the store's figures, in the Prometheus text format.
//
// Label values come from closed sets, so no client can grow /metrics or
// forge a sample in it: the route is a pattern of the route table
// (MetricLabel) or "unmatched", the method one of the HTTP methods below or
// "other", the code a number; and every label value is escaped as the
// exposition format says all the same.
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
  // The method label: one of these, else "other".
  static constexpr std::string_view kMethods[] = {
      "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"};

  Metrics() = default;
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // `route` is a metric label of the route table (anything else counts as
  // "unmatched"), `method` as the client sent it.
  void CountRequest(std::string_view route, std::string_view method, int status,
                    double seconds);
  // A write answered again for its Idempotency-Key (`route` as above).
  void CountReplay(std::string_view route);
  void ConnectionOpened() { connections_.fetch_add(1); }
  void ConnectionClosed() { connections_.fetch_sub(1); }
  void ConnectionRejected() { rejected_.fetch_add(1); }
  // A throw caught at a connection's barrier (answered 500).
  void ExceptionCaught() { exceptions_.fetch_add(1); }
  // accept() failed (out of file descriptors, memory ...).
  void AcceptFailed() { accept_errors_.fetch_add(1); }
  int64_t open_connections() const { return connections_.load(); }

  // Appends the HTTP metrics to `out`.
  void Render(std::string& out) const;

 private:
  mutable std::mutex mu_;
  // Keys view the static label sets: nothing is allocated per request, and
  // the map holds at most routes x methods x codes entries.
  std::map<std::tuple<std::string_view, std::string_view, int>, uint64_t>
      requests_;                                  // guarded by mu_
  std::map<std::string_view, uint64_t> replays_;  // by route; guarded by mu_
  std::array<std::atomic<uint64_t>, std::size(kLatencyBuckets) + 1>
      latency_buckets_{};
  std::atomic<uint64_t> latency_count_{0};
  std::atomic<uint64_t> latency_sum_us_{0};
  std::atomic<int64_t> connections_{0};
  std::atomic<uint64_t> rejected_{0};
  std::atomic<uint64_t> exceptions_{0};
  std::atomic<uint64_t> accept_errors_{0};
};

// A label value escaped as the text exposition format says: backslash,
// double quote and line feed as \\, \" and \n.
std::string EscapeLabelValue(std::string_view value);

}  // namespace helpdesk::http
