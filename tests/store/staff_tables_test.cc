// The staff table: the registry and vakt rota seeded into a new or
// upgraded database, written through the WriteContext with the staff
// generation following, and each person's open load kept right by every
// ticket change.

#include "daemon/store/staff_tables.h"

#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "daemon/store/catalogue_tables.h"
#include "daemon/store/tables.h"
#include "daemon/store/writer.h"
#include "tests/support/scratch_dir.h"

namespace helpdesk::store {
namespace {

using google::protobuf::util::TimeUtil;

v1::StaffMember Member(const std::string& id, const std::string& home) {
  v1::StaffMember m;
  m.set_id(id);
  m.set_name(id);
  m.set_home_municipality(home);
  m.add_covers(home);
  m.set_fte_percent(100);
  return m;
}

Seed TestSeed() {
  Seed seed;
  seed.region.add_municipalities()->set_id("rollag");
  seed.region.add_municipalities()->set_id("tinn");
  seed.catalogue.add_skills()->set_id("printers");
  // Out of order, with a version and a `now` the store must not keep.
  seed.staff.push_back(Member("ola.nordmann", "tinn"));
  seed.staff.back().set_version(7);
  seed.staff.back().mutable_now()->set_at_work(true);
  seed.staff.push_back(Member("kari.haugen", "rollag"));
  auto* shift = seed.rota.add_shifts();
  *shift->mutable_start() = TimeUtil::SecondsToTimestamp(1767225600);
  *shift->mutable_end() = TimeUtil::SecondsToTimestamp(1767225600 + 86400);
  shift->set_primary("kari.haugen");
  shift->set_backup("ola.nordmann");
  return seed;
}

v1::Ticket Ticket(uint64_t n, v1::TicketStatus status,
                  const std::string& assignee,
                  v1::Priority priority = v1::PRIORITY_NORMAL) {
  v1::Ticket t;
  t.set_id(std::to_string(n));
  t.set_municipality("rollag");
  t.set_status(status);
  t.set_assignee(assignee);
  t.set_priority(priority);
  t.set_version(1);
  return t;
}

std::vector<uint32_t> Counts(const v1::StaffLoad& load) {
  return {load.open_by_priority().begin(), load.open_by_priority().end()};
}

class StaffTables : public ::testing::Test {
 protected:
  void Open(const Seed& seed = TestSeed()) {
    tables_.reset();
    env_.reset();
    auto env = Env::Open({.dir = dir_.path() + "/db"});
    ASSERT_TRUE(env.ok());
    env_.emplace(std::move(*env));
    auto tables = OpenTables(*env_, seed);
    ASSERT_TRUE(tables.ok()) << tables.status().message();
    tables_ = *tables;
  }

  // Runs `fn` as one write, as the writer would, and commits it.
  template <typename Fn>
  void Write(Fn fn) {
    auto txn = Txn::BeginWrite(*env_);
    ASSERT_TRUE(txn.ok());
    auto last_ticket = LastTicketNumber(*txn, *tables_);
    auto last_seq = LastEventSeq(*txn, *tables_);
    ASSERT_TRUE(last_ticket.ok() && last_seq.ok());
    WriteContext ctx(*txn, *tables_, TimeUtil::SecondsToTimestamp(1767225600),
                     *last_ticket, *last_seq);
    fn(ctx);
    ASSERT_FALSE(ctx.failed()) << ctx.failure().message();
    ASSERT_TRUE(txn->Commit().ok());
  }

  // Saves one ticket change in its own write; returns the event's seq.
  uint64_t Save(const std::optional<v1::Ticket>& before, v1::Ticket now) {
    uint64_t seq = 0;
    if (before) now.set_version(before->version() + 1);
    Write([&](WriteContext& w) {
      v1::Event e;
      e.set_ticket_id(now.id());
      ASSERT_TRUE(w.Save(before ? &*before : nullptr, now, std::move(e)).ok());
      seq = w.events().back().seq();
    });
    return seq;
  }

  v1::StaffLoad Load(const std::string& id) {
    auto txn = Txn::BeginRead(*env_);
    auto load = GetLoad(*txn, *tables_, id);
    EXPECT_TRUE(load.ok());
    return load.ok() ? *load : v1::StaffLoad();
  }
  uint64_t Generation() {
    auto txn = Txn::BeginRead(*env_);
    auto g = StaffGeneration(*txn, *tables_);
    EXPECT_TRUE(g.ok());
    return g.ok() ? *g : 0;
  }
  std::vector<v1::StaffMember> Staff() {
    auto txn = Txn::BeginRead(*env_);
    auto staff = LoadStaff(*txn, *tables_);
    EXPECT_TRUE(staff.ok());
    return staff.ok() ? *staff : std::vector<v1::StaffMember>();
  }
  v1::VaktRota Rota() {
    auto txn = Txn::BeginRead(*env_);
    auto rota = LoadRota(*txn, *tables_);
    EXPECT_TRUE(rota.ok());
    return rota.ok() ? *rota : v1::VaktRota();
  }
  std::string SchemaVersion() {
    auto txn = Txn::BeginRead(*env_);
    auto v = txn->Get(tables_->meta, "schema_version");
    return v.ok() && *v ? std::string(**v) : "";
  }

  // Makes the database look like schema 2: no staff table, no generation.
  void MakeVersionTwo() {
    auto txn = Txn::BeginWrite(*env_);
    ASSERT_EQ(mdb_drop(txn->get(), tables_->staff.dbi, /*del=*/1), 0);
    ASSERT_TRUE(txn->Del(tables_->meta, "staff_generation").ok());
    ASSERT_TRUE(txn->Put(tables_->meta, "schema_version", "2").ok());
    ASSERT_TRUE(txn->Commit().ok());
  }

  testing::ScratchDir dir_;
  std::optional<Env> env_;
  std::optional<Tables> tables_;
};

const std::vector<uint32_t> kNone = {0, 0, 0, 0, 0};

TEST_F(StaffTables, ANewDatabaseHoldsTheSeedStaffAndRotaAsVersionOne) {
  Open();
  std::vector<v1::StaffMember> staff = Staff();
  ASSERT_EQ(staff.size(), 2u);
  EXPECT_EQ(staff[0].id(), "kari.haugen");  // sorted by id
  EXPECT_EQ(staff[1].id(), "ola.nordmann");
  for (const auto& m : staff) {
    EXPECT_EQ(m.version(), 1u) << m.id();
    EXPECT_FALSE(m.has_now()) << m.id();
  }
  auto txn = Txn::BeginRead(*env_);
  auto kari = GetStaff(*txn, *tables_, "kari.haugen");
  ASSERT_TRUE(kari.ok() && *kari);
  EXPECT_EQ((*kari)->home_municipality(), "rollag");
  auto nobody = GetStaff(*txn, *tables_, "per");
  ASSERT_TRUE(nobody.ok());
  EXPECT_FALSE(*nobody);
  v1::VaktRota rota = Rota();
  EXPECT_EQ(rota.version(), 1u);
  ASSERT_EQ(rota.shifts_size(), 1);
  EXPECT_EQ(rota.shifts(0).primary(), "kari.haugen");
  EXPECT_EQ(Generation(), 1u);
  EXPECT_EQ(SchemaVersion(), std::to_string(kSchemaVersion));
}

TEST_F(StaffTables, WithoutShiftsThereIsNoRotaAndUnknownPeopleHaveNoLoad) {
  Seed seed = TestSeed();
  seed.rota.Clear();
  Open(seed);
  v1::VaktRota rota = Rota();
  EXPECT_EQ(rota.version(), 0u);
  EXPECT_EQ(rota.shifts_size(), 0);
  v1::StaffLoad load = Load("per");
  EXPECT_EQ(Counts(load), kNone);
  EXPECT_EQ(load.last_assigned_seq(), 0u);
}

TEST_F(StaffTables, StaffAndRotaWritesBumpTheGenerationAndAreLogged) {
  Open();
  uint64_t g = Generation();
  std::vector<v1::StaffMember> staff = Staff();
  v1::StaffMember kari = staff[0];
  kari.set_title("IKT-veileder i skolen");
  kari.set_version(2);
  kari.mutable_now()->set_on_vakt(true);
  v1::StaffMember per = Member("per.lie", "tinn");
  per.set_version(1);
  uint64_t staff_seq = 0, rota_seq = 0;
  Write([&](WriteContext& w) {
    v1::Event e1, e2;
    e1.mutable_staff_changed()->set_change(v1::STAFF_CHANGE_UPDATED);
    ASSERT_TRUE(w.SaveStaff(&staff[0], kari, std::move(e1)).ok());
    e2.mutable_staff_changed()->set_change(v1::STAFF_CHANGE_CREATED);
    ASSERT_TRUE(w.SaveStaff(nullptr, per, std::move(e2)).ok());
    staff_seq = w.events().back().seq();
  });
  EXPECT_EQ(staff_seq, 2u);
  EXPECT_EQ(Generation(), g + 2);
  staff = Staff();
  ASSERT_EQ(staff.size(), 3u);
  EXPECT_EQ(staff[0].title(), "IKT-veileder i skolen");
  EXPECT_EQ(staff[0].version(), 2u);
  EXPECT_FALSE(staff[0].has_now());
  EXPECT_EQ(staff[2].id(), "per.lie");

  v1::VaktRota rota = Rota();
  rota.mutable_shifts(0)->set_primary("per.lie");
  rota.set_version(2);
  Write([&](WriteContext& w) {
    v1::Event e;
    e.mutable_vakt_changed()->set_version(2);
    ASSERT_TRUE(w.SaveRota(rota, std::move(e)).ok());
    rota_seq = w.events().back().seq();
  });
  EXPECT_EQ(rota_seq, 3u);
  EXPECT_EQ(Generation(), g + 3);
  EXPECT_EQ(Rota().shifts(0).primary(), "per.lie");
  EXPECT_EQ(Rota().version(), 2u);

  auto txn = Txn::BeginRead(*env_);
  auto events = ListEvents(*txn, *tables_, 0, 10);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->events.size(), 3u);
  EXPECT_TRUE(events->events[0].has_staff_changed());
  EXPECT_TRUE(events->events[2].has_vakt_changed());
}

TEST_F(StaffTables, SaveStaffRefusesToChangeAnIdAndWritesNothing) {
  Open();
  uint64_t g = Generation();
  v1::StaffMember kari = Staff()[0];
  v1::StaffMember renamed = kari;
  renamed.set_id("kari.lie");
  Write([&](WriteContext& w) {
    v1::Event e;
    EXPECT_FALSE(w.SaveStaff(&kari, renamed, std::move(e)).ok());
    EXPECT_FALSE(w.failed());  // a rejection, not a storage failure
  });
  EXPECT_EQ(Generation(), g);
  EXPECT_EQ(Staff().size(), 2u);
}

TEST_F(StaffTables, OpenLoadFollowsEveryTicketChange) {
  Open();
  using S = v1::TicketStatus;
  v1::Ticket t1 = Ticket(1, v1::TICKET_STATUS_ASSIGNED, "ola.nordmann");
  uint64_t created = Save(std::nullopt, t1);
  EXPECT_EQ(Counts(Load("ola.nordmann")),
            (std::vector<uint32_t>{0, 0, 0, 1, 0}));
  EXPECT_EQ(Load("ola.nordmann").last_assigned_seq(), created);

  auto change = [&](v1::Ticket& t, auto mutate) {
    v1::Ticket before = t;
    mutate(t);
    t.set_version(before.version() + 1);
    return Save(before, t);
  };
  // Priority change: the ticket moves to the new priority's count.
  change(t1, [](v1::Ticket& t) { t.set_priority(v1::PRIORITY_HIGH); });
  EXPECT_EQ(Counts(Load("ola.nordmann")),
            (std::vector<uint32_t>{0, 0, 1, 0, 0}));
  // Reassigned: it leaves ola and counts for kari, who was last given one.
  uint64_t reassigned =
      change(t1, [](v1::Ticket& t) { t.set_assignee("kari.haugen"); });
  EXPECT_EQ(Counts(Load("ola.nordmann")), kNone);
  EXPECT_EQ(Load("ola.nordmann").last_assigned_seq(), created);
  EXPECT_EQ(Counts(Load("kari.haugen")),
            (std::vector<uint32_t>{0, 0, 1, 0, 0}));
  EXPECT_EQ(Load("kari.haugen").last_assigned_seq(), reassigned);
  // Moves between open statuses change nothing.
  change(t1, [](v1::Ticket& t) { t.set_status(S::TICKET_STATUS_IN_PROGRESS); });
  change(t1,
         [](v1::Ticket& t) { t.set_status(S::TICKET_STATUS_WAITING_ON_USER); });
  EXPECT_EQ(Counts(Load("kari.haugen")),
            (std::vector<uint32_t>{0, 0, 1, 0, 0}));
  // Resolved: no longer open work; reopened: open again; closed: gone.
  change(t1, [](v1::Ticket& t) { t.set_status(S::TICKET_STATUS_RESOLVED); });
  EXPECT_EQ(Counts(Load("kari.haugen")), kNone);
  change(t1, [](v1::Ticket& t) { t.set_status(S::TICKET_STATUS_IN_PROGRESS); });
  EXPECT_EQ(Counts(Load("kari.haugen")),
            (std::vector<uint32_t>{0, 0, 1, 0, 0}));
  change(t1, [](v1::Ticket& t) { t.set_status(S::TICKET_STATUS_RESOLVED); });
  change(t1, [](v1::Ticket& t) { t.set_status(S::TICKET_STATUS_CLOSED); });
  EXPECT_EQ(Counts(Load("kari.haugen")), kNone);
  // The last assignment is kept; re-saving the same assignee is no new one.
  EXPECT_EQ(Load("kari.haugen").last_assigned_seq(), reassigned);
}

TEST_F(StaffTables, LoadsAddUpOverSeveralTicketsAndIgnoreUnassignedOnes) {
  Open();
  Save(std::nullopt, Ticket(1, v1::TICKET_STATUS_NEW, ""));
  Save(std::nullopt, Ticket(2, v1::TICKET_STATUS_ASSIGNED, "kari.haugen",
                            v1::PRIORITY_CRITICAL));
  uint64_t last = Save(std::nullopt, Ticket(3, v1::TICKET_STATUS_ASSIGNED,
                                            "kari.haugen", v1::PRIORITY_LOW));
  Save(std::nullopt,
       Ticket(4, v1::TICKET_STATUS_ASSIGNED, "kari.haugen", v1::PRIORITY_LOW));
  // Taken off kari and left unassigned: counts for no one.
  Save(Ticket(4, v1::TICKET_STATUS_ASSIGNED, "kari.haugen", v1::PRIORITY_LOW),
       Ticket(4, v1::TICKET_STATUS_NEW, "", v1::PRIORITY_LOW));
  v1::StaffLoad kari = Load("kari.haugen");
  EXPECT_EQ(Counts(kari), (std::vector<uint32_t>{0, 1, 0, 0, 1}));
  EXPECT_EQ(kari.last_assigned_seq(), last + 1);  // ticket 4's creation
  EXPECT_EQ(Counts(Load("")), kNone);
}

TEST_F(StaffTables, TwoSavesOfOneTicketInOneWriteCountOnce) {
  Open();
  uint64_t assigned_seq = 0;
  Write([&](WriteContext& w) {
    // Created unassigned, then dispatched in the same transaction.
    v1::Ticket created = Ticket(w.NextTicketNumber(), v1::TICKET_STATUS_NEW, "",
                                v1::PRIORITY_HIGH);
    v1::Event e1;
    e1.set_ticket_id(created.id());
    ASSERT_TRUE(w.Save(nullptr, created, std::move(e1)).ok());
    v1::Ticket assigned = created;
    assigned.set_status(v1::TICKET_STATUS_ASSIGNED);
    assigned.set_assignee("ola.nordmann");
    assigned.set_version(2);
    v1::Event e2;
    e2.set_ticket_id(created.id());
    ASSERT_TRUE(w.Save(&created, assigned, std::move(e2)).ok());
    assigned_seq = w.events().back().seq();
    // The dispatcher reads the load inside the same transaction.
    auto load = GetLoad(w.txn(), w.tables(), "ola.nordmann");
    ASSERT_TRUE(load.ok());
    EXPECT_EQ(load->open_by_priority(v1::PRIORITY_HIGH), 1u);
  });
  v1::StaffLoad ola = Load("ola.nordmann");
  EXPECT_EQ(Counts(ola), (std::vector<uint32_t>{0, 0, 1, 0, 0}));
  EXPECT_EQ(ola.last_assigned_seq(), assigned_seq);
  EXPECT_EQ(assigned_seq, 2u);

  // Created with an assignee and then moved on to someone else, in one write.
  Write([&](WriteContext& w) {
    v1::Ticket created = Ticket(w.NextTicketNumber(),
                                v1::TICKET_STATUS_ASSIGNED, "ola.nordmann");
    v1::Event e1;
    ASSERT_TRUE(w.Save(nullptr, created, std::move(e1)).ok());
    v1::Ticket moved = created;
    moved.set_assignee("kari.haugen");
    v1::Event e2;
    ASSERT_TRUE(w.Save(&created, moved, std::move(e2)).ok());
  });
  EXPECT_EQ(Counts(Load("ola.nordmann")),
            (std::vector<uint32_t>{0, 0, 1, 0, 0}));
  EXPECT_EQ(Counts(Load("kari.haugen")),
            (std::vector<uint32_t>{0, 0, 0, 1, 0}));
}

TEST_F(StaffTables, ACountNeverGoesBelowZero) {
  Open();
  // A ticket that was never counted (stored behind the store's back) is
  // resolved: ola's count stays at zero instead of wrapping round.
  v1::Ticket t = Ticket(1, v1::TICKET_STATUS_IN_PROGRESS, "ola.nordmann");
  {
    auto txn = Txn::BeginWrite(*env_);
    ASSERT_TRUE(PutTicket(*txn, *tables_, nullptr, t).ok());
    ASSERT_TRUE(txn->Commit().ok());
  }
  v1::Ticket resolved = t;
  resolved.set_status(v1::TICKET_STATUS_RESOLVED);
  Save(t, resolved);
  EXPECT_EQ(Counts(Load("ola.nordmann")), kNone);
}

TEST_F(StaffTables, AVersionTwoDatabaseGetsStaffRotaAndLoadsFromItsTickets) {
  Seed empty;  // what the old build seeded: no staff
  empty.region = TestSeed().region;
  Open(empty);
  {  // Tickets the old status API assigned, written without any load.
    auto txn = Txn::BeginWrite(*env_);
    for (v1::Ticket t :
         {Ticket(1, v1::TICKET_STATUS_ASSIGNED, "ola.nordmann"),
          Ticket(2, v1::TICKET_STATUS_IN_PROGRESS, "ola.nordmann",
                 v1::PRIORITY_CRITICAL),
          Ticket(3, v1::TICKET_STATUS_WAITING_ON_SUPPLIER, "ola.nordmann"),
          Ticket(4, v1::TICKET_STATUS_RESOLVED, "ola.nordmann"),
          Ticket(5, v1::TICKET_STATUS_CLOSED, "kari.haugen"),
          Ticket(6, v1::TICKET_STATUS_NEW, ""),
          Ticket(7, v1::TICKET_STATUS_ASSIGNED, "kari.haugen",
                 v1::PRIORITY_LOW),
          Ticket(8, v1::TICKET_STATUS_ASSIGNED, "someone.gone")}) {
      ASSERT_TRUE(PutTicket(*txn, *tables_, nullptr, t).ok());
    }
    ASSERT_TRUE(txn->Commit().ok());
  }
  MakeVersionTwo();
  Open();  // this build, with the seed staff
  EXPECT_EQ(SchemaVersion(), std::to_string(kSchemaVersion));
  EXPECT_EQ(Staff().size(), 2u);
  EXPECT_EQ(Rota().version(), 1u);
  EXPECT_EQ(Generation(), 1u);
  EXPECT_EQ(Counts(Load("ola.nordmann")),
            (std::vector<uint32_t>{0, 1, 0, 2, 0}));
  EXPECT_EQ(Counts(Load("kari.haugen")),
            (std::vector<uint32_t>{0, 0, 0, 0, 1}));
  // Not on the registry, but the ticket is still open work of that name.
  EXPECT_EQ(Counts(Load("someone.gone")),
            (std::vector<uint32_t>{0, 0, 0, 1, 0}));
  // From here on the loads move with the tickets.
  Save(Ticket(2, v1::TICKET_STATUS_IN_PROGRESS, "ola.nordmann",
              v1::PRIORITY_CRITICAL),
       Ticket(2, v1::TICKET_STATUS_RESOLVED, "ola.nordmann",
              v1::PRIORITY_CRITICAL));
  EXPECT_EQ(Counts(Load("ola.nordmann")),
            (std::vector<uint32_t>{0, 0, 0, 2, 0}));
}

TEST_F(StaffTables, AVersionOneDatabaseIsUpgradedToTheCurrentSchema) {
  Seed seed = TestSeed();
  seed.catalogue.Clear();
  Open(seed);
  Save(std::nullopt, Ticket(1, v1::TICKET_STATUS_ASSIGNED, "kari.haugen"));
  MakeVersionTwo();
  {  // and back to 1: no catalogue either
    auto txn = Txn::BeginWrite(*env_);
    ASSERT_TRUE(txn->Put(tables_->meta, "schema_version", "1").ok());
    ASSERT_TRUE(txn->Del(tables_->meta, "catalogue_version").ok());
    ASSERT_TRUE(txn->Commit().ok());
  }
  Open();  // TestSeed has a catalogue with one skill
  EXPECT_EQ(SchemaVersion(), std::to_string(kSchemaVersion));
  auto txn = Txn::BeginRead(*env_);
  auto catalogue = LoadCatalogue(*txn, *tables_);
  ASSERT_TRUE(catalogue.ok());
  EXPECT_EQ(catalogue->version(), 1u);
  EXPECT_EQ(catalogue->skills_size(), 1);
  EXPECT_EQ(Staff().size(), 2u);
  EXPECT_EQ(Counts(Load("kari.haugen")),
            (std::vector<uint32_t>{0, 0, 0, 1, 0}));
}

TEST_F(StaffTables, ReopeningKeepsStaffRotaLoadsAndGeneration) {
  Open();
  uint64_t seq =
      Save(std::nullopt, Ticket(1, v1::TICKET_STATUS_ASSIGNED, "ola.nordmann"));
  v1::VaktRota rota = Rota();
  rota.set_version(2);
  Write([&](WriteContext& w) {
    v1::Event e;
    ASSERT_TRUE(w.SaveRota(rota, std::move(e)).ok());
  });
  uint64_t g = Generation();
  Seed other;  // another seed is ignored by a database that has one
  other.staff.push_back(Member("per.lie", "tinn"));
  Open(other);
  std::vector<v1::StaffMember> staff = Staff();
  ASSERT_EQ(staff.size(), 2u);
  EXPECT_EQ(staff[0].id(), "kari.haugen");
  EXPECT_EQ(Rota().version(), 2u);
  EXPECT_EQ(Generation(), g);
  v1::StaffLoad ola = Load("ola.nordmann");
  EXPECT_EQ(Counts(ola), (std::vector<uint32_t>{0, 0, 0, 1, 0}));
  EXPECT_EQ(ola.last_assigned_seq(), seq);
}

TEST_F(StaffTables, ANewerSchemaIsRefused) {
  Open();
  {
    auto txn = Txn::BeginWrite(*env_);
    ASSERT_TRUE(txn->Put(tables_->meta, "schema_version",
                         std::to_string(kSchemaVersion + 1))
                    .ok());
    ASSERT_TRUE(txn->Commit().ok());
  }
  tables_.reset();
  env_.reset();
  auto env = Env::Open({.dir = dir_.path() + "/db"});
  ASSERT_TRUE(env.ok());
  env_.emplace(std::move(*env));
  auto tables = OpenTables(*env_, TestSeed());
  ASSERT_FALSE(tables.ok());
  EXPECT_EQ(tables.status().code(), Code::kInternal);
}

}  // namespace
}  // namespace helpdesk::store
