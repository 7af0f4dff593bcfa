// A record is checked before it is stored (every string valid UTF-8, or the
// write is refused with nothing written), and a stored record that cannot
// be read is named by single reads and skipped by lists and scans.

#include "daemon/store/record_check.h"

#include <gtest/gtest.h>

#include "daemon/store/catalogue_tables.h"
#include "daemon/store/staff_tables.h"
#include "daemon/store/tables.h"
#include "daemon/store/writer.h"
#include "tests/store/store_fixture.h"

namespace helpdesk::store {
namespace {

Status TitleIs(const std::string& title) {
  v1::Ticket t;
  t.set_title(title);
  return CheckStrings(t, "ticket");
}

TEST(CheckStrings, AcceptsUtf8AndRefusesEveryKindOfBadSequence) {
  EXPECT_TRUE(TitleIs("").ok());
  EXPECT_TRUE(TitleIs("Skriver på 2. etasje, 3 €, 😀 — ok").ok());
  EXPECT_TRUE(TitleIs(std::string("nul\0inside", 10)).ok());
  EXPECT_TRUE(TitleIs("\xf4\x8f\xbf\xbf").ok());  // U+10FFFF
  for (const std::string& bad : {
           std::string("j\xf8rgen"),         // Latin-1
           std::string("\xed\xb0\x80"),      // a lone surrogate, U+DC00
           std::string("\xc0\xaf"),          // overlong '/'
           std::string("\xe0\x80\xaf"),      // overlong, three bytes
           std::string("\xf4\x90\x80\x80"),  // above U+10FFFF
           std::string("abc\xe2\x82"),       // cut short at the end
           std::string("\x80"),              // a lone continuation byte
           std::string("\xff"),
           std::string("0123456789abcdef\xc3"),  // after an ASCII run
       }) {
    Status s = TitleIs(bad);
    EXPECT_EQ(s.code(), Code::kInvalidField) << "accepted: " << bad;
    EXPECT_EQ(s.field(), "/title");
  }
}

TEST(CheckStrings, NamesTheFieldAtAnyDepthByItsJsonName) {
  v1::Ticket t;
  t.set_title("ok");
  t.mutable_service()->add_skills("fint");
  t.mutable_service()->add_skills("d\xe5rlig");
  Status s = CheckStrings(t, "ticket");
  EXPECT_EQ(s.field(), "/service/skills/1");
  EXPECT_NE(s.message().find("'/service/skills/1' of the ticket"),
            std::string::npos)
      << s.message();

  v1::Event e;
  e.mutable_assigned()->mutable_assignment()->add_steps()->set_note("ok");
  e.mutable_assigned()->mutable_assignment()->add_steps()->set_note("\xff");
  EXPECT_EQ(CheckStrings(e, "event").field(),
            "/assigned/assignment/steps/1/note");

  // A field left out on purpose (a ticket's comments live in events).
  v1::Ticket with_comment;
  with_comment.add_comments()->set_body("\xff");
  EXPECT_FALSE(CheckStrings(with_comment, "ticket").ok());
  EXPECT_TRUE(
      CheckStrings(with_comment, "ticket",
                   v1::Ticket::descriptor()->FindFieldByName("comments"))
          .ok());
}

class StoreGuard : public StoreFixture {
 protected:
  void SetUp() override {
    OpenStore();
    StartWriter();
  }

  // Files a ticket titled `title`, the event's actor `actor`.
  WriteResult Create(const std::string& title,
                     const std::string& actor = "kari") {
    return Run([title, actor](WriteContext& w) {
      return CreateTicketIn(w, title, 0, actor).status();
    });
  }

  // Log length and the last ticket number: "nothing was written".
  std::pair<uint64_t, uint64_t> Written() {
    auto txn = Txn::BeginRead(*env_);
    return {*LastEventSeq(*txn, t_), *LastTicketNumber(*txn, t_)};
  }

  // Overwrites the stored value under `key` with `bytes`.
  void Plant(Table table, const std::string& key, const std::string& bytes) {
    writer_->Stop();
    auto txn = Txn::BeginWrite(*env_);
    ASSERT_TRUE(txn->Put(table, key, bytes).ok());
    ASSERT_TRUE(txn->Commit().ok());
  }
};

TEST_F(StoreGuard, ARecordOrEventThatIsNotUtf8IsRefusedAndNothingWritten) {
  ASSERT_TRUE(Create("Skriveren").status.ok());
  const auto before = Written();
  WriteResult r = Create("Skriver p\xe5 2. etasje");
  EXPECT_EQ(r.status.code(), Code::kInvalidField);
  EXPECT_EQ(r.status.field(), "/title");
  EXPECT_FALSE(r.batch_failed);
  r = Create("Skriveren", "j\xf8rgen");  // an X-Actor in Latin-1
  EXPECT_EQ(r.status.field(), "/actor") << r.status.message();
  EXPECT_EQ(Written(), before);

  r = Run([](WriteContext& w) {
    v1::StaffMember m;
    m.set_id("ola");
    m.set_name("Ola \xc3");
    v1::Event e;
    return w.SaveStaff(nullptr, m, std::move(e));
  });
  EXPECT_EQ(r.status.field(), "/name");
  r = Run([](WriteContext& w) {
    v1::Catalogue after;
    after.add_services()->set_id("s\xed\xa0\x80");
    v1::Event e;
    return w.SaveCatalogue(v1::Catalogue(), after, std::move(e));
  });
  EXPECT_EQ(r.status.field(), "/services/0/id");
  r = Run([](WriteContext& w) {
    v1::VaktRota rota;
    rota.add_shifts()->set_primary("\x80");
    v1::Event e;
    return w.SaveRota(rota, std::move(e));
  });
  EXPECT_EQ(r.status.field(), "/shifts/0/primary");
  EXPECT_EQ(Written(), before);
  // And the store is still readable throughout.
  auto txn = Txn::BeginRead(*env_);
  EXPECT_TRUE(ListEvents(*txn, t_, 0, 100).ok());
  EXPECT_TRUE(LoadStaff(*txn, t_).ok());
}

TEST_F(StoreGuard, AnUnreadableTicketIsNamedAndSkippedByLists) {
  for (const char* title : {"en", "to", "tre"})
    ASSERT_TRUE(Create(title).status.ok());
  Plant(t_.tickets, Be64(2), "\x0a\x01\xff");  // field 1, one byte: 0xff
  Plant(t_.events, Be64(2), "\xff\xff\xff");   // not even a wire format
  auto txn = Txn::BeginRead(*env_);
  auto two = GetTicket(*txn, t_, 2);
  EXPECT_TRUE(IsDamaged(two.status()));
  EXPECT_EQ(two.status().message(),
            "ticket 2 is damaged in the store; run helpdeskctl check");
  EXPECT_TRUE(GetTicket(*txn, t_, 1).ok());

  auto page = ListTickets(*txn, t_, {}, 0, 2);
  ASSERT_TRUE(page.ok()) << page.status().message();
  ASSERT_EQ(page->tickets.size(), 2u);
  EXPECT_EQ(page->tickets[0].id(), "3");
  EXPECT_EQ(page->tickets[1].id(), "1");
  auto limited = ListTickets(*txn, t_, {}, 0, 1);
  ASSERT_TRUE(limited.ok());
  EXPECT_EQ(limited->next_before, 3u);
  auto rest = ListTickets(*txn, t_, {}, 3, 1);
  ASSERT_EQ(rest->tickets.size(), 1u);
  EXPECT_EQ(rest->tickets[0].id(), "1");
  auto oldest = OldestTickets(*txn, t_, {}, 10);
  ASSERT_TRUE(oldest.ok());
  EXPECT_EQ(oldest->size(), 2u);

  auto events = ListEvents(*txn, t_, 0, 10);
  ASSERT_TRUE(events.ok());
  EXPECT_EQ(events->events.size(), 2u);
  auto of_two = ListEvents(*txn, t_, 0, 10, 2);
  ASSERT_TRUE(of_two.ok());
  EXPECT_TRUE(of_two->events.empty());
  size_t visited = 0;
  EXPECT_TRUE(ForEachTicket(*txn, t_, [&](const v1::Ticket&) {
                ++visited;
                return Status::Ok();
              }).ok());
  EXPECT_EQ(visited, 2u);
}

TEST_F(StoreGuard, UnreadableCatalogueAndStaffRecordsAreLeftOutOfTheWhole) {
  ASSERT_TRUE(Run([](WriteContext& w) {
                v1::Catalogue after;
                after.set_version(2);
                after.add_services()->set_id("god");
                after.add_services()->set_id("skadet");
                after.add_skills()->set_id("nett");
                return w.SaveCatalogue(v1::Catalogue(), after, v1::Event());
              }).status.ok());
  ASSERT_TRUE(Run([](WriteContext& w) {
                v1::StaffMember m;
                m.set_id("ola");
                return w.SaveStaff(nullptr, m, v1::Event());
              }).status.ok());
  Plant(t_.catalogue, "service/skadet", "\x0a\x01\xff");
  Plant(t_.staff, "member/kari", "\x0a\x01\xff");
  auto txn = Txn::BeginRead(*env_);
  auto c = LoadCatalogue(*txn, t_);
  ASSERT_TRUE(c.ok()) << c.status().message();
  ASSERT_EQ(c->services_size(), 1);
  EXPECT_EQ(c->services(0).id(), "god");
  EXPECT_EQ(c->skills_size(), 1);
  EXPECT_TRUE(IsDamaged(GetService(*txn, t_, "skadet").status()));
  auto staff = LoadStaff(*txn, t_);
  ASSERT_TRUE(staff.ok());
  ASSERT_EQ(staff->size(), 1u);
  EXPECT_EQ(staff->front().id(), "ola");
  auto kari = GetStaff(*txn, t_, "kari");
  EXPECT_EQ(kari.status().message(),
            "staff record member/kari is damaged in the store; run "
            "helpdeskctl check");
}

}  // namespace
}  // namespace helpdesk::store
