#include "daemon/store/sla_index.h"

#include <algorithm>
#include <charconv>
#include <iterator>

namespace helpdesk::store {
namespace {

constexpr size_t kKeySize = 8 + 8 + 1;

// Whole seconds, never earlier than the instant itself: a sweep that asks
// for what is due by `now` must not raise an alert before its time.
uint64_t DueSecond(const google::protobuf::Timestamp& ts) {
  int64_t s = ts.seconds() + (ts.nanos() > 0 ? 1 : 0);
  return s < 0 ? 0 : static_cast<uint64_t>(s);
}

std::string Key(uint64_t at, uint64_t ticket, int alert) {
  return Be64(at) + Be64(ticket) + static_cast<char>(alert);
}

void AddClock(const v1::SlaClock& c, uint64_t ticket, int warning, int breach,
              std::vector<std::string>& out) {
  if (!c.counting()) return;
  if (!c.warned() && c.has_warning_at())
    out.push_back(Key(DueSecond(c.warning_at()), ticket, warning));
  if (c.state() != v1::SLA_CLOCK_STATE_BREACHED && c.has_due_at())
    out.push_back(Key(DueSecond(c.due_at()), ticket, breach));
}

SlaDue Decode(std::string_view key) {
  return SlaDue{.at = static_cast<int64_t>(ReadBe64(key.substr(0, 8))),
                .ticket = ReadBe64(key.substr(8, 8)),
                .alert = static_cast<uint8_t>(key[16])};
}

}  // namespace

std::vector<std::string> SlaDueKeys(const v1::Ticket& ticket) {
  std::vector<std::string> out;
  if (!ticket.has_sla()) return out;
  uint64_t number = 0;
  const std::string& id = ticket.id();
  auto [end, ec] = std::from_chars(id.data(), id.data() + id.size(), number);
  // Stored tickets always have a number; anything else cannot be indexed.
  if (ec != std::errc() || end != id.data() + id.size()) return out;
  AddClock(ticket.sla().first_response(), number, kFirstResponseWarning,
           kFirstResponseBreach, out);
  AddClock(ticket.sla().resolution(), number, kResolutionWarning,
           kResolutionBreach, out);
  std::sort(out.begin(), out.end());
  return out;
}

StatusOr<std::vector<SlaDue>> DueBy(const Txn& txn, const Tables& t,
                                    int64_t until_seconds, size_t limit) {
  std::vector<SlaDue> out;
  if (until_seconds < 0 || limit == 0) return out;
  auto cursor = Cursor::Open(txn, t.sla_due);
  if (!cursor.ok()) return cursor.status();
  for (auto moved = cursor->First(); out.size() < limit;
       moved = cursor->Next()) {
    if (!moved.ok()) return moved.status();
    if (!*moved) break;
    std::string_view key = cursor->key();
    if (key.size() != kKeySize) return Status::Internal("corrupt sla_due key");
    SlaDue due = Decode(key);
    if (due.at > until_seconds) break;
    out.push_back(due);
  }
  return out;
}

StatusOr<std::optional<int64_t>> NextDue(const Txn& txn, const Tables& t) {
  auto cursor = Cursor::Open(txn, t.sla_due);
  if (!cursor.ok()) return cursor.status();
  auto moved = cursor->First();
  if (!moved.ok()) return moved.status();
  if (!*moved) return std::optional<int64_t>();
  if (cursor->key().size() != kKeySize)
    return Status::Internal("corrupt sla_due key");
  return std::optional<int64_t>(Decode(cursor->key()).at);
}

Status UpdateSlaDue(Txn& txn, const Tables& t, const v1::Ticket* before,
                    const v1::Ticket& now) {
  std::vector<std::string> old_keys;
  if (before != nullptr) old_keys = SlaDueKeys(*before);
  std::vector<std::string> new_keys = SlaDueKeys(now);
  if (old_keys == new_keys) return Status::Ok();  // most writes
  std::vector<std::string> gone, added;
  std::set_difference(old_keys.begin(), old_keys.end(), new_keys.begin(),
                      new_keys.end(), std::back_inserter(gone));
  std::set_difference(new_keys.begin(), new_keys.end(), old_keys.begin(),
                      old_keys.end(), std::back_inserter(added));
  for (const auto& k : gone) {
    if (Status s = txn.Del(t.sla_due, k); !s.ok()) return s;
  }
  for (const auto& k : added) {
    if (Status s = txn.Put(t.sla_due, k, ""); !s.ok()) return s;
  }
  return Status::Ok();
}

Status RebuildSlaDue(Txn& txn, const Tables& t) {
  // Emptied first, so a rebuild over a table with stale entries (an upgrade
  // rerun by hand on a copied database) leaves only the right ones.
  if (int rc = mdb_drop(txn.get(), t.sla_due.dbi, /*del=*/0); rc != MDB_SUCCESS)
    return LmdbStatus(rc, "mdb_drop(sla_due)");
  std::vector<std::string> keys;
  Status scanned = ForEachTicket(txn, t, [&](const v1::Ticket& ticket) {
    if (ticket.has_sla())
      for (auto& k : SlaDueKeys(ticket)) keys.push_back(std::move(k));
    return Status::Ok();
  });
  if (!scanned.ok()) return scanned;
  for (const auto& k : keys) {
    if (Status s = txn.Put(t.sla_due, k, ""); !s.ok()) return s;
  }
  return Status::Ok();
}

}  // namespace helpdesk::store
