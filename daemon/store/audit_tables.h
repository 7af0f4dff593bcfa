#pragma once
// The audit's own table (README, "Audit"): who read which ticket's
// personal text, when.
//
//   access_log  BE64 microseconds since the epoch . BE64 serial ->
//               AccessRecord ("access_serial" in meta counts them)
//
// Changes need no table of their own: every event of the log already
// says who (the account), when, from which request and address.
//
// Free functions over a Txn, like tables.h. Thread-safety: as the Txn.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "daemon/store/lmdb.h"
#include "daemon/store/tables.h"
#include "proto/helpdesk.pb.h"
#include "proto/status.h"

namespace helpdesk::store {

Status PutAccessRecords(Txn& txn, const Tables& t,
                        const std::vector<v1::AccessRecord>& records);

// The key at which records from `at_us` on begin.
std::string AccessKeyAt(int64_t at_us);

struct AccessScan {
  std::vector<std::pair<std::string, v1::AccessRecord>> records;  // key, rec
  std::string resume;  // the key to go on from; "" when the table ended
  bool ended = false;  // no record with a key >= resume before `to_us`
};
// Records from key `from` on, before `to_us`, that `keep` keeps: up to
// `limit` of them, reading at most `max_scan` records.
StatusOr<AccessScan> ScanAccess(
    const Txn& txn, const Tables& t, std::string_view from, int64_t to_us,
    size_t limit, size_t max_scan,
    const std::function<bool(const v1::AccessRecord&)>& keep);

// The first event seq whose instant is at or after `at_us` (events are in
// time order); the last seq + 1 when there is none.
StatusOr<uint64_t> FirstEventAt(const Txn& txn, const Tables& t, int64_t at_us);

StatusOr<uint64_t> CountAccessRecords(const Txn& txn, const Tables& t);

}  // namespace helpdesk::store
