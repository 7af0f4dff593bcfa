// The staff registry and the vakt rota over HTTP, against the real daemon:
// people are created and changed with versions, the rota is replaced whole,
// /vakt/now says who is on call at an instant, every change is an event
// naming the actor, a refused change changes nothing, and everything
// survives a restart.

#include <algorithm>
#include <functional>
#include <memory>
#include <set>
#include <sstream>

#include "tests/integration/catalogue_fixture.h"

namespace helpdesk::testing {
namespace {

constexpr char kStaff[] = "/api/v1/staff";
constexpr char kVakt[] = "/api/v1/vakt";
constexpr char kVaktNow[] = "/api/v1/vakt/now";

class Staff : public DaemonTest {
 protected:
  // A 60 % adviser based in Rollag who also covers Flesberg on site (hired
  // in), as in the Kongsbergregionen survey.
  static json NewPerson(const std::string& id = "test.radgiver") {
    return {{"id", id},
            {"name", "Test Rådgiver"},
            {"title", "IKT-rådgiver"},
            {"phone", "+47 32 00 00 00"},
            {"homeMunicipality", "rollag"},
            {"covers", {"flesberg"}},
            {"skills", {"user-support", "network"}},
            {"ftePercent", 60},
            {"workingHours",
             {{{"days", {"monday", "tuesday", "wednesday"}},
               {"start", "08:00"},
               {"end", "15:30"}}}},
            {"absences",
             {{{"from", "2031-07-07"},
               {"to", "2031-07-25"},
               {"kind", "holiday"}}}}};
  }

  static std::string PersonPath(const std::string& id) {
    return std::string(kStaff) + "/" + id;
  }

  json CreatePerson(const json& body,
                    std::map<std::string, std::string> headers = {}) {
    HttpResponse r = client_->Post(kStaff, body.dump(), headers);
    EXPECT_EQ(r.status, 201) << r.body;
    return Parse(r);
  }

  // A record without `now`, which follows the clock and the tickets.
  static json Record(json member) {
    member.erase("now");
    return member;
  }

  // Every person (without `now`), the rota and the length of the event
  // log: what "a refused change changed nothing" is checked against.
  std::string StaffSnapshot() {
    std::string s = Snapshot() + " staff:";
    for (const auto& m : GetJson(kStaff).value("staff", json::array()))
      s += Record(m).dump();
    return s + " rota:" + GetJson(kVakt).dump();
  }

  std::vector<json> EventsWith(const std::string& body) {
    std::vector<json> out;
    for (const auto& e : AllEvents())
      if (e.contains(body)) out.push_back(e);
    return out;
  }

  // The staffChanged events of this test's people (ids "test.*"), whatever
  // the seed may have logged.
  std::vector<json> StaffEvents() {
    std::vector<json> out;
    for (const auto& e : EventsWith("staffChanged"))
      if (e["staffChanged"]["staff"].value("id", "").starts_with("test."))
        out.push_back(e);
    return out;
  }

  // Replaces the rota, based on the version GET /api/v1/vakt shows now.
  HttpResponse PutRota(const std::vector<json>& shifts,
                       std::map<std::string, std::string> headers = {}) {
    HttpResponse current = client_->Get(kVakt);
    EXPECT_EQ(current.status, 200) << current.body;
    if (!headers.count("If-Match"))
      headers.emplace("If-Match", current.header("etag"));
    return Put(kVakt, json({{"shifts", json(shifts)}}).dump(), headers);
  }

  static json Shift(const std::string& start, const std::string& end,
                    const std::string& primary,
                    const std::string& backup = "") {
    json s = {{"start", start}, {"end", end}, {"primary", primary}};
    if (!backup.empty()) s["backup"] = backup;
    return s;
  }

  void ExpectInvalid(const HttpResponse& r,
                     const std::set<std::string>& pointers,
                     const std::string& before, const std::string& what) {
    SCOPED_TRACE(what);
    ExpectProblem(r, 422, "/problems/invalid-field");
    EXPECT_EQ(Pointers(r), pointers) << r.body;
    EXPECT_EQ(StaffSnapshot(), before) << "a refused change wrote something";
  }
};

// ------------------------------------------------------------ the registry

TEST_F(Staff, CreateGetUpdateRoundTripWithVersionsAndEvents) {
  HttpResponse r = client_->Post(
      kStaff, NewPerson().dump(),
      {{"X-Actor", "leder.kari"}, {"X-Request-Id", "new-person-1"}});
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.header("location"), PersonPath("test.radgiver"));
  EXPECT_EQ(r.header("etag"), "\"1\"");
  json p = Parse(r);
  EXPECT_EQ(p["version"], 1);
  EXPECT_EQ(p["active"], true) << "active when left out";
  EXPECT_EQ(p["employerMunicipality"], "rollag") << "the home municipality";
  EXPECT_EQ(p["covers"], json({"rollag", "flesberg"})) << "home first";
  EXPECT_EQ(p["ftePercent"], 60);
  ASSERT_TRUE(p.contains("now")) << r.body;
  EXPECT_EQ(p["now"]["openTickets"], 0);
  EXPECT_EQ(p["now"]["load"], 0);
  EXPECT_EQ(p["now"]["onVakt"], false);

  HttpResponse got = client_->Get(PersonPath("test.radgiver"));
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(got.header("etag"), "\"1\"");
  EXPECT_EQ(Record(Parse(got)), Record(p));

  json edit = Record(p);
  edit.erase("version");
  edit["title"] = "IKT-veileder i skolen";
  edit["skills"] = {"user-support", "school-platforms"};
  HttpResponse put = Put(PersonPath("test.radgiver"), edit.dump(),
                         {{"If-Match", "\"1\""}, {"X-Actor", "leder.ola"}});
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(put.header("etag"), "\"2\"");
  json changed = Parse(put);
  EXPECT_EQ(changed["version"], 2);
  EXPECT_EQ(changed["title"], "IKT-veileder i skolen");
  EXPECT_TRUE(changed.contains("now"));
  EXPECT_EQ(Record(GetJson(PersonPath("test.radgiver"))), Record(changed));

  std::vector<json> events = StaffEvents();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0]["actor"], "leder.kari");
  EXPECT_EQ(events[0]["requestId"], "new-person-1");
  EXPECT_EQ(events[0]["staffChanged"]["change"], "created");
  EXPECT_EQ(events[0]["staffChanged"]["staff"]["id"], "test.radgiver");
  EXPECT_FALSE(events[0]["staffChanged"]["staff"].contains("now"))
      << "the event holds the record, not the moment";
  EXPECT_EQ(events[1]["actor"], "leder.ola");
  EXPECT_EQ(events[1]["staffChanged"]["change"], "updated");
  EXPECT_EQ(events[1]["staffChanged"]["staff"]["title"],
            "IKT-veileder i skolen");
  EXPECT_EQ(events[1]["staffChanged"]["staff"]["version"], 2);

  // The same record again (as GET shows it, `now` and all) changes nothing.
  const std::string before = StaffSnapshot();
  HttpResponse same = Put(PersonPath("test.radgiver"), changed.dump());
  ASSERT_EQ(same.status, 200) << same.body;
  EXPECT_EQ(Parse(same)["version"], 2);
  EXPECT_EQ(StaffSnapshot(), before);
}

TEST_F(Staff, AChangeNeedsTheVersionItWasBasedOn) {
  json p = Record(CreatePerson(NewPerson()));
  const std::string target = PersonPath("test.radgiver");
  json edit = p;
  edit.erase("version");
  edit["phone"] = "+47 99 99 99 99";
  const std::string before = StaffSnapshot();

  ExpectProblem(Put(target, edit.dump()), 428, "/problems/version-required");
  HttpResponse stale = Put(target, edit.dump(), {{"If-Match", "\"7\""}});
  ExpectProblem(stale, 409, "/problems/version-conflict");
  EXPECT_EQ(Parse(stale)["currentVersion"], 1) << stale.body;
  edit["version"] = 3;
  HttpResponse stale_body = Put(target, edit.dump());
  ExpectProblem(stale_body, 409, "/problems/version-conflict");
  EXPECT_EQ(Parse(stale_body)["currentVersion"], 1) << stale_body.body;
  ExpectProblem(
      Put(PersonPath("finnes.ikke"), edit.dump(), {{"If-Match", "\"1\""}}), 404,
      "/problems/not-found");
  json renamed = p;
  renamed["id"] = "noen.andre";
  ExpectInvalid(Put(target, renamed.dump()), {"/id"}, before, "a new id");
  EXPECT_EQ(StaffSnapshot(), before);

  // Two changes based on the same version: the second is refused.
  edit["version"] = 1;
  ASSERT_EQ(Put(target, edit.dump()).status, 200);
  edit["phone"] = "+47 11 11 11 11";
  HttpResponse lost = Put(target, edit.dump());
  ExpectProblem(lost, 409, "/problems/version-conflict");
  EXPECT_EQ(Parse(lost)["currentVersion"], 2) << lost.body;
  EXPECT_EQ(GetJson(target)["phone"], "+47 99 99 99 99");
}

TEST_F(Staff, OfEditorsRacingWithOneVersionExactlyOneWins) {
  json base = Record(CreatePerson(NewPerson()));
  const std::string target = PersonPath("test.radgiver");
  constexpr int kRacers = 6;
  const std::vector<int> codes =
      RaceAs(kDesk, kRacers, "PUT", target, [&](int i) {
        json body = base;
        body["title"] = "Tittel " + std::to_string(i);
        return body.dump();
      });
  EXPECT_EQ(std::count(codes.begin(), codes.end(), 200), 1);
  EXPECT_EQ(std::count(codes.begin(), codes.end(), 409), kRacers - 1);
  EXPECT_EQ(GetJson(target)["version"], 2);
  EXPECT_EQ(StaffEvents().size(), 2u);
}

TEST_F(Staff, InvalidRecordsAre422NamingEveryPointerAndChangeNothing) {
  const std::string before = StaffSnapshot();
  struct Case {
    std::string what;
    std::function<void(json&)> mutate;
    std::set<std::string> pointers;
  };
  std::vector<Case> cases = {
      {"unknown municipality",
       [](json& j) { j["homeMunicipality"] = "oslo"; },
       {"/homeMunicipality"}},
      {"fte 0", [](json& j) { j["ftePercent"] = 0; }, {"/ftePercent"}},
      {"fte over 100", [](json& j) { j["ftePercent"] = 150; }, {"/ftePercent"}},
      {"unknown skill",
       [](json& j) {
         j["skills"] = {"network", "sveising"};
       },
       {"/skills/1"}},
      {"unknown covered municipality (home not listed)",
       [](json& j) {
         j["covers"] = {"bergen", "flesberg"};
       },
       {"/covers/0"}},
      {"unknown covered municipality (home listed last)",
       [](json& j) {
         j["covers"] = {"flesberg", "bergen", "rollag"};
       },
       {"/covers/1"}},
      {"a municipality covered twice",
       [](json& j) {
         j["covers"] = {"flesberg", "flesberg"};
       },
       {"/covers/1"}},
      {"unknown employer",
       [](json& j) { j["employerMunicipality"] = "bergen"; },
       {"/employerMunicipality"}},
      {"id that is not an id",
       [](json& j) { j["id"] = "Kari Haugen"; },
       {"/id"}},
      {"id with a slash", [](json& j) { j["id"] = "kari/haugen"; }, {"/id"}},
      {"id with æøå", [](json& j) { j["id"] = "kåre.ødegård"; }, {"/id"}},
      {"no id", [](json& j) { j.erase("id"); }, {"/id"}},
      {"no name", [](json& j) { j.erase("name"); }, {"/name"}},
      {"working hours ending before they start",
       [](json& j) { j["workingHours"][0]["end"] = "07:00"; },
       {"/workingHours/0/end"}},
      {"an absence without a kind",
       [](json& j) { j["absences"][0].erase("kind"); },
       {"/absences/0/kind"}},
      {"everything at once",
       [](json& j) {
         j["homeMunicipality"] = "oslo";
         j["ftePercent"] = 0;
         j["skills"] = {"sveising"};
       },
       {"/homeMunicipality", "/ftePercent", "/skills/0"}},
  };
  for (const auto& c : cases) {
    json body = NewPerson();
    c.mutate(body);
    HttpResponse r = client_->Post(kStaff, body.dump());
    ExpectInvalid(r, c.pointers, before, c.what);
    EXPECT_NE(Parse(r).value("detail", "").find("nothing was changed"),
              std::string::npos)
        << c.what << ": " << r.body;
  }
  ExpectProblem(client_->Get(PersonPath("test.radgiver")), 404,
                "/problems/not-found");

  // The same checks on a change.
  json p = Record(CreatePerson(NewPerson()));
  const std::string with_person = StaffSnapshot();
  p["ftePercent"] = 0;
  p["homeMunicipality"] = "drammen";
  ExpectInvalid(Put(PersonPath("test.radgiver"), p.dump()),
                {"/ftePercent", "/homeMunicipality"}, with_person,
                "an invalid change");
}

TEST_F(Staff, CreatingAnIdTwiceIs409AndChangesNothing) {
  CreatePerson(NewPerson());
  const std::string before = StaffSnapshot();
  json again = NewPerson();
  again["name"] = "Et annet navn";
  HttpResponse r = client_->Post(kStaff, again.dump());
  ExpectProblem(r, 409, "/problems/already-exists");
  EXPECT_NE(Parse(r).value("detail", "").find("test.radgiver"),
            std::string::npos)
      << r.body;
  EXPECT_EQ(StaffSnapshot(), before);
  EXPECT_EQ(GetJson(PersonPath("test.radgiver"))["name"], "Test Rådgiver");
}

TEST_F(Staff, TheListFiltersByMunicipalitySkillAndActive) {
  CreatePerson(NewPerson("test.a"));
  json b = NewPerson("test.b");
  b["homeMunicipality"] = "hjartdal";
  b["covers"] = json::array();
  b["skills"] = {"servers"};
  b["active"] = false;
  // Away for as long as this test will run: absent and not at work.
  b["absences"] = {
      {{"from", "2020-01-01"}, {"to", "2099-12-31"}, {"kind", "sick"}}};
  CreatePerson(b);

  auto ids = [&](const std::string& query) {
    std::vector<std::string> out;
    for (const auto& m :
         GetJson(std::string(kStaff) + query).value("staff", json::array())) {
      EXPECT_TRUE(m.contains("now")) << m.dump();
      out.push_back(m.value("id", "?"));
    }
    return out;
  };
  std::vector<std::string> all = ids("");
  EXPECT_TRUE(std::is_sorted(all.begin(), all.end()));
  EXPECT_TRUE(Contains(all, "test.a") && Contains(all, "test.b"));
  // Flesberg is covered by the Rollag adviser hired in; Rollag by her home.
  EXPECT_TRUE(Contains(ids("?municipality=flesberg"), "test.a"));
  EXPECT_FALSE(Contains(ids("?municipality=flesberg"), "test.b"));
  EXPECT_TRUE(Contains(ids("?municipality=hjartdal"), "test.b"));
  EXPECT_TRUE(Contains(ids("?skill=network"), "test.a"));
  EXPECT_FALSE(Contains(ids("?skill=network"), "test.b"));
  json inactive = GetJson(std::string(kStaff) +
                          "?active=false&municipality=hjartdal&skill=servers");
  std::vector<std::string> found;
  for (const auto& m : inactive.value("staff", json::array())) {
    found.push_back(m.value("id", "?"));
    EXPECT_EQ(m["active"], false) << m.dump();
    EXPECT_TRUE(
        Contains(m["covers"].get<std::vector<std::string>>(), "hjartdal"))
        << m.dump();
    EXPECT_TRUE(
        Contains(m["skills"].get<std::vector<std::string>>(), "servers"))
        << m.dump();
  }
  EXPECT_TRUE(Contains(found, "test.b")) << inactive.dump();
  EXPECT_FALSE(Contains(found, "test.a"));
  EXPECT_FALSE(Contains(ids("?active=true"), "test.b"));

  json sick = GetJson(PersonPath("test.b"));
  EXPECT_EQ(sick["now"]["absent"], "sick") << sick.dump();
  EXPECT_EQ(sick["now"]["atWork"], false);

  for (const char* bad :
       {"?municipality=oslo", "?skill=sveising", "?active=maybe", "?status=new",
        "?active=true&active=false"}) {
    ExpectProblem(client_->Get(std::string(kStaff) + bad), 400,
                  "/problems/invalid-parameter");
  }
}

// The demo region's people (seeded on first start): correct once the seed
// of about 32 staff is wired in.
TEST_F(Staff, TheDemoStaffAreThereWithWhatTheyAreDoingNow) {
  json list = GetJson(kStaff);
  ASSERT_GT(list.value("staff", json::array()).size(), 20u) << list.dump();
  for (const auto& m : list["staff"]) {
    EXPECT_TRUE(m.contains("now")) << m.dump();
    EXPECT_GE(m.value("version", 0), 1) << m.dump();
  }
  EXPECT_FALSE(GetJson(std::string(kStaff) + "?municipality=hjartdal")
                   .value("staff", json::array())
                   .empty())
      << "Hjartdal has its one person";
}

// ------------------------------------------------------------ the rota

TEST_F(Staff, TheRotaIsReplacedWholeAndReadBackInTimeOrder) {
  CreatePerson(NewPerson("test.a"));
  CreatePerson(NewPerson("test.b"));
  const uint32_t before_version = GetJson(kVakt).value("version", 0);
  std::vector<json> shifts = {
      Shift("2031-03-10T15:30:00Z", "2031-03-17T07:00:00Z", "test.b", "test.a"),
      Shift("2031-03-03T15:30:00Z", "2031-03-10T07:00:00Z", "test.a", "test.b"),
  };
  shifts[1]["note"] = "Påskeuka: ring backup om primær ikke svarer";
  HttpResponse r = PutRota(shifts, {{"X-Actor", "leder.kari"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("etag"), "\"" + std::to_string(before_version + 1) + "\"");
  json rota = Parse(r);
  EXPECT_EQ(rota["version"], before_version + 1);
  ASSERT_EQ(rota["shifts"].size(), 2u);
  EXPECT_EQ(rota["shifts"][0]["primary"], "test.a") << "sorted by start";
  EXPECT_EQ(rota["shifts"][0]["start"], "2031-03-03T15:30:00Z");
  EXPECT_EQ(rota["shifts"][0]["note"], shifts[1]["note"]);
  EXPECT_EQ(rota["shifts"][1]["primary"], "test.b");

  HttpResponse got = client_->Get(kVakt);
  EXPECT_EQ(got.header("etag"), r.header("etag"));
  EXPECT_EQ(Parse(got), rota);

  // A range gives the shifts overlapping it, over midnight and all.
  json first = GetJson(std::string(kVakt) +
                       "?from=2031-03-05T00:00:00Z&to=2031-03-06T00:00:00Z");
  ASSERT_EQ(first["shifts"].size(), 1u) << first.dump();
  EXPECT_EQ(first["shifts"][0]["primary"], "test.a");
  json edge = GetJson(std::string(kVakt) +
                      "?from=2031-03-10T06:00:00Z&to=2031-03-10T16:00:00Z");
  EXPECT_EQ(edge["shifts"].size(), 2u) << edge.dump();
  json later = GetJson(std::string(kVakt) + "?from=2031-03-17T07:00:00Z");
  EXPECT_EQ(later["shifts"].size(), 0u)
      << "a shift ends where the range begins";
  for (const char* bad :
       {"?from=yesterday", "?from=2031-03-10T00:00:00Z&to=2031-03-01T00:00:00Z",
        "?week=11"}) {
    ExpectProblem(client_->Get(std::string(kVakt) + bad), 400,
                  "/problems/invalid-parameter");
  }

  std::vector<json> events = EventsWith("vaktChanged");
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back()["actor"], "leder.kari");
  EXPECT_EQ(events.back()["vaktChanged"]["version"], before_version + 1);
  EXPECT_EQ(events.back()["vaktChanged"]["shifts"], 2);

  // The same shifts again change nothing.
  const std::string same = StaffSnapshot();
  HttpResponse again = PutRota(shifts);
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(Parse(again)["version"], before_version + 1);
  EXPECT_EQ(StaffSnapshot(), same);
}

TEST_F(Staff, ABadRotaIsRefusedWithPointersAndChangesNothing) {
  CreatePerson(NewPerson("test.a"));
  CreatePerson(NewPerson("test.b"));
  json gone = NewPerson("test.sluttet");
  gone["active"] = false;
  CreatePerson(gone);
  ASSERT_EQ(
      PutRota({Shift("2031-03-03T15:30:00Z", "2031-03-10T07:00:00Z", "test.a")})
          .status,
      200);
  const std::string before = StaffSnapshot();

  ExpectInvalid(
      PutRota(
          {Shift("2031-03-03T15:30:00Z", "2031-03-10T07:00:00Z", "test.a"),
           Shift("2031-03-09T15:30:00Z", "2031-03-16T07:00:00Z", "test.b")}),
      {"/shifts/1"}, before, "overlapping shifts");
  ExpectInvalid(PutRota({Shift("2031-03-03T15:30:00Z", "2031-03-10T07:00:00Z",
                               "finnes.ikke", "test.a")}),
                {"/shifts/0/primary"}, before, "an unknown person");
  ExpectInvalid(PutRota({Shift("2031-03-03T15:30:00Z", "2031-03-10T07:00:00Z",
                               "test.a", "test.sluttet")}),
                {"/shifts/0/backup"}, before, "someone who has left");
  ExpectInvalid(PutRota({Shift("2031-03-10T07:00:00Z", "2031-03-03T15:30:00Z",
                               "test.a", "test.a")}),
                {"/shifts/0/end", "/shifts/0/backup"}, before,
                "ends before it starts, backup is primary");
  ExpectInvalid(PutRota({json{{"start", "2031-03-03T15:30:00Z"}}}),
                {"/shifts/0/end", "/shifts/0/primary"}, before,
                "no end, nobody on vakt");

  ExpectProblem(PutRota({}, {{"If-Match", "\"99\""}}), 409,
                "/problems/version-conflict");
  ExpectProblem(Put(kVakt, json({{"shifts", json::array()}}).dump()), 428,
                "/problems/version-required");
  EXPECT_EQ(StaffSnapshot(), before);
}

TEST_F(Staff, VaktNowSaysWhoIsOnCallAtAnInstant) {
  CreatePerson(NewPerson("test.a"));
  CreatePerson(NewPerson("test.b"));
  ASSERT_EQ(
      PutRota({Shift("2031-03-03T15:30:00Z", "2031-03-04T07:00:00Z", "test.a",
                     "test.b"),
               Shift("2031-03-05T15:30:00Z", "2031-03-06T07:00:00Z", "test.b")})
          .status,
      200);

  json in = GetJson(std::string(kVaktNow) + "?at=2031-03-03T23:00:00Z");
  EXPECT_EQ(in["at"], "2031-03-03T23:00:00Z");
  EXPECT_EQ(in["covered"], true) << in.dump();
  EXPECT_EQ(in["shift"]["primary"], "test.a");
  EXPECT_EQ(in["primary"]["id"], "test.a");
  EXPECT_EQ(in["primary"]["name"], "Test Rådgiver");
  EXPECT_EQ(in["primary"]["phone"], "+47 32 00 00 00") << "to be called";
  EXPECT_EQ(in["primary"]["now"]["onVakt"], true);
  EXPECT_EQ(in["primary"]["now"]["atWork"], false) << "midnight in Oslo";
  EXPECT_EQ(in["backup"]["id"], "test.b");
  EXPECT_EQ(in["backup"]["now"]["onVakt"], true);
  EXPECT_EQ(in["next"]["start"], "2031-03-05T15:30:00Z");

  // An offset as a person types it ('+' unencoded in the query): 00:30 in
  // Oslo is 23:30 UTC, still the first shift.
  json offset =
      GetJson(std::string(kVaktNow) + "?at=2031-03-04T00:30:00+01:00");
  EXPECT_EQ(offset["covered"], true) << offset.dump();
  EXPECT_EQ(offset["shift"]["primary"], "test.a");

  json between = GetJson(std::string(kVaktNow) + "?at=2031-03-04T12:00:00Z");
  EXPECT_EQ(between["covered"], false) << between.dump();
  EXPECT_FALSE(between.contains("shift"));
  EXPECT_FALSE(between.contains("primary"));
  EXPECT_EQ(between["next"]["primary"], "test.b");

  json no_backup = GetJson(std::string(kVaktNow) + "?at=2031-03-06T06:59:59Z");
  EXPECT_EQ(no_backup["covered"], true) << no_backup.dump();
  EXPECT_EQ(no_backup["primary"]["id"], "test.b");
  EXPECT_FALSE(no_backup.contains("backup"));
  EXPECT_FALSE(no_backup.contains("next"));

  json after = GetJson(std::string(kVaktNow) + "?at=2031-03-06T07:00:00Z");
  EXPECT_EQ(after["covered"], false) << "a shift's end is not in it";
  EXPECT_FALSE(after.contains("next"));

  EXPECT_TRUE(GetJson(kVaktNow).contains("at")) << "the server's now";
  ExpectProblem(client_->Get(std::string(kVaktNow) + "?at=i%20morgen"), 400,
                "/problems/invalid-parameter");
  ExpectProblem(client_->Get(std::string(kVaktNow) + "?when=now"), 400,
                "/problems/invalid-parameter");
}

// ------------------------------------------------------------ durability

TEST_F(Staff, PeopleAndRotaSurviveARestart) {
  json p = CreatePerson(NewPerson(), {{"X-Actor", "leder.kari"}});
  ASSERT_EQ(PutRota({Shift("2031-03-03T15:30:00Z", "2031-03-10T07:00:00Z",
                           "test.radgiver")},
                    {{"X-Actor", "leder.kari"}})
                .status,
            200);
  const json rota = GetJson(kVakt);
  const std::string before = StaffSnapshot();

  ASSERT_EQ(daemon_->Restart(), "");
  Reconnect();
  EXPECT_EQ(Record(GetJson(PersonPath("test.radgiver"))), Record(p));
  EXPECT_EQ(GetJson(kVakt), rota);
  EXPECT_EQ(StaffSnapshot(), before);
  std::vector<json> staff_events = StaffEvents();
  ASSERT_FALSE(staff_events.empty());
  EXPECT_EQ(staff_events.back()["actor"], "leder.kari");
  EXPECT_FALSE(EventsWith("vaktChanged").empty());
  // And the versions carry on from where they were.
  json edit = Record(p);
  edit["title"] = "Etter omstart";
  HttpResponse put = Put(PersonPath("test.radgiver"), edit.dump());
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(Parse(put)["version"], 2);
}

// ------------------------------------------------------------ HTTP

TEST_F(Staff, WritesNeedJsonAnAllowedMethodAndARoute) {
  CreatePerson(NewPerson());
  const std::string before = StaffSnapshot();
  const std::string person = PersonPath("test.radgiver");
  for (const auto& [method, target] :
       std::vector<std::pair<std::string, std::string>>{
           {"POST", kStaff}, {"PUT", person}, {"PUT", kVakt}}) {
    ExpectProblem(client_->Send(method, target, NewPerson().dump(),
                                {{"Content-Type", "text/plain"}}),
                  415, "/problems/unsupported-media-type");
  }
  struct Case {
    std::string method, target;
    std::set<std::string> must_allow;
  };
  for (const Case& c : std::vector<Case>{
           {"PUT", kStaff, {"GET", "POST"}},
           {"DELETE", kStaff, {"GET", "POST"}},
           {"DELETE", person, {"GET", "PUT"}},
           {"POST", person, {"GET", "PUT"}},
           {"PATCH", person, {"GET", "PUT"}},
           {"POST", kVakt, {"GET", "PUT"}},
           {"DELETE", kVakt, {"GET", "PUT"}},
           {"PUT", kVaktNow, {"GET"}},
           {"POST", kVaktNow, {"GET"}},
       }) {
    std::string what = c.method + " " + c.target;
    HttpResponse r = client_->Send(c.method, c.target, "{}",
                                   {{"Content-Type", "application/json"}});
    ExpectProblem(r, 405, "/problems/method-not-allowed");
    std::set<std::string> allow = AllowSet(r);
    for (const auto& m : c.must_allow)
      EXPECT_TRUE(allow.count(m)) << what << ": Allow: " << r.header("allow");
    EXPECT_FALSE(allow.count(c.method)) << what << ": " << r.header("allow");
  }
  // Ids that cannot be ids, slashes and unicode in paths: not found, never
  // a crash, nothing written.
  for (const std::string& target :
       {person + "/absences", std::string(kStaff) + "/", person + "%2Fx",
        std::string(kStaff) + "/k%C3%A5re", std::string(kStaff) + "/..",
        std::string(kStaff) + "/" + std::string(300, 'a'),
        std::string(kVakt) + "/later", std::string(kVaktNow) + "/x"}) {
    ExpectProblem(client_->Get(target), 404, "/problems/not-found");
    ExpectProblem(Put(target, NewPerson().dump(), {{"If-Match", "\"1\""}}), 404,
                  "/problems/not-found");
  }
  EXPECT_EQ(StaffSnapshot(), before);
}

TEST_F(Staff, MalformedBodiesAreProblemsAndTheDaemonLivesOn) {
  CreatePerson(NewPerson());
  const std::string before = StaffSnapshot();
  const std::string person = PersonPath("test.radgiver");
  std::string many_covers = "[";
  for (int i = 0; i < 6000; ++i) many_covers += i ? ",\"x\"" : "\"x\"";
  many_covers += "]";
  struct Case {
    std::string method, target, body;
    int status;
  };
  for (
      const Case& c : std::vector<Case>{
          {"POST", kStaff, "", 400},
          {"POST", kStaff, "{", 400},
          {"POST", kStaff, "[1,2]", 400},
          {"PUT", person, "not json", 400},
          {"PUT", kVakt, "null", 400},
          {"POST", kStaff, R"({"id":"x.y","ftePercent":"sixty"})", 422},
          {"POST", kStaff, R"({"id":"x.y","ftePercent":-5})", 422},
          {"POST", kStaff, R"({"id":"x.y","ftePercent":1e40})", 422},
          {"POST", kStaff, R"({"id":7})", 422},
          {"POST", kStaff, R"({"id":"x.y","skills":"network"})", 422},
          {"POST", kStaff, R"({"id":"x.y","active":"yes"})", 422},
          {"POST", kStaff, R"({"id":"x.y","lønn":500000})", 422},
          {"POST", kStaff,
           R"({"id":"x.y","absences":[{"from":"2031-01-01","kind":"ferie"}]})",
           422},
          {"POST", kStaff,
           R"({"id":"x.y","name":"X","homeMunicipality":"rollag","ftePercent":50,"covers":)" +
               many_covers + "}",
           422},
          {"PUT", person, R"({"version":1,"workingHours":[{"days":[9]}]})",
           422},
          {"PUT", kVakt, R"({"shifts":{}})", 422},
          {"PUT", kVakt, R"({"shifts":[{"start":"i morgen"}]})", 422},
          {"PUT", kVakt, R"({"shifts":[{"start":12345}]})", 422},
          {"PUT", kVakt, R"({"shifts":[[]]})", 422},
      }) {
    std::string what =
        c.method + " " + c.target + " <- " + c.body.substr(0, 80);
    HttpResponse r = client_->Send(
        c.method, c.target, c.body,
        {{"Content-Type", "application/json"}, {"If-Match", "\"1\""}});
    if (client_->Get("/healthz").status != 200) {
      ADD_FAILURE() << "the daemon died on " << what;
      daemon_->Kill9();
      ASSERT_EQ(daemon_->Start(), "");
      Reconnect();
      continue;
    }
    SCOPED_TRACE(what);
    ExpectProblem(r, c.status,
                  c.status == 400 ? "/problems/malformed-json"
                                  : "/problems/invalid-field");
  }
  // An X-Actor naming someone other than the caller is refused before
  // anything is decided (a client without ActAs sends it as it is).
  HttpClient bare(daemon_->port());
  auto as_desk = ids_->As(kDesk);
  as_desk["X-Actor"] = std::string(500, 'a');
  HttpResponse other = bare.Post(kStaff, NewPerson("x.y").dump(), as_desk);
  ExpectProblem(other, 403, "/problems/forbidden");
  EXPECT_EQ(Parse(other).value("field", ""), "X-Actor") << other.body;
  EXPECT_EQ(StaffSnapshot(), before);
}

// Handle routes on the decoded path: an encoded one is the same route, and
// its write is answered like any other.
TEST_F(Staff, AnEncodedPathIsTheSameRoute) {
  HttpResponse r = client_->Post("/api/v1/%73taff", NewPerson().dump());
  ASSERT_EQ(r.status, 201) << r.body;
  json p = Parse(r);
  json edit = Record(p);
  edit["title"] = "Kodet sti";
  HttpResponse put = Put("/api/v1/staff/test%2Eradgiver", edit.dump());
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(Parse(put)["version"], 2);
  HttpResponse vakt =
      Put("/api/v1/%76akt", json({{"shifts", json::array()}}).dump(),
          {{"If-Match", client_->Get(kVakt).header("etag")}});
  EXPECT_EQ(vakt.status, 200) << vakt.body;
  EXPECT_EQ(client_->Get("/healthz").status, 200);
}

}  // namespace
}  // namespace helpdesk::testing
