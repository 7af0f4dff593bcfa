// The audit: who changed a ticket and who read its personal text, when and
// from where, as an admin reads it (GET /api/v1/audit).

#include "tests/integration/fixture.h"

namespace helpdesk::testing {
namespace {

class Audit : public DaemonTest {
 protected:
  // Every read before it is in the answer: the audit writes what it has
  // noted first (the reads are otherwise written once a second).
  json AuditOf(const std::string& query) {
    HttpResponse r = client_->Get("/api/v1/audit" + query, ids_->As("admin"));
    EXPECT_EQ(r.status, 200) << r.body;
    return Parse(r);
  }
};

TEST_F(Audit, EveryReadOfATicketByStaffAndEveryChangeIsThere) {
  const json filed = FileAs("ansatt.rollag");
  const std::string id = filed.value("id", "");
  const std::string base = "/api/v1/tickets/" + id;
  for (const std::string& path : {base, base + "/comments", base + "/events"})
    ASSERT_EQ(client_->Get(path, ids_->As("gunn.heggelund")).status, 200);
  ASSERT_EQ(client_
                ->Get("/api/v1/tickets?municipality=rollag",
                      ids_->As("gunn.heggelund"))
                .status,
            200);
  // The reporter reading their own ticket is no one else's business.
  ASSERT_EQ(client_->Get(base, ids_->As("ansatt.rollag")).status, 200);

  const json all = AuditOf("?ticket=" + id);
  std::vector<std::string> lines;
  for (const auto& e : all["entries"])
    lines.push_back(e.value("kind", "") + " " + e.value("actor", "") + " " +
                    e.value("what", ""));
  const std::vector<std::string> want = {
      "change ansatt.rollag ticketCreated", "change dispatch assigned",
      "read gunn.heggelund ticket", "read gunn.heggelund comments",
      "read gunn.heggelund events"};
  EXPECT_EQ(lines, want) << all.dump();
  for (const auto& e : all["entries"]) {
    EXPECT_FALSE(e.value("at", "").empty()) << e.dump();
    EXPECT_EQ(e.value("ticketId", ""), id) << e.dump();
    if (e.value("actor", "") != "dispatch") {
      EXPECT_EQ(e.value("clientAddress", ""), "127.0.0.1") << e.dump();
      EXPECT_FALSE(e.value("requestId", "").empty()) << e.dump();
    }
  }
  ASSERT_EQ(client_->Get("/api/v1/events", ids_->As("gunn.heggelund")).status,
            200);
  const json lists = AuditOf("?actor=gunn.heggelund");
  bool listed = false;
  for (const auto& e : lists["entries"])
    listed = listed || (e.value("what", "") == "list" &&
                        e.value("query", "") == "municipality=rollag");
  EXPECT_TRUE(listed) << lists.dump();
  bool log_read = false;
  for (const auto& e : lists["entries"])
    log_read = log_read || (e.value("what", "") == "events" &&
                            e.value("ticketId", "") == "");
  EXPECT_TRUE(log_read) << "reading the global log is recorded too";
  for (const auto& e : lists["entries"])
    EXPECT_EQ(e.value("actor", ""), "gunn.heggelund") << e.dump();
}

TEST_F(Audit, PagesWalkEverythingOnceAndARangeKeepsToIt) {
  const json t = Create();
  for (int i = 0; i < 3; ++i)
    ASSERT_EQ(client_
                  ->Get("/api/v1/tickets/" + t.value("id", ""),
                        ids_->As("gunn.heggelund"))
                  .status,
              200);
  const json whole = AuditOf("?limit=1000");
  ASSERT_EQ(whole.value("nextCursor", ""), "") << whole.dump();
  std::vector<json> paged;
  std::string cursor;
  for (int page = 0; page < 100; ++page) {
    const json p =
        AuditOf("?limit=2" + (cursor.empty() ? "" : "&cursor=" + cursor));
    for (const auto& e : p["entries"]) paged.push_back(e);
    cursor = p.value("nextCursor", "");
    if (cursor.empty()) break;
  }
  ASSERT_EQ(paged.size(), whole["entries"].size());
  for (size_t i = 0; i < paged.size(); ++i)
    EXPECT_EQ(paged[i], whole["entries"][i]) << i;
  EXPECT_TRUE(AuditOf("?to=2000-01-01T00:00:00Z")["entries"].empty());
  EXPECT_TRUE(AuditOf("?from=2100-01-01T00:00:00Z")["entries"].empty());

  HttpResponse bad =
      client_->Get("/api/v1/audit?cursor=nonsense", ids_->As("admin"));
  ExpectProblem(bad, 400, "/problems/invalid-parameter");
  EXPECT_EQ(Parse(bad).value("parameter", ""), "cursor");
}

}  // namespace
}  // namespace helpdesk::testing
