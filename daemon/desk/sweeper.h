#pragma once
// The desk's own rounds: the dispatch sweep (absences that begin, people
// back at work, the dispatcher queue) and the SLA sweep (warnings and
// breaches that fell due), each queued to the writer on its interval.
// Both run once at Start, which waits for them, so what fell due while
// the daemon was down is decided before it answers anyone.
// Idempotency-Keys older than 24 hours are swept with the SLA round
// (Desk::SweepKeys).
//
// Thread-safety: Start and Stop from the thread that owns the Sweeper; the
// rounds run on a thread of its own, which only queues writes.

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace helpdesk::desk {

class Desk;

class Sweeper {
 public:
  struct Options {
    // 0: the sweep runs only at start (staff changes re-dispatch on their
    // own; ticket changes record the SLA alerts due before them).
    std::chrono::seconds dispatch_every{60};
    std::chrono::seconds sla_every{5};
  };

  Sweeper(Desk& desk, Options options);
  ~Sweeper();  // Stop()s
  Sweeper(const Sweeper&) = delete;
  Sweeper& operator=(const Sweeper&) = delete;

  // Runs both sweeps now and waits until they are written, then starts
  // the rounds.
  void Start();
  // Ends the rounds (a sweep already queued still runs). Idempotent.
  void Stop();

 private:
  void Run();

  Desk& desk_;
  const Options options_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace helpdesk::desk
