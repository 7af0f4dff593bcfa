// The audit: who changed what (the event log, which records every change
// with its account, request and address) and who read which ticket's
// personal text (the access_log table), answered together in time order.

#include <google/protobuf/util/time_util.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "daemon/desk/desk.h"
#include "daemon/store/audit_tables.h"
#include "daemon/store/lmdb.h"
#include "daemon/store/tables.h"
#include "daemon/store/writer.h"
#include "daemon/tickets/commands.h"
#include "proto/utf8.h"

namespace helpdesk::desk {
namespace {

using google::protobuf::util::TimeUtil;

// More reads than this waiting for the writer (a writer stuck for
// minutes under load) are dropped, oldest first, and the drop logged.
constexpr size_t kMaxPendingReads = 100000;
constexpr size_t kMaxQuery = 512;
// Reads written together, at the most (FlushReads writes fewer).
constexpr size_t kReadsPerWrite = 256;

int64_t Micros(const google::protobuf::Timestamp& t) {
  return TimeUtil::TimestampToMicroseconds(t);
}

// The type of an event as its JSON names its body: "statusChanged".
std::string KindOf(const v1::Event& e) {
  static const auto* const kBody =
      v1::Event::descriptor()->FindOneofByName("body");
  const auto* f = e.GetReflection()->GetOneofFieldDescriptor(e, kBody);
  return f ? f->json_name() : "";
}

std::string ToHex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

std::optional<std::string> FromHex(std::string_view hex) {
  if (hex.size() % 2) return std::nullopt;
  std::string out;
  for (size_t i = 0; i < hex.size(); i += 2) {
    int v = 0;
    for (char c : hex.substr(i, 2)) {
      v <<= 4;
      if (c >= '0' && c <= '9')
        v |= c - '0';
      else if (c >= 'a' && c <= 'f')
        v |= c - 'a' + 10;
      else
        return std::nullopt;
    }
    out += static_cast<char>(v);
  }
  return out;
}

Status BadCursor() {
  return Status::InvalidParameter(
      "cursor", "'cursor' is a page's nextCursor, passed back as it came");
}

}  // namespace

void Desk::NoteRead(const auth::Principal& who, std::string_view ticket,
                    std::string_view what, std::string_view query) const {
  if (!who.IsStaff()) return;  // an employee reading their own is no news
  v1::AccessRecord r;
  *r.mutable_at() = Now();
  r.set_account(who.account);
  r.set_ticket_id(std::string(ticket));
  r.set_what(std::string(what));
  r.set_request_id(who.request_id);
  r.set_client_address(who.client_address);
  const std::string_view q = query.substr(0, kMaxQuery);
  r.set_query(proto::IsValidUtf8(q) ? std::string(q) : "(not UTF-8)");
  {
    std::lock_guard lock(reads_mu_);
    if (reads_.size() >= kMaxPendingReads) {
      spdlog::warn(
          "audit: {} reads waiting for the writer; the oldest is "
          "dropped",
          reads_.size());
      reads_.erase(reads_.begin());
    }
    reads_.push_back(std::move(r));
    // Written in batches: a write (and its fsync) per read would cost the
    // reads more than the reading. The rest go within a second (FlushReads
    // from the sweeper), or before an audit is answered.
    if (reads_.size() < kReadsPerWrite || reads_queued_) return;
    reads_queued_ = true;
  }
  QueueReadsWrite(nullptr);
}

void Desk::FlushReads(std::function<void()> then) const {
  {
    std::lock_guard lock(reads_mu_);
    if (reads_.empty() && !reads_queued_) {
      if (then) then();
      return;
    }
    reads_queued_ = true;
  }
  // Queued after any write of reads already queued: once this one is
  // written, so is every read noted before it (one writer, in order).
  QueueReadsWrite(std::move(then));
}

void Desk::QueueReadsWrite(std::function<void()> then) const {
  // Taken by the write when it runs (not now): every read noted until
  // then goes in the same write. Kept for a rerun of its batch.
  auto taken = std::make_shared<std::vector<v1::AccessRecord>>();
  auto after = std::make_shared<std::function<void()>>(std::move(then));
  Status queued = writer_.Submit(
      [this, taken](store::WriteContext& w) {
        {
          std::lock_guard lock(reads_mu_);
          std::move(reads_.begin(), reads_.end(), std::back_inserter(*taken));
          reads_.clear();
          reads_queued_ = false;
        }
        return w.Write([&](store::Txn& txn, const store::Tables& t) {
          return store::PutAccessRecords(txn, t, *taken);
        });
      },
      [taken, after](store::WriteResult result) {
        if (!result.status.ok())
          spdlog::warn("audit: {} reads could not be recorded: {}",
                       taken->size(), result.status.message());
        if (*after) (*after)();
      });
  if (!queued.ok()) {
    {
      std::lock_guard lock(reads_mu_);
      reads_queued_ = false;  // the next flush tries again, with these
    }
    if (*after) (*after)();
  }
}

StatusOr<v1::ListAuditResponse> Desk::ListAudit(const AuditQuery& q) const {
  std::optional<uint64_t> ticket;
  if (q.ticket) {
    ticket = tickets::ParseTicketId(*q.ticket);
    if (!ticket)
      return Status::InvalidParameter(
          "ticket", "'ticket' is a ticket number, such as 1042");
  }
  const int64_t from_us =
      q.from ? q.from->time_since_epoch().count() * 1000000 : 0;
  const int64_t to_us =
      q.to ? q.to->time_since_epoch().count() * 1000000 : INT64_MAX;
  auto txn = store::Txn::BeginRead(env_);
  if (!txn.ok()) return txn.status();

  // Where each kind resumes: the next event seq, the next read's key.
  uint64_t seq = 0;
  std::string read_key;
  if (!q.cursor.empty()) {
    const size_t colon = q.cursor.find(':');
    if (colon == std::string::npos) return BadCursor();
    const std::string digits = q.cursor.substr(0, colon);
    if (digits.empty() || digits.size() > 19 ||
        !std::all_of(digits.begin(), digits.end(),
                     [](char ch) { return ch >= '0' && ch <= '9'; }))
      return BadCursor();
    seq = std::stoull(digits);
    auto key = FromHex(std::string_view(q.cursor).substr(colon + 1));
    if (!key) return BadCursor();
    read_key = std::move(*key);
  } else {
    auto first = store::FirstEventAt(*txn, tables_, from_us);
    if (!first.ok()) return first.status();
    seq = *first;
    read_key = store::AccessKeyAt(from_us);
  }
  const size_t limit = std::clamp<size_t>(q.limit, 1, 1000);

  // The changes: events from `seq` on, in pages, until `limit` are kept,
  // the range ends, or kAuditScan are read.
  std::vector<v1::Event> changes;
  uint64_t changes_resume = 0;  // 0: none left
  {
    uint64_t after = seq == 0 ? 0 : seq - 1;
    size_t scanned = 0;
    bool ended = false;
    while (!ended && changes.size() < limit && scanned < kAuditScan) {
      auto page = store::ListEvents(*txn, tables_, after, 256, ticket);
      if (!page.ok()) return page.status();
      for (auto& e : page->events) {
        if (changes.size() == limit || scanned == kAuditScan) {
          changes_resume = e.seq();
          break;
        }
        after = e.seq();
        ++scanned;
        if (Micros(e.at()) >= to_us) {
          ended = true;
          break;
        }
        if (q.actor.empty() || e.actor() == q.actor)
          changes.push_back(std::move(e));
      }
      if (changes_resume != 0) break;
      if (!page->next_after) ended = true;
    }
    if (!ended && changes_resume == 0) changes_resume = after + 1;
  }
  // The reads, likewise.
  auto reads =
      store::ScanAccess(*txn, tables_, read_key, to_us, limit, kAuditScan,
                        [&](const v1::AccessRecord& r) {
                          return (q.actor.empty() || r.account() == q.actor) &&
                                 (!q.ticket || r.ticket_id() == *q.ticket);
                        });
  if (!reads.ok()) return reads.status();

  // Both in time order; a change first at the same instant.
  v1::ListAuditResponse out;
  size_t c = 0, r = 0;
  while (out.entries_size() < static_cast<int>(limit) &&
         (c < changes.size() || r < reads->records.size())) {
    const bool take_change =
        r == reads->records.size() ||
        (c < changes.size() &&
         Micros(changes[c].at()) <= Micros(reads->records[r].second.at()));
    v1::AuditEntry* a = out.add_entries();
    if (take_change) {
      const v1::Event& e = changes[c++];
      *a->mutable_at() = e.at();
      a->set_actor(e.actor());
      a->set_kind("change");
      a->set_what(KindOf(e));
      a->set_ticket_id(e.ticket_id());
      a->set_request_id(e.request_id());
      a->set_client_address(e.client_address());
      a->set_seq(e.seq());
    } else {
      const v1::AccessRecord& rec = reads->records[r++].second;
      *a->mutable_at() = rec.at();
      a->set_actor(rec.account());
      a->set_kind("read");
      a->set_what(rec.what());
      a->set_ticket_id(rec.ticket_id());
      a->set_request_id(rec.request_id());
      a->set_client_address(rec.client_address());
      a->set_query(rec.query());
    }
  }
  // Each kind goes on from its first entry not answered.
  const uint64_t next_seq =
      c < changes.size() ? changes[c].seq() : changes_resume;
  const std::string next_key =
      r < reads->records.size() ? reads->records[r].first : reads->resume;
  const bool more = next_seq != 0 || !next_key.empty();
  if (more) {
    // A kind that has ended resumes past everything: at the log's end, at
    // a key after every read.
    uint64_t s = next_seq;
    if (s == 0) {
      auto last = store::LastEventSeq(*txn, tables_);
      if (!last.ok()) return last.status();
      s = *last + 1;
    }
    out.set_next_cursor(
        std::to_string(s) + ":" +
        ToHex(next_key.empty() ? std::string(16, '\xff') : next_key));
  }
  return out;
}

}  // namespace helpdesk::desk
