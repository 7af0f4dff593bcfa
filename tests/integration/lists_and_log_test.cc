// Lists, the global event log, the region and the metrics, through the
// real daemon: filters and cursors over tickets in several statuses, a
// gap-free log that pages, and counters that follow every write.

#include <chrono>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "tests/integration/lifecycle_fixture.h"

namespace helpdesk::testing {
namespace {

TEST_F(Lifecycle, ListsFilterAndPageNewestFirst) {
  const char* munis[] = {"rollag", "tinn",     "rollag", "hjartdal",
                         "rollag", "tinn",     "rollag", "kongsberg",
                         "rollag", "flesberg", "rollag", "notodden"};
  // Tickets 2, 6 and 10 no one can take: they stay 'new'. The dispatcher
  // gives the others to people with the printers skill.
  std::map<std::string, std::vector<std::string>> by_assignee;
  for (int i = 0; i < 12; ++i) {
    const bool queued = i == 1 || i == 5 || i == 9;
    json body = queued ? TicketNoOneCanTake() : GoodTicket();
    body["municipality"] = munis[i];
    body.erase("location");
    json t = Create(body);
    ASSERT_EQ(t["status"], queued ? "new" : "assigned") << t.dump();
    if (!queued)
      by_assignee[t["assignee"]].insert(by_assignee[t["assignee"]].begin(),
                                        t["id"].get<std::string>());
  }
  // Of two dispatchers, kari.haugen and hanne.lie (neither has the
  // printers skill, so the dispatcher gave them none) take over some.
  ASSERT_EQ(by_assignee.count("kari.haugen") + by_assignee.count("hanne.lie"),
            0u);
  ASSERT_EQ(AssignTo("3", "kari.haugen", 2).status, 200);
  ASSERT_EQ(AssignTo("4", "kari.haugen", 2).status, 200);
  ASSERT_EQ(AssignTo("5", "hanne.lie", 2).status, 200);

  json all = GetJson("/api/v1/tickets");
  ASSERT_EQ(all["tickets"].size(), 12u);
  EXPECT_EQ(all["tickets"][0]["id"], "12");
  EXPECT_EQ(all["nextCursor"], "");

  // Every page size walks all tickets, newest first, each once.
  for (int limit : {1, 2, 5, 12, 200}) {
    SCOPED_TRACE("limit " + std::to_string(limit));
    EXPECT_EQ(ListIds("", limit),
              (std::vector<std::string>{"12", "11", "10", "9", "8", "7", "6",
                                        "5", "4", "3", "2", "1"}));
  }
  EXPECT_EQ(ListIds("municipality=rollag", 2),
            (std::vector<std::string>{"11", "9", "7", "5", "3", "1"}));
  EXPECT_EQ(ListIds("status=new", 2),
            (std::vector<std::string>{"10", "6", "2"}));
  EXPECT_EQ(ListIds("status=assigned", 4).size(), 9u);
  EXPECT_EQ(ListIds("assignee=kari.haugen", 1),
            (std::vector<std::string>{"4", "3"}));
  EXPECT_EQ(ListIds("assignee=hanne.lie", 1), (std::vector<std::string>{"5"}));
  EXPECT_EQ(
      ListIds("assignee=kari.haugen&status=assigned&municipality=rollag", 50),
      (std::vector<std::string>{"3"}));
  EXPECT_EQ(ListIds("municipality=hjartdal", 50),
            (std::vector<std::string>{"4"}));
  EXPECT_TRUE(ListIds("municipality=hjartdal&status=new", 50).empty());
  EXPECT_EQ(ListIds("municipality=tinn&status=new", 50),
            (std::vector<std::string>{"6", "2"}));
  EXPECT_TRUE(
      ListIds("municipality=flesberg&assignee=kari.haugen", 50).empty());
  // The dispatcher's choices are listed under their assignees, less those
  // that moved on.
  for (auto& [assignee, ids] : by_assignee) {
    std::erase_if(ids, [](const std::string& i) {
      return i == "3" || i == "4" || i == "5";
    });
    EXPECT_EQ(ListIds("assignee=" + assignee, 2), ids) << assignee;
  }
  // Ticket 3 moved on, ticket 6 was taken from the queue: the status and
  // assignee indexes follow them.
  Move("3", {{"status", "in_progress"}, {"version", 3}});
  ASSERT_EQ(TakeAs("6", "kari.haugen", 2).status, 200);
  EXPECT_EQ(ListIds("status=assigned", 50).size(), 9u);
  EXPECT_EQ(ListIds("status=in_progress", 50), (std::vector<std::string>{"3"}));
  EXPECT_EQ(ListIds("status=new", 50), (std::vector<std::string>{"10", "2"}));
  EXPECT_EQ(ListIds("assignee=kari.haugen&status=assigned", 50),
            (std::vector<std::string>{"6", "4"}));
}

// A list's rows are summaries: what a queue shows, without the text and
// the decision's reasons; view=full and fields= give more.
TEST_F(Lifecycle, ListRowsAreSummariesUnlessMoreIsAsked) {
  json made = Create();
  const std::string id = made["id"];
  json row = GetJson("/api/v1/tickets")["tickets"][0];
  std::set<std::string> keys;
  for (const auto& [k, v] : row.items()) keys.insert(k);
  EXPECT_EQ(keys,
            (std::set<std::string>{"id", "title", "municipality", "serviceId",
                                   "service", "status", "priority", "assignee",
                                   "createdAt", "updatedAt", "version", "sla"}))
      << row.dump();
  EXPECT_EQ(row["title"], made["title"]);
  EXPECT_EQ(row["service"]["name"], made["service"]["name"]);
  EXPECT_FALSE(row["service"].contains("skills"));
  EXPECT_EQ(row["sla"]["resolution"]["dueAt"],
            made["sla"]["resolution"]["dueAt"]);
  EXPECT_FALSE(row["sla"]["resolution"].contains("targetSeconds"));
  // The clocks say which they are: a queue labels each deadline by it.
  EXPECT_EQ(row["sla"]["firstResponse"]["kind"], "first_response");
  EXPECT_EQ(row["sla"]["resolution"]["kind"], "resolution");
  EXPECT_FALSE(row["sla"].contains("slaClass"));
  // The whole row, as a list has it.
  json full = GetJson("/api/v1/tickets?view=full")["tickets"][0];
  EXPECT_EQ(full["description"], made["description"]);
  EXPECT_EQ(full["reporter"], made["reporter"]);
  EXPECT_EQ(full["location"], made["location"]);
  EXPECT_EQ(full["assignment"]["assignee"], made["assignee"]);
  EXPECT_TRUE(full["assignment"]["steps"].empty());
  EXPECT_EQ(full["assignment"]["explanation"], "");
  // Fields by their names in the answers, or paths into them; the id
  // always.
  json some = GetJson(
      "/api/v1/tickets?fields=title,location,sla.resolution.dueAt")["tickets"]
                                                                   [0];
  EXPECT_EQ(some, (json{{"id", id},
                        {"title", made["title"]},
                        {"location", made["location"]},
                        {"sla",
                         {{"resolution",
                           {{"dueAt", made["sla"]["resolution"]["dueAt"]}}}}}}))
      << some.dump();
  EXPECT_EQ(GetJson("/api/v1/tickets?fields=created_at")["tickets"][0],
            (json{{"id", id}, {"createdAt", made["createdAt"]}}));
  // What cannot be given is refused, saying what to fix.
  for (const auto& [target, param, says] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"/api/v1/tickets?fields=title,colour", "fields",
            "names 'colour', which a ticket does not have"},
           {"/api/v1/tickets?fields=title,,status", "fields", "empty name"},
           {"/api/v1/tickets?fields=sla.nothing", "fields", "'sla.nothing'"},
           {"/api/v1/tickets?view=compact", "view", "'summary'"},
           {"/api/v1/tickets?view=full&fields=id", "fields", "not both"},
           {"/api/v1/tickets?fields=" + std::string(1001, 'a'), "fields",
            "longer than 1000 bytes"},
           {"/api/v1/tickets?fields=sla..resolution", "fields",
            "'sla..resolution'"},
           {"/api/v1/tickets?fields=title.", "fields", "'title.'"},
           {"/api/v1/tickets?fields=createdAt.seconds", "fields",
            "'createdAt.seconds'"},
           {"/api/v1/tickets?fields=comments.body", "fields",
            "'comments.body'"},
           {"/api/v1/tickets?q=" + std::string(501, 'a'), "q",
            "longer than 500 bytes"}}) {
    SCOPED_TRACE(target.substr(0, 60));
    HttpResponse r = client_->Get(target);
    EXPECT_EQ(r.status, 400) << r.body;
    json problem = Parse(r);
    EXPECT_EQ(problem.value("parameter", ""), param) << r.body;
    EXPECT_NE(problem.value("detail", "").find(says), std::string::npos)
        << r.body;
  }
}

// Search: every word of `q` in the title or description, as a person
// types it; with the filters, a page at a time; an employee finds only
// their own.
TEST_F(Lifecycle, ASearchFindsTicketsByTheWordsOfTheirText) {
  auto file = [&](const std::string& title, const std::string& description,
                  const std::string& municipality) {
    json body = GoodTicket();
    body["title"] = title;
    body["description"] = description;
    body["municipality"] = municipality;
    body.erase("location");
    return Create(body)["id"].get<std::string>();
  };
  const std::string a = file("Skriveren på 2. etasje", "Papirstopp", "rollag");
  const std::string b = file("Passord utløpt", "Får ikke logget på", "tinn");
  const std::string c = file("Ny skrivar", "Til kontoret på Rjukan", "tinn");
  const std::string d = file("Skjerm flimrer", "Skrivebordet er tomt", "tinn");
  EXPECT_EQ(ListIds("q=skriver", 50), (std::vector<std::string>{c, a}));
  EXPECT_EQ(ListIds("q=SKRIVAREN", 1), (std::vector<std::string>{c, a}));
  EXPECT_EQ(ListIds("q=utlopt%20passord", 50), (std::vector<std::string>{b}));
  EXPECT_EQ(ListIds("q=skriver&municipality=tinn", 50),
            (std::vector<std::string>{c}));
  EXPECT_EQ(ListIds("q=rjukan%20skrivar", 50), (std::vector<std::string>{c}));
  EXPECT_EQ(ListIds("q=skrivebordet", 50), (std::vector<std::string>{d}));
  EXPECT_TRUE(ListIds("q=skriver%20passord", 50).empty());
  EXPECT_TRUE(ListIds("q=ikke%20p%C3%A5", 50).empty());  // stop words only
  // A search's rows are summaries too.
  json row = GetJson("/api/v1/tickets?q=passord")["tickets"][0];
  EXPECT_EQ(row["title"], "Passord utløpt");
  EXPECT_FALSE(row.contains("description"));
  // An employee's search keeps to their own tickets.
  json own = FileAs("ansatt.rollag");
  HttpResponse mine =
      client_->Get("/api/v1/tickets?q=skriveren", ids_->As("ansatt.rollag"));
  ASSERT_EQ(mine.status, 200) << mine.body;
  ASSERT_EQ(Parse(mine)["tickets"].size(), 1u) << mine.body;
  EXPECT_EQ(Parse(mine)["tickets"][0]["id"], own["id"]);
}

TEST_F(Lifecycle, ACursorKeepsItsPlaceWhileNewTicketsArrive) {
  for (int i = 0; i < 6; ++i) Create();
  json first = GetJson("/api/v1/tickets?limit=2");
  ASSERT_EQ(first["tickets"].size(), 2u);
  std::vector<std::string> seen = {first["tickets"][0]["id"],
                                   first["tickets"][1]["id"]};
  for (int i = 0; i < 3; ++i) Create();  // 7, 8, 9: newer than the cursor
  std::string cursor = first["nextCursor"];
  while (!cursor.empty()) {
    json p = GetJson("/api/v1/tickets?limit=2&cursor=" + cursor);
    for (const auto& t : p["tickets"]) seen.push_back(t["id"]);
    cursor = p.value("nextCursor", "");
    ASSERT_LT(seen.size(), 20u);
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"6", "5", "4", "3", "2", "1"}));
}

TEST_F(Lifecycle, TheGlobalLogIsGapFreeAndPages) {
  // The log begins with the accounts: the first start's, and the desk's
  // (made as this first read logs in).
  const size_t accounts = AllEventsWithAccounts().size();
  ASSERT_GT(accounts, 0u);
  const auto seq = [accounts](size_t n) {
    return std::to_string(accounts + n);
  };
  // Each create writes two events: the ticket, then the dispatcher's
  // decision.
  for (int i = 0; i < 5; ++i) Create();
  Move("2", {{"status", "in_progress"}, {"version", 2}});
  ASSERT_EQ(
      client_->Post("/api/v1/tickets/4/comments", R"({"body":"b"})").status,
      201);
  json first = GetJson("/api/v1/events?limit=4&after=" + seq(0));
  ASSERT_EQ(first["events"].size(), 4u);
  EXPECT_EQ(first["nextCursor"], seq(4));
  json rest = GetJson("/api/v1/events?after=" + seq(4));
  ASSERT_EQ(rest["events"].size(), 8u);
  EXPECT_EQ(rest["events"][0]["seq"], seq(5));
  EXPECT_EQ(rest["events"][7]["seq"], seq(12));
  EXPECT_EQ(rest["nextCursor"], "");
  EXPECT_EQ(GetJson("/api/v1/events?after=" + seq(12))["events"].size(), 0u);

  // Gap-free from the first event on.
  const std::vector<json> whole = AllEventsWithAccounts();
  ASSERT_EQ(whole.size(), accounts + 12);
  for (size_t i = 0; i < whole.size(); ++i)
    EXPECT_EQ(whole[i]["seq"], std::to_string(i + 1));
  std::vector<json> all = AllEvents();
  ASSERT_EQ(all.size(), 12u);
  for (size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i]["seq"], seq(i + 1));
  for (size_t i = 0; i < 10; ++i) {
    EXPECT_EQ(all[i]["ticketId"], std::to_string(i / 2 + 1));
    EXPECT_EQ(all[i]["ticketVersion"], static_cast<int>(i % 2 + 1));
    EXPECT_TRUE(all[i].contains(i % 2 == 0 ? "ticketCreated" : "assigned"))
        << all[i].dump();
  }
  EXPECT_TRUE(all[10].contains("statusChanged"));
  EXPECT_EQ(all[10]["ticketId"], "2");
  EXPECT_TRUE(all[11].contains("commentAdded"));
  EXPECT_EQ(all[11]["ticketId"], "4");
}

TEST_F(Lifecycle, MunicipalitiesAreTheSevenOfTheDemoRegion) {
  json m = GetJson("/api/v1/municipalities");
  std::map<std::string, std::set<std::string>> got;
  for (const auto& x : m["municipalities"]) {
    auto& locations = got[x.value("id", "?")];
    EXPECT_FALSE(x.value("name", "").empty()) << x.dump();
    EXPECT_FALSE(x.value("number", "").empty()) << x.dump();
    for (const auto& l : x.value("locations", json::array()))
      locations.insert(l.value("id", "?"));
  }
  std::map<std::string, std::set<std::string>> want = {
      {"kongsberg",
       {"kongsberg-radhus", "kongsberg-skavanger-skole",
        "kongsberg-hvittingfoss-skole", "kongsberg-helsehus",
        "kongsberg-bibliotek"}},
      {"notodden",
       {"notodden-radhus", "notodden-saetre-skole", "notodden-helsetun"}},
      {"nore-og-uvdal",
       {"nore-og-uvdal-kommunehus", "nore-og-uvdal-rodberg-skole",
        "nore-og-uvdal-uvdal-skole", "nore-og-uvdal-sykehjem"}},
      {"flesberg",
       {"flesberg-kommunehus", "flesberg-lampeland-skole",
        "flesberg-sykehjem"}},
      {"rollag",
       {"rollag-kommunehus", "rollag-veggli-skole", "rollag-sykehjem"}},
      {"tinn",
       {"tinn-radhus", "tinn-rjukan-ungdomsskole", "tinn-helsesenter",
        "tinn-atra-skole"}},
      {"hjartdal",
       {"hjartdal-kommunehus", "hjartdal-sauland-skole",
        "hjartdal-omsorgssenter"}},
  };
  EXPECT_EQ(got, want);
  EXPECT_EQ(m["municipalities"].size(), 7u);
}

TEST_F(Lifecycle, HealthAndMetrics) {
  HttpResponse h = client_->Get("/healthz");
  ASSERT_EQ(h.status, 200);
  EXPECT_EQ(Parse(h)["status"], "ok");
  // The daemon's first write is its start-up dispatch sweep (one batch, no
  // events); the logins of this first request (and the desk's account) come
  // after it, and the create after them.
  const std::string start = client_->Get("/metrics").body;
  const long batches = Sample(start, "helpdesk_writer_batch_size_count");
  const long batched = Sample(start, "helpdesk_writer_batch_size_sum");
  const long last_seq = Sample(start, "helpdesk_events_last_seq");
  // Where the writer's time went, per batch: applying, then committing.
  const long applied = Sample(start, "helpdesk_writer_apply_seconds_count");
  const long committed = Sample(start, "helpdesk_writer_commit_seconds_count");
  const auto seconds = [](const std::string& metrics, const std::string& name) {
    const std::string key = "\n" + name + " ";
    const size_t at = metrics.find(key);
    return at == std::string::npos ? -1.0
                                   : std::stod(metrics.substr(at + key.size()));
  };
  const double commit_seconds =
      seconds(start, "helpdesk_writer_commit_seconds_sum");
  ASSERT_GE(batches, 1) << start;
  ASSERT_EQ(applied, batches) << start;
  ASSERT_GE(committed, 1) << start;
  ASSERT_GT(commit_seconds, 0.0) << start;
  ASSERT_GE(last_seq, 0) << start;
  const auto line = [](const std::string& name, long value) {
    return name + " " + std::to_string(value) + "\n";
  };
  Create();
  HttpResponse metrics = client_->Get("/metrics");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_EQ(metrics.header("content-type").rfind("text/plain", 0), 0u)
      << metrics.header("content-type");
  // One write more (the ticket and its assignment in one transaction), two
  // events.
  for (const std::string& needle :
       {std::string("helpdesk_http_requests_total{"),
        std::string("route=\"/api/v1/tickets\""),
        line("helpdesk_writer_batch_size_count", batches + 1),
        line("helpdesk_writer_batch_size_sum", batched + 1),
        line("helpdesk_writer_apply_seconds_count", applied + 1),
        line("helpdesk_writer_commit_seconds_count", committed + 1),
        std::string("helpdesk_tickets_open 1\n"),
        std::string("helpdesk_tickets{status=\"new\"} 0\n"),
        std::string("helpdesk_tickets{status=\"assigned\"} 1\n"),
        std::string("helpdesk_http_request_duration_seconds_count"),
        line("helpdesk_events_last_seq", last_seq + 2)}) {
    EXPECT_NE(metrics.body.find(needle), std::string::npos)
        << "no '" << needle << "' in\n"
        << metrics.body;
  }
  // Its commit took time: it wrote pages and waited for the disk.
  EXPECT_GT(seconds(metrics.body, "helpdesk_writer_commit_seconds_sum"),
            commit_seconds)
      << metrics.body;
  // The create is counted with its route, method and code.
  bool counted = false;
  std::stringstream lines(metrics.body);
  for (std::string line; std::getline(lines, line);) {
    counted = counted ||
              (line.rfind("helpdesk_http_requests_total{", 0) == 0 &&
               line.find("route=\"/api/v1/tickets\"") != std::string::npos &&
               line.find("method=\"POST\"") != std::string::npos &&
               line.find("code=\"201\"") != std::string::npos &&
               line.substr(line.rfind(' ') + 1) == "1");
  }
  EXPECT_TRUE(counted) << metrics.body;

  // A ticket no one can take is counted as new, and open (after the
  // catalogue import that adds its service: one event more; and the page
  // to the dispatcher, made and delivered live: two more).
  CreateUnassigned();
  metrics = client_->Get("/metrics");
  for (const std::string& needle :
       {std::string("helpdesk_tickets_open 2\n"),
        std::string("helpdesk_tickets{status=\"new\"} 1\n"),
        std::string("helpdesk_tickets{status=\"assigned\"} 1\n"),
        line("helpdesk_events_last_seq", last_seq + 7)}) {
    EXPECT_NE(metrics.body.find(needle), std::string::npos)
        << "no '" << needle << "' in\n"
        << metrics.body;
  }
}

}  // namespace
}  // namespace helpdesk::testing
