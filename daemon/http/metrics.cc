#include "daemon/http/metrics.h"

#include <fmt/format.h>

namespace helpdesk::http {

void Metrics::CountRequest(const std::string& route, const std::string& method,
                           int status, double seconds) {
  {
    std::lock_guard lock(mu_);
    auto it = requests_.find(std::tie(route, method, status));
    if (it != requests_.end()) {
      ++it->second;
    } else {
      requests_.emplace(std::tuple(route, method, status), 1);
    }
  }
  size_t i = 0;
  while (i < std::size(kLatencyBuckets) && seconds > kLatencyBuckets[i]) ++i;
  latency_buckets_[i].fetch_add(1, std::memory_order_relaxed);
  latency_count_.fetch_add(1, std::memory_order_relaxed);
  latency_sum_us_.fetch_add(static_cast<uint64_t>(seconds * 1e6),
                            std::memory_order_relaxed);
}

void Metrics::Render(std::string& out) const {
  out +=
      "# HELP helpdesk_http_requests_total HTTP requests answered, by route "
      "pattern, method and status code.\n"
      "# TYPE helpdesk_http_requests_total counter\n";
  {
    std::lock_guard lock(mu_);
    for (const auto& [key, n] : requests_) {
      const auto& [route, method, code] = key;
      out += fmt::format(
          "helpdesk_http_requests_total{{route=\"{}\",method=\"{}\",code=\"{}"
          "\"}} {}\n",
          route, method, code, n);
    }
  }
  out +=
      "# HELP helpdesk_http_request_duration_seconds Time from a complete "
      "request to its response being handed to the socket.\n"
      "# TYPE helpdesk_http_request_duration_seconds histogram\n";
  uint64_t cumulative = 0;
  for (size_t i = 0; i < std::size(kLatencyBuckets); ++i) {
    cumulative += latency_buckets_[i].load();
    out += fmt::format(
        "helpdesk_http_request_duration_seconds_bucket{{le=\"{}\"}} {}\n",
        kLatencyBuckets[i], cumulative);
  }
  cumulative += latency_buckets_.back().load();
  out += fmt::format(
      "helpdesk_http_request_duration_seconds_bucket{{le=\"+Inf\"}} {}\n"
      "helpdesk_http_request_duration_seconds_sum {}\n"
      "helpdesk_http_request_duration_seconds_count {}\n",
      cumulative, static_cast<double>(latency_sum_us_.load()) / 1e6,
      latency_count_.load());
  out += fmt::format(
      "# HELP helpdesk_http_connections_open Client connections open now.\n"
      "# TYPE helpdesk_http_connections_open gauge\n"
      "helpdesk_http_connections_open {}\n"
      "# HELP helpdesk_http_connections_rejected_total Connections refused "
      "with 503 because max_connections were open.\n"
      "# TYPE helpdesk_http_connections_rejected_total counter\n"
      "helpdesk_http_connections_rejected_total {}\n",
      connections_.load(), rejected_.load());
}

}  // namespace helpdesk::http
