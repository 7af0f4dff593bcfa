#pragma once
// The desk as the daemon runs it, without the daemon: a real LMDB store in
// a scratch directory seeded with the demo region, catalogue and staff and
// a four-week vakt rota from Monday 13 April 2026, its single writer, and a
// desk over them, all on a clock the test sets (it starts on Wednesday 15
// April 2026 at 08:00 UTC, 10:00 in Oslo). For unit tests of the desk and
// of the HTTP handlers without sockets. One test thread drives it; the
// clock may be moved while the writer runs.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "daemon/desk/desk.h"
#include "daemon/store/lmdb.h"
#include "daemon/store/tables.h"
#include "daemon/store/writer.h"
#include "proto/status.h"
#include "tests/support/scratch_dir.h"

namespace helpdesk::testing {

// Wednesday 15 April 2026, 08:00 UTC.
inline constexpr int64_t kWednesdayMorning = 1776240000;

class DeskOnDisk {
 public:
  DeskOnDisk() = default;
  ~DeskOnDisk();  // stops the writer
  DeskOnDisk(const DeskOnDisk&) = delete;
  DeskOnDisk& operator=(const DeskOnDisk&) = delete;

  // Seeds the store and starts the writer and the desk; use as
  // ASSERT_TRUE(d.Open().ok()).
  [[nodiscard]] Status Open();

  desk::Desk& desk() { return *desk_; }
  store::Writer& writer() { return *writer_; }
  // For reading the store beside the desk (a test's own transactions).
  const store::Env& env() const { return *env_; }
  const store::Tables& tables() const { return tables_; }
  std::chrono::sys_seconds now() const {
    return std::chrono::sys_seconds(std::chrono::seconds(now_.load()));
  }
  void Advance(std::chrono::seconds by) { now_ += by.count(); }

 private:
  ScratchDir dir_;
  std::atomic<int64_t> now_{kWednesdayMorning};
  std::optional<store::Env> env_;
  store::Tables tables_;
  std::unique_ptr<store::Writer> writer_;
  std::unique_ptr<desk::Desk> desk_;
};

}  // namespace helpdesk::testing
