// The live hub on a real store and writer: committed events reach each
// subscriber once, in order, as its view and filter allow; a subscriber
// that does not drain its queue is marked to close, and the others go on;
// an event is rendered once per view however many subscribe; with nobody
// subscribed the log is not read.

#include "daemon/live/hub.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <future>
#include <thread>

#include "daemon/desk/desk.h"
#include "tests/support/desk_on_disk.h"

namespace helpdesk::live {
namespace {

using std::chrono::seconds;

auth::Principal Staff() {
  auth::Principal p;
  p.account = "kari.haugen";
  p.roles = auth::kAgent | auth::kDispatcher;
  return p;
}

class HubTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(disk_.Open().ok());
    auto head = desk().LastSeq();
    ASSERT_TRUE(head.ok());
    hub_ = std::make_unique<Hub>(desk(), options_);
    hub_->Start(*head);
  }
  void TearDown() override { hub_->Stop(); }

  desk::Desk& desk() { return disk_.desk(); }

  // A subscriber whose wake-ups the test waits for.
  std::shared_ptr<Subscription> Subscribe(auth::Principal who,
                                          Filter filter = {},
                                          uint64_t since = 0) {
    auto sub = std::make_shared<Subscription>(std::move(who), std::move(filter),
                                              [this] {
                                                std::lock_guard lock(mu_);
                                                ++wakes_;
                                                cv_.notify_all();
                                              });
    auto head = hub_->Subscribe(sub, since);
    EXPECT_TRUE(head.ok()) << head.status().message();
    return sub;
  }

  // Waits until `sub` has `n` frames queued (or the deadline passes).
  std::vector<Frame> WaitFor(Subscription& sub, size_t n) {
    const auto deadline = std::chrono::steady_clock::now() + seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      {
        std::lock_guard lock(sub.mu);
        if (sub.queue.size() >= n || sub.overflowed)
          return {sub.queue.begin(), sub.queue.end()};
        sub.waiting = true;
      }
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, std::chrono::milliseconds(200));
    }
    std::lock_guard lock(sub.mu);
    return {sub.queue.begin(), sub.queue.end()};
  }

  // Files a ticket in `municipality` for `reporter`, and tells the hub of
  // the commit as the writer does in the daemon.
  v1::Ticket File(std::string municipality, std::string reporter) {
    v1::CreateTicketRequest req;
    req.set_title("Skriveren skriver ikke ut");
    req.set_description("Papirstopp");
    req.set_municipality(std::move(municipality));
    req.set_service_id("skrivere-og-utskrift");
    req.set_reporter(std::move(reporter));
    std::promise<StatusOr<v1::Ticket>> answer;
    desk().CreateTicket(
        desk::OriginOf(Staff(), "file"), req,
        [&answer](StatusOr<v1::Ticket> t) { answer.set_value(std::move(t)); });
    auto t = answer.get_future().get();
    EXPECT_TRUE(t.ok()) << t.status().message();
    auto head = desk().LastSeq();
    EXPECT_TRUE(head.ok());
    hub_->Committed(*head);
    return t.ok() ? *t : v1::Ticket{};
  }

  testing::DeskOnDisk disk_;
  Hub::Options options_{
      .max_subscribers = 3, .queue_events = 8, .replay_limit = 1000};
  std::unique_ptr<Hub> hub_;
  std::mutex mu_;
  std::condition_variable cv_;
  int wakes_ = 0;
};

TEST_F(HubTest, EverySubscriberGetsEachEventOnceInOrder) {
  auto a = Subscribe(Staff());
  auto b = Subscribe(Staff());
  File("tinn", "ansatt.tinn");
  File("rollag", "ansatt.rollag");
  auto frames = WaitFor(*a, 1);
  const auto head = desk().LastSeq();
  ASSERT_TRUE(head.ok());
  frames = WaitFor(*a, *head);
  ASSERT_FALSE(frames.empty());
  for (size_t i = 1; i < frames.size(); ++i)
    EXPECT_EQ(frames[i].seq, frames[i - 1].seq + 1);
  EXPECT_EQ(frames.back().seq, *head);
  auto other = WaitFor(*b, frames.size());
  ASSERT_EQ(other.size(), frames.size());
  // One text per view, shared by both subscribers.
  EXPECT_EQ(other.front().json.get(), frames.front().json.get());
  EXPECT_EQ(hub_->GetStats().renders, frames.size());
}

TEST_F(HubTest, AFilterAndAnEmployeesViewTakeOnlyTheirs) {
  auth::Principal ansatt;
  ansatt.account = "ansatt.tinn";
  ansatt.municipality = "tinn";
  ansatt.roles = auth::kEmployee;
  auto employee = Subscribe(ansatt);
  Filter rollag;
  rollag.municipalities = {"rollag"};
  auto by_place = Subscribe(Staff(), rollag);
  File("rollag", "ansatt.rollag");
  const auto mine = File("tinn", "ansatt.tinn");
  File("tinn", "ola.nordmann");
  auto seen = WaitFor(*employee, 1);
  ASSERT_FALSE(seen.empty());
  for (const auto& f : seen)
    EXPECT_NE(f.json->find("\"ticketId\":\"" + mine.id() + "\""),
              std::string::npos)
        << *f.json;
  auto places = WaitFor(*by_place, 1);
  ASSERT_FALSE(places.empty());
  for (const auto& f : places)
    EXPECT_NE(f.json->find("\"municipality\":\"rollag\""), std::string::npos);
}

TEST_F(HubTest, ASubscriberThatDoesNotDrainIsMarkedAndTheOthersGoOn) {
  auto slow = Subscribe(Staff());
  auto fast = Subscribe(Staff());
  // Each ticket is at least two events (filed, then assigned or queued):
  // more than the slow one's eight places.
  std::vector<uint64_t> seen;
  for (int i = 0; i < 6; ++i) {
    File("tinn", "ansatt.tinn");
    const auto head = desk().LastSeq();
    ASSERT_TRUE(head.ok());
    // The fast one drains as it goes, up to the head.
    while (seen.empty() || seen.back() < *head) {
      auto got = WaitFor(*fast, 1);
      ASSERT_FALSE(got.empty()) << "the fast subscriber got nothing";
      std::lock_guard lock(fast->mu);
      for (const auto& f : fast->queue) seen.push_back(f.seq);
      fast->queue.clear();
    }
  }
  for (size_t i = 1; i < seen.size(); ++i) EXPECT_EQ(seen[i], seen[i - 1] + 1);
  EXPECT_GE(seen.size(), 12u);
  {
    std::lock_guard lock(fast->mu);
    EXPECT_FALSE(fast->overflowed);
  }
  std::lock_guard lock(slow->mu);
  EXPECT_TRUE(slow->overflowed);
  EXPECT_EQ(slow->queue.size(), options_.queue_events);
  EXPECT_EQ(hub_->GetStats().overflowed, 1u);
}

TEST_F(HubTest, SubscribersBeyondTheCapAreRefused) {
  auto a = Subscribe(Staff());
  auto b = Subscribe(Staff());
  auto c = Subscribe(Staff());
  auto d = std::make_shared<Subscription>(Staff(), Filter{}, [] {});
  auto refused = hub_->Subscribe(d, 0);
  EXPECT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), Code::kUnavailable);
  hub_->Unsubscribe(a);
  EXPECT_TRUE(hub_->Subscribe(d, 0).ok());
}

TEST_F(HubTest, ASubscriberFromASeqGetsOnlyWhatFollowsIt) {
  auto early = Subscribe(Staff());
  File("tinn", "ansatt.tinn");
  const auto head = desk().LastSeq();
  ASSERT_TRUE(head.ok());
  // Once the early one has the head, the hub has fanned out that far.
  ASSERT_EQ(WaitFor(*early, *head).size(), *head);
  auto late = Subscribe(Staff(), {}, *head);
  File("tinn", "ansatt.tinn");
  auto frames = WaitFor(*late, 1);
  ASSERT_FALSE(frames.empty());
  EXPECT_EQ(frames.front().seq, *head + 1);
}

TEST_F(HubTest, WithNobodySubscribedNothingIsReadAndALaterOneStartsAtTheHead) {
  File("tinn", "ansatt.tinn");
  File("rollag", "ansatt.rollag");
  const auto head = desk().LastSeq();
  ASSERT_TRUE(head.ok());
  // The hub moves on to the head without reading the log.
  const auto deadline = std::chrono::steady_clock::now() + seconds(10);
  while (hub_->GetStats().fanned_seq < *head &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  ASSERT_EQ(hub_->GetStats().fanned_seq, *head);
  EXPECT_EQ(hub_->GetStats().events, 0u);
  // One who comes now is told the head (the stream replays up to it from
  // the log) and gets from the hub exactly what follows.
  auto late = std::make_shared<Subscription>(Staff(), Filter{}, [this] {
    std::lock_guard lock(mu_);
    ++wakes_;
    cv_.notify_all();
  });
  auto from = hub_->Subscribe(late, 0);
  ASSERT_TRUE(from.ok());
  EXPECT_EQ(*from, *head);
  File("tinn", "ansatt.tinn");
  const auto next = desk().LastSeq();
  ASSERT_TRUE(next.ok());
  auto frames = WaitFor(*late, *next - *head);
  ASSERT_EQ(frames.size(), *next - *head);
  EXPECT_EQ(frames.front().seq, *head + 1);
  EXPECT_EQ(frames.back().seq, *next);
  EXPECT_EQ(hub_->GetStats().events, *next - *head);
}

}  // namespace
}  // namespace helpdesk::live
