#include "daemon/desk/sweeper.h"

#include <pthread.h>

#include <algorithm>
#include <future>

#include "daemon/desk/desk.h"

namespace helpdesk::desk {

Sweeper::Sweeper(Desk& desk, Options options)
    : desk_(desk), options_(options) {}

Sweeper::~Sweeper() { Stop(); }

void Sweeper::Start() {
  // Waited for: what a client reads first already holds them.
  std::promise<void> dispatched, alerted;
  desk_.SweepDispatch([&] { dispatched.set_value(); });
  desk_.SweepSla([&] { alerted.set_value(); });
  dispatched.get_future().wait();
  alerted.get_future().wait();
  desk_.SweepKeys();  // not waited for: a key a day old is no one's answer
  desk_.SweepCredentials();
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "hd-sweeper");
    Run();
  });
}

void Sweeper::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Sweeper::Run() {
  using Clock = std::chrono::steady_clock;
  // A round with interval 0 never comes again.
  static constexpr auto kNever = Clock::time_point::max();
  auto next = [](std::chrono::seconds every) {
    return every.count() > 0 ? Clock::now() + every : kNever;
  };
  Clock::time_point next_dispatch = next(options_.dispatch_every);
  Clock::time_point next_sla = next(options_.sla_every);
  // The audit's reads noted since the last round are written once a
  // second (desk.h, FlushReads).
  constexpr std::chrono::seconds kReadsEvery{1};
  Clock::time_point next_reads = next(kReadsEvery);
  const auto stop = [this] { return stopping_; };
  std::unique_lock lock(mu_);
  while (!stopping_) {
    // A timer, not a synchronisation: Stop wakes it early.
    const auto wake = std::min({next_dispatch, next_sla, next_reads});
    if (wake == kNever) {
      cv_.wait(lock, stop);
      break;
    }
    if (cv_.wait_until(lock, wake, stop)) break;
    lock.unlock();
    const auto now = Clock::now();
    if (now >= next_dispatch) {
      desk_.SweepDispatch();
      next_dispatch = next(options_.dispatch_every);
    }
    if (now >= next_reads) {
      desk_.FlushReads();
      next_reads = next(kReadsEvery);
    }
    if (now >= next_sla) {
      desk_.SweepSla();
      desk_.SweepKeys();
      desk_.SweepCredentials();
      desk_.SweepRetention();  // reads only when a closed ticket may be due
      next_sla = next(options_.sla_every);
    }
    lock.lock();
  }
  lock.unlock();
  desk_.FlushReads();  // before the writer stops (main stops us first)
}

}  // namespace helpdesk::desk
