#pragma once
// The live hub (README, "Live"): tells every websocket subscriber the
// events committed to the log, in sequence order, each exactly once, as
// the subscriber's view and filter allow.
//
// The writer only tells the hub the last seq it committed (Committed: one
// atomic store and a wake-up); the hub's own thread then reads the new
// events from the log, renders each once per view that wants it, and puts
// the shared text on the queue of each matching subscriber (with no
// subscriber it reads nothing: one who comes replays from the log). Subscribers
// with the same view and filter (and, for employees, account) form a
// group, matched once per event. A subscriber whose queue is full is not
// sent less: it is marked overflowed and its session closes it (code
// 4000), and it resumes from the log with `since`. So neither a slow
// client nor a thousand of them slows the writer or each other.
//
// Ownership: the session owns its Subscription; the hub keeps a shared
// reference while it is subscribed. Thread-safety: every method is safe
// from any thread; `wake` is called on the hub's thread and must only
// post.

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "daemon/auth/principal.h"
#include "daemon/live/filter.h"
#include "daemon/live/view.h"
#include "proto/status.h"

namespace helpdesk::desk {
class Desk;
}

namespace helpdesk::live {

// One event as a subscriber receives it: its seq and its JSON in the
// subscriber's view (shared by every subscriber of that view).
struct Frame {
  uint64_t seq = 0;
  std::shared_ptr<const std::string> json;
};

struct Subscription {
  Subscription(auth::Principal who, Filter filter, std::function<void()> wake)
      : who(std::move(who)),
        view(ViewOf(this->who)),
        filter(std::move(filter)),
        wake(std::move(wake)) {}

  const auth::Principal who;
  const View view;
  const Filter filter;
  // Called (on the hub's thread) when frames were queued while the
  // session waited; it must only post to the session.
  const std::function<void()> wake;

  // Set by Subscribe: the hub queues events with seq above this.
  uint64_t from = 0;

  std::mutex mu;
  // Guarded by mu.
  std::deque<Frame> queue;
  bool overflowed = false;  // the queue filled: close it, let it resume
  bool waiting = false;     // the session waits for frames: wake it
};

class Hub {
 public:
  struct Options {
    size_t max_subscribers = 10000;
    // Events waiting for one subscriber beyond which it is closed as too
    // slow (it resumes from the log).
    size_t queue_events = 4096;
    // How far behind the log a `since` may be and still be replayed; a
    // client further behind gets a snapshot.
    uint64_t replay_limit = 100000;
  };
  // Why streams ended, for the metrics: each a counter.
  enum class Closed {
    kClient,      // the client closed it, or the connection failed
    kIdle,        // silent for idle_seconds: half-open, reaped
    kTooSlow,     // 4000
    kCredential,  // 4001
    kGoingAway,   // 1001
    kClientData,  // 1003 or 1009: the client sent a message
    kFailed,      // 1011, 1013
  };
  static constexpr int kClosedReasons = 7;
  static std::string_view ClosedName(Closed why);
  void CountClosed(Closed why) {
    closed_[static_cast<int>(why)].fetch_add(1, std::memory_order_relaxed);
  }

  struct Stats {
    uint64_t subscribers = 0;
    uint64_t subscribed = 0;   // ever
    uint64_t refused = 0;      // at the cap
    uint64_t overflowed = 0;   // closed as too slow
    uint64_t events = 0;       // read from the log to fan out
    uint64_t frames = 0;       // queued to subscribers
    uint64_t renders = 0;      // event texts rendered (once per view)
    uint64_t read_errors = 0;  // failed reads of the log
    uint64_t fanned_seq = 0;
    uint64_t committed_seq = 0;
    std::array<uint64_t, kClosedReasons> closed{};  // by Closed
  };

  Hub(const desk::Desk& desk, Options options);
  ~Hub();  // Stop()s
  Hub(const Hub&) = delete;
  Hub& operator=(const Hub&) = delete;

  // The last seq committed (the writer, after each commit). Before Start
  // too: it is only remembered.
  void Committed(uint64_t seq);
  // Starts fanning out what is committed after `head` (the log's last seq
  // when the daemon starts).
  void Start(uint64_t head);
  // Ends the thread; idempotent.
  void Stop();
  // The daemon is stopping: every subscriber is woken to close with 1001
  // (going away), telling where to resume.
  void GoingAway();
  bool stopping() const { return going_away_.load(std::memory_order_acquire); }

  // Subscribes `sub` to the events after max(`since`, the returned seq):
  // the caller sends (since, returned] from the log itself. Unavailable
  // when max_subscribers are subscribed.
  StatusOr<uint64_t> Subscribe(const std::shared_ptr<Subscription>& sub,
                               uint64_t since);
  void Unsubscribe(const std::shared_ptr<Subscription>& sub);

  // The last seq fanned out: every event up to it is on the queues.
  uint64_t fanned() const { return fanned_.load(std::memory_order_acquire); }
  uint64_t committed() const {
    return committed_.load(std::memory_order_acquire);
  }
  bool Full() const;
  const Options& options() const { return options_; }
  const desk::Desk& desk() const { return desk_; }
  Stats GetStats() const;

 private:
  struct Group {
    View view;
    const Filter* filter;        // the first member's
    const auth::Principal* who;  // the first member's
    std::vector<std::shared_ptr<Subscription>> members;
  };
  void Run();
  // Fans out the events after fanned_ up to `to`, a chunk at a time; with
  // no subscriber, only moves fanned_ to `to`.
  void FanOut(uint64_t to);

  const desk::Desk& desk_;
  const Options options_;

  std::atomic<bool> going_away_{false};
  std::atomic<uint64_t> committed_{0};
  std::atomic<uint64_t> fanned_{0};
  std::mutex wait_mu_;
  std::condition_variable wait_cv_;
  bool stopping_ = false;  // guarded by wait_mu_
  std::thread thread_;

  // The groups, by view, filter and (employees) account; held while a
  // chunk is fanned out, so a subscriber joins between chunks.
  mutable std::mutex subs_mu_;
  std::map<std::string, Group> groups_;  // guarded by subs_mu_
  size_t subscribers_ = 0;               // guarded by subs_mu_

  std::atomic<uint64_t> subscribed_{0}, refused_{0}, overflowed_{0}, events_{0},
      frames_{0}, renders_{0}, read_errors_{0};
  std::array<std::atomic<uint64_t>, kClosedReasons> closed_{};
};

}  // namespace helpdesk::live
