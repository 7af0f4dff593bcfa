// A ticket's comments are paged: a ticket answer holds the latest 20 and a
// link to the older ones, and GET /api/v1/tickets/{id}/comments pages
// through them, so neither an answer nor a comment grows with the history.

#include <set>
#include <string>
#include <vector>

#include "tests/integration/fixture.h"

namespace helpdesk::testing {
namespace {

constexpr size_t kLatest = 20;       // comments in a ticket answer
constexpr size_t kBodyBytes = 5000;  // as in the finding: 5 kB each
// What a client may rely on: a ticket answer (20 comments of 5 kB) and a
// page of the default 50, whatever the history.
constexpr size_t kAnswerBound = 150'000;
constexpr size_t kPageBound = 300'000;

class CommentsTest : public DaemonTest {
 protected:
  // Comment `i` of a test: its number, then padding to 5 kB.
  static std::string Body(size_t i) {
    std::string b = std::to_string(i) + " ";
    b.resize(kBodyBytes, 'k');
    return b;
  }
  static size_t NumberOf(const json& comment) {
    return std::stoul(comment.value("body", "x"));
  }

  // Comment `i` by the reporter, an employee in Rollag.
  HttpResponse AddComment(const std::string& id, size_t i) {
    ids_->Employee("kari.nordmann", "rollag");
    json body = {{"body", Body(i)}};
    return client_->Post("/api/v1/tickets/" + id + "/comments", body.dump(),
                         {{"X-Actor", "kari.nordmann"}});
  }

  // The seqs of `comments`, which must rise (oldest first).
  static std::vector<uint64_t> Seqs(const json& comments) {
    std::vector<uint64_t> seqs;
    for (const auto& c : comments)
      seqs.push_back(std::stoull(c.value("seq", "0")));
    for (size_t i = 1; i < seqs.size(); ++i)
      EXPECT_LT(seqs[i - 1], seqs[i]) << "not oldest first: " << comments;
    return seqs;
  }
};

TEST_F(CommentsTest, AThousandCommentsArePagedAndEachAnswerStaysSmall) {
  const std::string id = Create().value("id", "");
  ASSERT_FALSE(id.empty());
  constexpr size_t kComments = 1000;
  HttpResponse last;
  for (size_t i = 0; i < kComments; ++i) {
    last = AddComment(id, i);
    ASSERT_EQ(last.status, 201) << i << ": " << last.error << last.body;
  }
  // The answer to the 1,000th comment: the ticket with its latest 20.
  EXPECT_LT(last.body.size(), kAnswerBound);
  json answered = Parse(last);
  EXPECT_EQ(answered.value("commentCount", 0), 1000);
  ASSERT_EQ(answered["comments"].size(), kLatest);
  EXPECT_EQ(NumberOf(answered["comments"].back()), kComments - 1);
  EXPECT_FALSE(answered.value("commentsNext", "").empty()) << answered;

  // GET: the same latest 20, oldest first, and where the rest are.
  HttpResponse got = client_->Get("/api/v1/tickets/" + id);
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_LT(got.body.size(), kAnswerBound);
  json ticket = Parse(got);
  EXPECT_EQ(ticket.value("commentCount", 0), 1000);
  ASSERT_EQ(ticket["comments"].size(), kLatest);
  Seqs(ticket["comments"]);
  for (size_t k = 0; k < kLatest; ++k)
    EXPECT_EQ(NumberOf(ticket["comments"][k]), kComments - kLatest + k);

  // Any other change answers with the ticket the same way.
  HttpResponse changed =
      client_->Post("/api/v1/tickets/" + id + "/priority",
                    json({{"priority", "low"},
                          {"reason", "Kan vente"},
                          {"version", ticket.value("version", 0)}})
                        .dump(),
                    {{"X-Actor", "ole.kristiansen"}});
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_LT(changed.body.size(), kAnswerBound);
  EXPECT_EQ(Parse(changed)["comments"], ticket["comments"]);
  EXPECT_EQ(Parse(changed).value("commentsNext", ""),
            ticket.value("commentsNext", ""));

  // Following the links, each page older than the one before: every
  // comment exactly once, and in order once the pages are put together.
  std::vector<json> pages = {ticket["comments"]};
  std::string next = ticket.value("commentsNext", "");
  ASSERT_TRUE(next.starts_with("/api/v1/tickets/" + id + "/comments?")) << next;
  for (int guard = 0; !next.empty() && guard < 1000; ++guard) {
    HttpResponse r = client_->Get(next);
    ASSERT_EQ(r.status, 200) << next << ": " << r.body;
    EXPECT_LT(r.body.size(), kPageBound);
    json page = Parse(r);
    ASSERT_FALSE(page["comments"].empty()) << next;
    EXPECT_LE(page["comments"].size(), 50u);  // the default page
    EXPECT_LT(Seqs(page["comments"]).back(), Seqs(pages.back()).front())
        << "a page is not older than the one before it";
    pages.push_back(page["comments"]);
    next = page.value("next", "");
  }
  EXPECT_TRUE(next.empty()) << "the links never end";
  std::vector<size_t> numbers;
  for (auto page = pages.rbegin(); page != pages.rend(); ++page)
    for (const auto& c : *page) numbers.push_back(NumberOf(c));
  ASSERT_EQ(numbers.size(), kComments);
  for (size_t i = 0; i < kComments; ++i) ASSERT_EQ(numbers[i], i);
}

TEST_F(CommentsTest, APageTakesItsLimitAndTheLinkKeepsIt) {
  const std::string id = Create().value("id", "");
  for (size_t i = 0; i < 7; ++i) ASSERT_EQ(AddComment(id, i).status, 201);
  json ticket = GetJson("/api/v1/tickets/" + id);
  EXPECT_EQ(ticket["comments"].size(), 7u);
  EXPECT_EQ(ticket.value("commentsNext", ""), "") << "all 7 are there";

  json first = GetJson("/api/v1/tickets/" + id + "/comments?limit=3");
  ASSERT_EQ(first["comments"].size(), 3u);
  EXPECT_EQ(NumberOf(first["comments"][0]), 4u);
  EXPECT_EQ(NumberOf(first["comments"][2]), 6u);
  EXPECT_EQ(first.value("commentCount", 0), 7);
  const std::string next = first.value("next", "");
  EXPECT_NE(next.find("limit=3"), std::string::npos) << next;
  EXPECT_EQ(next, "/api/v1/tickets/" + id + "/comments?before=" +
                      first.value("nextCursor", "?") + "&limit=3");
  json second = GetJson(next);
  ASSERT_EQ(second["comments"].size(), 3u);
  EXPECT_EQ(NumberOf(second["comments"][0]), 1u);
  json third = GetJson(second.value("next", ""));
  ASSERT_EQ(third["comments"].size(), 1u);
  EXPECT_EQ(NumberOf(third["comments"][0]), 0u);
  EXPECT_EQ(third.value("next", ""), "");
  EXPECT_EQ(third.value("nextCursor", ""), "");
}

TEST_F(CommentsTest, ABadCursorOrLimitIsA400NamingIt) {
  const std::string id = Create().value("id", "");
  ASSERT_EQ(AddComment(id, 0).status, 201);
  const std::string base = "/api/v1/tickets/" + id + "/comments";
  for (const auto& [query, parameter] :
       std::vector<std::pair<std::string, std::string>>{
           {"?before=abc", "before"},
           {"?before=0", "before"},
           {"?before=-3", "before"},
           {"?before=99999999999999999999999", "before"},
           {"?limit=0", "limit"},
           {"?limit=201", "limit"},
           {"?limit=ten", "limit"},
           {"?after=3", "after"}}) {
    HttpResponse r = client_->Get(base + query);
    ExpectProblem(r, 400, "/problems/invalid-parameter");
    EXPECT_EQ(Parse(r).value("parameter", ""), parameter) << query << r.body;
  }
  EXPECT_EQ(GetJson(base + "?limit=200")["comments"].size(), 1u);
}

TEST_F(CommentsTest, TheCommentsOfATicketThatIsNotThereAre404) {
  ExpectProblem(client_->Get("/api/v1/tickets/4711/comments"), 404,
                "/problems/not-found");
  ExpectProblem(client_->Get("/api/v1/tickets/abc/comments"), 404,
                "/problems/not-found");
  // A ticket with no comments has an empty first page and no link.
  const std::string id = Create().value("id", "");
  json page = GetJson("/api/v1/tickets/" + id + "/comments");
  EXPECT_TRUE(page.value("comments", json::array()).empty()) << page;
  EXPECT_EQ(page.value("next", ""), "");
}

}  // namespace
}  // namespace helpdesk::testing
