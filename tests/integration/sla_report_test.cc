// GET /api/v1/reports/sla through the real daemon: tickets in two
// municipalities filed on Wednesday 15 April 2026 at 10:00 Oslo, some
// answered and resolved; a restart at 15:00 Oslo lets the rest breach
// their targets (high priority, class "standard": 1 h first response, 4 h
// resolution on the desk calendar).

#include <memory>
#include <string>

#include "tests/integration/fixture.h"

namespace helpdesk::testing {
namespace {

constexpr const char* kRange =
    "from=2026-04-15T00:00:00Z&to=2026-04-16T00:00:00Z";

class SlaReportTest : public DaemonTest {
 protected:
  json Move(const json& t, const std::string& status) {
    HttpResponse r = client_->Post(
        "/api/v1/tickets/" + t["id"].get<std::string>() + "/status",
        json{{"status", status}, {"version", t["version"]}}.dump());
    EXPECT_EQ(r.status, 200) << r.body;
    return Parse(r);
  }

  // Three tickets in Rollag (one resolved), two in Kongsberg (one in
  // progress), all high-priority printer tickets.
  void FileTickets() {
    Move(Move(Create(), "in_progress"), "resolved");
    Create();
    Create();
    json kongsberg = GoodTicket();
    kongsberg["municipality"] = "kongsberg";
    kongsberg["location"] = "kongsberg-radhus";
    Move(Create(kongsberg), "in_progress");
    Create(kongsberg);
  }

  void RestartAt(const std::string& clock) {
    ASSERT_GE(daemon_->Terminate(), 0);
    client_.reset();
    daemon_ = std::make_unique<DaemonProcess>(
        daemon_->data_dir(),
        std::vector<std::string>{"--clock-start=" + clock});
    ASSERT_EQ(daemon_->Start(), "");
    Reconnect();
  }

  json Report(const std::string& extra = "") {
    return GetJson(std::string("/api/v1/reports/sla?") + kRange + extra);
  }

  static const json& Row(const json& report, const std::string& key) {
    for (const auto& row : report["rows"])
      if (row["key"] == key) return row;
    static const json kNone = json::object();
    ADD_FAILURE() << "no row " << key << " in " << report.dump();
    return kNone;
  }
};

TEST_F(SlaReportTest, CountsAttainmentBeforeAndAfterTheTargetsPass) {
  FileTickets();
  json before = Report();
  EXPECT_EQ(before["groupBy"], "municipality");
  EXPECT_EQ(before["tickets"], 5);
  EXPECT_EQ(before["rows"].size(), 7u) << "every municipality of the region";
  const json& rollag = Row(before, "rollag");
  EXPECT_EQ(rollag["name"], "Rollag");
  EXPECT_EQ(rollag["tickets"], 3);
  EXPECT_EQ(rollag["firstResponse"]["met"], 1);
  EXPECT_EQ(rollag["firstResponse"]["open"], 2);
  EXPECT_EQ(rollag["firstResponse"]["breached"], 0);
  EXPECT_EQ(rollag["resolution"]["met"], 1);
  EXPECT_EQ(rollag["resolution"]["stopped"], 1);

  RestartAt("2026-04-15T13:00:00Z");  // 15:00 Oslo: five business hours on
  json after = Report();
  const json& r = Row(after, "rollag");
  EXPECT_EQ(r["firstResponse"]["met"], 1);
  EXPECT_EQ(r["firstResponse"]["breached"], 2);
  EXPECT_EQ(r["firstResponse"]["open"], 0);
  EXPECT_EQ(r["resolution"]["met"], 1);
  EXPECT_EQ(r["resolution"]["breached"], 2);
  const json& k = Row(after, "kongsberg");
  EXPECT_EQ(k["tickets"], 2);
  EXPECT_EQ(k["firstResponse"]["met"], 1);
  EXPECT_EQ(k["firstResponse"]["breached"], 1);
  EXPECT_EQ(k["resolution"]["breached"], 2);
  EXPECT_EQ(after["total"]["firstResponse"]["met"], 2);
  EXPECT_EQ(after["total"]["firstResponse"]["breached"], 3);

  // The equal-service view puts both municipalities side by side.
  ASSERT_EQ(after["equalService"].size(), 1u) << after.dump();
  const json& printers = after["equalService"][0];
  EXPECT_EQ(printers["serviceId"], "skrivere-og-utskrift");
  ASSERT_EQ(printers["municipalities"].size(), 2u);
  EXPECT_EQ(printers["municipalities"][0]["municipality"], "kongsberg");
  EXPECT_EQ(printers["municipalities"][1]["municipality"], "rollag");

  // Volume and the cost split: 40 % fixed over 7, 60 % by 3 and 2 of 5.
  double sum = 0;
  for (const auto& v : after["volume"]) sum += v["sharePercent"].get<double>();
  EXPECT_NEAR(sum, 100.0, 1e-6);

  // Another range has nothing.
  json empty = GetJson(
      "/api/v1/reports/sla?from=2026-03-01T00:00:00Z&to=2026-04-01T00:00:00Z");
  EXPECT_EQ(empty["tickets"], 0);
  // Grouped by priority: all four, the tickets under high.
  json by_priority = Report("&groupBy=priority");
  EXPECT_EQ(Row(by_priority, "high")["tickets"], 5);
  EXPECT_EQ(Row(by_priority, "low")["tickets"], 0);
  EXPECT_EQ(Row(Report("&groupBy=month"), "2026-04")["tickets"], 5);
}

TEST_F(SlaReportTest, CsvTables) {
  FileTickets();
  HttpResponse r = client_->Get(std::string("/api/v1/reports/sla?") + kRange +
                                "&format=csv");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("content-type"), "text/csv; charset=utf-8");
  EXPECT_EQ(r.body.substr(0, r.body.find("\r\n")),
            "municipality,name,tickets,first_response_met,"
            "first_response_breached,first_response_open,"
            "first_response_median_seconds,first_response_p90_seconds,"
            "resolution_met,resolution_breached,resolution_open,"
            "resolution_median_seconds,resolution_p90_seconds");
  EXPECT_NE(r.body.find("\r\nrollag,Rollag,3,1,0,2,"), std::string::npos)
      << r.body;
  EXPECT_NE(r.body.find("\r\nhjartdal,Hjartdal,0,0,0,0,0,0,0,0,0,0,0\r\n"),
            std::string::npos)
      << r.body;

  HttpResponse volume =
      client_->Get(std::string("/api/v1/reports/sla?") + kRange +
                   "&format=csv&view=volume&variable=volume&fixedShare=0.4"
                   "&amount=700000");
  ASSERT_EQ(volume.status, 200) << volume.body;
  EXPECT_EQ(volume.body.substr(0, volume.body.find("\r\n")),
            "municipality,name,tickets,population,"
            "service:skrivere-og-utskrift,fixed_percent,variable_percent,"
            "share_percent,fixed_kroner,variable_kroner,share_kroner");
  // 40 % / 7 = 5.7143 % fixed, 60 % * 3/5 = 36 % variable.
  EXPECT_NE(volume.body.find("\r\nrollag,Rollag,3,1400,3,5.7143,36.0000,"
                             "41.7143,40000.00,252000.00,292000.00\r\n"),
            std::string::npos)
      << volume.body;

  HttpResponse equal = client_->Get(std::string("/api/v1/reports/sla?") +
                                    kRange + "&format=csv&view=equal-service");
  ASSERT_EQ(equal.status, 200) << equal.body;
  EXPECT_NE(equal.body.find("\r\nskrivere-og-utskrift,"), std::string::npos)
      << equal.body;
}

TEST_F(SlaReportTest, BadParametersAreRefusedAndChangeNothing) {
  FileTickets();
  const json before = Report();
  for (const std::string bad :
       {"&groupBy=kommune", "&format=xml", "&view=pie", "&variable=users",
        "&fixedShare=1.5", "&fixedShare=abc", "&fixedShare=nan", "&amount=-1",
        "&colour=red"}) {
    HttpResponse r =
        client_->Get(std::string("/api/v1/reports/sla?") + kRange + bad);
    ExpectProblem(r, 400, "/problems/invalid-parameter");
  }
  HttpResponse choices = client_->Get(std::string("/api/v1/reports/sla?") +
                                      kRange + "&groupBy=kommune");
  EXPECT_EQ(Parse(choices)["parameter"], "groupBy");
  EXPECT_NE(choices.body.find("municipality, service, priority, assignee, "
                              "month"),
            std::string::npos)
      << choices.body;
  for (const std::string range :
       {"from=yesterday&to=2026-04-16T00:00:00Z",
        "from=2026-04-16T00:00:00Z&to=2026-04-15T00:00:00Z",
        "from=2005-01-01T00:00:00Z&to=2026-04-16T00:00:00Z"}) {
    ExpectProblem(client_->Get("/api/v1/reports/sla?" + range), 400,
                  "/problems/invalid-parameter");
  }
  ExpectProblem(client_->Post("/api/v1/reports/sla", "{}"), 405,
                "/problems/method-not-allowed");
  EXPECT_EQ(Report(), before);
  EXPECT_EQ(GetJson("/api/v1/tickets")["tickets"].size(), 5u);
  // Without a range: the last 30 days up to now.
  EXPECT_EQ(GetJson("/api/v1/reports/sla")["tickets"], 5);
}

// A date is a whole day in Oslo time: from its midnight (22:00 UTC the day
// before, in summer) to the next. A range of years answers as any other.
TEST_F(SlaReportTest, DatesAreWholeDaysInOsloTime) {
  FileTickets();  // at 10:00 on 15 April 2026, Oslo time
  const auto tickets = [&](const std::string& range) {
    return GetJson("/api/v1/reports/sla?" + range)["tickets"].get<int>();
  };
  EXPECT_EQ(tickets("from=2026-04-15&to=2026-04-15"), 5);
  EXPECT_EQ(tickets("from=2026-04-14&to=2026-04-14"), 0);
  EXPECT_EQ(tickets("from=2026-04-16&to=2026-12-31"), 0);
  const json day = GetJson("/api/v1/reports/sla?from=2026-04-15&to=2026-04-15");
  EXPECT_EQ(day["from"], "2026-04-14T22:00:00Z");
  EXPECT_EQ(day["to"], "2026-04-15T22:00:00Z");
  // The same tickets as the instants give, over a day or twenty years.
  const json instants = GetJson(
      "/api/v1/reports/sla?from=2026-04-14T22:00:00Z&to=2026-04-15T22:00:00Z");
  EXPECT_EQ(day["rows"], instants["rows"]);
  EXPECT_EQ(day["equalService"], instants["equalService"]);
  const json years =
      GetJson("/api/v1/reports/sla?from=2007-01-01&to=2026-12-31");
  EXPECT_EQ(years["tickets"], 5);
  EXPECT_EQ(years["rows"], instants["rows"]);
  // Not a date, not a time: refused, naming the parameter.
  for (const std::string bad :
       {"from=2026-02-30", "to=2026-4-15", "from=15.04.2026"}) {
    HttpResponse r = client_->Get("/api/v1/reports/sla?" + bad);
    EXPECT_EQ(r.status, 400) << bad << " " << r.body;
    EXPECT_NE(r.body.find("must be a date such as 2026-04-01"),
              std::string::npos)
        << r.body;
  }
}

}  // namespace
}  // namespace helpdesk::testing
