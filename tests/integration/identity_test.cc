// Logging in and out, sessions that expire, cookies with their CSRF token,
// API tokens, the first start's credentials, and what each person sees of
// a ticket: against a real daemon.

#include <sys/stat.h>

#include <fstream>

#include "tests/integration/fixture.h"

namespace helpdesk::testing {
namespace {

class Identity : public DaemonTest {
 protected:
  HttpResponse Login(const std::string& account, const std::string& password) {
    HttpClient c(daemon_->port());
    return c.Post("/api/v1/session",
                  json{{"account", account}, {"password", password}}.dump());
  }
  std::string PasswordOf(const std::string& account) {
    return ids_->Passwords()[account];
  }
  static std::map<std::string, std::string> Bearer(const std::string& token) {
    return {{"Authorization", "Bearer " + token}};
  }
};

TEST_F(Identity, TheFirstStartWritesItsPasswordsToAnOwnerOnlyFile) {
  const std::string path = daemon_->data_dir() + "/first-start-credentials.txt";
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0) << path;
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  const auto passwords = ids_->Passwords();
  EXPECT_EQ(passwords.size(), 1u + 32u + 7u)
      << "the admin, an agent per demo staff member, an employee per "
         "municipality";
  EXPECT_GE(passwords.at("admin").size(), 20u);
  EXPECT_NE(daemon_->Log().find(path), std::string::npos)
      << "the log says where the passwords are";
  // A restart finds accounts and writes no new passwords.
  const std::string before = passwords.at("admin");
  ASSERT_EQ(daemon_->Restart(), "");
  ids_->set_port(daemon_->port());
  EXPECT_EQ(ids_->Passwords().at("admin"), before);
  EXPECT_EQ(Login("admin", before).status, 201);
}

TEST_F(Identity, NoCredentialIs401AndAWrongLoginSaysNotWhichPartWasWrong) {
  HttpClient anonymous(daemon_->port());
  HttpResponse none = anonymous.Get("/api/v1/tickets");
  ExpectProblem(none, 401, "/problems/unauthenticated");
  EXPECT_EQ(none.header("www-authenticate"), "Bearer realm=\"helpdeskd\"");
  ExpectProblem(anonymous.Get("/api/v1/tickets", Bearer("hds_not-a-token")),
                401, "/problems/unauthenticated");

  HttpResponse wrong_password = Login("ole.kristiansen", "feil-passord-her");
  HttpResponse no_account = Login("finnes.ikke", "feil-passord-her");
  ExpectProblem(wrong_password, 401, "/problems/unauthenticated");
  ExpectProblem(no_account, 401, "/problems/unauthenticated");
  EXPECT_EQ(Parse(wrong_password).value("detail", ""),
            Parse(no_account).value("detail", ""));
}

// Guessing is slowed: after five failures to one account, every attempt
// waits, even with the right password; other accounts log in as before.
TEST_F(Identity, LoginsToAnAccountWaitAfterFiveFailures) {
  for (int i = 0; i < 5; ++i)
    ExpectProblem(Login("lars.bakken", "gjett-nummer-" + std::to_string(i)),
                  401, "/problems/unauthenticated");
  HttpResponse slowed = Login("lars.bakken", PasswordOf("lars.bakken"));
  ExpectProblem(slowed, 429, "/problems/too-many-requests");
  EXPECT_GE(std::stoi(slowed.header("retry-after")), 1) << slowed.body;
  EXPECT_EQ(Login("kari.haugen", PasswordOf("kari.haugen")).status, 201);
}

TEST_F(Identity, ALoginIsASessionUntilLogoutAndThePasswordIsNeverShown) {
  HttpResponse login = Login("ole.kristiansen", PasswordOf("ole.kristiansen"));
  ASSERT_EQ(login.status, 201) << login.body;
  const json session = Parse(login);
  const std::string token = session.value("token", "");
  EXPECT_TRUE(token.starts_with("hds_")) << login.body;
  EXPECT_GE(token.size(), 4u + 43u) << "256 random bits";
  EXPECT_FALSE(session["account"].contains("passwordHash")) << login.body;
  EXPECT_TRUE(session["account"].value("passwordSet", false));
  const std::string cookie = login.header("set-cookie");
  EXPECT_TRUE(cookie.starts_with("hd_session=" + token + ";")) << cookie;
  for (const char* part : {"HttpOnly", "SameSite=Strict", "Path=/"})
    EXPECT_NE(cookie.find(part), std::string::npos) << cookie;

  HttpClient c(daemon_->port());
  HttpResponse me = c.Get("/api/v1/session", Bearer(token));
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(Parse(me)["account"].value("id", ""), "ole.kristiansen");
  EXPECT_FALSE(Parse(me).contains("token")) << "the secret is shown once";
  HttpResponse accounts = c.Get("/api/v1/accounts", ids_->As("admin"));
  EXPECT_EQ(accounts.body.find("argon2"), std::string::npos) << accounts.body;

  ASSERT_EQ(c.Send("DELETE", "/api/v1/session", "", Bearer(token)).status, 200);
  ExpectProblem(c.Get("/api/v1/session", Bearer(token)), 401,
                "/problems/unauthenticated");
}

class ShortSessions : public Identity {
 protected:
  std::vector<std::string> Flags() override {
    return {std::string("--clock-start=") + kClockStart, "--clock-frozen",
            "--session-hours=1", "--max-sessions=2"};
  }
};

TEST_F(ShortSessions, ASessionEndsAtItsHourAndTheOldestGivesWayToANewOne) {
  const std::string password = PasswordOf("kari.haugen");
  std::vector<std::string> tokens;
  for (int i = 0; i < 3; ++i) {
    HttpResponse r = Login("kari.haugen", password);
    ASSERT_EQ(r.status, 201) << r.body;
    tokens.push_back(Parse(r).value("token", ""));
  }
  HttpClient c(daemon_->port());
  // At most two: the first ended when the third began.
  ExpectProblem(c.Get("/api/v1/session", Bearer(tokens[0])), 401,
                "/problems/unauthenticated");
  EXPECT_EQ(c.Get("/api/v1/session", Bearer(tokens[1])).status, 200);
  ASSERT_EQ(c.Post("/test/clock?at=2026-04-15T09:00:01Z", "{}").status, 200);
  ExpectProblem(c.Get("/api/v1/session", Bearer(tokens[2])), 401,
                "/problems/unauthenticated");
  // The sweep that ran with the clock's move deleted them.
  HttpResponse list = client_->Get("/api/v1/tokens?account=kari.haugen");
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_TRUE(Parse(list)["credentials"].empty()) << list.body;
  const json mine = Parse(client_->Get("/api/v1/session"));
  EXPECT_EQ(mine["credential"].value("lastUsedAt", ""), "")
      << "not written until the next sweep";
  ASSERT_EQ(c.Post("/test/clock?at=2026-04-15T09:01:00Z", "{}").status, 200);
  EXPECT_EQ(Parse(client_->Get("/api/v1/session"))["credential"].value(
                "lastUsedAt", ""),
            "2026-04-15T09:00:01Z");
}

TEST_F(Identity, ACookieSessionChangesNothingWithoutItsCsrfToken) {
  HttpResponse login = Login("gunn.heggelund", PasswordOf("gunn.heggelund"));
  ASSERT_EQ(login.status, 201) << login.body;
  const std::string cookie = "hd_session=" + Parse(login).value("token", "");
  const std::string csrf = Parse(login).value("csrfToken", "");
  ASSERT_FALSE(csrf.empty());
  HttpClient c(daemon_->port());
  EXPECT_EQ(c.Get("/api/v1/tickets", {{"Cookie", cookie}}).status, 200);
  const std::string before = Snapshot();
  HttpResponse forged =
      c.Post("/api/v1/tickets", GoodTicket().dump(), {{"Cookie", cookie}});
  ExpectProblem(forged, 403, "/problems/forbidden");
  EXPECT_EQ(Parse(forged).value("field", ""), "X-CSRF-Token");
  ExpectProblem(c.Post("/api/v1/tickets", GoodTicket().dump(),
                       {{"Cookie", cookie}, {"X-CSRF-Token", csrf + "x"}}),
                403, "/problems/forbidden");
  EXPECT_EQ(Snapshot(), before);
  EXPECT_EQ(c.Post("/api/v1/tickets", GoodTicket().dump(),
                   {{"Cookie", cookie}, {"X-CSRF-Token", csrf}})
                .status,
            201);
  // A page reloaded reads the token again.
  EXPECT_EQ(Parse(c.Get("/api/v1/session", {{"Cookie", cookie}}))
                .value("csrfToken", ""),
            csrf);
}

TEST_F(Identity, AnApiTokenWorksUntilRevokedAndIsListedWithoutItsSecret) {
  HttpResponse made = client_->Post("/api/v1/accounts",
                                    json{{"id", "veggskjerm"},
                                         {"name", "Veggskjerm"},
                                         {"roles", {"dashboard"}}}
                                        .dump(),
                                    ids_->As("admin"));
  ASSERT_EQ(made.status, 201) << made.body;
  HttpResponse created = client_->Post(
      "/api/v1/tokens",
      json{{"account", "veggskjerm"}, {"name", "Driftsrommet"}}.dump(),
      ids_->As("admin"));
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string token = Parse(created).value("token", "");
  const std::string id = Parse(created)["credential"].value("id", "");
  ASSERT_TRUE(token.starts_with("hdt_")) << created.body;

  HttpClient screen(daemon_->port());
  EXPECT_EQ(screen.Get("/api/v1/reports/sla", Bearer(token)).status, 200);
  ExpectProblem(screen.Get("/api/v1/tickets", Bearer(token)), 403,
                "/problems/forbidden");
  HttpResponse list =
      client_->Get("/api/v1/tokens?account=veggskjerm", ids_->As("admin"));
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.body.find(token), std::string::npos) << list.body;
  EXPECT_NE(list.body.find(id), std::string::npos) << list.body;
  // Made by an admin: an event, with who made it.
  bool recorded = false;
  for (const auto& e : AllEventsWithAccounts())
    recorded =
        recorded || (e.contains("credentialChanged") &&
                     e["credentialChanged"].value("credential", "") == id &&
                     e.value("actor", "") == "admin");
  EXPECT_TRUE(recorded);

  ASSERT_EQ(
      client_->Send("DELETE", "/api/v1/tokens/" + id, "", ids_->As("admin"))
          .status,
      200);
  ExpectProblem(screen.Get("/api/v1/reports/sla", Bearer(token)), 401,
                "/problems/unauthenticated");
}

// A body holding a password is never fingerprinted for an
// Idempotency-Key (a fast hash of it, kept a day).
TEST_F(Identity, APasswordTakesNoIdempotencyKey) {
  for (const auto& [target, body] : std::vector<std::pair<std::string, json>>{
           {"/api/v1/accounts",
            {{"id", "ny.person"},
             {"name", "Ny Person"},
             {"roles", {"agent"}},
             {"password", "et-langt-nok-passord"}}},
           {"/api/v1/accounts/arne.brekke/password",
            {{"password", "et-langt-nok-passord"}}}}) {
    auto headers = ids_->As("admin");
    headers["Idempotency-Key"] = "k-1";
    HttpResponse r = client_->Post(target, body.dump(), headers);
    ExpectProblem(r, 400, "/problems/invalid-parameter");
    EXPECT_EQ(Parse(r).value("parameter", ""), "Idempotency-Key") << target;
  }
  ExpectProblem(client_->Get("/api/v1/accounts/ny.person"), 404,
                "/problems/not-found");
}

TEST(FrozenClock, IsRefusedOnAListenerOthersCanReach) {
  ScratchDir dir;
  DaemonProcess d(dir.path() + "/data", {"--clock-start=2026-04-15T08:00:00Z",
                                         "--clock-frozen", "--listen=0.0.0.0"});
  const std::string why = d.Start();
  EXPECT_NE(why.find("loopback"), std::string::npos) << why;
}

TEST_F(Identity, ADisabledAccountIsLoggedOutEverywhere) {
  const std::string token = ids_->Token("arne.brekke");
  HttpClient c(daemon_->port());
  ASSERT_EQ(c.Get("/api/v1/session", Bearer(token)).status, 200);
  json account = GetJson("/api/v1/accounts/arne.brekke");
  account["disabled"] = true;
  HttpResponse disabled =
      c.Send("PUT", "/api/v1/accounts/arne.brekke", account.dump(),
             {{"Authorization", "Bearer " + ids_->Token("admin")},
              {"Content-Type", "application/json"},
              {"If-Match",
               "\"" + std::to_string(account.value("version", 0)) + "\""}});
  ASSERT_EQ(disabled.status, 200) << disabled.body;
  ExpectProblem(c.Get("/api/v1/session", Bearer(token)), 401,
                "/problems/unauthenticated");
  ExpectProblem(Login("arne.brekke", PasswordOf("arne.brekke")), 401,
                "/problems/unauthenticated");
}

// The actor of every change is who logged in; naming someone else is
// refused and writes nothing.
TEST_F(Identity, TheActorIsTheCredential) {
  const json t = Create();
  const std::string before = Snapshot();
  HttpResponse other =
      client_->Post("/api/v1/tickets/" + t.value("id", "") + "/comments",
                    json{{"author", "kari.haugen"}, {"body", "Hei"}}.dump());
  ExpectProblem(other, 403, "/problems/forbidden");
  EXPECT_EQ(Parse(other).value("field", ""), "author");
  EXPECT_EQ(Snapshot(), before);
  HttpResponse own = client_->Post(
      "/api/v1/tickets/" + t.value("id", "") + "/comments",
      json{{"body", "Vi ser på det"}}.dump(), ids_->As("gunn.heggelund"));
  ASSERT_EQ(own.status, 201) << own.body;
  EXPECT_EQ(AllEvents().back().value("actor", ""), "gunn.heggelund");
  EXPECT_EQ(Parse(own)["comments"].back().value("author", ""),
            "gunn.heggelund");
}

// An internal note is the staff's: an employee never sees it, on any
// route, nor counts it; nor is it the first response.
TEST_F(Identity, AnInternalNoteNeverReachesTheEmployee) {
  const json filed = FileAs("ansatt.rollag");
  const std::string id = filed.value("id", "");
  EXPECT_EQ(filed.value("reporter", ""), "ansatt.rollag");
  const std::string comments = "/api/v1/tickets/" + id + "/comments";
  HttpResponse note =
      client_->Post(comments,
                    json{{"body", "Intern: brukeren har ringt tre ganger"},
                         {"visibility", "internal"}}
                        .dump(),
                    ids_->As("gunn.heggelund"));
  ASSERT_EQ(note.status, 201) << note.body;
  EXPECT_EQ(Parse(note)["sla"]["firstResponse"].value("state", ""), "running")
      << "an internal note is no response to the user";
  ExpectProblem(
      client_->Post(comments,
                    json{{"body", "Hei"}, {"visibility", "internal"}}.dump(),
                    ids_->As("ansatt.rollag")),
      403, "/problems/forbidden");

  for (const std::string& target :
       {"/api/v1/tickets/" + id, comments, "/api/v1/tickets/" + id + "/events",
        std::string("/api/v1/tickets")}) {
    HttpResponse seen = client_->Get(target, ids_->As("ansatt.rollag"));
    ASSERT_EQ(seen.status, 200) << target << seen.body;
    EXPECT_EQ(seen.body.find("Intern:"), std::string::npos)
        << target << ": " << seen.body;
  }
  EXPECT_EQ(
      Parse(client_->Get("/api/v1/tickets/" + id, ids_->As("ansatt.rollag")))
          .value("commentCount", -1),
      0);
  HttpResponse staff = client_->Get("/api/v1/tickets/" + id);
  EXPECT_NE(staff.body.find("Intern:"), std::string::npos);

  HttpResponse reply =
      client_->Post(comments, json{{"body", "Vi kommer innom i dag."}}.dump(),
                    ids_->As("gunn.heggelund"));
  ASSERT_EQ(reply.status, 201) << reply.body;
  EXPECT_EQ(Parse(reply)["sla"]["firstResponse"].value("state", ""), "met");
  // The employee reads who answered by name, and who has the ticket,
  // without reading the staff registry.
  const json mine =
      Parse(client_->Get("/api/v1/tickets/" + id, ids_->As("ansatt.rollag")));
  ASSERT_FALSE(mine["comments"].empty()) << mine.dump();
  EXPECT_EQ(mine["comments"].back().value("authorName", ""), "Gunn Heggelund");
  if (!mine.value("assignee", "").empty()) {
    EXPECT_FALSE(mine["assignment"].value("assigneeName", "").empty())
        << mine.dump();
  }
}

// On their own resolved ticket an employee confirms or reopens; nothing
// else of the ticket is theirs to set.
TEST_F(Identity, AnEmployeeConfirmsOrReopensAndSetsNothingElse) {
  const json filed = FileAs("ansatt.rollag");
  const std::string id = filed.value("id", "");
  const std::string status = "/api/v1/tickets/" + id + "/status";
  auto move = [&](const std::string& to, const std::string& who) {
    const int v = GetJson("/api/v1/tickets/" + id).value("version", 0);
    return client_->Post(status, json{{"status", to}, {"version", v}}.dump(),
                         ids_->As(who));
  };
  HttpResponse early = move("closed", "ansatt.rollag");
  ExpectProblem(early, 403, "/problems/forbidden");
  EXPECT_EQ(Parse(early).value("field", ""), "status");
  ASSERT_EQ(move("in_progress", kDesk).status, 200);
  ASSERT_EQ(move("resolved", kDesk).status, 200);
  HttpResponse reopened = move("in_progress", "ansatt.rollag");
  EXPECT_EQ(reopened.status, 200) << reopened.body;
  ASSERT_EQ(move("resolved", kDesk).status, 200);
  EXPECT_EQ(move("closed", "ansatt.rollag").status, 200);

  json other = GoodTicket();
  other["reporter"] = "ansatt.tinn";
  ExpectProblem(
      client_->Post("/api/v1/tickets", other.dump(), ids_->As("ansatt.rollag")),
      403, "/problems/forbidden");
  other = GoodTicket();
  other.erase("reporter");
  other["priority"] = "critical";
  HttpResponse critical =
      client_->Post("/api/v1/tickets", other.dump(), ids_->As("ansatt.rollag"));
  ExpectProblem(critical, 403, "/problems/forbidden");
  EXPECT_EQ(Parse(critical).value("field", ""), "priority");
  // Nor does a typo of an assignee tell an employee who the staff are.
  HttpResponse typo = client_->Get("/api/v1/tickets?assignee=kari.haugn",
                                   ids_->As("ansatt.rollag"));
  ASSERT_EQ(typo.status, 200) << typo.body;
  EXPECT_EQ(typo.body.find("kari.haugen"), std::string::npos) << typo.body;
  other = GoodTicket();
  other.erase("reporter");
  other["municipality"] = "tinn";
  HttpResponse foreign =
      client_->Post("/api/v1/tickets", other.dump(), ids_->As("ansatt.rollag"));
  ExpectProblem(foreign, 403, "/problems/forbidden");
  EXPECT_EQ(Parse(foreign).value("field", ""), "municipality");
}

// A colleague the reporter adds follows the ticket: they see it, list it
// and comment, but only the reporter confirms it; nobody outside the
// municipality can be added, and the list of followers is the reporter's
// and staff's to shorten (and a follower's own name).
TEST_F(Identity, AColleagueFollowsATicketAsTheReporterLetsThem) {
  ids_->Employee("ansatt2.rollag", "rollag");
  ids_->Employee("ansatt3.rollag", "rollag");
  const json filed = FileAs("ansatt.rollag");
  const std::string id = filed.value("id", "");
  const std::string ticket = "/api/v1/tickets/" + id;
  const std::string followers = ticket + "/followers";
  auto follow = [&](const std::string& account, const std::string& as) {
    return client_->Post(followers, json{{"account", account}}.dump(),
                         ids_->As(as));
  };
  // Before: not theirs to see.
  ExpectProblem(client_->Get(ticket, ids_->As("ansatt2.rollag")), 404,
                "/problems/not-found");

  HttpResponse added = follow("ansatt2.rollag", "ansatt.rollag");
  ASSERT_EQ(added.status, 200) << added.body;
  EXPECT_EQ(Parse(added)["followers"], json::array({"ansatt2.rollag"}));
  HttpResponse seen = client_->Get(ticket, ids_->As("ansatt2.rollag"));
  ASSERT_EQ(seen.status, 200) << seen.body;
  const json mine =
      Parse(client_->Get("/api/v1/tickets", ids_->As("ansatt2.rollag")));
  ASSERT_EQ(mine["tickets"].size(), 1u) << mine.dump();
  EXPECT_EQ(mine["tickets"][0].value("id", ""), id);
  // Their own ticket and the followed one, newest first, in one list.
  const json own = FileAs("ansatt2.rollag");
  const json both = Parse(
      client_->Get("/api/v1/tickets?limit=1", ids_->As("ansatt2.rollag")));
  ASSERT_EQ(both["tickets"].size(), 1u);
  EXPECT_EQ(both["tickets"][0].value("id", ""), own.value("id", ""));
  const json rest = Parse(client_->Get(
      "/api/v1/tickets?limit=1&cursor=" + both.value("nextCursor", ""),
      ids_->As("ansatt2.rollag")));
  ASSERT_EQ(rest["tickets"].size(), 1u) << rest.dump();
  EXPECT_EQ(rest["tickets"][0].value("id", ""), id);

  // A follower comments and adds a colleague in turn.
  EXPECT_EQ(
      client_
          ->Post(ticket + "/comments", json{{"body", "Samme feil her."}}.dump(),
                 ids_->As("ansatt2.rollag"))
          .status,
      201);
  EXPECT_EQ(follow("ansatt3.rollag", "ansatt2.rollag").status, 200);
  // Who follows a ticket is no wall screen's business; staff see it.
  HttpResponse board = client_->Get("/api/v1/dashboard", ids_->As("admin"));
  ASSERT_EQ(board.status, 200) << board.body;
  EXPECT_NE(board.body.find("\"id\":\"" + id + "\""), std::string::npos);
  EXPECT_EQ(board.body.find("ansatt2.rollag"), std::string::npos);
  EXPECT_NE(client_->Get(ticket).body.find("ansatt3.rollag"),
            std::string::npos);

  // Refused, and nothing changes: another municipality's employee (as if
  // there were none), an unknown name, the reporter, one already there, a
  // name no account can have, none at all.
  const int version = GetJson(ticket).value("version", 0);
  for (const auto& [account, words] :
       std::vector<std::pair<std::string, std::string>>{
           {"ansatt.tinn", "no employee 'ansatt.tinn'"},
           {"finnes.ikke", "no employee 'finnes.ikke'"},
           {"kari.haugen", "no employee 'kari.haugen'"},
           {"ansatt.rollag", "follows it already"},
           {"ansatt2.rollag", "follows ticket"},
           {std::string(600, 'x'), "no employee"},
           {"", "'account' is required"}}) {
    HttpResponse r = follow(account, "ansatt.rollag");
    ExpectProblem(r, 422, "/problems/invalid-field");
    EXPECT_EQ(Parse(r).value("field", ""), "account") << r.body;
    EXPECT_NE(Parse(r).value("detail", "").find(words), std::string::npos)
        << account << ": " << r.body;
  }
  EXPECT_EQ(GetJson(ticket).value("version", 0), version);
  // To another municipality's employee the ticket is not there at all.
  ExpectProblem(follow("ansatt.tinn", "ansatt.tinn"), 404,
                "/problems/not-found");

  // Only the reporter confirms.
  auto move = [&](const std::string& to, const std::string& who) {
    const int v = GetJson(ticket).value("version", 0);
    return client_->Post(ticket + "/status",
                         json{{"status", to}, {"version", v}}.dump(),
                         ids_->As(who));
  };
  ASSERT_EQ(move("in_progress", kDesk).status, 200);
  ASSERT_EQ(move("resolved", kDesk).status, 200);
  HttpResponse confirm = move("closed", "ansatt2.rollag");
  ExpectProblem(confirm, 403, "/problems/forbidden");
  EXPECT_EQ(Parse(confirm).value("field", ""), "status");

  // A follower leaves; one may not remove another; the reporter may.
  ExpectProblem(client_->Send("DELETE", followers + "/ansatt3.rollag", "",
                              ids_->As("ansatt2.rollag")),
                403, "/problems/forbidden");
  HttpResponse left = client_->Send("DELETE", followers + "/ansatt2.rollag", "",
                                    ids_->As("ansatt2.rollag"));
  ASSERT_EQ(left.status, 200) << left.body;
  EXPECT_EQ(Parse(left)["followers"], json::array({"ansatt3.rollag"}));
  ExpectProblem(client_->Get(ticket, ids_->As("ansatt2.rollag")), 404,
                "/problems/not-found");
  EXPECT_EQ(client_
                ->Send("DELETE", followers + "/ansatt3.rollag", "",
                       ids_->As("ansatt.rollag"))
                .status,
            200);
  ExpectProblem(client_->Send("DELETE", followers + "/ansatt3.rollag", "",
                              ids_->As("ansatt.rollag")),
                422, "/problems/invalid-field");
  // Closed is final: nobody comes or goes any more.
  ASSERT_EQ(follow("ansatt2.rollag", "ansatt.rollag").status, 200);
  ASSERT_EQ(move("closed", "ansatt.rollag").status, 200);
  ExpectProblem(follow("ansatt3.rollag", "ansatt.rollag"), 409,
                "/problems/illegal-transition");
  ExpectProblem(client_->Send("DELETE", followers + "/ansatt2.rollag", "",
                              ids_->As("ansatt.rollag")),
                409, "/problems/illegal-transition");
  // The history tells who came and went.
  const json events = GetJson(ticket + "/events");
  int added_events = 0, removed_events = 0;
  for (const auto& e : events["events"]) {
    added_events += e.contains("followerAdded");
    removed_events += e.contains("followerRemoved");
  }
  EXPECT_EQ(added_events, 3);
  EXPECT_EQ(removed_events, 2);
}

// An employee's usual place is kept on their account and checked against
// their municipality's locations.
TEST_F(Identity, AnEmployeesUsualPlaceIsOneOfTheirMunicipality) {
  const json rollag = GetJson("/api/v1/accounts/ansatt.rollag");
  const json municipalities = GetJson("/api/v1/municipalities");
  std::string first;
  for (const auto& m : municipalities["municipalities"])
    if (m.value("id", "") == "rollag")
      first = m["locations"][0].value("id", "");
  EXPECT_EQ(rollag.value("location", ""), first) << rollag.dump();
  json account = rollag;
  account["location"] = "finnes-ikke";
  auto as_admin = ids_->As("admin");
  as_admin["Content-Type"] = "application/json";
  HttpResponse bad = client_->Send("PUT", "/api/v1/accounts/ansatt.rollag",
                                   account.dump(), as_admin);
  ExpectProblem(bad, 422, "/problems/invalid-field");
  EXPECT_NE(bad.body.find("/location"), std::string::npos) << bad.body;
}

}  // namespace
}  // namespace helpdesk::testing

namespace helpdesk::testing {
namespace {

class Limited : public Identity {
 protected:
  std::vector<std::string> Flags() override {
    return {std::string("--clock-start=") + kClockStart, "--rate-limit=2"};
  }
};

// One account sending far more than its rate is told to wait; another
// account is not slowed by it.
TEST_F(Limited, AnAccountBeyondItsRateGets429WithRetryAfter) {
  const auto flooder = ids_->As("gunn.heggelund");
  HttpClient c(daemon_->port());
  int ok = 0;
  HttpResponse refused;
  for (int i = 0; i < 60; ++i) {
    HttpResponse r = c.Get("/api/v1/session", flooder);
    if (r.status == 200) ++ok;
    if (r.status == 429) refused = r;
  }
  EXPECT_GE(ok, 1);
  EXPECT_LE(ok, 30) << "a bucket of ten seconds at 2 a second, and refills";
  ExpectProblem(refused, 429, "/problems/too-many-requests");
  EXPECT_GE(std::stoi(refused.header("retry-after")), 1);
  EXPECT_EQ(c.Get("/api/v1/session", ids_->As("ole.kristiansen")).status, 200);
}

}  // namespace
}  // namespace helpdesk::testing
