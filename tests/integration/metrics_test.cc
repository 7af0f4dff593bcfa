// /metrics as Prometheus reads it: junk from clients neither grows it nor
// forges a sample in it, and a parser we did not write (the Python client's,
// Debian package python3-prometheus-client) reads all of it.

#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include "tests/integration/fixture.h"

namespace helpdesk::testing {
namespace {

using MetricsTest = DaemonTest;

constexpr char kPython[] = "/usr/bin/python3";

// Prints one line per sample: name, labels as JSON, value; exits 3 when the
// parser is not installed.
constexpr char kParseScript[] = R"(import json, sys
try:
    from prometheus_client.parser import text_string_to_metric_families
except ImportError:
    print("prometheus_client is missing: install the Debian package "
          "python3-prometheus-client")
    sys.exit(3)
for family in text_string_to_metric_families(open(sys.argv[1]).read()):
    for s in family.samples:
        print(s.name + "\t" + json.dumps(s.labels, sort_keys=True) + "\t" +
              repr(s.value))
)";

struct Sample {
  std::string name;
  json labels;
};

// `text` read by prometheus_client's parser. A failure (the parser missing,
// or refusing the text) is a test failure that says which.
std::vector<Sample> ParseWithPrometheusClient(const std::string& text,
                                              const std::string& dir) {
  std::ofstream(dir + "/metrics.txt") << text;
  std::ofstream(dir + "/parse.py") << kParseScript;
  const std::string cmd = std::string(kPython) + " " + dir + "/parse.py " +
                          dir + "/metrics.txt > " + dir + "/parsed.txt 2>&1";
  const int rc = std::system(cmd.c_str());
  std::ifstream in(dir + "/parsed.txt");
  std::stringstream out;
  out << in.rdbuf();
  EXPECT_EQ(rc, 0) << "prometheus_client could not read /metrics (needs "
                   << kPython << " and python3-prometheus-client): "
                   << out.str().substr(0, 2000);
  std::vector<Sample> samples;
  if (rc != 0) return samples;
  for (std::string line; std::getline(out, line);) {
    const size_t tab = line.find('\t');
    const size_t tab2 = line.find('\t', tab + 1);
    samples.push_back(
        {line.substr(0, tab),
         json::parse(line.substr(tab + 1, tab2 - tab - 1), nullptr, false)});
  }
  return samples;
}

size_t RequestSeries(const std::string& metrics) {
  size_t n = 0;
  std::istringstream lines(metrics);
  for (std::string line; std::getline(lines, line);)
    n += line.rfind("helpdesk_http_requests_total{", 0) == 0;
  return n;
}

TEST_F(MetricsTest, JunkPathsAndMethodsNeitherGrowNorForgeTheMetrics) {
  ASSERT_EQ(client_->Get("/healthz").status, 200);
  const size_t series_before = RequestSeries(client_->Get("/metrics").body);

  // 3,000 junk requests, pipelined 500 to a connection: unknown paths,
  // made-up methods, a quote encoded (%22) and raw, and an encoded line
  // feed meant to start a sample of its own.
  HttpClient raw(daemon_->port(), std::chrono::seconds(20));
  for (int batch = 0; batch < 6; ++batch) {
    std::string bytes;
    for (int j = 0; j < 500; ++j) {
      const int i = batch * 500 + j;
      const std::string method = i % 3 == 0   ? "FOO" + std::to_string(i)
                                 : i % 3 == 1 ? "GET"
                                              : "BREW";
      const std::string path =
          i % 2 == 0 ? "/junk/" + std::to_string(i) +
                           "%22%7D%201%0Ahelpdesk_forged_total%201%0A"
                     : "/api/v1/tickets/1/x" + std::to_string(i) + "\"q";
      bytes += method + " " + path + " HTTP/1.1\r\nHost: x\r\n" +
               (j == 499 ? "Connection: close\r\n" : "") + "\r\n";
    }
    HttpClient::Raw r = raw.SendRaw(bytes);
    size_t answers = 0;
    for (size_t at = r.received.find("HTTP/1.1 4"); at != std::string::npos;
         at = r.received.find("HTTP/1.1 4", at + 1))
      ++answers;
    ASSERT_EQ(answers, 500u) << r.received.substr(0, 600);
  }

  const std::string after = client_->Get("/metrics").body;
  // At most five more: the first GET /metrics, and GET and "other" each
  // with 404 (no route) and 400 (a raw quote is not a valid target).
  EXPECT_LE(RequestSeries(after), series_before + 5) << after;
  EXPECT_EQ(after.find("\nhelpdesk_forged"), std::string::npos) << after;
  EXPECT_EQ(after.find("FOO"), std::string::npos) << after;
  EXPECT_EQ(after.find("junk"), std::string::npos) << after;

  // Besides the junk and the reads: the logins of the admin and the desk,
  // and the admin making the desk's account (Identities).
  const std::set<std::string> routes = {"unmatched", "/healthz", "/metrics",
                                        "/api/v1/session", "/api/v1/accounts"};
  const std::set<std::string> methods = {"GET", "POST", "other"};
  std::vector<Sample> samples =
      ParseWithPrometheusClient(after, daemon_->data_dir() + "/..");
  ASSERT_FALSE(samples.empty());
  size_t requests = 0;
  for (const Sample& s : samples) {
    EXPECT_EQ(s.name.rfind("helpdesk_", 0), 0u) << s.name;
    EXPECT_NE(s.name, "helpdesk_forged_total");
    if (s.name != "helpdesk_http_requests_total") continue;
    ++requests;
    ASSERT_TRUE(s.labels.is_object()) << s.labels.dump();
    EXPECT_EQ(s.labels.size(), 3u) << s.labels.dump();
    EXPECT_TRUE(routes.count(s.labels.value("route", "?"))) << s.labels.dump();
    EXPECT_TRUE(methods.count(s.labels.value("method", "?")))
        << s.labels.dump();
    const std::string code = s.labels.value("code", "");
    EXPECT_TRUE(code.size() == 3 &&
                code.find_first_not_of("0123456789") == std::string::npos)
        << s.labels.dump();
  }
  EXPECT_EQ(requests, RequestSeries(after));
}

}  // namespace
}  // namespace helpdesk::testing
