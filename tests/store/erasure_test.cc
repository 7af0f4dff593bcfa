// Erasing a ticket's personal text (daemon/store/erasure.h): its events and
// comment records rewritten in place, the ticket saved through the writer,
// the reporter index following, another ticket untouched, the store
// consistent after, and a second erasure rewriting nothing.

#include "daemon/store/erasure.h"

#include <gtest/gtest.h>

#include <tuple>

#include "daemon/store/comment_tables.h"
#include "daemon/store/consistency.h"
#include "daemon/store/tables.h"
#include "daemon/store/writer.h"
#include "daemon/tickets/commands.h"
#include "tests/store/store_fixture.h"

namespace helpdesk::store {
namespace {

const std::string kMarker(kErasedMarker);

class Erasure : public StoreFixture {
 protected:
  void SetUp() override {
    OpenStore();
    StartWriter();
    // Ticket 1, filed by its reporter kari: her comment, an agent's
    // answer, and a close with a reason. Ticket 2, by someone else.
    WriteResult r = Run([](WriteContext& w) -> Status {
      auto one = CreateTicketIn(w, "Karis skriver", 0, "kari");
      if (!one.ok()) return one.status();
      v1::Ticket t = *one;
      for (const auto& [author, body] :
           {std::pair{"kari", "Privat: Kari er syk"},
            std::pair{"agent", "Vi ringer Kari"}}) {
        v1::AddCommentRequest req;
        req.set_author(author);
        req.set_body(body);
        auto c = tickets::DecideComment(t, req, {"r", w.now()});
        if (!c.ok()) return c.status();
        c->event.mutable_comment_added()->set_author_name(
            std::string(author) == "kari" ? "Kari Nordmann" : "Agent Hansen");
        if (Status s = w.Save(&t, c->ticket, std::move(c->event)); !s.ok())
          return s;
        t = c->ticket;
      }
      v1::Ticket closed = t;
      closed.set_status(v1::TICKET_STATUS_CLOSED);
      closed.set_version(t.version() + 1);
      v1::Event e;
      e.set_actor("agent");
      e.set_ticket_id(closed.id());
      e.mutable_status_changed()->set_from(t.status());
      e.mutable_status_changed()->set_to(closed.status());
      e.mutable_status_changed()->set_reason("Kari fikk ny skriver");
      if (Status s = w.Save(&t, closed, std::move(e)); !s.ok()) return s;
      return CreateTicketIn(w, "Olas skjerm", 0, "ola").status();
    });
    ASSERT_TRUE(r.status.ok()) << r.status.message();
  }

  // Erases ticket 1 as the retention sweep does, in one write.
  ErasureCount EraseOne() {
    ErasureCount count;
    WriteResult r = Run([&count](WriteContext& w) -> Status {
      auto before = GetTicket(w.txn(), w.tables(), 1);
      if (!before.ok()) return before.status();
      Status s = w.Write([&](Txn& txn, const Tables& t) -> Status {
        auto c = EraseTicketHistory(txn, t, 1, {(*before)->reporter()});
        if (!c.ok()) return c.status();
        count = *c;
        return Status::Ok();
      });
      if (!s.ok()) return s;
      v1::Ticket after = ErasedTicket(**before, w.now());
      after.set_version((*before)->version() + 1);
      v1::Event e;
      e.set_actor("retention");
      e.set_ticket_id("1");
      e.mutable_personal_data_erased()->set_ticket_id("1");
      return w.Save(&**before, after, std::move(e));
    });
    EXPECT_TRUE(r.status.ok()) << r.status.message();
    return count;
  }

  std::vector<v1::Event> EventsOf(uint64_t ticket) {
    auto txn = Txn::BeginRead(*env_);
    auto page = ListEvents(*txn, t_, 0, 100, ticket);
    EXPECT_TRUE(page.ok());
    return page.ok() ? page->events : std::vector<v1::Event>{};
  }
};

TEST_F(Erasure, RewritesTheTicketsHistoryAndLeavesTheRest) {
  const ErasureCount count = EraseOne();
  // Created, both comments, the close; not the erasure's own event.
  EXPECT_EQ(count.events, 4u);
  EXPECT_EQ(count.comments, 2u);

  auto txn = Txn::BeginRead(*env_);
  auto ticket = GetTicket(*txn, t_, 1);
  ASSERT_TRUE(ticket.ok() && *ticket);
  EXPECT_EQ((*ticket)->title(), kMarker);
  EXPECT_EQ((*ticket)->description(), "");  // it was empty: nothing to hide
  EXPECT_EQ((*ticket)->reporter(), "");
  EXPECT_TRUE((*ticket)->has_personal_data_erased_at());
  EXPECT_EQ((*ticket)->status(), v1::TICKET_STATUS_CLOSED);
  EXPECT_EQ((*ticket)->comment_count(), 2u);

  const std::vector<v1::Event> events = EventsOf(1);
  ASSERT_EQ(events.size(), 5u);
  for (const auto& e : events) {
    const std::string text = e.DebugString();
    for (const char* gone : {"Kari", "kari", "Privat"})
      EXPECT_EQ(text.find(gone), std::string::npos) << text;
  }
  EXPECT_EQ(events[0].actor(), kMarker);
  EXPECT_EQ(events[0].ticket_created().ticket().title(), kMarker);
  EXPECT_EQ(events[1].comment_added().author(), kMarker);
  EXPECT_EQ(events[1].comment_added().author_name(), "");
  EXPECT_EQ(events[2].comment_added().author(), "agent");  // staff stay
  EXPECT_EQ(events[2].comment_added().author_name(), "Agent Hansen");
  EXPECT_EQ(events[2].comment_added().body(), kMarker);
  EXPECT_EQ(events[3].status_changed().reason(), kMarker);
  EXPECT_TRUE(events[4].has_personal_data_erased());

  auto comments = ListComments(*txn, t_, 1, 0, 10);
  ASSERT_TRUE(comments.ok());
  ASSERT_EQ(comments->comments.size(), 2u);
  for (const auto& c : comments->comments) EXPECT_EQ(c.body(), kMarker);
  // A comment record reads as its rewritten event gives it.
  EXPECT_EQ(comments->comments[0].SerializeAsString(),
            CommentOf(events[1]).SerializeAsString());

  // The reporter's list no longer holds it; ticket 2 is as it was.
  TicketFilter by_kari;
  by_kari.reporter = "kari";
  auto listed = ListTickets(*txn, t_, by_kari, 0, 10);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->tickets.size(), 1u);
  EXPECT_EQ(listed->tickets[0].id(), "2");
  EXPECT_EQ(EventsOf(2)[0].ticket_created().ticket().title(), "Olas skjerm");

  auto report = CheckConsistency(*txn, t_);
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->clean())
      << (report->findings.empty() ? "" : report->findings[0]);
}

// Colleagues who followed the ticket are as much its people as the
// reporter: their names go from its history and their list, also one who
// stopped following before (found in the history).
TEST_F(Erasure, FollowersPastAndPresentAreErasedToo) {
  WriteResult r = Run([](WriteContext& w) -> Status {
    auto t = GetTicket(w.txn(), w.tables(), 1);
    if (!t.ok()) return t.status();
    const v1::Ticket stored = **t;
    auto move = [&](const v1::Ticket& from, v1::TicketStatus to) {
      v1::Ticket moved = from;
      moved.set_status(to);
      moved.set_version(from.version() + 1);
      v1::Event e;
      e.set_actor("agent");
      e.set_ticket_id("1");
      e.mutable_status_changed()->set_from(from.status());
      e.mutable_status_changed()->set_to(to);
      Status s = w.Save(&from, moved, std::move(e));
      return std::pair{s, moved};
    };
    // Followed while it was open again.
    auto [reopened, open] = move(stored, v1::TICKET_STATUS_IN_PROGRESS);
    if (!reopened.ok()) return reopened;
    auto step = [&](const std::string& account, bool add,
                    const std::string& actor) -> Status {
      auto c =
          tickets::DecideFollower(open, account, add, actor, {"r", w.now()});
      if (!c.ok()) return c.status();
      if (Status s = w.Save(&open, c->ticket, std::move(c->event)); !s.ok())
        return s;
      open = c->ticket;
      return Status::Ok();
    };
    for (const auto& [account, add, actor] :
         {std::tuple{"berit", true, "kari"}, std::tuple{"siri", true, "berit"},
          std::tuple{"berit", false, "berit"}})
      if (Status s = step(account, add, actor); !s.ok()) return s;
    return move(open, v1::TICKET_STATUS_CLOSED).first;
  });
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  EraseOne();
  for (const auto& e : EventsOf(1)) {
    const std::string text = e.DebugString();
    for (const char* gone : {"berit", "siri"})
      EXPECT_EQ(text.find(gone), std::string::npos) << text;
  }
  auto txn = Txn::BeginRead(*env_);
  auto ticket = GetTicket(*txn, t_, 1);
  ASSERT_TRUE(ticket.ok() && *ticket);
  EXPECT_EQ((*ticket)->followers_size(), 0);
  TicketFilter by_siri;
  by_siri.reporter = "siri";
  by_siri.with_followed = true;
  auto listed = ListTickets(*txn, t_, by_siri, 0, 10);
  ASSERT_TRUE(listed.ok());
  EXPECT_TRUE(listed->tickets.empty());
  auto report = CheckConsistency(*txn, t_);
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->clean())
      << (report->findings.empty() ? "" : report->findings[0]);
}

TEST_F(Erasure, ASecondErasureRewritesNothing) {
  EraseOne();
  auto txn = Txn::BeginWrite(*env_);
  ASSERT_TRUE(txn.ok());
  auto again = EraseTicketHistory(*txn, t_, 1, {});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->events, 0u);
  EXPECT_EQ(again->comments, 0u);
}

TEST(EraseEventText, AnEmptyReasonStaysEmptyAndOtherEventsKeepTheirText) {
  v1::Event e;
  e.set_actor("agent");
  e.mutable_status_changed();
  EXPECT_FALSE(EraseEventText(e, {"kari"}));
  EXPECT_EQ(e.status_changed().reason(), "");
  v1::Event staff;
  staff.set_actor("admin");
  staff.mutable_staff_changed()->mutable_staff()->set_name("Kari Haugen");
  EXPECT_FALSE(EraseEventText(staff, {"kari"}));
  v1::Event by_reporter;
  by_reporter.set_actor("kari");
  by_reporter.set_client_address("10.0.0.7");
  by_reporter.mutable_sla_warning();
  EXPECT_TRUE(EraseEventText(by_reporter, {"kari"}));
  EXPECT_EQ(by_reporter.actor(), kMarker);
  EXPECT_EQ(by_reporter.client_address(), "");
}

}  // namespace
}  // namespace helpdesk::store
