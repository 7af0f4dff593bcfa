#include "daemon/live/hub.h"

#include <pthread.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <optional>

#include "daemon/desk/desk.h"

namespace helpdesk::live {
namespace {

// Events read from the log at a time: a chunk is fanned out under the
// subscriber lock, so a new subscriber waits at most one chunk.
constexpr size_t kChunk = 256;
// The shortest time between two fan-out rounds: each subscriber is woken
// at most 1/kRound times a second (a message per wake-up), whatever the
// writer's rate, since with a thousand subscribers the wake-ups and writes
// cost more than the events. A round waits only when the last was less
// than kRound ago: an event of a quiet desk goes out at once, and under
// load at most kRound is added to its way.
constexpr std::chrono::milliseconds kRound{25};

std::string GroupKey(const Subscription& sub) {
  std::string key(ViewName(sub.view));
  key += '/';
  // An employee's events are their own: their group is theirs alone.
  if (sub.view == View::kEmployee) key += sub.who.account;
  key += '/';
  key += sub.filter.Key();
  return key;
}

}  // namespace

Hub::Hub(const desk::Desk& desk, Options options)
    : desk_(desk), options_(options) {}

Hub::~Hub() { Stop(); }

void Hub::Committed(uint64_t seq) {
  uint64_t at = committed_.load(std::memory_order_relaxed);
  while (at < seq && !committed_.compare_exchange_weak(
                         at, seq, std::memory_order_release)) {
  }
  // Taking the lock orders the store before the hub's look at it: a
  // wake-up is never lost between its check and its wait.
  { std::lock_guard lock(wait_mu_); }
  wait_cv_.notify_one();
}

void Hub::Start(uint64_t head) {
  fanned_.store(head, std::memory_order_release);
  uint64_t at = committed_.load();
  while (at < head && !committed_.compare_exchange_weak(at, head)) {
  }
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "hd-live");
    Run();
  });
}

void Hub::Stop() {
  {
    std::lock_guard lock(wait_mu_);
    stopping_ = true;
  }
  wait_cv_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void Hub::GoingAway() {
  going_away_.store(true, std::memory_order_release);
  std::lock_guard lock(subs_mu_);
  for (auto& [key, group] : groups_)
    for (const auto& sub : group.members) sub->wake();
}

void Hub::Run() {
  auto last_round = std::chrono::steady_clock::time_point();
  while (true) {
    uint64_t to = 0;
    {
      std::unique_lock lock(wait_mu_);
      wait_cv_.wait(lock, [this] {
        return stopping_ || committed_.load(std::memory_order_acquire) >
                                fanned_.load(std::memory_order_relaxed);
      });
      // A round at most every kRound: what commits meanwhile goes out
      // together, one message per subscriber, however many small
      // batches the writer committed.
      wait_cv_.wait_until(lock, last_round + kRound,
                          [this] { return stopping_; });
      if (stopping_) return;
      to = committed_.load(std::memory_order_acquire);
    }
    last_round = std::chrono::steady_clock::now();
    FanOut(to);
  }
}

void Hub::FanOut(uint64_t to) {
  {
    // Nobody listens: the log is not read at all. One who subscribes later
    // starts from fanned_ and reads what came before it from the log
    // (Subscribe's caller), so nothing is skipped for anyone.
    std::lock_guard lock(subs_mu_);
    if (groups_.empty()) {
      fanned_.store(to, std::memory_order_release);
      return;
    }
  }
  uint64_t after = fanned_.load(std::memory_order_relaxed);
  while (after < to) {
    auto events = desk_.ReadLog(after, kChunk);
    if (!events.ok() || events->empty()) {
      // The log is append-only, so nothing was read only when the store
      // failed: try again shortly (the subscribers wait; none is skipped).
      read_errors_.fetch_add(1, std::memory_order_relaxed);
      spdlog::error("live: cannot read the event log after seq {}: {}", after,
                    events.ok() ? "nothing there" : events.status().message());
      std::unique_lock lock(wait_mu_);
      wait_cv_.wait_for(lock, std::chrono::seconds(1),
                        [this] { return stopping_; });
      return;
    }
    // Counted before any is queued: whoever sees a frame sees it counted.
    events_.fetch_add(events->size(), std::memory_order_relaxed);
    std::vector<std::shared_ptr<Subscription>> woken;
    {
      std::lock_guard lock(subs_mu_);
      for (const v1::Event& e : *events) {
        std::array<std::shared_ptr<const std::string>, kViews> rendered;
        for (auto& [key, group] : groups_) {
          if (!group.filter->Matches(e) || !MaySee(group.view, *group.who, e))
            continue;
          auto& json = rendered[static_cast<int>(group.view)];
          if (!json) {
            json = std::make_shared<const std::string>(Render(group.view, e));
            renders_.fetch_add(1, std::memory_order_relaxed);
          }
          for (const auto& sub : group.members) {
            if (e.seq() <= sub->from) continue;
            std::lock_guard sub_lock(sub->mu);
            if (sub->overflowed) continue;
            if (sub->queue.size() >= options_.queue_events) {
              sub->overflowed = true;
              overflowed_.fetch_add(1, std::memory_order_relaxed);
            } else {
              sub->queue.push_back({e.seq(), json});
              frames_.fetch_add(1, std::memory_order_relaxed);
            }
            if (sub->waiting) {
              sub->waiting = false;
              woken.push_back(sub);
            }
          }
        }
      }
      after = events->back().seq();
      fanned_.store(after, std::memory_order_release);
    }
    for (const auto& sub : woken) sub->wake();
  }
}

StatusOr<uint64_t> Hub::Subscribe(const std::shared_ptr<Subscription>& sub,
                                  uint64_t since) {
  std::lock_guard lock(subs_mu_);
  if (subscribers_ >= options_.max_subscribers) {
    refused_.fetch_add(1, std::memory_order_relaxed);
    return Status::Unavailable(
        "too many live subscribers (max_subscribers is " +
        std::to_string(options_.max_subscribers) + "); retry shortly");
  }
  const uint64_t head = fanned_.load(std::memory_order_relaxed);
  sub->from = std::max(since, head);
  auto [it, made] = groups_.try_emplace(GroupKey(*sub));
  if (made) {
    it->second.view = sub->view;
    it->second.filter = &sub->filter;
    it->second.who = &sub->who;
  }
  it->second.members.push_back(sub);
  ++subscribers_;
  subscribed_.fetch_add(1, std::memory_order_relaxed);
  return head;
}

void Hub::Unsubscribe(const std::shared_ptr<Subscription>& sub) {
  std::lock_guard lock(subs_mu_);
  auto it = groups_.find(GroupKey(*sub));
  if (it == groups_.end()) return;
  auto& members = it->second.members;
  auto found = std::find(members.begin(), members.end(), sub);
  if (found == members.end()) return;
  members.erase(found);
  --subscribers_;
  if (members.empty()) {
    groups_.erase(it);
  } else if (it->second.filter == &sub->filter) {
    // The group borrowed the leaving member's filter and principal.
    it->second.filter = &members.front()->filter;
    it->second.who = &members.front()->who;
  }
}

bool Hub::Full() const {
  std::lock_guard lock(subs_mu_);
  return subscribers_ >= options_.max_subscribers;
}

std::string_view Hub::ClosedName(Closed why) {
  switch (why) {
    case Closed::kClient:
      return "client";
    case Closed::kIdle:
      return "idle";
    case Closed::kTooSlow:
      return "too_slow";
    case Closed::kCredential:
      return "credential";
    case Closed::kGoingAway:
      return "going_away";
    case Closed::kClientData:
      return "client_message";
    case Closed::kFailed:
      return "failed";
  }
  return "";
}

Hub::Stats Hub::GetStats() const {
  Stats s;
  for (int i = 0; i < kClosedReasons; ++i) s.closed[i] = closed_[i].load();
  {
    std::lock_guard lock(subs_mu_);
    s.subscribers = subscribers_;
  }
  s.subscribed = subscribed_.load();
  s.refused = refused_.load();
  s.overflowed = overflowed_.load();
  s.events = events_.load();
  s.frames = frames_.load();
  s.renders = renders_.load();
  s.read_errors = read_errors_.load();
  s.fanned_seq = fanned_.load();
  s.committed_seq = committed_.load();
  return s;
}

}  // namespace helpdesk::live
