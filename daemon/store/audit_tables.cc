#include "daemon/store/audit_tables.h"

#include <google/protobuf/util/time_util.h>

#include <algorithm>

#include "daemon/store/record_check.h"

namespace helpdesk::store {
namespace {

constexpr std::string_view kAccessSerial = "access_serial";

int64_t MicrosOf(const google::protobuf::Timestamp& t) {
  return google::protobuf::util::TimeUtil::TimestampToMicroseconds(t);
}

}  // namespace

std::string AccessKeyAt(int64_t at_us) {
  return Be64(static_cast<uint64_t>(std::max<int64_t>(at_us, 0)));
}

Status PutAccessRecords(Txn& txn, const Tables& t,
                        const std::vector<v1::AccessRecord>& records) {
  if (records.empty()) return Status::Ok();
  auto last = txn.Get(t.meta, kAccessSerial);
  if (!last.ok()) return last.status();
  uint64_t serial = *last ? ReadBe64(**last) : 0;
  for (const auto& r : records) {
    const std::string key = AccessKeyAt(MicrosOf(r.at())) + Be64(++serial);
    if (Status s = txn.Put(t.access_log, key, r.SerializeAsString()); !s.ok())
      return s;
  }
  return txn.Put(t.meta, kAccessSerial, Be64(serial));
}

StatusOr<AccessScan> ScanAccess(
    const Txn& txn, const Tables& t, std::string_view from, int64_t to_us,
    size_t limit, size_t max_scan,
    const std::function<bool(const v1::AccessRecord&)>& keep) {
  AccessScan out;
  auto cursor = Cursor::Open(txn, t.access_log);
  if (!cursor.ok()) return cursor.status();
  size_t scanned = 0;
  for (auto moved = cursor->Seek(from);; moved = cursor->Next()) {
    if (!moved.ok()) return moved.status();
    if (!*moved) {
      out.ended = true;
      return out;
    }
    const std::string key(cursor->key());
    if (key.size() != 16 ||
        static_cast<int64_t>(ReadBe64(key.substr(0, 8))) >= to_us) {
      out.ended = true;
      return out;
    }
    if (out.records.size() == limit || scanned == max_scan) {
      out.resume = key;
      return out;
    }
    ++scanned;
    v1::AccessRecord r;
    if (!ParseRecord(cursor->value(), r)) {
      NoteDamaged("access record");
      continue;
    }
    if (keep(r)) out.records.emplace_back(key, std::move(r));
  }
}

StatusOr<uint64_t> FirstEventAt(const Txn& txn, const Tables& t,
                                int64_t at_us) {
  auto last = LastEventSeq(txn, t);
  if (!last.ok()) return last.status();
  // The first seq in [lo, hi] whose instant is >= at_us; hi + 1 if none.
  uint64_t lo = 1, hi = *last + 1;
  while (lo < hi) {
    const uint64_t mid = lo + (hi - lo) / 2;
    auto raw = txn.Get(t.events, Be64(mid));
    if (!raw.ok()) return raw.status();
    v1::Event e;
    // A missing or damaged event counts as before `at`: the search goes on
    // to its later side (rare; the audit may then start a little late).
    const bool before =
        *raw && ParseRecord(**raw, e) && MicrosOf(e.at()) < at_us;
    if (before || !*raw)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

StatusOr<uint64_t> CountAccessRecords(const Txn& txn, const Tables& t) {
  auto last = txn.Get(t.meta, kAccessSerial);
  if (!last.ok()) return last.status();
  return *last ? ReadBe64(**last) : 0;
}

}  // namespace helpdesk::store
