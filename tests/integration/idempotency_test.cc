// Idempotency-Key on POST and PUT, against the real daemon: a retry with
// the same key is answered as the first request was (Idempotent-Replayed:
// true) and writes nothing, across a restart; a key is an actor's own; it
// is free again 24 hours later, when its row is swept.

#include <map>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/fixture.h"

namespace helpdesk::testing {
namespace {

using Headers = std::map<std::string, std::string>;

class Idempotency : public DaemonTest {
 protected:
  // The clock stands still (the 24 hours are moved, not waited for; a
  // move answers once the keys expired by then are swept).
  std::vector<std::string> Flags() override {
    std::vector<std::string> flags = DaemonTest::Flags();
    flags.push_back("--clock-frozen");
    return flags;
  }

  static Headers Key(const std::string& key, Headers more = {}) {
    more["Idempotency-Key"] = key;
    return more;
  }

  HttpResponse CreateWithKey(const std::string& key,
                             const json& body = GoodTicket()) {
    return client_->Post("/api/v1/tickets", body.dump(), Key(key));
  }

  size_t EventsOf(const std::string& ticket) {
    return GetJson("/api/v1/tickets/" + ticket + "/events?limit=1000")
        .value("events", json::array())
        .size();
  }

  static json Person(const std::string& id) {
    return {{"id", id},
            {"name", "Test Rådgiver"},
            {"title", "IKT-rådgiver"},
            {"phone", "+47 32 00 00 00"},
            {"homeMunicipality", "rollag"},
            {"skills", {"user-support", "network"}},
            {"ftePercent", 60},
            {"workingHours",
             {{{"days", {"monday", "tuesday", "wednesday"}},
               {"start", "08:00"},
               {"end", "15:30"}}}}};
  }

  std::string Metrics() { return client_->Get("/metrics").body; }

  // The value of the sample `name` in /metrics; -1 when missing.
  long Metric(const std::string& name) {
    const std::string m = Metrics();
    const size_t at = m.find("\n" + name + " ");
    if (at == std::string::npos) return -1;
    return std::stol(m.substr(at + name.size() + 2));
  }

  // How many key rows the store holds.
  long Keys() { return Metric("helpdesk_idempotency_keys"); }
};

TEST_F(Idempotency, ARetriedCreateAnswersTheFirstTicketAndFilesOne) {
  const std::string before = Snapshot();
  HttpResponse first = CreateWithKey("create-7f3a");
  ASSERT_EQ(first.status, 201) << first.body;
  EXPECT_EQ(first.header("idempotent-replayed"), "");
  const size_t events = EventCount();
  HttpResponse again = CreateWithKey("create-7f3a");
  ASSERT_EQ(again.status, 201) << again.body;
  EXPECT_EQ(again.header("idempotent-replayed"), "true");
  EXPECT_EQ(again.header("location"), first.header("location"));
  EXPECT_EQ(again.header("etag"), first.header("etag"));
  EXPECT_EQ(Parse(again), Parse(first)) << "the clock stands: the same body";
  EXPECT_EQ(EventCount(), events) << "the retry wrote nothing";
  json list = GetJson("/api/v1/tickets");
  ASSERT_EQ(list["tickets"].size(), 1u) << list.dump() << before;
  EXPECT_EQ(list["tickets"][0]["id"], Parse(first)["id"]);
  EXPECT_NE(Metrics().find("helpdesk_idempotent_replays_total{route=\"/api/"
                           "v1/tickets\"} 1\n"),
            std::string::npos)
      << Metrics();
  // Without a key, the same body is a second ticket, as before.
  EXPECT_NE(Create()["id"], Parse(first)["id"]);
}

TEST_F(Idempotency, ARetriedStatusChangeOrCommentChangesNothingMore) {
  const std::string id = Create()["id"];
  const std::string status = "/api/v1/tickets/" + id + "/status";
  const std::string body =
      json({{"status", "in_progress"}, {"version", 2}}).dump();
  HttpResponse moved = client_->Post(status, body, Key("status-1"));
  ASSERT_EQ(moved.status, 200) << moved.body;
  const size_t events = EventsOf(id);
  HttpResponse again = client_->Post(status, body, Key("status-1"));
  ASSERT_EQ(again.status, 200) << again.body << " (without the key: 409)";
  EXPECT_EQ(again.header("idempotent-replayed"), "true");
  EXPECT_EQ(again.header("etag"), "\"3\"");
  EXPECT_EQ(Parse(again)["version"], 3);
  EXPECT_EQ(EventsOf(id), events);

  const std::string comments = "/api/v1/tickets/" + id + "/comments";
  // The reporter, an employee in Rollag, says it works again.
  ids_->Employee("kari.nordmann", "rollag");
  const Headers kari = Key("comment-1", {{"X-Actor", "kari.nordmann"}});
  const std::string comment = json({{"body", "Det virker igjen."}}).dump();
  HttpResponse said = client_->Post(comments, comment, kari);
  ASSERT_EQ(said.status, 201) << said.body;
  HttpResponse twice = client_->Post(comments, comment, kari);
  ASSERT_EQ(twice.status, 201) << twice.body;
  EXPECT_EQ(twice.header("idempotent-replayed"), "true");
  EXPECT_EQ(Parse(twice)["commentCount"], 1);
  EXPECT_EQ(twice.header("etag"), said.header("etag"));
  json ticket = GetJson("/api/v1/tickets/" + id);
  EXPECT_EQ(ticket["commentCount"], 1) << ticket.dump();
  EXPECT_EQ(EventsOf(id), events + 1) << "one comment event";
}

TEST_F(Idempotency, ARetriedStaffPutIsAnsweredAsTheFirst) {
  const json person = Person("test.radgiver");
  ASSERT_EQ(client_->Post("/api/v1/staff", person.dump()).status, 201);
  json edit = person;
  edit["title"] = "IKT-veileder";
  const Headers h = Key("staff-put-1", {{"If-Match", "\"1\""}});
  HttpResponse put = Put("/api/v1/staff/test.radgiver", edit.dump(), h);
  ASSERT_EQ(put.status, 200) << put.body;
  const size_t events = EventCount();
  HttpResponse again = Put("/api/v1/staff/test.radgiver", edit.dump(), h);
  ASSERT_EQ(again.status, 200) << again.body << " (without the key: 409)";
  EXPECT_EQ(again.header("idempotent-replayed"), "true");
  EXPECT_EQ(again.header("etag"), "\"2\"");
  EXPECT_EQ(Parse(again)["title"], "IKT-veileder");
  EXPECT_EQ(EventCount(), events);
}

TEST_F(Idempotency, ARetriedCatalogueChangeIsAnsweredAsTheFirst) {
  // Decided before the writer: the retry must not be decided again (the
  // service is retired by then: 409 without the key).
  const std::string retire = "/api/v1/catalogue/services/eksamen/retire";
  const std::string body = json({{"reason", "Ny eksamensløsning"}}).dump();
  const Headers h = Key("retire-1", {{"X-Actor", "kari.admin"}});
  HttpResponse first = client_->Post(retire, body, h);
  ASSERT_EQ(first.status, 200) << first.body;
  const size_t changes = CatalogueEvents().size();
  HttpResponse again = client_->Post(retire, body, h);
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.header("idempotent-replayed"), "true");
  EXPECT_EQ(again.header("etag"), first.header("etag"));
  EXPECT_EQ(Parse(again), Parse(first));
  EXPECT_EQ(CatalogueEvents().size(), changes);
  ExpectProblem(client_->Post(retire, body, {{"X-Actor", "kari.admin"}}), 409,
                "/problems/illegal-transition");
}

TEST_F(Idempotency, RacingRequestsWithOneKeyFileOneTicket) {
  // Sent at once over eight connections: however they meet (queued in one
  // write batch, or one after the other) one ticket is filed and every
  // answer names it.
  constexpr int kRacers = 8;
  std::vector<HttpResponse> answers(kRacers);
  std::vector<std::thread> racers;
  const Headers h = Key("racing-key", ids_->As(kDesk));  // logged in first
  for (int i = 0; i < kRacers; ++i)
    racers.emplace_back([&, i] {
      HttpClient c(daemon_->port());
      answers[i] = c.Post("/api/v1/tickets", GoodTicket().dump(), h);
    });
  for (auto& t : racers) t.join();
  int replayed = 0;
  for (const HttpResponse& r : answers) {
    ASSERT_EQ(r.status, 201) << r.body;
    EXPECT_EQ(Parse(r)["id"], Parse(answers[0])["id"]);
    replayed += r.header("idempotent-replayed") == "true";
  }
  EXPECT_EQ(replayed, kRacers - 1);
  EXPECT_EQ(GetJson("/api/v1/tickets")["tickets"].size(), 1u);
}

TEST_F(Idempotency, AKeyUsedForAnotherRequestIs422AndWritesNothing) {
  ASSERT_EQ(CreateWithKey("reused").status, 201);
  const std::string before = Snapshot();
  json other = GoodTicket();
  other["title"] = "En helt annen sak";
  HttpResponse r = CreateWithKey("reused", other);
  ExpectProblem(r, 422, "/problems/idempotency-key-reused");
  EXPECT_EQ(Parse(r)["parameter"], "Idempotency-Key");
  EXPECT_NE(r.body.find("new key"), std::string::npos) << r.body;
  // Another route under the same key is another request too.
  const std::string id =
      Parse(client_->Get("/api/v1/tickets"))["tickets"][0].value("id", "");
  ExpectProblem(client_->Post("/api/v1/tickets/" + id + "/comments",
                              json({{"body", "Hei"}}).dump(), Key("reused")),
                422, "/problems/idempotency-key-reused");
  EXPECT_EQ(Snapshot(), before);
}

TEST_F(Idempotency, AKeyIsTheActorsOwn) {
  // Two employees in Rollag each file their own ticket under one key.
  ids_->Employee("kari.nordmann", "rollag");
  ids_->Employee("ola.nordmann", "rollag");
  json kari = GoodTicket();
  json ola = GoodTicket();
  ola["reporter"] = "ola.nordmann";
  const auto file_as = [&](const std::string& who, const json& body) {
    return client_->Post("/api/v1/tickets", body.dump(),
                         Key("shared-key", {{"X-Actor", who}}));
  };
  HttpResponse a = file_as("kari.nordmann", kari);
  HttpResponse b = file_as("ola.nordmann", ola);
  ASSERT_EQ(a.status, 201) << a.body;
  ASSERT_EQ(b.status, 201) << b.body;
  EXPECT_EQ(b.header("idempotent-replayed"), "");
  EXPECT_NE(Parse(a)["id"], Parse(b)["id"]);
  HttpResponse kari_again = file_as("kari.nordmann", kari);
  EXPECT_EQ(kari_again.header("idempotent-replayed"), "true");
  EXPECT_EQ(Parse(kari_again)["id"], Parse(a)["id"]) << "each her own";
  // The same body under one key from two admins (X-Actor): the second is
  // decided on its own (the person exists), neither replayed nor 422.
  const json person = Person("test.to");
  HttpResponse first = client_->Post("/api/v1/staff", person.dump(),
                                     Key("k", {{"X-Actor", "leder.kari"}}));
  ASSERT_EQ(first.status, 201) << first.body;
  HttpResponse second = client_->Post("/api/v1/staff", person.dump(),
                                      Key("k", {{"X-Actor", "leder.ola"}}));
  ExpectProblem(second, 409, "/problems/already-exists");
}

TEST_F(Idempotency, ABadKeyIs400AndWritesNothing) {
  const std::string before = Snapshot();
  for (const std::string& key :
       {std::string(""), std::string(256, 'k'), std::string("med mellomrom"),
        std::string("n\xc3\xb8kkel"), std::string("tab\there")}) {
    HttpResponse r = CreateWithKey(key);
    ExpectProblem(r, 400, "/problems/invalid-parameter");
    EXPECT_EQ(Parse(r)["parameter"], "Idempotency-Key") << r.body;
    EXPECT_NE(r.body.find("1 to 255 visible ASCII"), std::string::npos)
        << r.body;
  }
  // Sent twice.
  const std::string body = GoodTicket().dump();
  HttpClient raw(daemon_->port());
  HttpClient::Raw twice = raw.SendRaw(
      "POST /api/v1/tickets HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" +
      AuthLine() +
      "Content-Type: application/json\r\nIdempotency-Key: a\r\n"
      "Idempotency-Key: b\r\nContent-Length: " +
      std::to_string(body.size()) + "\r\n\r\n" + body);
  EXPECT_EQ(twice.received.rfind("HTTP/1.1 400", 0), 0u) << twice.received;
  EXPECT_NE(twice.received.find("more than once"), std::string::npos)
      << twice.received;
  EXPECT_EQ(Snapshot(), before);
  // 255 visible characters are a key.
  EXPECT_EQ(CreateWithKey(std::string(255, '~')).status, 201);
}

TEST_F(Idempotency, ARetryAfterARestartIsStillAnsweredAsTheFirst) {
  HttpResponse first = CreateWithKey("across-restart");
  ASSERT_EQ(first.status, 201) << first.body;
  ASSERT_EQ(daemon_->Restart(), "");
  Reconnect();
  HttpResponse again = CreateWithKey("across-restart");
  ASSERT_EQ(again.status, 201) << again.body;
  EXPECT_EQ(again.header("idempotent-replayed"), "true");
  EXPECT_EQ(Parse(again)["id"], Parse(first)["id"]);
  EXPECT_EQ(GetJson("/api/v1/tickets")["tickets"].size(), 1u);
}

TEST_F(Idempotency, AKeyIsFreeAgainAfter24HoursAndItsRowSwept) {
  HttpResponse first = CreateWithKey("day-old");
  ASSERT_EQ(first.status, 201);
  ASSERT_EQ(CreateWithKey("other").status, 201);
  EXPECT_EQ(Keys(), 2);
  // 23 h 59 min later it still replays.
  ASSERT_EQ(client_->Post("/test/clock?at=2026-04-16T07:59:00Z", "").status,
            200);
  LogInAgain();  // a session lasts 12 hours
  EXPECT_EQ(CreateWithKey("day-old").header("idempotent-replayed"), "true");
  ASSERT_EQ(client_->Post("/test/clock?at=2026-04-16T09:00:00Z", "").status,
            200);
  LogInAgain();
  EXPECT_EQ(Keys(), 0) << "both rows swept";
  HttpResponse later = CreateWithKey("day-old");
  ASSERT_EQ(later.status, 201) << later.body;
  EXPECT_EQ(later.header("idempotent-replayed"), "");
  EXPECT_NE(Parse(later)["id"], Parse(first)["id"]) << "a new ticket";
  EXPECT_EQ(Keys(), 1);
}

}  // namespace
}  // namespace helpdesk::testing
