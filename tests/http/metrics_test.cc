// The request metrics: label values from closed sets, escaped as the text
// exposition format says, whatever a client sends.

#include "daemon/http/metrics.h"

#include <gtest/gtest.h>

#include <string>

#include "daemon/http/routes.h"

namespace helpdesk::http {
namespace {

size_t RequestSeries(const Metrics& m) {
  std::string out;
  m.Render(out);
  size_t n = 0;
  for (size_t at = out.find("\nhelpdesk_http_requests_total{");
       at != std::string::npos;
       at = out.find("\nhelpdesk_http_requests_total{", at + 1))
    ++n;
  return n;
}

TEST(Metrics, LabelValuesAreEscapedAsTheExpositionFormatSays) {
  EXPECT_EQ(EscapeLabelValue("plain /api/v1/x"), "plain /api/v1/x");
  EXPECT_EQ(EscapeLabelValue("a\"b"), "a\\\"b");
  EXPECT_EQ(EscapeLabelValue("a\\b"), "a\\\\b");
  EXPECT_EQ(EscapeLabelValue("a\nb"), "a\\nb");
  EXPECT_EQ(EscapeLabelValue("\"}\n"), "\\\"}\\n");
}

TEST(Metrics, RoutesAndMethodsComeFromClosedSets) {
  Metrics m;
  m.CountRequest("/api/v1/tickets/{id}", "GET", 200, 0.001);
  const size_t one = RequestSeries(m);
  EXPECT_EQ(one, 1u);
  for (int i = 0; i < 3000; ++i) {
    const std::string junk = "/junk/" + std::to_string(i) + "\"} 1\nfake 1";
    m.CountRequest(junk, "FOO" + std::to_string(i), 404, 0.001);
    m.CountRequest("/api/v1/tickets/{id}", "M" + std::to_string(i), 405, 0.001);
  }
  std::string out;
  m.Render(out);
  EXPECT_EQ(RequestSeries(m), 3u) << out;
  EXPECT_NE(out.find("helpdesk_http_requests_total{route=\"unmatched\",method="
                     "\"other\",code=\"404\"} 3000\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("helpdesk_http_requests_total{route=\"/api/v1/tickets/"
                     "{id}\",method=\"other\",code=\"405\"} 3000\n"),
            std::string::npos)
      << out;
  EXPECT_EQ(out.find("fake"), std::string::npos) << out;
  EXPECT_EQ(out.find("junk"), std::string::npos) << out;
  // Every route label of the table and every known method is its own.
  for (const Route& r : Routes())
    for (std::string_view method : Metrics::kMethods)
      m.CountRequest(MetricLabel(r.pattern), method, 200, 0.001);
  out.clear();
  m.Render(out);
  for (std::string_view method : Metrics::kMethods)
    EXPECT_NE(out.find("method=\"" + std::string(method) + "\""),
              std::string::npos)
        << method;
  EXPECT_NE(out.find("route=\"/api/v1/reports/sla\""), std::string::npos);
}

}  // namespace
}  // namespace helpdesk::http
