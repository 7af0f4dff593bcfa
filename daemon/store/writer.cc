#include "daemon/store/writer.h"

#include <pthread.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <utility>

#include "daemon/store/catalogue_tables.h"
#include "daemon/store/page_tables.h"
#include "daemon/store/record_check.h"
#include "daemon/store/sla_index.h"
#include "daemon/store/staff_tables.h"
#include "daemon/store/ticket_words.h"
#include "proto/events.h"

namespace helpdesk::store {

Status WriteContext::Append(Status s, v1::Event&& event,
                            const v1::Ticket* ticket) {
  if (event.client_address().empty() && !client_address_.empty())
    event.set_client_address(client_address_);
  if (s.ok()) s = PutEvent(txn_, tables_, event, ticket);
  if (!s.ok()) {
    failure_ = s;
    return s;
  }
  events_.push_back(std::move(event));
  return Status::Ok();
}

namespace {

// A record is checked before it is stored (record_check.h): refused, with
// nothing written, rather than stored unreadable.
Status CheckRecord(const google::protobuf::Message& record, const char* what,
                   const v1::Event& event,
                   const google::protobuf::FieldDescriptor* skip = nullptr) {
  if (Status s = CheckStrings(record, what, skip); !s.ok()) return s;
  return CheckStrings(event, "event");
}

// A ticket as it is stored, and its event. Its comments are not stored
// with it (each is a record of its own, made by PutEvent from its
// CommentAdded event, whose strings are checked), so they are not walked.
Status CheckTicket(const v1::Ticket& ticket, const v1::Event& event) {
  static const auto* const kComments =
      v1::Ticket::descriptor()->FindFieldByName("comments");
  return CheckRecord(ticket, "ticket", event, kComments);
}

// The record and what follows it (indexes, status counts, loads, SLA due
// times, report cells) from `before` to `now`; `seq` is the event's.
Status PutTicketChange(Txn& txn, const Tables& t, const v1::Ticket* before,
                       v1::Ticket& now, uint64_t seq,
                       const TextWords* known_words) {
  Status s = PutTicket(txn, t, before, now, known_words);
  if (s.ok()) s = UpdateLoads(txn, t, before, now, seq);
  if (s.ok()) s = UpdateSlaDue(txn, t, before, now);
  return s;
}

}  // namespace

namespace {

// Stamps the seq of an Assigned event on the ticket it assigned.
void NameAssignedEvent(v1::Ticket& now, const v1::Event& event) {
  if (event.has_assigned()) now.mutable_assignment()->set_seq(event.seq());
}

}  // namespace

Status WriteContext::Save(const v1::Ticket* before, v1::Ticket& now,
                          v1::Event&& event, const TextWords* words) {
  if (failed()) return failure_;
  if (Status s = CheckTicket(now, event); !s.ok()) return s;
  proto::Summarize(before, now, *event.mutable_ticket());
  event.set_seq(++last_seq_);
  NameAssignedEvent(now, event);
  return Append(PutTicketChange(txn_, tables_, before, now, event.seq(), words),
                std::move(event), &now);
}

Status WriteContext::Save(const v1::Ticket* before, const v1::Ticket& first,
                          v1::Event&& first_event, v1::Ticket& now,
                          v1::Event&& event, const TextWords* words) {
  if (failed()) return failure_;
  // `first` is never stored: its strings reach the store only in its
  // event, checked here.
  if (Status s = CheckTicket(now, event); !s.ok()) return s;
  if (Status s = CheckStrings(first_event, "event"); !s.ok()) return s;
  proto::Summarize(before, first, *first_event.mutable_ticket());
  proto::Summarize(&first, now, *event.mutable_ticket());
  first_event.set_seq(++last_seq_);
  event.set_seq(++last_seq_);
  NameAssignedEvent(now, event);
  if (Status s = Append(
          PutTicketChange(txn_, tables_, before, now, event.seq(), words),
          std::move(first_event));
      !s.ok())
    return s;
  return Append(Status::Ok(), std::move(event), &now);
}

Status WriteContext::SaveCatalogue(const v1::Catalogue& before,
                                   const v1::Catalogue& after,
                                   v1::Event&& event) {
  if (failed()) return failure_;
  auto writes = PlanCatalogue(before, after);
  if (!writes.ok()) return writes.status();
  return SaveCatalogue(*writes, std::move(event));
}

Status WriteContext::SaveCatalogue(const CatalogueWrites& writes,
                                   v1::Event&& event) {
  if (failed()) return failure_;
  if (Status s = CheckStrings(event, "event"); !s.ok()) return s;
  event.set_seq(++last_seq_);
  return Append(PutCatalogue(txn_, tables_, writes), std::move(event));
}

Status WriteContext::SaveStaff(const v1::StaffMember* before,
                               const v1::StaffMember& now, v1::Event&& event) {
  if (failed()) return failure_;
  // A caller bug, caught before anything is written: the batch goes on.
  if (before != nullptr && before->id() != now.id())
    return Status::Internal("SaveStaff: staff id " + before->id() +
                            " cannot become " + now.id());
  if (Status s = CheckRecord(now, "staff member", event); !s.ok()) return s;
  event.set_seq(++last_seq_);
  return Append(PutStaff(txn_, tables_, now), std::move(event));
}

Status WriteContext::SaveRota(const v1::VaktRota& now, v1::Event&& event) {
  if (failed()) return failure_;
  if (Status s = CheckRecord(now, "vakt rota", event); !s.ok()) return s;
  event.set_seq(++last_seq_);
  return Append(PutRota(txn_, tables_, now), std::move(event));
}

Status WriteContext::SavePage(const v1::Page* before, const v1::Page& now,
                              std::vector<v1::Event> events) {
  if (failed()) return failure_;
  if (Status s = CheckStrings(now, "page"); !s.ok()) return s;
  for (const auto& e : events)
    if (Status s = CheckStrings(e, "event"); !s.ok()) return s;
  if (Status s = PutPage(txn_, tables_, before, now); !s.ok())
    return Fail(std::move(s));
  for (auto& e : events) {
    e.set_seq(++last_seq_);
    if (Status s = Append(Status::Ok(), std::move(e)); !s.ok()) return s;
  }
  return Status::Ok();
}

Status WriteContext::SaveIdentity(
    const google::protobuf::Message& record,
    const std::function<Status(Txn&, const Tables&)>& put, v1::Event&& event) {
  if (failed()) return failure_;
  if (Status s = CheckRecord(record, "account", event); !s.ok()) return s;
  event.set_seq(++last_seq_);
  return Append(put(txn_, tables_), std::move(event));
}

Status WriteContext::Write(
    const std::function<Status(Txn&, const Tables&)>& put) {
  if (failed()) return failure_;
  if (Status s = put(txn_, tables_); !s.ok()) return Fail(std::move(s));
  return Status::Ok();
}

std::vector<v1::Event> WriteContext::TakeEvents(size_t first, size_t end) {
  return {std::make_move_iterator(events_.begin() + first),
          std::make_move_iterator(events_.begin() + end)};
}

Writer::Writer(Env& env, const Tables& tables, Options options, NowFn now)
    : env_(env), tables_(tables), options_(options), now_(std::move(now)) {}

Writer::~Writer() { Stop(); }

Status Writer::Start() {
  auto txn = Txn::BeginRead(env_);
  if (!txn.ok()) return txn.status();
  auto ticket = LastTicketNumber(*txn, tables_);
  if (!ticket.ok()) return ticket.status();
  auto seq = LastEventSeq(*txn, tables_);
  if (!seq.ok()) return seq.status();
  last_ticket_ = *ticket;
  last_seq_ = *seq;
  seq_ = last_seq_;
  map_size_ = env_.map_size();
  janitor_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "hd-janitor");
    RunJanitor();
  });
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "hd-writer");  // for top -H and gdb
    Run();
  });
  return Status::Ok();
}

Status Writer::Submit(WriteFn fn, DoneFn done, Freed freed) {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return Status::Unavailable("the daemon is shutting down");
    if (queue_.size() >= options_.queue_capacity) {
      return Status::Unavailable("the write queue is full (" +
                                 std::to_string(options_.queue_capacity) +
                                 " waiting); retry shortly");
    }
    queue_.push_back(Request{std::move(fn), std::move(done),
                             std::chrono::steady_clock::now(), freed});
  }
  cv_.notify_one();
  return Status::Ok();
}

void Writer::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
  {
    std::lock_guard lock(janitor_mu_);
    janitor_stopping_ = true;
  }
  janitor_cv_.notify_one();
  if (janitor_.joinable()) janitor_.join();
}

void Writer::Dispose(std::vector<Request>&& batch) {
  std::vector<Request> large;
  for (Request& r : batch)
    if (r.freed == Freed::kByJanitor) large.push_back(std::move(r));
  batch.clear();  // the small ones (and what is left of the large), here
  if (large.empty()) return;
  // A janitor that falls behind does not let batches to free pile up:
  // past kMaxFinished the writer frees them itself, and so slows down as
  // the janitor does.
  constexpr size_t kMaxFinished = 16;
  bool queued = false, was_idle = false;
  {
    std::lock_guard lock(janitor_mu_);
    if (finished_.size() < kMaxFinished) {
      was_idle = finished_.empty();
      finished_.push_back(std::move(large));
      queued = true;
    }
  }
  if (!queued) return;  // `large` is freed here
  if (was_idle) janitor_cv_.notify_one();
}

void Writer::RunJanitor() {
  std::vector<std::vector<Request>> finished;
  while (true) {
    {
      std::unique_lock lock(janitor_mu_);
      janitor_cv_.wait(
          lock, [this] { return janitor_stopping_ || !finished_.empty(); });
      if (finished_.empty()) return;  // stopping, and everything is freed
      finished.swap(finished_);
    }
    finished.clear();
  }
}

Writer::Stats Writer::GetStats() const {
  Stats s;
  s.batches = batches_;
  s.writes = writes_;
  {
    std::lock_guard lock(mu_);
    s.queued = queue_.size();
  }
  for (const auto& b : buckets_) s.batch_size_buckets.push_back(b);
  s.map_size = map_size_;
  s.last_seq = seq_;
  s.exceptions = exceptions_;
  s.apply = apply_times_.Read();
  s.commit = commit_times_.Read();
  return s;
}

void Writer::TimeHistogram::Add(std::chrono::steady_clock::duration d) {
  const double seconds = std::chrono::duration<double>(d).count();
  size_t bucket = 0;
  while (bucket < std::size(kSecondsBuckets) &&
         seconds > kSecondsBuckets[bucket])
    ++bucket;
  buckets[bucket].fetch_add(1, std::memory_order_relaxed);
  total_ns.fetch_add(
      static_cast<uint64_t>(
          std::chrono::duration_cast<std::chrono::nanoseconds>(d).count()),
      std::memory_order_relaxed);
  count.fetch_add(1, std::memory_order_relaxed);
}

Writer::Stats::Times Writer::TimeHistogram::Read() const {
  Stats::Times t;
  for (const auto& b : buckets) t.buckets.push_back(b);
  t.total_ns = total_ns;
  t.count = count;
  return t;
}

Writer::Health Writer::GetHealth() const {
  const SteadyTime now = std::chrono::steady_clock::now();
  Health h;
  std::lock_guard lock(mu_);
  h.storage = storage_failure_;
  if (!h.storage.ok()) h.storage_failed_for = now - storage_failed_at_;
  // The oldest write not yet answered: the batch being applied, else the
  // head of the queue. It counts as waiting since it was queued or since
  // the last batch finished, whichever is later: a writer that finishes
  // batches keeps up, however long its queue.
  std::optional<SteadyTime> oldest = in_flight_since_;
  if (!oldest && !queue_.empty()) oldest = queue_.front().queued_at;
  if (oldest) h.stalled_for = now - std::max(*oldest, last_batch_end_);
  return h;
}

Status Writer::Apply(Request& request, WriteContext& ctx, bool& threw) {
  threw = true;
  std::string what = "an exception of unknown type";
  try {
    Status s = request.fn(ctx);
    threw = false;
    return s;
  } catch (const std::exception& e) {
    what = e.what();
  } catch (...) {
  }
  exceptions_.fetch_add(1, std::memory_order_relaxed);
  spdlog::error(
      "a write threw ({}); answering it 500 and running its batch again "
      "without it",
      what);
  return Status::Internal(
      "the change failed with an internal error; nothing of it was kept");
}

void Writer::RecordOutcome(const std::vector<WriteResult>& results) {
  const SteadyTime now = std::chrono::steady_clock::now();
  std::lock_guard lock(mu_);
  in_flight_since_.reset();
  last_batch_end_ = now;
  if (results.empty()) return;
  // A batch fails as a whole only for the store's sake (a full map or
  // disk, an LMDB error); any batch that commits clears that.
  if (!results.front().batch_failed) {
    storage_failure_ = Status::Ok();
    return;
  }
  if (storage_failure_.ok()) storage_failed_at_ = now;
  storage_failure_ = results.front().status;
}

void Writer::Run() {
  std::vector<Request> batch;
  uint64_t committed_seq = last_seq_;  // as last told to committed_
  while (true) {
    Dispose(std::move(batch));
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything is answered
      size_t n = std::min(queue_.size(), options_.max_batch);
      in_flight_since_ = queue_.front().queued_at;
      for (size_t i = 0; i < n; ++i) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    const SteadyTime started = std::chrono::steady_clock::now();
    batch_commit_time_ = {};
    std::vector<WriteResult> results = ApplyBatch(batch);
    const auto took = std::chrono::steady_clock::now() - started;
    RecordOutcome(results);
    // Published before the answers, so a client that sees its 201 and then
    // reads /metrics sees the batch counted.
    batches_.fetch_add(1, std::memory_order_relaxed);
    writes_.fetch_add(batch.size(), std::memory_order_relaxed);
    size_t bucket = 0;
    while (bucket < std::size(kBatchBuckets) &&
           batch.size() > kBatchBuckets[bucket])
      ++bucket;
    buckets_[bucket].fetch_add(1, std::memory_order_relaxed);
    apply_times_.Add(took - batch_commit_time_);
    if (batch_commit_time_ != std::chrono::steady_clock::duration{})
      commit_times_.Add(batch_commit_time_);
    seq_ = last_seq_;
    map_size_ = env_.map_size();
    // Before the answers: a client that sees its 201 and then subscribes
    // from that seq finds the stream already there.
    if (committed_ && committed_seq != last_seq_) {
      committed_seq = last_seq_;
      try {
        committed_(last_seq_);
      } catch (const std::exception& e) {
        exceptions_.fetch_add(1, std::memory_order_relaxed);
        spdlog::error("the commit listener threw: {}", e.what());
      }
    }
    for (size_t i = 0; i < batch.size(); ++i) {
      // A completion that throws must not end the writer, nor keep the
      // rest of the batch from their answers.
      try {
        batch[i].done(std::move(results[i]));
      } catch (const std::exception& e) {
        exceptions_.fetch_add(1, std::memory_order_relaxed);
        spdlog::error("a write's completion threw: {}", e.what());
      } catch (...) {
        exceptions_.fetch_add(1, std::memory_order_relaxed);
        spdlog::error("a write's completion threw an unknown exception");
      }
    }
  }
}

std::vector<WriteResult> Writer::ApplyBatch(std::vector<Request>& batch) {
  // Writes refused after they wrote: each is dropped and the batch runs
  // again without it (write functions re-run deterministically), so one
  // broken write never fails the others nor commits half of itself.
  // A write that threw is dropped the same way (what it wrote is unknown).
  std::vector<std::optional<Status>> dropped(batch.size());
  while (true) {
    Status failure;
    bool again = false;
    {
      auto txn = Txn::BeginWrite(env_);
      if (!txn.ok()) {
        failure = txn.status();
      } else {
        WriteContext ctx(*txn, tables_, now_(), last_ticket_, last_seq_);
        std::vector<WriteResult> results(batch.size());
        // Where each write's events begin and end in ctx.events().
        std::vector<std::pair<size_t, size_t>> spans(batch.size());
        for (size_t i = 0; i < batch.size() && !ctx.failed() && !again; ++i) {
          if (dropped[i]) {
            results[i].status = *dropped[i];
            continue;
          }
          const size_t first = ctx.events().size();
          bool threw = false;
          results[i].status = Apply(batch[i], ctx, threw);
          spans[i] = {first, ctx.events().size()};
          if (threw) {
            dropped[i] = results[i].status;
            again = true;
          } else if (!results[i].status.ok() && spans[i].second != first &&
                     !ctx.failed()) {
            spdlog::error(
                "a write was refused after it had written ({}); running its "
                "batch again without it",
                results[i].status.message());
            dropped[i] = Status::Internal(
                "the change was refused after it had begun to write; nothing "
                "of it was kept");
            again = true;
          }
        }
        if (!again) {
          if (ctx.failed()) {
            failure = ctx.failure();
          } else {
            const SteadyTime committing = std::chrono::steady_clock::now();
            failure = txn->Commit();
            batch_commit_time_ += std::chrono::steady_clock::now() - committing;
          }
          if (failure.ok()) {
            last_ticket_ = ctx.last_ticket();
            last_seq_ = ctx.last_seq();
            for (size_t i = 0; i < batch.size(); ++i)
              results[i].events =
                  ctx.TakeEvents(spans[i].first, spans[i].second);
            return results;
          }
        }
      }
    }  // the transaction (and its hold on the resize lock) ends here
    if (again) continue;
    if (Status s = GrowMapOrExplain(env_, failure, options_.max_map_size);
        s.ok()) {
      continue;
    } else {
      spdlog::error("write batch of {} failed: {} ({})", batch.size(),
                    failure.message(), s.message());
      failure = std::move(s);
    }
    std::vector<WriteResult> results(batch.size());
    for (auto& r : results) {
      r.status = failure;
      r.batch_failed = true;
    }
    return results;
  }
}

}  // namespace helpdesk::store
