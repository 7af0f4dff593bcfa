// Retention of personal data through the real daemon (README, "Retention
// of personal data"), its clock standing on Wednesday 15 April 2026 and
// moved on by POST /test/clock, with retention_months = 1: a ticket closed
// a month ago loses its title, description, comments, reporter and the
// texts of its history on every route; an open one keeps them; the
// erasure is one event; the SLA report reads the same; the store stays
// consistent.

#include <string>
#include <vector>

#include "tests/integration/fixture.h"
#include "tests/support/store_check.h"

namespace helpdesk::testing {
namespace {

constexpr char kMarker[] = "[slettet]";
// What the people wrote: none of it may be left anywhere after.
const std::vector<std::string> kPrivate = {
    "Karis skriver på kontoret", "Kari Nordmann, telefon 99 88 77 66",
    "Fødselsnummer 01020312345", "Kari er på hjemmekontor",
    "Kari ringte i går",         "Toneren byttet hos Kari"};
constexpr char kReporter[] = "kari.nordmann";
constexpr char kReport[] =
    "/api/v1/reports/sla?from=2026-04-01T00:00:00Z&to=2026-05-01T00:00:00Z";

class RetentionTest : public DaemonTest {
 protected:
  std::vector<std::string> Flags() override {
    std::vector<std::string> flags = DaemonTest::Flags();
    flags.push_back("--clock-frozen");
    flags.push_back("--retention-months=1");
    return flags;
  }

  // Moves the standing clock to `at` (the sweeps have run when it
  // answers) and logs in again: a session lasts 12 hours.
  void MoveClockTo(const std::string& at) {
    HttpResponse r = client_->Post("/test/clock?at=" + at, "");
    ASSERT_EQ(r.status, 200) << r.body;
    LogInAgain();
    ids_->Employee(kReporter, "rollag");
    ids_->Employee("ola.nordmann", "rollag");
  }

  json FileAs(const std::string& account, const std::string& title,
              const std::string& description) {
    json body = GoodTicket();
    body.erase("reporter");
    body["title"] = title;
    body["description"] = description;
    HttpResponse r =
        client_->Post("/api/v1/tickets", body.dump(), {{"X-Actor", account}});
    EXPECT_EQ(r.status, 201) << r.body;
    return Parse(r);
  }

  void CommentAs(const std::string& id, const std::string& account,
                 const std::string& text, bool internal = false) {
    json body = {{"body", text}};
    if (internal) body["visibility"] = "internal";
    HttpResponse r = client_->Post("/api/v1/tickets/" + id + "/comments",
                                   body.dump(), {{"X-Actor", account}});
    EXPECT_EQ(r.status, 201) << r.body;
  }

  // Moves ticket `id` to `status` with `reason`, at its current version.
  void Move(const std::string& id, const std::string& status,
            const std::string& reason = "") {
    const int version = GetJson("/api/v1/tickets/" + id).value("version", 0);
    json body = {{"status", status}, {"version", version}};
    if (!reason.empty()) body["reason"] = reason;
    HttpResponse r =
        client_->Post("/api/v1/tickets/" + id + "/status", body.dump());
    EXPECT_EQ(r.status, 200) << r.body;
  }

  // The SLA report as JSON without the instant it was read at.
  json Report() {
    json r = GetJson(kReport);
    r.erase("at");
    return r;
  }

  // What `text` (a dump) still holds of what the people wrote, or of
  // the reporter; "" when nothing.
  static std::string Leaks(const std::string& text) {
    std::string found;
    for (const auto& p : kPrivate)
      if (text.find(p) != std::string::npos) found += "'" + p + "' ";
    if (text.find(kReporter) != std::string::npos)
      found += std::string("'") + kReporter + "'";
    return found;
  }

  size_t Erasures(const std::string& id) {
    size_t n = 0;
    for (const auto& e : AllEvents())
      if (e.contains("personalDataErased") && e.value("ticketId", "") == id)
        ++n;
    return n;
  }
};

TEST_F(RetentionTest, AClosedTicketsPersonalTextIsErasedAMonthAfterClosing) {
  ids_->Employee(kReporter, "rollag");
  ids_->Employee("ola.nordmann", "rollag");
  // Kari files one and it is closed; Ola's stays open.
  json closed = FileAs(kReporter, kPrivate[0], kPrivate[1]);
  const std::string id = closed.value("id", "");
  ASSERT_FALSE(id.empty());
  CommentAs(id, kReporter, kPrivate[2]);
  CommentAs(id, kDesk, kPrivate[3], /*internal=*/true);
  HttpResponse priority = client_->Post(
      "/api/v1/tickets/" + id + "/priority",
      json{{"priority", "critical"},
           {"reason", kPrivate[4]},
           {"version", GetJson("/api/v1/tickets/" + id)["version"]}}
          .dump());
  ASSERT_EQ(priority.status, 200) << priority.body;
  Move(id, "in_progress");
  Move(id, "resolved", kPrivate[5]);
  Move(id, "closed");
  json open = FileAs("ola.nordmann", "Olas skjerm flimrer",
                     "Skjermen på pulten til Ola flimrer.");
  const std::string open_id = open.value("id", "");
  CommentAs(open_id, "ola.nordmann", "Fortsatt flimring hos Ola");

  // Ten days short of a month: nothing is erased yet.
  MoveClockTo("2026-05-10T08:00:00Z");
  json before = GetJson("/api/v1/tickets/" + id);
  EXPECT_EQ(before.value("title", ""), kPrivate[0]);
  EXPECT_EQ(before.value("reporter", ""), kReporter);
  EXPECT_EQ(Erasures(id), 0u);
  // (What the checks below look for is there to find.)
  ASSERT_NE(
      Leaks(GetJson("/api/v1/tickets/" + id + "/events?limit=100").dump()), "");
  ASSERT_NE(Leaks(GetJson("/api/v1/tickets/" + id + "/comments").dump()), "");
  const json report_before = Report();
  const json open_before = GetJson("/api/v1/tickets/" + open_id);

  // Forty days after the closing it is.
  MoveClockTo("2026-05-25T08:00:00Z");
  json after = GetJson("/api/v1/tickets/" + id);
  EXPECT_EQ(after.value("title", ""), kMarker);
  EXPECT_EQ(after.value("description", ""), kMarker);
  EXPECT_EQ(after.value("reporter", ""), "");
  EXPECT_TRUE(after.contains("personalDataErasedAt")) << after.dump();
  EXPECT_EQ(Leaks(after.dump()), "") << after.dump();
  // What is counted stays.
  for (const char* field :
       {"id", "status", "priority", "municipality", "location", "serviceId",
        "assignee", "createdAt", "updatedAt", "commentCount",
        "internalCommentCount", "sla", "service", "assignment"})
    EXPECT_EQ(after[field], before[field]) << field;
  EXPECT_EQ(after.value("version", 0), before.value("version", 0) + 1);

  json comments = GetJson("/api/v1/tickets/" + id + "/comments");
  ASSERT_EQ(comments["comments"].size(), 2u) << comments.dump();
  for (const auto& c : comments["comments"])
    EXPECT_EQ(c.value("body", ""), kMarker);
  EXPECT_EQ(Leaks(comments.dump()), "") << comments.dump();

  json events = GetJson("/api/v1/tickets/" + id + "/events?limit=100");
  EXPECT_EQ(Leaks(events.dump()), "") << events.dump();
  const json& last = events["events"].back();
  ASSERT_TRUE(last.contains("personalDataErased")) << last.dump();
  EXPECT_EQ(last.value("actor", ""), "retention");
  EXPECT_EQ(last["personalDataErased"].value("retentionMonths", 0), 1);
  EXPECT_EQ(last["personalDataErased"].value("closedAt", ""),
            before.value("updatedAt", ""));
  EXPECT_EQ(last.value("ticketVersion", 0), after.value("version", 0));

  std::string log;
  for (const auto& e : AllEvents())
    if (e.value("ticketId", "") == id) log += e.dump();
  EXPECT_EQ(Leaks(log), "") << log;
  EXPECT_EQ(Erasures(id), 1u);

  // The open ticket keeps everything.
  json open_after = GetJson("/api/v1/tickets/" + open_id);
  // (Not its version: dispatch may move an open ticket meanwhile.)
  for (const char* field :
       {"title", "description", "reporter", "comments", "commentCount"})
    EXPECT_EQ(open_after[field], open_before[field]) << field;
  EXPECT_FALSE(open_after.contains("personalDataErasedAt"));

  // The SLA report (attainment, the equal-service view, the volume) reads
  // the same.
  EXPECT_EQ(Report(), report_before);

  // Another sweep later erases nothing more.
  MoveClockTo("2026-06-30T08:00:00Z");
  EXPECT_EQ(Erasures(id), 1u);
  EXPECT_EQ(GetJson("/api/v1/tickets/" + id).value("version", 0),
            after.value("version", 0));

  EXPECT_EQ(StoreProblems(daemon_->data_dir()), "");
}

}  // namespace
}  // namespace helpdesk::testing
