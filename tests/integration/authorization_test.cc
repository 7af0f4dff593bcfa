// The authorisation matrix: every route of the route table, called by every
// kind of caller, against a real daemon. Who may call what is written down
// here a second time, in the users' words, so that the table and this list
// must agree; a route added to the table without a line here fails.

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "daemon/http/routes.h"
#include "tests/integration/fixture.h"

namespace helpdesk::testing {
namespace {

// The kinds of caller.
enum Caller {
  kAnonymous,      // no credential
  kOwnEmployee,    // ansatt.rollag, who reported the ticket in Rollag
  kOtherEmployee,  // ansatt.tinn, of another municipality
  kAgent,          // gunn.heggelund, IT staff
  kDispatcher,     // ole.kristiansen, the jobbfordeler
  kAdmin,          // admin
  kDashboard,      // a wall screen's account
  kCallers
};

const char* const kCallerNames[] = {
    "anonymous", "employee (own)", "employee (other municipality)",
    "agent",     "dispatcher",     "admin",
    "dashboard"};

// Who may call each route, as the README tells it. "public": anyone, with
// or without a credential. "anyone": any logged-in account.
struct Rule {
  std::set<Caller> may;
  bool is_public = false;
};

Rule Public() { return {{}, true}; }
Rule Anyone() {
  return {
      {kOwnEmployee, kOtherEmployee, kAgent, kDispatcher, kAdmin, kDashboard}};
}
// Tickets: the reporter's own, and IT staff (a dispatcher is an agent).
Rule TicketPeople() {
  return {{kOwnEmployee, kOtherEmployee, kAgent, kDispatcher}};
}
Rule Staff() { return {{kAgent, kDispatcher}}; }
Rule Admin() { return {{kAdmin}}; }

const std::map<std::string, Rule>& Expected() {
  static const std::map<std::string, Rule> kRules = {
      {"GET /healthz", Public()},
      {"GET /readyz", Public()},
      {"GET /metrics", {{kAdmin, kDashboard}}},
      {"POST /api/v1/session", Public()},
      {"GET /api/v1/session", Anyone()},
      {"DELETE /api/v1/session", Anyone()},
      {"GET /api/v1/tickets", TicketPeople()},
      {"POST /api/v1/tickets", TicketPeople()},
      {"GET /api/v1/tickets/{ticket}", TicketPeople()},
      {"POST /api/v1/tickets/{ticket}/status", TicketPeople()},
      {"POST /api/v1/tickets/{ticket}/assign", {{kDispatcher}}},
      {"POST /api/v1/tickets/{ticket}/take", Staff()},
      {"POST /api/v1/tickets/{ticket}/priority", Staff()},
      {"GET /api/v1/tickets/{ticket}/comments", TicketPeople()},
      {"POST /api/v1/tickets/{ticket}/comments", TicketPeople()},
      {"GET /api/v1/tickets/{ticket}/events", TicketPeople()},
      {"POST /api/v1/tickets/{ticket}/followers", TicketPeople()},
      {"DELETE /api/v1/tickets/{ticket}/followers/{account}", TicketPeople()},
      {"GET /api/v1/events", Staff()},
      {"GET /api/v1/municipalities", Anyone()},
      {"GET /api/v1/catalogue", Anyone()},
      {"PUT /api/v1/catalogue", Admin()},
      {"GET /api/v1/catalogue/services", Anyone()},
      {"POST /api/v1/catalogue/services", Admin()},
      {"GET /api/v1/catalogue/services/{id}", Anyone()},
      {"PUT /api/v1/catalogue/services/{id}", Admin()},
      {"POST /api/v1/catalogue/services/{id}/retire", Admin()},
      {"POST /api/v1/catalogue/services/{id}/reactivate", Admin()},
      {"GET /api/v1/catalogue/categories", Anyone()},
      {"POST /api/v1/catalogue/categories", Admin()},
      {"GET /api/v1/catalogue/categories/{id}", Anyone()},
      {"PUT /api/v1/catalogue/categories/{id}", Admin()},
      // Names and phone numbers of the staff: staff and admins.
      {"GET /api/v1/staff", {{kAgent, kDispatcher, kAdmin}}},
      {"POST /api/v1/staff", Admin()},
      {"GET /api/v1/staff/{staff}", {{kAgent, kDispatcher, kAdmin}}},
      {"PUT /api/v1/staff/{staff}", Admin()},
      {"GET /api/v1/vakt", {{kAgent, kDispatcher, kAdmin}}},
      {"PUT /api/v1/vakt", Admin()},
      {"GET /api/v1/vakt/now", {{kAgent, kDispatcher, kAdmin}}},
      // Who was paged: staff and admins; an acknowledgement is staff's; a
      // test page through the channels is an admin's.
      {"GET /api/v1/pages", {{kAgent, kDispatcher, kAdmin}}},
      {"POST /api/v1/pages/test", Admin()},
      {"GET /api/v1/pages/{page}", {{kAgent, kDispatcher, kAdmin}}},
      {"POST /api/v1/pages/{page}/ack", {{kAgent, kDispatcher}}},
      // Figures without personal text: also the wall screens.
      {"GET /api/v1/reports/coverage",
       {{kAgent, kDispatcher, kAdmin, kDashboard}}},
      {"GET /api/v1/reports/sla", {{kAgent, kDispatcher, kAdmin, kDashboard}}},
      {"GET /api/v1/accounts", Admin()},
      {"POST /api/v1/accounts", Admin()},
      {"GET /api/v1/accounts/{account}", Admin()},
      {"PUT /api/v1/accounts/{account}", Admin()},
      {"POST /api/v1/accounts/{account}/password", Admin()},
      {"GET /api/v1/tokens", Admin()},
      {"POST /api/v1/tokens", Admin()},
      {"DELETE /api/v1/tokens/{id}", Admin()},
      // Who read and changed what: the admins'.
      {"GET /api/v1/audit", Admin()},
      // Live: every account follows what it may read; the wall's board is
      // figures; the page itself holds nothing (its data needs a token).
      {"GET /api/v1/stream", Anyone()},
      {"GET /api/v1/dashboard", {{kAgent, kDispatcher, kAdmin, kDashboard}}},
      // What the API is: for anyone integrating with it.
      {"GET /api/v1/openapi.json", Public()},
      {"GET /dashboard", Public()},
      {"GET /dashboard/{asset}", Public()},
      // The portal and the agent view log in themselves.
      {"GET /", Public()},
      {"GET /agent", Public()},
      {"GET /assets/{asset}", Public()},
  };
  return kRules;
}

class Authorization : public DaemonTest {
 protected:
  void SetUp() override {
    DaemonTest::SetUp();
    ids_->Employee("ansatt.tinn.2", "tinn");
    // A screen's account, made as an admin would.
    HttpResponse made =
        client_->Post("/api/v1/accounts",
                      json{{"id", "veggskjerm"},
                           {"name", "Veggskjerm driftsrommet"},
                           {"roles", {"dashboard"}},
                           {"password", "et-langt-passord-for-skjermen"}}
                          .dump(),
                      ids_->As("admin"));
    ASSERT_EQ(made.status, 201) << made.body;
    // Rollag's employee files the ticket every {ticket} route names.
    json t = GoodTicket();
    t.erase("reporter");
    HttpResponse filed =
        client_->Post("/api/v1/tickets", t.dump(), ids_->As("ansatt.rollag"));
    ASSERT_EQ(filed.status, 201) << filed.body;
    ticket_ = Parse(filed).value("id", "");
  }

  // A fresh session of the caller (a DELETE /api/v1/session ends one).
  std::map<std::string, std::string> Credential(Caller c) {
    HttpClient login(daemon_->port());
    std::string account, password;
    switch (c) {
      case kAnonymous:
        return {};
      case kOwnEmployee:
        account = "ansatt.rollag";
        break;
      case kOtherEmployee:
        account = "ansatt.tinn";
        break;
      case kAgent:
        account = "gunn.heggelund";
        break;
      case kDispatcher:
        account = "ole.kristiansen";
        break;
      case kAdmin:
        account = "admin";
        break;
      case kDashboard:
        account = "veggskjerm";
        password = "et-langt-passord-for-skjermen";
        break;
      case kCallers:
        break;
    }
    if (password.empty()) password = ids_->Passwords()[account];
    HttpResponse r =
        login.Post("/api/v1/session",
                   json{{"account", account}, {"password", password}}.dump());
    EXPECT_EQ(r.status, 201) << account << ": " << r.body;
    return {{"Authorization", "Bearer " + Parse(r).value("token", "")}};
  }

  // The route's pattern with each placeholder naming something that is
  // there.
  std::string PathOf(std::string_view pattern) const {
    std::string path(pattern);
    const std::pair<std::string, std::string> fills[] = {
        {"{ticket}", ticket_},
        {"{staff}", "kari.haugen"},
        {"{page}", "1"},
        {"{account}", "ansatt.tinn.2"},
        {"services/{id}", "services/skrivere-og-utskrift"},
        {"categories/{id}", "categories/utskrift"},
        {"{asset}", "dashboard.js"},
        {"{id}", "c-0000000000000000"}};
    for (const auto& [from, to] : fills)
      if (size_t at = path.find(from); at != std::string::npos)
        path.replace(at, from.size(), to);
    return path;
  }

  std::string ticket_;
};

TEST_F(Authorization, EveryRouteAnswersEachCallerAsTheRulesSay) {
  std::set<std::string> seen;
  for (const http::Route& route : http::Routes()) {
    const std::string key =
        std::string(route.method) + " " + std::string(route.pattern);
    seen.insert(key);
    auto rule = Expected().find(key);
    ASSERT_NE(rule, Expected().end())
        << key
        << " is in the route table but has no rule in this test: say who may "
           "call it, in Expected()";
    const std::string path = PathOf(route.pattern);
    const bool foreign_ticket =
        route.pattern.find("{ticket}") != std::string::npos;
    for (int c = 0; c < kCallers; ++c) {
      const Caller caller = static_cast<Caller>(c);
      auto headers = Credential(caller);
      headers["Content-Type"] = "application/json";
      HttpClient client(daemon_->port());
      const std::string body = route.method == "GET" ? "" : "{}";
      HttpResponse r =
          client.Send(std::string(route.method), path, body, headers);
      const std::string what = key + " as " + kCallerNames[c] + ": " +
                               std::to_string(r.status) + " " + r.body;
      ASSERT_NE(r.status, 0) << what << r.error;
      const json p = json::parse(r.body, nullptr, false);
      // A 403 naming a field is a rule inside the route (what this caller
      // may write), not the route refusing the caller.
      const bool refused_by_route =
          r.status == 401 ||
          (r.status == 403 && p.is_object() && p.value("field", "").empty());
      if (rule->second.is_public) {
        // The login's own 401 is its answer to a wrong login ({} here).
        if (key == "POST /api/v1/session")
          EXPECT_EQ(r.status, 401) << what;
        else
          EXPECT_FALSE(refused_by_route) << what;
      } else if (caller == kAnonymous) {
        EXPECT_EQ(r.status, 401) << what;
        EXPECT_EQ(r.header("www-authenticate"), "Bearer realm=\"helpdeskd\"")
            << what;
      } else if (!rule->second.may.count(caller)) {
        EXPECT_EQ(r.status, 403) << what;
        EXPECT_TRUE(refused_by_route) << what;
      } else if (caller == kOtherEmployee && foreign_ticket) {
        // Another municipality's ticket is not there for them: 404, never
        // 403, so a ticket number tells them nothing.
        EXPECT_EQ(r.status, 404) << what;
      } else {
        EXPECT_FALSE(refused_by_route) << what;
        EXPECT_LT(r.status, 500) << what;
      }
    }
  }
  for (const auto& [key, rule] : Expected())
    EXPECT_TRUE(seen.count(key)) << key << " has a rule but is no route";
}

// Lists are filtered as single reads are: another municipality's employee
// finds nothing of Rollag's, by any filter.
TEST_F(Authorization, AnEmployeesListsHoldOnlyTheirOwnTickets) {
  Create();  // filed by IT staff for kari.nordmann
  for (const std::string target :
       {"/api/v1/tickets", "/api/v1/tickets?municipality=rollag",
        "/api/v1/tickets?status=assigned"}) {
    HttpResponse other = client_->Get(target, ids_->As("ansatt.tinn"));
    ASSERT_EQ(other.status, 200) << other.body;
    EXPECT_TRUE(Parse(other)["tickets"].empty()) << target << other.body;
    HttpResponse own = client_->Get(target, ids_->As("ansatt.rollag"));
    ASSERT_EQ(own.status, 200) << own.body;
    ASSERT_EQ(Parse(own)["tickets"].size(), 1u) << target << own.body;
    EXPECT_EQ(Parse(own)["tickets"][0].value("id", ""), ticket_);
  }
  HttpResponse staff =
      client_->Get("/api/v1/tickets", ids_->As("gunn.heggelund"));
  EXPECT_EQ(Parse(staff)["tickets"].size(), 2u) << staff.body;
}

}  // namespace
}  // namespace helpdesk::testing
