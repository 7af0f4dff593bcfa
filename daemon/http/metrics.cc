#include "daemon/http/metrics.h"

#include <fmt/format.h>

#include <set>

#include "daemon/http/routes.h"

namespace helpdesk::http {
namespace {

constexpr std::string_view kUnmatched = "unmatched";
constexpr std::string_view kOtherMethod = "other";

// The route label as stored: a view of the route table's own label, so the
// set of series is bounded by the table whatever a caller passes.
std::string_view RouteLabel(std::string_view route) {
  static const std::set<std::string_view, std::less<>> kLabels = [] {
    std::set<std::string_view, std::less<>> labels;
    for (const Route& r : Routes()) labels.insert(MetricLabel(r.pattern));
    return labels;
  }();
  auto it = kLabels.find(route);
  return it == kLabels.end() ? kUnmatched : *it;
}

std::string_view MethodLabel(std::string_view method) {
  for (std::string_view m : Metrics::kMethods)
    if (m == method) return m;
  return kOtherMethod;
}

}  // namespace

std::string EscapeLabelValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
  return out;
}

void Metrics::CountRequest(std::string_view route, std::string_view method,
                           int status, double seconds) {
  {
    std::lock_guard lock(mu_);
    ++requests_[std::tuple(RouteLabel(route), MethodLabel(method), status)];
  }
  size_t i = 0;
  while (i < std::size(kLatencyBuckets) && seconds > kLatencyBuckets[i]) ++i;
  latency_buckets_[i].fetch_add(1, std::memory_order_relaxed);
  latency_count_.fetch_add(1, std::memory_order_relaxed);
  latency_sum_us_.fetch_add(static_cast<uint64_t>(seconds * 1e6),
                            std::memory_order_relaxed);
}

void Metrics::CountReplay(std::string_view route) {
  std::lock_guard lock(mu_);
  ++replays_[RouteLabel(route)];
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
          EscapeLabelValue(route), EscapeLabelValue(method), code, n);
    }
  }
  out +=
      "# HELP helpdesk_idempotent_replays_total Writes answered again for "
      "their Idempotency-Key (Idempotent-Replayed), by route pattern.\n"
      "# TYPE helpdesk_idempotent_replays_total counter\n";
  {
    std::lock_guard lock(mu_);
    for (const auto& [route, n] : replays_)
      out +=
          fmt::format("helpdesk_idempotent_replays_total{{route=\"{}\"}} {}\n",
                      EscapeLabelValue(route), n);
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
      "helpdesk_http_connections_rejected_total {}\n"
      "# HELP helpdesk_http_exceptions_total Requests answered 500 because "
      "handling them threw.\n"
      "# TYPE helpdesk_http_exceptions_total counter\n"
      "helpdesk_http_exceptions_total {}\n"
      "# HELP helpdesk_http_accept_errors_total Failed accepts (out of file "
      "descriptors or memory); the listener backs off after each.\n"
      "# TYPE helpdesk_http_accept_errors_total counter\n"
      "helpdesk_http_accept_errors_total {}\n",
      connections_.load(), rejected_.load(), exceptions_.load(),
      accept_errors_.load());
}

}  // namespace helpdesk::http
