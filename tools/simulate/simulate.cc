// helpdesk-simulate: years of the demo region's service desk, made offline
// in a new data directory through the daemon's own desk and writer, for the
// benchmarks at a million tickets (README, "Performance"). Every ticket is
// filed, assigned (by dispatch, or by a dispatcher when dispatch found no
// one), started, resolved and closed at times drawn like a municipal desk's
// (weekdays, office hours, faster for higher priorities), on a clock that
// runs from --years before --end to it; tickets still open at the end stay
// open. Titles and descriptions are made of the catalogue's own words.
// What it writes is what the daemon would have written: the indexes, the
// SLA clocks, the event log; `helpdeskctl check` agrees. No accounts are
// made: the daemon makes the first ones when it starts on the directory.
//
//   helpdesk-simulate --data-dir DIR [--tickets 1000000] [--years 10]
//                     [--end 2026-11-30] [--seed 1]
//                     [--train-dictionary FILE]
//
// --train-dictionary then trains a packing dictionary (packing.h) on the
// ticket and event records it made: records-v1.zdict was made so, from
// 20,000 tickets.
//
// Deterministic for a seed, but for the order of writes within an hour.

#include <date/date.h>
#include <google/protobuf/util/time_util.h>
#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <map>
#include <mutex>
#include <queue>
#include <random>
#include <string>
#include <vector>

#include "daemon/desk/desk.h"
#include "daemon/seed/seed.h"
#include "daemon/store/lmdb.h"
#include "daemon/store/packing.h"
#include "daemon/store/tables.h"
#include "daemon/store/writer.h"
#include "sla/oslo_time.h"

namespace helpdesk::simulate {
namespace {

using std::chrono::seconds;
using std::chrono::sys_seconds;

constexpr int64_t kSlice = 3600;  // writes of one hour, then all committed

struct Options {
  std::string data_dir;
  uint64_t tickets = 1'000'000;
  int years = 10;
  std::string end = "2026-11-30";
  uint32_t seed = 1;
  size_t in_flight = 512;
  std::string train_dictionary;  // where to write a packing dictionary
};

// Where a ticket stands, as the writer last answered.
struct TicketState {
  uint32_t version = 0;
  uint8_t status = 0;  // v1::TicketStatus
  uint8_t priority = 0;
  bool assigned = false;
  bool failed = false;  // a write was refused: left as it is
};

// A write whose answer came, for the main thread to plan the next step.
struct Done {
  uint32_t ticket;
  int64_t at;  // when it was made
};

struct Step {
  int64_t at;
  uint32_t ticket;
  bool operator>(const Step& o) const { return at > o.at; }
};

// Symptoms people write, bokmål and nynorsk.
const char* const kSymptoms[] = {
    "virker ikke",      "er veldig treg",
    "gir feilmelding",  "starter ikke",
    "henger seg opp",   "mangler tilgang",
    "verkar ikkje",     "må byttes",
    "er borte",         "fungerer ikke etter oppdatering",
    "logger meg ut",    "får ikke koblet til",
    "skriver ikkje ut", "er låst",
    "viser feil dato",  "trenger ny",
};
const char* const kDetails[] = {
    "Det gjelder hele avdelingen.",
    "Har prøvd å starte på nytt uten hell.",
    "Skjedde første gang i morges.",
    "Haster litt fordi vi har møte i ettermiddag.",
    "Feilmeldingen sier at noe gikk galt.",
    "Kollegaen min har samme problem.",
    "Det gjeld berre min maskin.",
    "Vi står i resepsjonen og trenger hjelp.",
};

class Simulation {
 public:
  explicit Simulation(const Options& o) : o_(o), random_(o.seed) {}

  int Run();

 private:
  Status Open();
  std::vector<int64_t> CreateTimes(int64_t start, int64_t end);
  void SubmitCreate(int64_t at);
  void Advance(uint32_t ticket);
  void Plan(const Done& d, int64_t not_before);
  void Drain();
  void Began();
  void Finished(StatusOr<v1::Ticket> answer, int64_t at);
  void SetClock(int64_t at) {
    if (at > now_.load()) now_.store(at);
  }
  int64_t Exponential(double mean_minutes) {
    std::exponential_distribution<double> d(1.0 / mean_minutes);
    return static_cast<int64_t>(d(random_) * 60.0) + 60;
  }

  Options o_;
  std::mt19937_64 random_;
  std::atomic<int64_t> now_{0};
  std::optional<store::Env> env_;
  store::Tables tables_;
  std::unique_ptr<store::Writer> writer_;
  std::unique_ptr<desk::Desk> desk_;
  v1::Region region_;
  v1::Catalogue catalogue_;
  std::vector<const v1::Service*> services_;
  std::vector<std::string> staff_;
  std::discrete_distribution<size_t> municipality_;

  std::mutex mutex_;
  std::condition_variable changed_;
  size_t in_flight_ = 0;                    // guarded by mutex_
  std::vector<TicketState> tickets_;        // by number; guarded by mutex_
  std::vector<Done> done_;                  // guarded by mutex_
  std::map<std::string, uint64_t> errors_;  // guarded by mutex_
  std::priority_queue<Step, std::vector<Step>, std::greater<Step>> steps_;
  uint64_t writes_ = 0;
};

Status Simulation::Open() {
  auto region = seed::DemoRegion();
  if (!region.ok()) return region.status();
  region_ = *region;
  auto catalogue = seed::DefaultCatalogue(region_);
  if (!catalogue.ok()) return catalogue.status();
  catalogue_ = *catalogue;
  for (const auto& s : catalogue_.services())
    if (s.state() != v1::SERVICE_STATE_RETIRED) services_.push_back(&s);
  auto staff = seed::DemoStaff(region_, catalogue_);
  if (!staff.ok()) return staff.status();
  for (const auto& p : *staff) staff_.push_back(p.id());
  // The rota of the last two years, as a daemon started at the end finds.
  auto end_day = sla::ParseLocalDay(o_.end);
  if (!end_day.ok()) return end_day.status();
  const date::local_days monday =
      *end_day - (date::weekday(*end_day) - date::Monday) - date::weeks(104);
  auto rota = seed::DemoRota(*staff, monday, 105);
  if (!rota.ok()) return rota.status();
  std::vector<double> population;
  for (const auto& m : region_.municipalities())
    population.push_back(std::max<double>(m.population(), 1000));
  municipality_ =
      std::discrete_distribution<size_t>(population.begin(), population.end());

  auto env =
      store::Env::Open({.dir = o_.data_dir, .map_size = size_t{1} << 30});
  if (!env.ok()) return env.status();
  env_.emplace(std::move(*env));
  auto tables = store::OpenTables(*env_, {.region = region_,
                                          .catalogue = catalogue_,
                                          .staff = *staff,
                                          .rota = *rota});
  if (!tables.ok()) return tables.status();
  tables_ = *tables;
  auto clock = [this] {
    return google::protobuf::util::TimeUtil::SecondsToTimestamp(now_.load());
  };
  writer_ = std::make_unique<store::Writer>(*env_, tables_,
                                            store::Writer::Options{}, clock);
  if (Status s = writer_->Start(); !s.ok()) return s;
  desk_ = std::make_unique<desk::Desk>(
      *env_, tables_, *writer_,
      desk::Desk::Options{.region = region_,
                          .dispatch = {},
                          .sla_policy = sla::DefaultPolicy(),
                          .now = clock,
                          .password_cost = auth::PasswordCost::kMinimum});
  return Status::Ok();
}

// Office hours on weekdays, a little on weekends and at night.
std::vector<int64_t> Simulation::CreateTimes(int64_t start, int64_t end) {
  const auto first = sla::ToOslo(sys_seconds(seconds(start))).day;
  const auto last = sla::ToOslo(sys_seconds(seconds(end))).day;
  std::vector<date::local_days> days;
  std::vector<double> weights;
  for (auto d = first; d < last; d += date::days(1)) {
    const unsigned wd = date::weekday(d).iso_encoding();
    days.push_back(d);
    weights.push_back(wd >= 6 ? 0.08 : 1.0);
  }
  std::discrete_distribution<size_t> day(weights.begin(), weights.end());
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::vector<int64_t> times;
  times.reserve(o_.tickets);
  for (uint64_t i = 0; i < o_.tickets; ++i) {
    const int minute = unit(random_) < 0.88
                           ? 450 + static_cast<int>(unit(random_) * 510)
                           : static_cast<int>(unit(random_) * 1440);
    const int64_t at =
        sla::FromOslo(days[day(random_)], minute).time_since_epoch().count() +
        static_cast<int64_t>(unit(random_) * 60);
    times.push_back(std::clamp(at, start, end - 1));
  }
  std::sort(times.begin(), times.end());
  return times;
}

void Simulation::Began() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [this] { return in_flight_ < o_.in_flight; });
  ++in_flight_;
  ++writes_;
}

void Simulation::Finished(StatusOr<v1::Ticket> answer, int64_t at) {
  std::lock_guard lock(mutex_);
  --in_flight_;
  changed_.notify_all();
  if (!answer.ok()) {
    ++errors_[answer.status().message().substr(0, 80)];
    return;
  }
  const uint32_t n = static_cast<uint32_t>(std::stoul(answer->id()));
  if (n >= tickets_.size()) tickets_.resize(n + 1 + tickets_.size() / 2);
  TicketState& t = tickets_[n];
  t.version = answer->version();
  t.status = static_cast<uint8_t>(answer->status());
  t.priority = static_cast<uint8_t>(answer->priority());
  t.assigned = !answer->assignee().empty();
  done_.push_back({n, at});
}

void Simulation::SubmitCreate(int64_t at) {
  const auto& m =
      region_.municipalities(static_cast<int>(municipality_(random_)));
  std::uniform_int_distribution<size_t> pick_service(0, services_.size() - 1);
  const v1::Service* s = services_[pick_service(random_)];
  for (int tries = 0; tries < 8 && s->municipalities_size() > 0; ++tries) {
    const auto& only = s->municipalities();
    if (std::find(only.begin(), only.end(), m.id()) != only.end()) break;
    s = services_[pick_service(random_)];
  }
  std::uniform_int_distribution<size_t> pick_symptom(0,
                                                     std::size(kSymptoms) - 1);
  std::uniform_int_distribution<size_t> pick_detail(0, std::size(kDetails) - 1);
  std::uniform_int_distribution<int> percent(0, 99);
  std::string subject =
      s->keywords_size() > 0
          ? s->keywords(static_cast<int>(random_() % s->keywords_size()))
          : s->name();
  subject[0] =
      static_cast<char>(std::toupper(static_cast<unsigned char>(subject[0])));
  v1::CreateTicketRequest r;
  r.set_title(subject + " " + kSymptoms[pick_symptom(random_)]);
  r.set_description(s->name() + ": " + kSymptoms[pick_symptom(random_)] + ". " +
                    kDetails[pick_detail(random_)]);
  r.set_municipality(m.id());
  if (m.locations_size() > 0)
    r.set_location(
        m.locations(static_cast<int>(random_() % m.locations_size())).id());
  r.set_service_id(s->id());
  const int p = percent(random_);
  r.set_priority(p < 3    ? v1::PRIORITY_CRITICAL
                 : p < 15 ? v1::PRIORITY_HIGH
                 : p < 80 ? v1::PRIORITY_NORMAL
                          : v1::PRIORITY_LOW);
  r.set_reporter("ansatt" + std::to_string(random_() % 300) + "." + m.id());
  Began();
  desk_->CreateTicket(
      desk::SystemOrigin("simulate", "sim"), std::move(r),
      [this, at](StatusOr<v1::Ticket> t) { Finished(std::move(t), at); });
}

// The next step of a ticket: assigned when dispatch found no one, then in
// progress, resolved, closed.
void Simulation::Advance(uint32_t ticket) {
  TicketState t;
  {
    std::lock_guard lock(mutex_);
    t = tickets_[ticket];
  }
  const std::string id = std::to_string(ticket);
  const int64_t at = now_.load();
  auto done = [this, at](StatusOr<v1::Ticket> answer) {
    Finished(std::move(answer), at);
  };
  const auto origin = desk::SystemOrigin("simulate", "sim");
  if (!t.assigned && t.status != v1::TICKET_STATUS_CLOSED) {
    desk::AssignCommand a;
    a.assignee = staff_[random_() % staff_.size()];
    a.reason = "Fordelt av koordinator";
    a.version = t.version;
    Began();
    desk_->Assign(origin, id, std::move(a), std::move(done));
    return;
  }
  v1::ChangeStatusRequest r;
  r.set_version(t.version);
  switch (t.status) {
    case v1::TICKET_STATUS_NEW:
    case v1::TICKET_STATUS_ASSIGNED:
      r.set_status(v1::TICKET_STATUS_IN_PROGRESS);
      break;
    case v1::TICKET_STATUS_IN_PROGRESS:
      r.set_status(v1::TICKET_STATUS_RESOLVED);
      break;
    case v1::TICKET_STATUS_RESOLVED:
      r.set_status(v1::TICKET_STATUS_CLOSED);
      break;
    default:
      return;
  }
  Began();
  desk_->ChangeStatus(origin, id, std::move(r), std::nullopt, std::move(done));
}

// When the step after `d` comes: minutes to hours by priority.
void Simulation::Plan(const Done& d, int64_t not_before) {
  TicketState t;
  {
    std::lock_guard lock(mutex_);
    t = tickets_[d.ticket];
  }
  // Means in minutes, critical, high, normal, low.
  static constexpr double kRespond[] = {15, 45, 180, 480};
  static constexpr double kResolve[] = {120, 360, 1200, 3600};
  const int p = std::clamp<int>(t.priority - v1::PRIORITY_CRITICAL, 0, 3);
  int64_t delay;
  if (!t.assigned)
    delay = Exponential(20);
  else if (t.status == v1::TICKET_STATUS_NEW ||
           t.status == v1::TICKET_STATUS_ASSIGNED)
    delay = Exponential(kRespond[p]);
  else if (t.status == v1::TICKET_STATUS_IN_PROGRESS)
    delay = Exponential(kResolve[p]);
  else if (t.status == v1::TICKET_STATUS_RESOLVED)
    delay = 5 * 86400;
  else
    return;  // closed
  steps_.push({std::max(d.at + delay, not_before), d.ticket});
}

void Simulation::Drain() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [this] { return in_flight_ == 0; });
}

int Simulation::Run() {
  struct stat st {};
  if (::stat((o_.data_dir + "/data.mdb").c_str(), &st) == 0) {
    std::fprintf(stderr, "helpdesk-simulate: %s holds a database already\n",
                 o_.data_dir.c_str());
    return 2;
  }
  if (Status s = sla::CheckOsloZone(); !s.ok()) {
    std::fprintf(stderr, "helpdesk-simulate: %s\n", s.message().c_str());
    return 2;
  }
  auto end_day = sla::ParseLocalDay(o_.end);
  if (!end_day.ok()) {
    std::fprintf(stderr, "helpdesk-simulate: --end: %s\n",
                 end_day.status().message().c_str());
    return 2;
  }
  const int64_t end = sla::FromOslo(*end_day, 0).time_since_epoch().count();
  const int64_t start =
      sla::FromOslo(*end_day - date::days(365 * o_.years + o_.years / 4), 0)
          .time_since_epoch()
          .count();
  now_ = start;
  if (Status s = Open(); !s.ok()) {
    std::fprintf(stderr, "helpdesk-simulate: %s\n", s.message().c_str());
    return 2;
  }
  const std::vector<int64_t> creates = CreateTimes(start, end);
  tickets_.resize(creates.size() + 2);
  const auto began = std::chrono::steady_clock::now();
  size_t next = 0;
  uint64_t reported = 0;
  for (int64_t slice = start; slice < end; slice += kSlice) {
    const int64_t slice_end = slice + kSlice;
    for (;;) {
      const bool create = next < creates.size() && creates[next] < slice_end;
      const bool step = !steps_.empty() && steps_.top().at < slice_end;
      if (!create && !step) break;
      if (create && (!step || creates[next] <= steps_.top().at)) {
        SetClock(creates[next++]);
        SubmitCreate(now_.load());
      } else {
        const Step s = steps_.top();
        steps_.pop();
        SetClock(s.at);
        Advance(s.ticket);
      }
    }
    Drain();
    std::vector<Done> done;
    {
      std::lock_guard lock(mutex_);
      done.swap(done_);
    }
    for (const Done& d : done) Plan(d, slice_end);
    if (next >= reported + 50'000 || next == creates.size()) {
      if (next != reported) {
        const double s = std::chrono::duration<double>(
                             std::chrono::steady_clock::now() - began)
                             .count();
        std::fprintf(stderr,
                     "%s: %zu tickets, %lu writes, %.0f s, %.0f writes/s\n",
                     date::format("%F", sys_seconds(seconds(slice))).c_str(),
                     next, static_cast<unsigned long>(writes_), s,
                     static_cast<double>(writes_) / s);
      }
      reported = next;
    }
  }
  writer_->Stop();
  const double s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - began)
          .count();
  std::printf(
      "%zu tickets, %lu writes in %.0f s (%.0f writes/s); %zu steps "
      "left at the end (tickets still open)\n",
      creates.size(), static_cast<unsigned long>(writes_), s,
      static_cast<double>(writes_) / s, steps_.size());
  for (const auto& [why, n] : errors_)
    std::printf("refused %lu times: %s\n", static_cast<unsigned long>(n),
                why.c_str());
  return 0;
}

int Fail(const Status& s) {
  std::fprintf(stderr, "helpdesk-simulate: %s\n", s.message().c_str());
  return 1;
}

// Trains a packing dictionary (store/packing.h) on the records of the
// simulated desk in `data_dir` and writes it to `path`.
int TrainDictionary(const std::string& data_dir, const std::string& path) {
  auto env = store::Env::Open({.dir = data_dir, .map_size = size_t{1} << 36});
  if (!env.ok()) return Fail(env.status());
  auto txn = store::Txn::BeginRead(*env);
  if (!txn.ok()) return Fail(txn.status());
  auto tables = store::OpenTablesToRead(*txn);
  if (!tables.ok()) return Fail(tables.status());
  auto dictionary = store::TrainDictionary(*txn, *tables, 64 * 1024);
  if (!dictionary.ok()) return Fail(dictionary.status());
  std::FILE* out = std::fopen(path.c_str(), "wb");
  if (out == nullptr ||
      std::fwrite(dictionary->data(), 1, dictionary->size(), out) !=
          dictionary->size() ||
      std::fclose(out) != 0) {
    std::fprintf(stderr, "helpdesk-simulate: cannot write %s\n", path.c_str());
    return 1;
  }
  std::printf("a packing dictionary of %zu bytes in %s\n", dictionary->size(),
              path.c_str());
  return 0;
}

}  // namespace
}  // namespace helpdesk::simulate

int main(int argc, char** argv) {
  helpdesk::simulate::Options o;
  CLI::App app(
      "helpdesk-simulate: years of the demo region's service desk, made "
      "offline in a new data directory through the daemon's own desk and "
      "writer (for the benchmarks at a million tickets).");
  app.add_option("--data-dir", o.data_dir, "A new data directory")->required();
  app.add_option("--tickets", o.tickets, "Tickets to file")
      ->check(CLI::Range(uint64_t{1}, uint64_t{100'000'000}));
  app.add_option("--years", o.years, "Years before --end they are filed over")
      ->check(CLI::Range(1, 30));
  app.add_option("--end", o.end, "The day the clock stops (YYYY-MM-DD)");
  app.add_option("--seed", o.seed, "Random seed");
  app.add_option("--train-dictionary", o.train_dictionary,
                 "Then train a packing dictionary on the records made and "
                 "write it to this file (daemon/store/packing.h)");
  CLI11_PARSE(app, argc, argv);
  if (int rc = helpdesk::simulate::Simulation(o).Run(); rc != 0) return rc;
  if (o.train_dictionary.empty()) return 0;
  return helpdesk::simulate::TrainDictionary(o.data_dir, o.train_dictionary);
}
