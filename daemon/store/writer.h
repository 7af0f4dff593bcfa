#pragma once
// The single writer: every change to the database goes through here.
//
// Requests queue up (bounded); the writer thread takes every request that
// is waiting (up to max_batch), applies them one after another in ONE write
// transaction, commits once (fsync), and only then calls each request's
// completion. An ok answer therefore means durable. This is group commit:
// the fsync cost is shared by the whole batch.
//
// A write function must either fail having written nothing (a domain
// rejection: the batch goes on without it) or write only through its
// WriteContext, which notices a storage failure and makes the writer abort
// and retry the whole batch (after growing the map, when it was full) or
// fail all of it. So a batch commits whole or not at all, and write
// functions must be deterministic re-runnable against the state they see.
// A write that fails after it appended events breaks that rule: the writer
// drops it (answering kInternal) and runs the batch again without it,
// rather than commit half of a change.
//
// An exception thrown by a write function is caught at the batch: that
// write is answered kInternal and dropped (the batch runs again without it,
// as above), the throw is logged and counted, and the writer goes on. One
// thrown by a completion is logged and counted too.
//
// Thread-safety: Submit, GetStats and GetHealth are safe from any thread.
// Completions run on the writer thread: they must only hand the result on
// (e.g. post to an I/O executor), never block. A write function and its
// completion submitted with Freed::kByJanitor are destroyed later, on
// another thread: what they hold must not need the writer thread to be
// freed.

#include <google/protobuf/timestamp.pb.h>

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "daemon/store/catalogue_tables.h"
#include "daemon/store/lmdb.h"
#include "daemon/store/tables.h"
#include "proto/helpdesk.pb.h"
#include "proto/status.h"

namespace helpdesk::store {

// What a write function may touch: the open transaction, the batch's clock
// reading and the sequence counters. Lives on the writer thread.
class WriteContext {
 public:
  WriteContext(Txn& txn, const Tables& tables,
               const google::protobuf::Timestamp& now, uint64_t last_ticket,
               uint64_t last_seq)
      : txn_(txn),
        tables_(tables),
        now_(now),
        last_ticket_(last_ticket),
        last_seq_(last_seq) {}

  const Txn& txn() const { return txn_; }
  const Tables& tables() const { return tables_; }
  // One clock reading per batch: events in a batch share their instant, and
  // `at` never goes backwards along the log.
  const google::protobuf::Timestamp& now() const { return now_; }

  uint64_t NextTicketNumber() { return ++last_ticket_; }
  // Each Save stores a change and appends the event that records it (its
  // header stamped by proto::NewEvent), giving the event the next sequence
  // number: the one place seq is set. Each first checks that every
  // string of the record and of the event is valid UTF-8, refusing
  // (kInvalidField naming the field) with nothing written otherwise.
  //
  // The ticket (indexes, status counts, the assignees' open loads and the
  // SLA due-time index follow). May be called more than once for one
  // ticket in one write: each call's `before` is what the previous one
  // stored. An Assigned event's seq is stamped on `now`'s assignment
  // (Assignment.seq): the stored record keeps the decision without its
  // steps and explanation, which the event keeps (records.h).
  // `words`: `now`'s words for search if worked out before the write
  // (ticket_words.h), taken only if `now`'s text is theirs.
  Status Save(const v1::Ticket* before, v1::Ticket& now, v1::Event&& event,
              const TextWords* words = nullptr);
  // A ticket changed twice by one write (filed, then assigned): `first`
  // then `now`, each with its event. Both events are appended, each
  // summarizing its own change, but the record, its indexes, the loads,
  // the SLA due times and the report cells are written once, from
  // `before` to `now`, rather than twice.
  Status Save(const v1::Ticket* before, const v1::Ticket& first,
              v1::Event&& first_event, v1::Ticket& now, v1::Event&& event,
              const TextWords* words = nullptr);
  // What differs between the stored catalogue `before` and `after`.
  Status SaveCatalogue(const v1::Catalogue& before, const v1::Catalogue& after,
                       v1::Event&& event);
  // A change planned (and its entries checked) before the write, against
  // the catalogue as it is stored now: the writer only puts it.
  Status SaveCatalogue(const CatalogueWrites& writes, v1::Event&& event);
  // The member (`before` is the stored one, nullptr for a new person; the
  // id never changes); bumps the staff generation.
  Status SaveStaff(const v1::StaffMember* before, const v1::StaffMember& now,
                   v1::Event&& event);
  // The rota; bumps the staff generation.
  Status SaveRota(const v1::VaktRota& now, v1::Event&& event);

  // A page of the paging outbox (`before` is the stored one, nullptr for a
  // new one), and the events that record what changed, if any (a retry
  // scheduled records none): page_tables.h.
  Status SavePage(const v1::Page* before, const v1::Page& now,
                  std::vector<v1::Event> events);

  // An account or credential change: `record` (what `put` stores) is
  // checked as Save checks a ticket, then `put` runs and `event` is
  // appended.
  Status SaveIdentity(const google::protobuf::Message& record,
                      const std::function<Status(Txn&, const Tables&)>& put,
                      v1::Event&& event);
  // The address of the request the current write serves (desk::Scope sets
  // it): stamped on each event appended until it is set again.
  void set_client_address(std::string address) {
    client_address_ = std::move(address);
  }
  // Runs `put`, a write that records no event (an Idempotency-Key's row,
  // idempotency.h), on the transaction; a storage error it returns fails
  // the batch, as in the Save functions.
  Status Write(const std::function<Status(Txn&, const Tables&)>& put);

  // The events appended in this batch so far, in order.
  const std::vector<v1::Event>& events() const { return events_; }

  // Marks the batch failed with `s` (a storage error met outside the Save
  // functions, after this write has written): nothing of the batch commits.
  Status Fail(Status s) {
    if (!failed()) failure_ = std::move(s);
    return failure_;
  }
  bool failed() const { return !failure_.ok(); }
  const Status& failure() const { return failure_; }
  uint64_t last_ticket() const { return last_ticket_; }
  uint64_t last_seq() const { return last_seq_; }
  // The events [first, end) of events(), moved out (the writer hands each
  // write its own after the commit).
  std::vector<v1::Event> TakeEvents(size_t first, size_t end);

 private:
  // Stores the event (its seq set) and keeps it, when `s`, the status of
  // storing the change it records, is ok; else the batch fails with `s`.
  // `ticket`: the ticket as this write stored it, when the event is about
  // it (PutEvent).
  Status Append(Status s, v1::Event&& event,
                const v1::Ticket* ticket = nullptr);

  Txn& txn_;
  const Tables& tables_;
  google::protobuf::Timestamp now_;
  uint64_t last_ticket_;
  uint64_t last_seq_;
  Status failure_;
  std::vector<v1::Event> events_;
  std::string client_address_;
};

// What became of one write, handed to its completion after the batch.
struct WriteResult {
  // The write's own outcome; or, when the whole batch failed, why.
  Status status;
  // The events the write appended, committed, in order; empty unless ok.
  std::vector<v1::Event> events;
  // The batch failed as a whole (storage full, an LMDB error): nothing of
  // it was written. Caches built from its transaction must be dropped.
  bool batch_failed = false;
};

// A write: runs on the writer thread inside the batch's transaction and
// says whether it was done (ok) or refused, having written nothing.
using WriteFn = std::function<Status(WriteContext&)>;
using DoneFn = std::function<void(WriteResult)>;

// Clock for the writer; the daemon passes the real one, tests a fake.
using NowFn = std::function<google::protobuf::Timestamp()>;

class Writer {
 public:
  struct Options {
    size_t queue_capacity = 65536;
    size_t max_batch = 1024;
    size_t max_map_size = size_t{64} << 30;  // grow the map up to this
  };
  struct Stats {
    uint64_t batches = 0;
    uint64_t writes = 0;  // requests applied (committed or rejected)
    uint64_t queued = 0;  // waiting now
    std::vector<uint64_t> batch_size_buckets;  // counts, per kBatchBuckets
    uint64_t map_size = 0;
    uint64_t last_seq = 0;
    uint64_t exceptions = 0;  // thrown by write functions and completions
    // Where the writer's time goes, per batch (kSecondsBuckets): applying
    // its writes in the transaction (the CPU's part), and its commit
    // (writing the pages and waiting until the disk has them). Counts per
    // bucket, the total in nanoseconds, and how many were timed.
    struct Times {
      std::vector<uint64_t> buckets;
      uint64_t total_ns = 0;
      uint64_t count = 0;
    };
    Times apply, commit;
  };
  // Whether writes can go through now (for /readyz).
  struct Health {
    // The storage error of the last batch (map full at max_map_size, disk
    // full, an LMDB error), until a later batch commits; else ok.
    Status storage;
    std::chrono::steady_clock::duration storage_failed_for{};
    // How long the oldest unanswered write has waited with no batch
    // finishing; zero when nothing waits.
    std::chrono::steady_clock::duration stalled_for{};
  };
  static constexpr uint64_t kBatchBuckets[] = {1,  2,   4,   8,   16,  32,
                                               64, 128, 256, 512, 1024};
  // Upper bounds in seconds of the apply and commit time buckets: a
  // commit on a local SSD takes well under a millisecond; one on a slow or
  // shared disk, several.
  static constexpr double kSecondsBuckets[] = {
      0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1};

  Writer(Env& env, const Tables& tables, Options options, NowFn now);
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;
  ~Writer();  // Stop()s

  // Reads the counters and starts the writer thread.
  Status Start();
  // Where a finished write's closures are freed: on the writer, after its
  // batch (small writes: a thread of its own would only move their memory
  // between threads), or by the janitor (a write holding a large decision,
  // which would hold up the next batch while freed).
  enum class Freed { kByWriter, kByJanitor };
  // Queues a write. Unavailable when the queue is full or stopping; `done`
  // is then not called.
  Status Submit(WriteFn fn, DoneFn done, Freed freed = Freed::kByWriter);
  // Finishes every queued write, then ends the thread. Idempotent.
  void Stop();

  Stats GetStats() const;
  Health GetHealth() const;

  // Called on the writer thread after each commit that appended events,
  // with the last seq committed, before the batch's answers: it must only
  // hand the number on (the live stream reads the events itself). Set
  // before Start.
  using CommittedFn = std::function<void(uint64_t last_seq)>;
  void OnCommitted(CommittedFn fn) { committed_ = std::move(fn); }

 private:
  using SteadyTime = std::chrono::steady_clock::time_point;
  struct Request {
    WriteFn fn;
    DoneFn done;
    SteadyTime queued_at;
    Freed freed = Freed::kByWriter;
  };
  void Run();
  // Frees a finished batch: the requests marked kByJanitor on the janitor
  // thread, the rest here.
  void Dispose(std::vector<Request>&& batch);
  void RunJanitor();
  // Runs batch[i].fn, turning a throw into a Status (logged and counted).
  Status Apply(Request& request, WriteContext& ctx, bool& threw);
  void RecordOutcome(const std::vector<WriteResult>& results);
  std::vector<WriteResult> ApplyBatch(std::vector<Request>& batch);

  Env& env_;
  const Tables& tables_;
  const Options options_;
  const NowFn now_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Request> queue_;  // guarded by mu_
  bool stopping_ = false;      // guarded by mu_
  // For GetHealth, guarded by mu_: when the batch being applied was first
  // queued (unset when none is), when the last batch finished, and the
  // storage failure of the last batch (ok once one commits) with its time.
  std::optional<SteadyTime> in_flight_since_;
  SteadyTime last_batch_end_{};
  Status storage_failure_;
  SteadyTime storage_failed_at_{};

  CommittedFn committed_;  // set before Start; called on the writer thread
  // Writer-thread only.
  uint64_t last_ticket_ = 0;
  uint64_t last_seq_ = 0;

  // Read by Stats from any thread.
  std::atomic<uint64_t> batches_{0}, writes_{0}, seq_{0}, map_size_{0},
      exceptions_{0};
  std::array<std::atomic<uint64_t>, std::size(kBatchBuckets) + 1> buckets_{};
  // A time histogram per kSecondsBuckets, written by the writer thread.
  struct TimeHistogram {
    void Add(std::chrono::steady_clock::duration d);
    Stats::Times Read() const;
    std::array<std::atomic<uint64_t>, std::size(kSecondsBuckets) + 1> buckets{};
    std::atomic<uint64_t> total_ns{0}, count{0};
  };
  TimeHistogram apply_times_, commit_times_;
  // Writer-thread only: how long the batch being applied spent in commits
  // (every attempt, when a full map is grown and the batch runs again).
  std::chrono::steady_clock::duration batch_commit_time_{};

  std::thread thread_;

  // Large finished requests are destroyed off the writer thread: the
  // closures of a decided catalogue import (tens of MB in small
  // allocations) took longer to free than to commit, holding up the next
  // batch. The janitor frees them on its own thread.
  std::mutex janitor_mu_;
  std::condition_variable janitor_cv_;
  std::vector<std::vector<Request>> finished_;  // guarded by janitor_mu_
  bool janitor_stopping_ = false;               // guarded by janitor_mu_
  std::thread janitor_;
};

}  // namespace helpdesk::store
