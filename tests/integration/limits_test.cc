// Answers to hostile bodies are as small as the limits make them: a list
// over its limit is refused naming the list and the limit before any item
// is looked at, and a body with many problems answers the first
// Status::kMaxErrors with the count of the rest (moreErrors). Against the
// real daemon; each refusal changes nothing.

#include <string>

#include "tests/integration/catalogue_fixture.h"

namespace helpdesk::testing {
namespace {

constexpr char kVakt[] = "/api/v1/vakt";
constexpr size_t kMaxErrors = 100;

class ListLimits : public DaemonTest {
 protected:
  // PUT /api/v1/vakt with `n` empty shifts ("{}"), as the attack sent
  // them, based on the rota's version.
  HttpResponse PutEmptyShifts(size_t n) {
    HttpResponse current = client_->Get(kVakt);
    EXPECT_EQ(current.status, 200) << current.body;
    std::string body = "{\"shifts\":[";
    for (size_t i = 0; i < n; ++i) body += i ? ",{}" : "{}";
    body += "]}";
    return Put(kVakt, body, {{"If-Match", current.header("etag")}});
  }

  json Flat() { return GetJson(std::string(kCatalogue) + "?view=flat"); }

  static json Category(const std::string& id, const std::string& parent) {
    json c = {{"id", id}, {"name", "Kategori " + id}};
    if (!parent.empty()) c["parent"] = parent;
    return c;
  }
};

TEST_F(ListLimits, ARotaWithTooManyShiftsIsOneProblemNamingTheLimit) {
  const std::string before = Snapshot() + GetJson(kVakt).dump();
  HttpResponse r = PutEmptyShifts(20001);
  ExpectProblem(r, 422, "/problems/invalid-field");
  json p = Parse(r);
  ASSERT_EQ(p["errors"].size(), 1u) << r.body.substr(0, 2000);
  EXPECT_EQ(p["errors"][0]["pointer"], "/shifts");
  EXPECT_EQ(p["errors"][0]["detail"], "shifts: 20001 given, at most 20000");
  EXPECT_FALSE(p.contains("moreErrors"));
  EXPECT_LT(r.body.size(), 2000u);
  EXPECT_EQ(Snapshot() + GetJson(kVakt).dump(), before);
}

TEST_F(ListLimits, ARotaWithManyBadShiftsAnswersAHundredProblemsAndTheirCount) {
  const std::string before = Snapshot() + GetJson(kVakt).dump();
  HttpResponse r = PutEmptyShifts(5000);  // start, end, primary: 3 each
  ExpectProblem(r, 422, "/problems/invalid-field");
  json p = Parse(r);
  EXPECT_EQ(p["errors"].size(), kMaxErrors);
  EXPECT_EQ(p.value("moreErrors", 0), 15000 - 100);
  EXPECT_EQ(p["errors"][0]["pointer"], "/shifts/0/start");
  EXPECT_LT(r.body.size(), 20000u);
  EXPECT_EQ(Snapshot() + GetJson(kVakt).dump(), before);
}

TEST_F(ListLimits, AnImportWithTooManyCategoriesIsOneProblemNamingTheLimit) {
  const std::string before = CatalogueSnapshot();
  json flat = Flat();
  const size_t had = flat["categories"].size();
  for (int i = 0; i < 2000; ++i)
    flat["categories"].push_back(Category(
        "c-" + std::to_string(i), i ? "c-" + std::to_string(i - 1) : ""));
  HttpResponse r = Put(kCatalogue, flat.dump());
  ExpectProblem(r, 422, "/problems/invalid-field");
  json p = Parse(r);
  ASSERT_EQ(p["errors"].size(), 1u) << r.body.substr(0, 2000);
  EXPECT_EQ(p["errors"][0]["detail"],
            "too many category entries: " + std::to_string(had + 2000) +
                ", at most 500");
  EXPECT_EQ(CatalogueSnapshot(), before);
}

TEST_F(ListLimits, AnImportOfADeepCategoryChainIsRefusedNamingTheDepth) {
  const std::string before = CatalogueSnapshot();
  json flat = Flat();
  const size_t at = flat["categories"].size();
  for (int i = 0; i < 10; ++i)
    flat["categories"].push_back(Category(
        "c-" + std::to_string(i), i ? "c-" + std::to_string(i - 1) : ""));
  HttpResponse r = Put(kCatalogue, flat.dump());
  ExpectProblem(r, 422, "/problems/invalid-field");
  json p = Parse(r);
  ASSERT_EQ(p["errors"].size(), 2u) << r.body;  // c-8 and c-9
  EXPECT_EQ(p["errors"][0]["pointer"],
            "/categories/" + std::to_string(at + 8) + "/parent");
  EXPECT_EQ(p["errors"][0]["detail"],
            "category 'c-8' is nested 9 deep, at most 8");
  EXPECT_EQ(CatalogueSnapshot(), before);
}

TEST_F(ListLimits, AnImportWithManyProblemsAnswersAHundredAndTheirCount) {
  const std::string before = CatalogueSnapshot();
  json flat = Flat();
  json service = flat["services"][0];
  for (int i = 0; i < 300; ++i) {
    service["id"] = "ekstra-" + std::to_string(i);
    service["slaClass"] = "gull";  // no such class
    flat["services"].push_back(service);
  }
  HttpResponse r = Put(kCatalogue, flat.dump());
  ExpectProblem(r, 422, "/problems/invalid-field");
  json p = Parse(r);
  EXPECT_EQ(p["errors"].size(), kMaxErrors);
  EXPECT_EQ(p.value("moreErrors", 0), 200);
  EXPECT_EQ(p["detail"].get<std::string>().substr(0, 30),
            "300 problems in the catalogue;");
  EXPECT_EQ(CatalogueSnapshot(), before);
}

TEST_F(ListLimits, AStaffRecordWithTooManySkillsIsOneProblemNamingTheLimit) {
  const std::string before = Snapshot();
  json person = {{"id", "test.mange"},
                 {"name", "Mange Ferdigheter"},
                 {"homeMunicipality", "rollag"},
                 {"ftePercent", 100},
                 {"skills", json::array()}};
  for (int i = 0; i < 1000; ++i)
    person["skills"].push_back("ukjent-" + std::to_string(i));
  HttpResponse r = client_->Post("/api/v1/staff", person.dump());
  ExpectProblem(r, 422, "/problems/invalid-field");
  json p = Parse(r);
  ASSERT_EQ(p["errors"].size(), 1u) << r.body.substr(0, 2000);
  EXPECT_EQ(p["errors"][0]["pointer"], "/skills");
  EXPECT_EQ(p["errors"][0]["detail"], "skills: 1000 given, at most 200");
  EXPECT_EQ(Snapshot(), before);
}

}  // namespace
}  // namespace helpdesk::testing
