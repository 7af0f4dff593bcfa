// Compact records (schema 10): a ticket's record shares its service
// snapshot and leaves its assignment's steps and explanation to their
// event, a created event leaves out what its summary holds; every read
// fills them back, so what is read is what was saved. And the upgrade of a
// schema 9 database, which stored them whole.

#include "daemon/store/records.h"

#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include "daemon/store/packing.h"
#include "daemon/store/ticket_words.h"
#include "daemon/tickets/commands.h"
#include "daemon/tickets/sla_clocks.h"
#include "proto/events.h"
#include "proto/timestamps.h"
#include "sla/policy.h"
#include "tests/store/store_fixture.h"

namespace helpdesk::store {
namespace {

using google::protobuf::util::MessageDifferencer;

v1::ServiceSnapshot Snapshot(const std::string& name) {
  v1::ServiceSnapshot s;
  s.set_id("printer");
  s.set_version(3);
  s.set_name(name);
  s.set_category("brukerstotte");
  s.set_presence(v1::PRESENCE_NOT_NEEDED);
  s.add_skills("printers");
  s.set_sla_class("standard");
  return s;
}

// A dispatch decision with its reasons, as dispatch writes one.
v1::Assignment Decision(const std::string& assignee) {
  v1::Assignment a;
  a.set_outcome(v1::ASSIGNMENT_OUTCOME_ASSIGNED);
  a.set_trigger(v1::ASSIGNMENT_TRIGGER_CREATED);
  a.set_assignee(assignee);
  a.set_assignee_name("Ola Nordmann");
  a.set_rule_path("not_needed > region");
  a.set_chosen_by("lowest_load");
  a.set_by("dispatch");
  std::string notes;
  for (const char* rule : {"skills", "active", "not_absent", "available"}) {
    v1::DispatchStep* step = a.add_steps();
    step->set_rule(rule);
    step->set_kept(7);
    step->set_note(std::string("7 people kept by the rule ") + rule);
    notes += (notes.empty() ? "" : "; ") + step->note();
  }
  // As dispatch::Explain words it: the steps' notes end it.
  a.set_explanation("Assigned to Ola Nordmann (" + assignee + "). " + notes +
                    ".");
  return a;
}

// A new ticket filed and assigned as the desk does it, with its SLA clocks
// and service snapshot.
struct Filed {
  v1::Ticket first, now;
  v1::Event created, assigned;
};

Filed File(uint64_t number, const std::string& service_name,
           const google::protobuf::Timestamp& at) {
  v1::CreateTicketRequest req;
  req.set_title("Skriver " + std::to_string(number));
  req.set_description("Papirstopp i skuff 2.");
  req.set_municipality("rollag");
  req.set_service_id("printer");
  req.set_reporter("kari");
  v1::Service service;
  service.set_id("printer");
  service.set_name(service_name);
  auto c = tickets::DecideCreate(req, service, number, {"r", at});
  *c.ticket.mutable_service() = Snapshot(service_name);
  const sla::PolicyBook book{sla::DefaultPolicy()};
  auto clocks = tickets::StartClocks(book, "standard", c.ticket.priority(),
                                     proto::ToSys(at));
  EXPECT_TRUE(clocks.has_value());
  if (clocks) *c.ticket.mutable_sla() = *clocks;
  *c.event.mutable_ticket_created()->mutable_ticket() = c.ticket;
  auto a = tickets::DecideAssignment(c.ticket, Decision("ola.nordmann"), false,
                                     0, std::nullopt, {"r", at});
  EXPECT_TRUE(a.ok());
  return {c.ticket, a->ticket, std::move(c.event), std::move(a->event)};
}

class Records : public StoreFixture {
 protected:
  void SetUp() override { OpenStore(); }

  std::string Raw(Table table, const std::string& key) {
    auto txn = Txn::BeginRead(*env_);
    auto raw = txn->Get(table, key);
    EXPECT_TRUE(raw.ok() && *raw);
    return raw.ok() && *raw ? std::string(**raw) : std::string();
  }
  // The record stored under `key`, unpacked (packing.h).
  std::string Plain(Table table, const std::string& key) {
    const std::string raw = Raw(table, key);
    std::string scratch;
    auto record = Unpack(raw, scratch);
    EXPECT_TRUE(record.has_value());
    return record ? std::string(*record) : std::string();
  }
  v1::Ticket Read(uint64_t number, TicketDetail detail) {
    auto txn = Txn::BeginRead(*env_);
    auto ticket = GetTicket(*txn, t_, number, detail);
    EXPECT_TRUE(ticket.ok() && *ticket);
    return ticket.ok() && *ticket ? **ticket : v1::Ticket();
  }
  // One ticket filed and assigned through the writer.
  Filed FileOne() {
    Filed f;
    WriteResult r = Run([&](WriteContext& w) {
      f = File(w.NextTicketNumber(), "Skrivere", w.now());
      return w.Save(nullptr, f.first, v1::Event(f.created), f.now,
                    v1::Event(f.assigned));
    });
    EXPECT_TRUE(r.status.ok()) << r.status.message();
    return f;
  }
  std::vector<v1::Event> Events() {
    auto txn = Txn::BeginRead(*env_);
    auto page = ListEvents(*txn, t_, 0, 100);
    EXPECT_TRUE(page.ok());
    return page.ok() ? page->events : std::vector<v1::Event>();
  }
};

#define EXPECT_SAME(a, b)                       \
  EXPECT_TRUE(MessageDifferencer::Equals(a, b)) \
      << (a).DebugString() << "\n---\n"         \
      << (b).DebugString()

TEST_F(Records, ANewTicketIsStoredSmallAndReadBackAsSaved) {
  StartWriter();
  std::vector<Filed> saved;
  // Two services share id and version but differ (an edit that kept its
  // version): the second cannot share the first's snapshot and keeps its
  // own.
  for (const char* name : {"Skrivere", "Skrivere", "Printere"}) {
    WriteResult r = Run([&](WriteContext& w) -> Status {
      Filed f = File(w.NextTicketNumber(), name, w.now());
      Status s = w.Save(nullptr, f.first, v1::Event(f.created), f.now,
                        v1::Event(f.assigned));
      saved.push_back(std::move(f));
      return s;
    });
    ASSERT_TRUE(r.status.ok()) << r.status.message();
    ASSERT_EQ(r.events.size(), 2u);
    // Save names the Assigned event on the ticket it assigned.
    EXPECT_EQ(saved.back().now.assignment().seq(), r.events[1].seq());
  }
  writer_->Stop();

  for (uint64_t n = 1; n <= 3; ++n) {
    const Filed& f = saved[n - 1];
    // Read whole, it is what was saved; as a list row, without the reasons.
    EXPECT_SAME(Read(n, TicketDetail::kFull), f.now);
    v1::Ticket row = Read(n, TicketDetail::kRecord);
    EXPECT_EQ(row.assignment().steps_size(), 0);
    EXPECT_EQ(row.assignment().explanation(), "");
    EXPECT_EQ(row.assignment().assignee(), "ola.nordmann");
    EXPECT_SAME(row.service(), f.now.service());

    v1::Ticket record;
    ASSERT_TRUE(record.ParseFromString(Plain(t_.tickets, Be64(n))));
    EXPECT_EQ(record.assignment().steps_size(), 0);
    EXPECT_EQ(record.assignment().explanation(), "");
    EXPECT_EQ(record.assignment().seq(), f.now.assignment().seq());
    if (n < 3) {
      EXPECT_EQ(record.service().name(), "");
      EXPECT_EQ(record.service().version(), 3u);
      EXPECT_LT(record.ByteSizeLong() * 2, f.now.ByteSizeLong());
    } else {
      EXPECT_SAME(record.service(), f.now.service());
    }
  }
  // Events read back as they were appended.
  const auto events = Events();
  ASSERT_EQ(events.size(), 6u);
  for (size_t i = 0; i < 3; ++i) {
    v1::Event created = saved[i].created, assigned = saved[i].assigned;
    created.set_seq(events[2 * i].seq());
    assigned.set_seq(events[2 * i + 1].seq());
    proto::Summarize(nullptr, saved[i].first, *created.mutable_ticket());
    proto::Summarize(&saved[i].first, saved[i].now, *assigned.mutable_ticket());
    EXPECT_SAME(events[2 * i], created);
    EXPECT_SAME(events[2 * i + 1], assigned);
  }
  // A created event is stored without the summary its ticket gives (an
  // empty one marks it), and with the snapshot's stub.
  v1::Event stored;
  ASSERT_TRUE(stored.ParseFromString(Plain(t_.events, Be64(events[0].seq()))));
  EXPECT_TRUE(stored.ticket_created().ticket().has_sla());
  EXPECT_EQ(stored.ticket_created().ticket().service().name(), "");
  EXPECT_TRUE(stored.has_ticket());
  EXPECT_EQ(stored.ticket().ByteSizeLong(), 0u);
  // The Assigned event: its summary without what the ticket never
  // changes, its explanation without the steps' notes.
  ASSERT_TRUE(stored.ParseFromString(Plain(t_.events, Be64(events[1].seq()))));
  EXPECT_EQ(stored.ticket().id(), "");
  EXPECT_EQ(stored.ticket().municipality(), "");
  EXPECT_EQ(stored.ticket().reporter(), "");
  EXPECT_EQ(stored.ticket().service_name(), "");
  EXPECT_EQ(stored.ticket().assignee(), "ola.nordmann");
  EXPECT_EQ(stored.ticket().status_before(), v1::TICKET_STATUS_NEW);
  const v1::Assignment& a = stored.assigned().assignment();
  EXPECT_TRUE(a.explanation_continues());
  EXPECT_EQ(a.explanation(), "Assigned to Ola Nordmann (ola.nordmann). ");
  EXPECT_EQ(a.steps_size(), 4);
  EXPECT_LT(stored.ByteSizeLong() * 4, events[1].ByteSizeLong() * 3);
}

// TicketRecord and EventRecord are lent what they store: they swap out
// what the record leaves out, serialize, and swap it back. What they were
// given is as it was (the writer answers and streams it), and the record
// still leaves it out.
TEST_F(Records, WhatARecordLeavesOutIsPutBackInWhatItWasGiven) {
  google::protobuf::Timestamp at;
  at.set_seconds(1776240000);
  Filed f = File(1, "Skrivere", at);
  f.now.mutable_assignment()->set_seq(2);
  f.now.add_comments()->set_body("Hei, se på dette.");
  f.now.set_comments_next("2");
  // The created event whose summary is its ticket's; one whose summary
  // differs but whose clocks do not; the Assigned event.
  v1::Event created = f.created, created_other = f.created,
            assigned = f.assigned;
  proto::Summarize(nullptr, f.first, *created.mutable_ticket());
  proto::Summarize(nullptr, f.first, *created_other.mutable_ticket());
  created_other.mutable_ticket()->set_assignee("someone.else");
  proto::Summarize(&f.first, f.now, *assigned.mutable_ticket());
  assigned.set_seq(2);
  const v1::Ticket now_before = f.now;
  const v1::Event created_before = created,
                  created_other_before = created_other,
                  assigned_before = assigned;
  std::string scratch;
  auto parse = [&](const StatusOr<std::string>& record, auto& out) {
    ASSERT_TRUE(record.ok()) << record.status().message();
    auto plain = Unpack(*record, scratch);
    ASSERT_TRUE(plain.has_value());
    ASSERT_TRUE(out.ParseFromString(std::string(*plain)));
  };
  Change([&](Txn& txn) {
    v1::Ticket ticket;
    parse(TicketRecord(txn, t_, f.now), ticket);
    EXPECT_SAME(f.now, now_before);
    EXPECT_EQ(ticket.comments_size(), 0);
    EXPECT_EQ(ticket.comments_next(), "");
    EXPECT_EQ(ticket.assignment().steps_size(), 0);
    EXPECT_EQ(ticket.assignment().explanation(), "");
    EXPECT_EQ(ticket.service().name(), "");
    EXPECT_EQ(ticket.title(), f.now.title());

    v1::Event event;
    parse(EventRecord(txn, t_, created, &f.now), event);
    EXPECT_SAME(created, created_before);
    EXPECT_TRUE(event.has_ticket());
    EXPECT_EQ(event.ticket().ByteSizeLong(), 0u);
    EXPECT_EQ(event.ticket_created().ticket().service().name(), "");
    EXPECT_TRUE(event.ticket_created().ticket().has_sla());

    parse(EventRecord(txn, t_, created_other, &f.now), event);
    EXPECT_SAME(created_other, created_other_before);
    EXPECT_EQ(event.ticket().assignee(), "someone.else");
    EXPECT_FALSE(event.ticket_created().ticket().has_sla());
    EXPECT_EQ(event.ticket_created().ticket().service().name(), "");

    parse(EventRecord(txn, t_, assigned, &f.now), event);
    EXPECT_SAME(assigned, assigned_before);
    EXPECT_EQ(event.ticket().id(), "");
    EXPECT_EQ(event.ticket().assignee(), "ola.nordmann");
    EXPECT_TRUE(event.assigned().assignment().explanation_continues());
    EXPECT_EQ(event.assigned().assignment().steps_size(), 4);

    // A decision that says outright its explanation does not continue
    // keeps saying so.
    v1::Event said = assigned_before;
    said.mutable_assigned()->mutable_assignment()->set_explanation_continues(
        false);
    const std::string said_bytes = said.SerializeAsString();
    parse(EventRecord(txn, t_, said, &f.now), event);
    EXPECT_TRUE(said.assigned().assignment().has_explanation_continues());
    EXPECT_EQ(said.SerializeAsString(), said_bytes);
    EXPECT_TRUE(event.assigned().assignment().explanation_continues());
  });
}

// What the writer did not make is stored as it came: an explanation that
// does not end with its steps' notes, a decision of a person's that they
// would object to (only those notes end it), a summary that differs from
// its ticket in what the ticket never changes, an event whose ticket has
// no record. Each reads back as it was saved.
TEST_F(Records, WhatDoesNotMatchIsStoredWholeAndReadsBackTheSame) {
  StartWriter();
  const Filed f = FileOne();
  std::vector<v1::Event> written;
  auto append = [&](v1::Event e) {
    WriteResult r = Run([&](WriteContext& w) {
      return w.Write([&](Txn& txn, const Tables& t) -> Status {
        e.set_seq(*LastEventSeq(txn, t) + 1);
        return PutEvent(txn, t, e);
      });
    });
    ASSERT_TRUE(r.status.ok()) << r.status.message();
    written.push_back(e);
  };
  // The Assigned event as the writer stored it, its summary made.
  v1::Event base = f.assigned;
  base.set_ticket_id("1");
  proto::Summarize(&f.first, f.now, *base.mutable_ticket());
  v1::Event reworded = base;
  reworded.mutable_assigned()->mutable_assignment()->set_explanation(
      "Assigned to Ola Nordmann. By the rules.");
  append(reworded);
  // A person's choice: only the steps they would object to (kept 0) end
  // the explanation, after "Against the rules: ".
  v1::Event manual = base;
  v1::Assignment& m = *manual.mutable_assigned()->mutable_assignment();
  m.set_trigger(v1::ASSIGNMENT_TRIGGER_MANUAL);
  m.mutable_steps(1)->set_kept(0);
  m.mutable_steps(1)->set_note("nobody active");
  m.set_explanation(
      "Assigned to Ola Nordmann by kari: travels. Against the "
      "rules: nobody active.");
  append(manual);
  v1::Event moved = base;
  moved.mutable_ticket()->set_municipality("flesberg");
  append(moved);
  v1::Event orphan = base;
  orphan.set_ticket_id("7");
  orphan.mutable_ticket()->set_id("7");
  append(orphan);
  writer_->Stop();

  {
    auto txn = Txn::BeginRead(*env_);
    for (const v1::Event& e : written) {
      auto page = ListEvents(*txn, t_, e.seq() - 1, 1);
      ASSERT_TRUE(page.ok());
      ASSERT_EQ(page->events.size(), 1u);
      EXPECT_SAME(page->events[0], e);
    }
  }
  auto stored = [&](const v1::Event& e) {
    v1::Event out;
    EXPECT_TRUE(out.ParseFromString(Plain(t_.events, Be64(e.seq()))));
    return out;
  };
  EXPECT_FALSE(
      stored(written[0]).assigned().assignment().explanation_continues());
  EXPECT_EQ(stored(written[1]).assigned().assignment().explanation(),
            "Assigned to Ola Nordmann by kari: travels. ");
  EXPECT_EQ(stored(written[2]).ticket().id(), "1");
  EXPECT_EQ(stored(written[3]).ticket().id(), "7");
  // A ticket record gone (taken out by a repair): its events' summaries
  // are filled from the ticket as filed, its created event; with that gone
  // too, they say what they changed, and whose they are.
  Change([&](Txn& w) { ASSERT_TRUE(w.Del(t_.tickets, Be64(1)).ok()); });
  auto events = Events();
  ASSERT_EQ(events.size(), 6u);
  EXPECT_SAME(events[1].ticket(), base.ticket());
  {  // read alone, without the created event before it in the listing
    auto txn = Txn::BeginRead(*env_);
    auto alone = ListEvents(*txn, t_, 1, 1);
    ASSERT_TRUE(alone.ok());
    ASSERT_EQ(alone->events.size(), 1u);
    EXPECT_SAME(alone->events[0].ticket(), base.ticket());
  }
  Change([&](Txn& w) { ASSERT_TRUE(w.Del(t_.events, Be64(1)).ok()); });
  events = Events();
  ASSERT_EQ(events.size(), 5u);
  EXPECT_EQ(events[0].ticket().id(), "1");
  EXPECT_EQ(events[0].ticket().municipality(), "");
  EXPECT_EQ(events[0].ticket().assignee(), "ola.nordmann");
  EXPECT_EQ(events[0].assigned().assignment().explanation(),
            f.assigned.assigned().assignment().explanation());
}

// A ticket not yet decided on reads back without a decision, whole or as a
// row: nothing is filled into what it does not have.
TEST_F(Records, ATicketWithoutADecisionReadsBackWithoutOne) {
  v1::Ticket t = File(1, "Skrivere", {}).first;
  ASSERT_FALSE(t.has_assignment());
  Change([&](Txn& txn) { ASSERT_TRUE(PutTicket(txn, t_, nullptr, t).ok()); });
  for (TicketDetail d : {TicketDetail::kFull, TicketDetail::kRecord})
    EXPECT_SAME(Read(1, d), t);
}

// Writes `f` as schema 9 did: the ticket and its created event whole, no
// seq on the assignment; `assigned_event`: false for a decision no event
// records (one older than its event log).
void PutWhole(Txn& txn, const Tables& t, uint64_t number, Filed& f,
              uint64_t first_seq, bool assigned_event) {
  f.created.set_seq(first_seq);
  f.assigned.set_seq(first_seq + 1);
  f.created.set_ticket_id(std::to_string(number));
  f.assigned.set_ticket_id(std::to_string(number));
  proto::Summarize(nullptr, f.first, *f.created.mutable_ticket());
  proto::Summarize(&f.first, f.now, *f.assigned.mutable_ticket());
  if (!assigned_event)
    f.assigned.mutable_assigned()->mutable_assignment()->set_assignee("x");
  ASSERT_TRUE(txn.Put(t.tickets, Be64(number), f.now.SerializeAsString()).ok());
  for (const v1::Event* e : {&f.created, &f.assigned}) {
    ASSERT_TRUE(txn.Put(t.events, Be64(e->seq()), e->SerializeAsString()).ok());
    ASSERT_TRUE(
        txn.Put(t.ticket_events, Be64(number) + Be64(e->seq()), "").ok());
  }
}

class SchemaNine : public Records {
 protected:
  // Five tickets as schema 9 stored them; the fourth's decision matches no
  // event, the fifth's service differs from the others' of its version.
  void SetUp() override {
    Records::SetUp();
    const auto at =
        google::protobuf::util::TimeUtil::SecondsToTimestamp(1767225600);
    Change([&](Txn& txn) {
      for (uint64_t n = 1; n <= 5; ++n) {
        whole_.push_back(File(n, n == 5 ? "Printere" : "Skrivere", at));
        PutWhole(txn, t_, n, whole_.back(), 2 * n - 1, n != 4);
      }
      ASSERT_EQ(mdb_drop(txn.get(), t_.service_snapshots.dbi, 1), MDB_SUCCESS);
      ASSERT_TRUE(txn.Put(t_.meta, "schema_version", "9").ok());
    });
  }

  void ExpectCompacted() {
    auto txn = Txn::BeginRead(*env_);
    EXPECT_EQ(txn->Get(t_.meta, "schema_version")->value(),
              std::to_string(kSchemaVersion));
    EXPECT_FALSE(txn->Get(t_.meta, kCompactingRecords)->has_value());
    EXPECT_FALSE(txn->Get(t_.meta, kIndexingWords)->has_value());
    // And their words are indexed (schema 11), from the compacted records.
    TicketFilter skriver;
    skriver.words = QueryWords("skriveren");
    auto found = ListTickets(*txn, t_, skriver, 0, 50);
    ASSERT_TRUE(found.ok());
    EXPECT_EQ(found->tickets.size(), 5u);
    for (uint64_t n = 1; n <= 5; ++n) {
      v1::Ticket expected = whole_[n - 1].now;
      // The decision is named by its event, where one matches.
      if (n != 4) expected.mutable_assignment()->set_seq(2 * n);
      EXPECT_SAME(Read(n, TicketDetail::kFull), expected);
      v1::Ticket record;
      EXPECT_TRUE(IsPacked(Raw(t_.tickets, Be64(n)))) << n;
      ASSERT_TRUE(record.ParseFromString(Plain(t_.tickets, Be64(n))));
      EXPECT_EQ(record.assignment().steps_size(), n == 4 ? 4 : 0) << n;
      EXPECT_EQ(record.service().name(), n == 5 ? "Printere" : "") << n;
    }
    const auto events = Events();
    ASSERT_EQ(events.size(), 10u);
    for (uint64_t n = 1; n <= 5; ++n) {
      EXPECT_SAME(events[2 * n - 2], whole_[n - 1].created);
      EXPECT_SAME(events[2 * n - 1], whole_[n - 1].assigned);
      v1::Event stored;
      EXPECT_TRUE(IsPacked(Raw(t_.events, Be64(2 * n - 1)))) << n;
      EXPECT_TRUE(IsPacked(Raw(t_.events, Be64(2 * n)))) << n;
      ASSERT_TRUE(stored.ParseFromString(Plain(t_.events, Be64(2 * n - 1))));
      EXPECT_TRUE(stored.ticket_created().ticket().has_sla());
      EXPECT_EQ(stored.ticket().ByteSizeLong(), 0u);
      ASSERT_TRUE(stored.ParseFromString(Plain(t_.events, Be64(2 * n))));
      EXPECT_EQ(stored.ticket().id(), "") << n;
      EXPECT_TRUE(stored.assigned().assignment().explanation_continues());
    }
  }

  std::vector<Filed> whole_;
};

TEST_F(SchemaNine, IsCompactedOnOpenAndReadsBackTheSame) {
  const size_t before = Raw(t_.tickets, Be64(1)).size();
  auto tables = OpenTables(*env_, {});
  ASSERT_TRUE(tables.ok()) << tables.status().message();
  t_ = *tables;
  ExpectCompacted();
  EXPECT_LT(Raw(t_.tickets, Be64(1)).size() * 2, before);
}

// Schema 12 stored every event's summary whole and an Assigned event's
// explanation with its notes; a created event whose snapshot it shared
// left out the ticket's clocks, which its summary held. The upgrade
// rewrites them all as now (13), and they read back the same.
TEST_F(SchemaNine, ASchemaTwelveDatabaseIsCompactedOnOpen) {
  auto tables = OpenTables(*env_, {});  // tickets and words as 12 had them
  ASSERT_TRUE(tables.ok()) << tables.status().message();
  t_ = *tables;
  Change([&](Txn& txn) {
    for (uint64_t n = 1; n <= 5; ++n) {
      v1::Event created = whole_[n - 1].created;
      if (n == 1)
        created.mutable_ticket_created()->mutable_ticket()->clear_sla();
      for (const v1::Event* e : {&created, &whole_[n - 1].assigned})
        ASSERT_TRUE(
            txn.Put(t_.events, Be64(e->seq()), e->SerializeAsString()).ok());
    }
    ASSERT_TRUE(txn.Put(t_.meta, "schema_version", "12").ok());
  });
  v1::Event before;
  ASSERT_TRUE(before.ParseFromString(Plain(t_.events, Be64(2))));
  ASSERT_EQ(before.ticket().id(), "1");  // whole, as 12 stored it
  tables = OpenTables(*env_, {});
  ASSERT_TRUE(tables.ok()) << tables.status().message();
  t_ = *tables;
  ExpectCompacted();
}

// Started again after a stop part-way (the mark still there, some records
// compact), and in transactions of two records each: the same end.
TEST_F(SchemaNine, AnUpgradeInManyTransactionsGoesOnWhereItStopped) {
  auto tables = OpenTables(*env_, {});  // makes the snapshots table again
  ASSERT_TRUE(tables.ok());
  t_ = *tables;
  // Tickets 1 and 2 whole again, as if the upgrade stopped before them.
  auto stopped = [&] {
    Change([&](Txn& txn) {
      for (uint64_t n = 1; n <= 2; ++n)
        ASSERT_TRUE(
            txn.Put(t_.tickets, Be64(n), whole_[n - 1].now.SerializeAsString())
                .ok());
      ASSERT_TRUE(txn.Put(t_.meta, kCompactingRecords, "1").ok());
    });
  };
  // The next start goes on with it.
  stopped();
  tables = OpenTables(*env_, {});
  ASSERT_TRUE(tables.ok()) << tables.status().message();
  ExpectCompacted();
  // So does an upgrade two records to a transaction.
  stopped();
  ASSERT_TRUE(CompactRecords(*env_, t_, 0, /*records_per_txn=*/2).ok());
  ExpectCompacted();
}

// A ticket read back and changed keeps what its record leaves to its
// event: a change that is no decision keeps naming the decision's event,
// whether it started from a row (as the sweeps read) or a whole ticket (as
// a person's change does); a new decision names its own.
TEST_F(Records, AChangedTicketKeepsItsDecisionAndANewOneReplacesIt) {
  StartWriter();
  const Filed f = FileOne();
  v1::Ticket expected = f.now;
  for (TicketDetail from : {TicketDetail::kRecord, TicketDetail::kFull}) {
    const v1::Ticket before = Read(1, from);
    v1::Ticket after = before;
    after.set_status(from == TicketDetail::kRecord
                         ? v1::TICKET_STATUS_IN_PROGRESS
                         : v1::TICKET_STATUS_WAITING_ON_USER);
    after.set_version(before.version() + 1);
    v1::Event e;
    e.set_ticket_id("1");
    e.mutable_status_changed()->set_to(after.status());
    ASSERT_TRUE(Run([&](WriteContext& w) {
                  return w.Save(&before, after, std::move(e));
                }).status.ok());
    expected.set_status(after.status());
    expected.set_version(after.version());
    EXPECT_SAME(Read(1, TicketDetail::kFull), expected);
  }
  // Reassigned: the ticket names the new decision, and reads its reasons.
  v1::Assignment again = Decision("kari.holm");
  again.mutable_steps(0)->set_note("1 person with every skill needed");
  again.set_explanation("Assigned to Kari Holm (kari.holm).");
  uint64_t seq = 0;
  ASSERT_TRUE(Run([&](WriteContext& w) {
                auto c = tickets::DecideAssignment(
                    expected, again, false, 0, std::nullopt, {"r", w.now()});
                if (!c.ok()) return c.status();
                Status s = w.Save(&expected, c->ticket, std::move(c->event));
                seq = c->ticket.assignment().seq();
                return s;
              }).status.ok());
  writer_->Stop();
  const v1::Ticket now = Read(1, TicketDetail::kFull);
  EXPECT_GT(seq, f.now.assignment().seq());
  EXPECT_EQ(now.assignment().seq(), seq);
  EXPECT_EQ(now.assignment().assignee(), "kari.holm");
  EXPECT_EQ(now.assignment().explanation(),
            "Assigned to Kari Holm (kari.holm).");
  EXPECT_EQ(now.assignment().steps(0).note(),
            "1 person with every skill needed");
}

}  // namespace
}  // namespace helpdesk::store
