// kill -9 during every kind of write, while the map grows. In each round
// eight clients each do a random mix over keep-alive connections: file
// tickets, comment on and move their own tickets through the status
// machine, edit their own staff member, and (client 0) import the whole
// catalogue with one service renamed. The daemon starts on a 1 MiB map, so
// the first rounds also grow it under load. Once a random number (60-400)
// of writes has been acknowledged the daemon is SIGKILLed mid-stream,
// restarted on the same data directory, and then every acknowledged write
// is there exactly once, read from the event log (1..N without gap):
//  - each acknowledged status change is one statusChanged event at the
//    ticket version its answer gave, to the status it asked for;
//  - each acknowledged comment is one commentAdded event with its body;
//  - each acknowledged staff edit is one staffChanged event at the version
//    its answer gave, with the title it set;
//  - each acknowledged import is one catalogueChanged event at the version
//    its answer gave;
//  - every ticket, staff member and the catalogue is at least at the
//    version last acknowledged;
//  - the store's consistency checker, on the store as the kill left it and
//    again after the restart, finds every record readable and the list
//    indexes, status counts, staff loads and SLA due index agreeing with
//    the stored tickets.
// HELPDESK_CRASH_SEED=<n> replays a run's choices; the seed is printed.

#include <gtest/gtest.h>

#include <condition_variable>
#include <iostream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <thread>

#include "tests/crash/crash_support.h"
#include "tests/support/daemon_process.h"
#include "tests/support/http_client.h"
#include "tests/support/store_check.h"

namespace helpdesk::testing {
namespace {

using nlohmann::json;

constexpr int kRounds = 8;
constexpr int kClients = 8;
constexpr int kMinAcked = 60;
constexpr int kMaxAcked = 400;
constexpr auto kRoundDeadline = std::chrono::seconds(40);

// What the clients were told was done, across all rounds.
struct Acks {
  std::mutex mu;
  std::condition_variable cv;
  int this_round = 0;  // acknowledged writes in the current round
  std::set<std::string> tickets;
  std::map<std::string, uint32_t> ticket_version;           // last acked
  std::set<std::tuple<std::string, uint32_t, std::string>>  // id, v, to
      status_changes;
  std::set<std::pair<std::string, std::string>> comments;   // id, body
  std::set<std::tuple<std::string, uint32_t, std::string>>  // id, v, title
      staff_edits;
  std::map<std::string, uint32_t> staff_version;
  std::set<uint32_t> catalogue_versions;
  std::vector<std::string> stops;  // why each client stopped, this round

  void Count() {
    ++this_round;
    cv.notify_all();
  }
};

// A ticket a client filed, as it last saw it.
struct Mine {
  std::string id;
  uint32_t version = 0;
  std::string status;
};

std::string Next(const std::string& status, std::mt19937& rng) {
  if (status == "assigned" || status == "waiting_on_user") return "in_progress";
  if (status == "in_progress")
    return std::bernoulli_distribution(0.5)(rng) ? "waiting_on_user"
                                                 : "resolved";
  if (status == "resolved") return "closed";
  return "";
}

// Why a client stopped: after the kill a connection error; before it, a
// bug that the round's count then reveals with this line.
void Stop(Acks& acks, int c, const std::string& what, const HttpResponse& r) {
  std::lock_guard lock(acks.mu);
  acks.stops.push_back("client " + std::to_string(c) + ": " + what + " -> " +
                       std::to_string(r.status) + " " + r.error +
                       r.body.substr(0, 300));
}

// One client's round: random writes until one fails (after the kill, or
// on a bug that the checks then reveal).
void Client(int c, int round, uint32_t seed, uint16_t port,
            const std::string& staff_id, Acks& acks) {
  std::mt19937 rng(seed * 131 + round * 17 + c);
  HttpClient client(port, std::chrono::seconds(5));
  Authorise(client);
  std::vector<Mine> mine;
  for (int i = 0;; ++i) {
    const int dice = std::uniform_int_distribution(0, 99)(rng);
    const std::string tag = "r" + std::to_string(round) + " c" +
                            std::to_string(c) + " #" + std::to_string(i);
    std::vector<size_t> open;
    for (size_t k = 0; k < mine.size(); ++k)
      if (mine[k].status != "closed") open.push_back(k);
    if (dice < 30 || open.empty()) {
      json req = {{"title", "blandet " + tag},
                  {"description", "Kræsjtest med blandet last " + tag},
                  {"municipality", kMunicipalities[(c + i) % 7]},
                  {"serviceId", "brukerstotte-fjernhjelp"},
                  {"reporter", "crash-client-" + std::to_string(c)}};
      HttpResponse r = client.Post("/api/v1/tickets", req.dump());
      if (r.status != 201) return Stop(acks, c, "create", r);
      json t = Parse(r);
      mine.push_back(
          {t.value("id", ""), t.value("version", 0u), t.value("status", "")});
      std::lock_guard lock(acks.mu);
      acks.tickets.insert(mine.back().id);
      acks.ticket_version[mine.back().id] = mine.back().version;
      acks.Count();
      continue;
    }
    Mine& t = mine[open[std::uniform_int_distribution<size_t>(
        0, open.size() - 1)(rng)]];
    if (dice < 55) {
      const std::string body = "kommentar " + tag;
      HttpResponse r = client.Post("/api/v1/tickets/" + t.id + "/comments",
                                   json{{"body", body}}.dump());
      if (r.status != 201) return Stop(acks, c, "comment", r);
      t.version = Parse(r).value("version", t.version);
      std::lock_guard lock(acks.mu);
      acks.comments.insert({t.id, body});
      acks.ticket_version[t.id] = t.version;
      acks.Count();
    } else if (dice < 85) {
      const std::string to = Next(t.status, rng);
      HttpResponse r = client.Post(
          "/api/v1/tickets/" + t.id + "/status", json{{"status", to}}.dump(),
          {{"If-Match", "\"" + std::to_string(t.version) + "\""}});
      if (r.status == 409) {  // moved by someone else: look again
        HttpResponse now = client.Get("/api/v1/tickets/" + t.id);
        if (now.status != 200) return Stop(acks, c, "get ticket", now);
        t.version = Parse(now).value("version", t.version);
        t.status = Parse(now).value("status", t.status);
        continue;
      }
      if (r.status != 200) return Stop(acks, c, "status " + to, r);
      json answer = Parse(r);
      t.version = answer.value("version", 0u);
      t.status = answer.value("status", "");
      std::lock_guard lock(acks.mu);
      acks.status_changes.insert({t.id, t.version, to});
      acks.ticket_version[t.id] = t.version;
      acks.Count();
    } else if (dice < 95 || c != 0) {
      HttpResponse now = client.Get("/api/v1/staff/" + staff_id);
      if (now.status != 200) return Stop(acks, c, "get staff", now);
      json m = Parse(now);
      m.erase("now");
      const std::string title = "IKT-konsulent " + tag;
      m["title"] = title;
      HttpResponse r = client.Send(
          "PUT", "/api/v1/staff/" + staff_id, m.dump(),
          {{"X-Actor", "leder.ola"}, {"Content-Type", "application/json"}});
      if (r.status != 200) return Stop(acks, c, "staff edit", r);
      const uint32_t v = Parse(r).value("version", 0u);
      std::lock_guard lock(acks.mu);
      acks.staff_edits.insert({staff_id, v, title});
      acks.staff_version[staff_id] = v;
      acks.Count();
    } else {
      HttpResponse now = client.Get("/api/v1/catalogue?view=flat");
      if (now.status != 200) return Stop(acks, c, "get catalogue", now);
      json cat = Parse(now);
      for (auto& s : cat["services"])
        if (s["id"] == "databaser") s["name"] = "Databaser " + tag;
      HttpResponse r = client.Send(
          "PUT", "/api/v1/catalogue", cat.dump(),
          {{"X-Actor", "admin.import"}, {"Content-Type", "application/json"}});
      if (r.status != 200) return Stop(acks, c, "import", r);
      const uint32_t v = Parse(r).value("version", 0u);
      std::lock_guard lock(acks.mu);
      acks.catalogue_versions.insert(v);
      acks.Count();
    }
  }
}

void Verify(uint16_t port, Acks& acks) {
  HttpClient client(port);
  Authorise(client);
  std::map<std::string, int> created;
  std::map<std::tuple<std::string, uint32_t, std::string>, int> status_seen,
      staff_seen;
  std::map<std::pair<std::string, std::string>, int> comment_seen;
  std::map<uint32_t, int> catalogue_seen;
  ASSERT_NO_FATAL_FAILURE(ForEachEvent(client, [&](const json& e) {
    const std::string id = e.value("ticketId", "");
    const uint32_t v = e.value("ticketVersion", 0u);
    if (e.contains("ticketCreated")) ++created[id];
    if (e.contains("statusChanged"))
      ++status_seen[{id, v, e["statusChanged"].value("to", "")}];
    if (e.contains("commentAdded"))
      ++comment_seen[{id, e["commentAdded"].value("body", "")}];
    if (e.contains("staffChanged")) {
      const json& s = e["staffChanged"]["staff"];
      ++staff_seen[{s.value("id", ""), s.value("version", 0u),
                    s.value("title", "")}];
    }
    if (e.contains("catalogueChanged"))
      ++catalogue_seen[e["catalogueChanged"].value("catalogueVersion", 0u)];
  }));
  std::lock_guard lock(acks.mu);
  for (const auto& id : acks.tickets)
    EXPECT_EQ(created[id], 1) << "ticket " << id << " created events";
  for (const auto& s : acks.status_changes)
    EXPECT_EQ(status_seen[s], 1)
        << "status change of ticket " << std::get<0>(s) << " to "
        << std::get<2>(s) << " at version " << std::get<1>(s);
  for (const auto& c : acks.comments)
    EXPECT_EQ(comment_seen[c], 1)
        << "comment '" << c.second << "' on ticket " << c.first;
  for (const auto& s : acks.staff_edits)
    EXPECT_EQ(staff_seen[s], 1) << "staff edit of " << std::get<0>(s)
                                << " at version " << std::get<1>(s);
  for (uint32_t v : acks.catalogue_versions)
    EXPECT_EQ(catalogue_seen[v], 1) << "catalogue import to version " << v;
  for (const auto& [id, v] : acks.ticket_version) {
    HttpResponse r = client.Get("/api/v1/tickets/" + id);
    ASSERT_EQ(r.status, 200) << "acknowledged ticket " << id << " is lost";
    EXPECT_GE(Parse(r).value("version", 0u), v) << "ticket " << id;
  }
  for (const auto& [id, v] : acks.staff_version) {
    HttpResponse r = client.Get("/api/v1/staff/" + id);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_GE(Parse(r).value("version", 0u), v) << "staff " << id;
  }
  if (!acks.catalogue_versions.empty()) {
    HttpResponse r = client.Get("/api/v1/catalogue?view=flat");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_GE(Parse(r).value("version", 0u), *acks.catalogue_versions.rbegin());
  }
}

uint64_t MapSize(uint16_t port) {
  HttpClient client(port);
  Authorise(client);
  HttpResponse r = client.Get("/metrics");
  const std::string name = "\nhelpdesk_store_map_size_bytes ";
  const size_t at = r.body.find(name);
  return at == std::string::npos ? 0
                                 : std::stoull(r.body.substr(at + name.size()));
}

TEST(Crash, Kill9DuringEveryKindOfWriteLosesNothingAcknowledged) {
  const uint32_t seed = CrashSeed();
  std::cout << "HELPDESK_CRASH_SEED=" << seed << "\n";
  RecordProperty("seed", std::to_string(seed));
  std::mt19937 rng(seed);

  ScratchDir dir;
  DaemonProcess daemon(
      dir.path() + "/data",
      {std::string("--clock-start=") + kClockStart, "--map-size-mb=1"});
  ASSERT_EQ(daemon.Start(), "");
  LogIn(daemon);
  const uint64_t first_map = MapSize(daemon.port());
  std::vector<std::string> staff;
  {
    HttpClient client(daemon.port());
    Authorise(client);
    HttpResponse r = client.Get("/api/v1/staff");
    ASSERT_EQ(r.status, 200) << r.body;
    for (const auto& m : Parse(r).value("staff", json::array()))
      if (staff.size() < kClients) staff.push_back(m.value("id", ""));
    ASSERT_EQ(staff.size(), static_cast<size_t>(kClients)) << r.body;
  }
  Acks acks;
  for (int round = 0; round < kRounds; ++round) {
    SCOPED_TRACE("round " + std::to_string(round) +
                 ", HELPDESK_CRASH_SEED=" + std::to_string(seed));
    const int threshold =
        std::uniform_int_distribution(kMinAcked, kMaxAcked)(rng);
    {
      std::lock_guard lock(acks.mu);
      acks.this_round = 0;
      acks.stops.clear();
    }
    const KilledRound killed = KillMidStream(
        daemon, kClients, acks.mu, acks.cv, [&] { return acks.this_round; },
        threshold, kRoundDeadline,
        [&](int c) { Client(c, round, seed, daemon.port(), staff[c], acks); });
    std::string stops;
    for (const auto& why : acks.stops) stops += why + "\n";
    ASSERT_TRUE(killed.reached)
        << "only " << acks.this_round << " of " << threshold << " ("
        << killed.finished << " clients stopped)"
        << " writes acknowledged; the clients stopped:\n"
        << stops << "daemon log:\n"
        << daemon.Log();
    EXPECT_EQ(StoreProblems(daemon.data_dir()), "")
        << "the store as the kill left it";
    ASSERT_EQ(daemon.Start(), "") << "restart after kill -9";
    Verify(daemon.port(), acks);
    EXPECT_EQ(StoreProblems(daemon.data_dir()), "") << "after the restart";
    if (::testing::Test::HasFailure()) {
      std::cerr << "---- " << daemon.log_file() << " ----\n"
                << daemon.Log() << "---- end of daemon log ----\n";
      return;
    }
  }
  EXPECT_GT(MapSize(daemon.port()), first_map)
      << "the map never grew: the rounds did not exercise growth";
  EXPECT_EQ(daemon.Terminate(), 0) << daemon.Log();
  std::lock_guard lock(acks.mu);
  std::cout << acks.tickets.size() << " tickets, " << acks.status_changes.size()
            << " status changes, " << acks.comments.size() << " comments, "
            << acks.staff_edits.size() << " staff edits, "
            << acks.catalogue_versions.size() << " imports survived " << kRounds
            << " kill -9 rounds\n";
}

}  // namespace
}  // namespace helpdesk::testing
