#include "daemon/desk/sweeper.h"

#include <pthread.h>

#include <algorithm>

#include "daemon/desk/desk.h"

namespace helpdesk::desk {

Sweeper::Sweeper(Desk& desk, Options options)
    : desk_(desk), options_(options) {}

Sweeper::~Sweeper() { Stop(); }

void Sweeper::Start() {
  desk_.SweepDispatch();
  desk_.SweepSla();
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
  const bool dispatching = options_.dispatch_every.count() > 0;
  Clock::time_point next_dispatch = Clock::now() + options_.dispatch_every;
  Clock::time_point next_sla = Clock::now() + options_.sla_every;
  std::unique_lock lock(mu_);
  while (!stopping_) {
    const auto wake =
        dispatching ? std::min(next_dispatch, next_sla) : next_sla;
    // A timer, not a synchronisation: Stop wakes it early.
    if (cv_.wait_until(lock, wake, [this] { return stopping_; })) break;
    lock.unlock();
    const auto now = Clock::now();
    if (dispatching && now >= next_dispatch) {
      desk_.SweepDispatch();
      next_dispatch = now + options_.dispatch_every;
    }
    if (now >= next_sla) {
      desk_.SweepSla();
      next_sla = now + options_.sla_every;
    }
    lock.lock();
  }
}

}  // namespace helpdesk::desk
