// The desk through its own API, on a real store and writer in a scratch
// directory, with a clock the test moves: the SLA alerts that fall due
// around a person's change, and the sweeper's rounds.

#include "daemon/desk/desk.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <functional>
#include <future>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "daemon/desk/sweeper.h"
#include "daemon/store/lmdb.h"
#include "daemon/store/record_check.h"
#include "daemon/store/tables.h"
#include "tests/support/desk_on_disk.h"

namespace helpdesk::desk {
namespace {

using std::chrono::minutes;

class DeskTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(disk_.Open().ok()); }

  Desk& desk() { return disk_.desk(); }
  void Advance(minutes m) { disk_.Advance(m); }

  // A write through the desk, waited for.
  template <typename T, typename Call>
  StatusOr<T> Wait(Call call) {
    std::promise<StatusOr<T>> answer;
    call([&answer](StatusOr<T> r) { answer.set_value(std::move(r)); });
    auto f = answer.get_future();
    EXPECT_EQ(f.wait_for(std::chrono::seconds(10)), std::future_status::ready);
    return f.get();
  }

  // A change by `account` as an agent (IT staff) makes it.
  static Origin Staff(const std::string& account, const std::string& request) {
    auth::Principal who;
    who.account = account;
    who.roles = auth::kAgent;
    return OriginOf(who, request);
  }

  static v1::CreateTicketRequest Printer() {
    v1::CreateTicketRequest req;
    req.set_title("Skriveren skriver ikke ut");
    req.set_description("Papirstopp i skuff 2 hver gang.");
    req.set_municipality("rollag");
    req.set_location("rollag-kommunehus");
    req.set_service_id("skrivere-og-utskrift");
    req.set_priority(v1::PRIORITY_HIGH);  // standard/high: 1 h response
    req.set_reporter("kari.nordmann");
    return req;
  }

  v1::Ticket File() {
    auto t = Wait<v1::Ticket>([&](auto done) {
      desk().CreateTicket(Staff("kari.nordmann", "create"), Printer(),
                          std::move(done));
    });
    EXPECT_TRUE(t.ok()) << t.status().message();
    return t.ok() ? *t : v1::Ticket{};
  }

  std::vector<v1::Event> Log() {
    auto page = desk().ListEvents(auth::System("test"),
                                  {.after = 0, .limit = 1000, .ticket = {}});
    EXPECT_TRUE(page.ok());
    return {page->events().begin(), page->events().end()};
  }

  StatusOr<v1::Ticket> MoveTo(v1::TicketStatus to, uint32_t version) {
    v1::ChangeStatusRequest req;
    req.set_status(to);
    req.set_version(version);
    return Wait<v1::Ticket>([&](auto done) {
      desk().ChangeStatus(Staff("gunn.heggelund", "move"), "1", req,
                          std::nullopt, std::move(done));
    });
  }

  testing::DeskOnDisk disk_;
};

// A change that stops a clock records the alert already due first, in the
// same write; a change that is refused writes nothing at all (the sweep
// records the alert).
TEST_F(DeskTest, AlertsDueBeforeAChangeAreRecordedOnlyWithTheChange) {
  v1::Ticket t = File();
  ASSERT_EQ(t.version(), 2u);
  ASSERT_EQ(Log().size(), 2u);  // created, assigned
  Advance(minutes(50));         // the 45-minute warning is due

  auto stale = MoveTo(v1::TICKET_STATUS_IN_PROGRESS, 1);
  EXPECT_EQ(stale.status().code(), Code::kVersionConflict);
  EXPECT_EQ(Log().size(), 2u) << "a refused change wrote something";

  auto moved = MoveTo(v1::TICKET_STATUS_IN_PROGRESS, 2);
  ASSERT_TRUE(moved.ok()) << moved.status().message();
  EXPECT_EQ(moved->sla().first_response().state(), v1::SLA_CLOCK_STATE_MET);
  EXPECT_TRUE(moved->sla().first_response().warned());
  const auto log = Log();
  ASSERT_EQ(log.size(), 4u);
  EXPECT_TRUE(log[2].has_sla_warning());
  EXPECT_EQ(log[2].actor(), "sla");
  EXPECT_TRUE(log[3].has_status_changed());
  EXPECT_EQ(log[3].request_id(), "move");
}

// Waits, with a deadline, until the log holds `n` events.
bool LogReaches(Desk& desk, size_t n) {
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    auto page = desk.ListEvents(auth::System("test"),
                                {.after = 0, .limit = 1000, .ticket = {}});
    if (page.ok() && static_cast<size_t>(page->events_size()) >= n) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

TEST_F(DeskTest, TheSweeperRecordsWhatFellDueAtStartAndOnItsRounds) {
  File();
  Advance(minutes(50));  // fell due "while the daemon was down"
  Sweeper sweeper(desk(), {.dispatch_every = std::chrono::seconds(0),
                           .sla_every = std::chrono::seconds(1)});
  sweeper.Start();
  ASSERT_TRUE(LogReaches(desk(), 3));
  EXPECT_TRUE(Log()[2].has_sla_warning());
  Advance(minutes(15));  // now the breach, found on a round
  ASSERT_TRUE(LogReaches(desk(), 4));
  EXPECT_TRUE(Log()[3].has_sla_breached());
  sweeper.Stop();
  EXPECT_EQ(Log().size(), 4u);  // each alert once
}

// A client's answer is made where AnswerOn posts it, not on the writer
// (main posts to the I/O threads); one that throws there is caught, its
// client told the change was saved, and the desk goes on.
TEST_F(DeskTest, AClientsAnswerIsMadeWhereAnswerOnPostsItAndMayThrow) {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::function<void()>> posted;
  desk().AnswerOn([&](std::function<void()> f) {
    {
      std::lock_guard lock(mu);
      posted.push_back(std::move(f));
    }
    cv.notify_one();
  });
  auto next_posted = [&] {
    std::unique_lock lock(mu);
    EXPECT_TRUE(cv.wait_for(lock, std::chrono::seconds(10),
                            [&] { return !posted.empty(); }));
    std::function<void()> f = posted.empty() ? [] {} : posted.front();
    if (!posted.empty()) posted.erase(posted.begin());
    return f;
  };
  Origin client = Staff("kari.nordmann", "create");
  client.answer_off_writer = true;
  std::vector<StatusOr<v1::Ticket>> answers;  // this thread's only
  desk().CreateTicket(client, Printer(), [&](StatusOr<v1::Ticket> t) {
    answers.push_back(std::move(t));
    if (answers.size() == 1) throw std::runtime_error("rendering failed");
  });
  auto answer = next_posted();
  EXPECT_TRUE(answers.empty());  // committed; answered when that runs
  answer();
  ASSERT_EQ(answers.size(), 2u);
  ASSERT_TRUE(answers[0].ok());
  EXPECT_EQ(answers[0]->id(), "1");
  EXPECT_EQ(answers[1].status().code(), Code::kInternal);
  EXPECT_NE(answers[1].status().message().find("saved"), std::string::npos)
      << answers[1].status().message();
  EXPECT_EQ(Log().size(), 2u);  // filed and assigned: saved
  desk().CreateTicket(client, Printer(), [&](StatusOr<v1::Ticket> t) {
    answers.push_back(std::move(t));
  });
  next_posted()();
  ASSERT_EQ(answers.size(), 3u);
  ASSERT_TRUE(answers[2].ok()) << answers[2].status().message();
  EXPECT_EQ(answers[2]->id(), "2");
  EXPECT_EQ(File().id(), "3");  // an origin that does not allow it
  std::lock_guard lock(mu);
  EXPECT_TRUE(posted.empty());
}

// What dispatch writes today is stored compact (schema 13): the Assigned
// event's explanation without the steps' notes that end it, and its
// summary without what the ticket never changes. Were dispatch to word
// its explanation's end otherwise, the store would keep it whole, and this
// test names it. The answers are whole.
TEST_F(DeskTest, ADecisionIsStoredWithoutWhatItsStepsAndTicketGive) {
  const v1::Ticket filed = File();
  const auto log = Log();
  ASSERT_EQ(log.size(), 2u);
  ASSERT_TRUE(log[1].has_assigned());
  const v1::Assignment& decided = log[1].assigned().assignment();
  ASSERT_GT(decided.steps_size(), 2);
  std::string notes;
  for (const auto& step : decided.steps())
    notes += (notes.empty() ? "" : "; ") + step.note();
  EXPECT_TRUE(decided.explanation().ends_with(". " + notes + "."))
      << decided.explanation();
  EXPECT_FALSE(decided.has_explanation_continues());
  EXPECT_EQ(log[1].ticket().municipality(), "rollag");
  EXPECT_EQ(log[1].ticket().reporter(), "kari.nordmann");
  EXPECT_EQ(log[1].ticket().service_id(), "skrivere-og-utskrift");
  EXPECT_EQ(log[0].ticket().municipality(), "rollag");

  auto whole = desk().GetTicket(auth::System("test"), filed.id());
  ASSERT_TRUE(whole.ok());
  EXPECT_EQ(whole->assignment().explanation(), decided.explanation());

  auto txn = store::Txn::BeginRead(disk_.env());
  ASSERT_TRUE(txn.ok());
  for (const v1::Event& e : log) {
    auto raw = txn->Get(disk_.tables().events, store::Be64(e.seq()));
    ASSERT_TRUE(raw.ok() && *raw);
    v1::Event stored;
    ASSERT_TRUE(store::ParseRecord(**raw, stored));  // packed: unpacked
    EXPECT_EQ(stored.ticket().id(), "") << e.seq();
    EXPECT_EQ(stored.ticket().municipality(), "") << e.seq();
    if (!e.has_assigned()) continue;
    const v1::Assignment& kept = stored.assigned().assignment();
    EXPECT_TRUE(kept.explanation_continues());
    EXPECT_TRUE(decided.explanation().starts_with(kept.explanation()));
    EXPECT_LT(kept.explanation().size() * 2, decided.explanation().size());
  }
}

TEST_F(DeskTest, ASweeperWithNoRoundsStopsAtOnce) {
  Sweeper sweeper(desk(), {.dispatch_every = std::chrono::seconds(0),
                           .sla_every = std::chrono::seconds(0)});
  sweeper.Start();
  sweeper.Stop();
  sweeper.Stop();  // idempotent
}

}  // namespace
}  // namespace helpdesk::desk
