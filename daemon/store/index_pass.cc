#include "daemon/store/index_pass.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <utility>

#include "daemon/store/record_check.h"

namespace helpdesk::store {

// The cursor ends before the caller writes.
StatusOr<std::pair<std::vector<std::string>, uint64_t>> EntriesOfTickets(
    const Txn& txn, const Tables& t, const IndexPass& pass, uint64_t from,
    size_t count) {
  std::pair<std::vector<std::string>, uint64_t> out{{}, 0};
  auto cursor = Cursor::Open(txn, t.tickets);
  if (!cursor.ok()) return cursor.status();
  size_t seen = 0;
  for (auto moved = cursor->Seek(Be64(from));; moved = cursor->Next()) {
    if (!moved.ok()) return moved.status();
    if (!*moved) break;
    const uint64_t number = ReadBe64(cursor->key());
    if (seen++ == count) {
      out.second = number;
      break;
    }
    // What the entries are made of (status, municipality, assignee,
    // reporter, followers, title, description) is in the record as stored.
    v1::Ticket ticket;
    if (!ParseRecord(cursor->value(), ticket)) {
      NoteDamaged(TicketName(number));  // left for repair
      continue;
    }
    for (auto& e : pass.entries(ticket, number))
      out.first.push_back(std::move(e));
  }
  std::sort(out.first.begin(), out.first.end());
  return out;
}

namespace {

// One write transaction of the pass. Answers the number to go on from, or
// 0 at the end.
StatusOr<uint64_t> IndexSome(const Env& env, const Tables& t,
                             const IndexPass& pass, uint64_t from,
                             size_t per_txn) {
  auto txn = Txn::BeginWrite(env);
  if (!txn.ok()) return txn.status();
  auto some = EntriesOfTickets(*txn, t, pass, from, per_txn);
  if (!some.ok()) return some.status();
  const uint64_t next = some->second;
  for (const auto& e : some->first)
    if (Status s = PutEntry(*txn, pass.table, e); !s.ok()) return s;
  Status s = next != 0 ? txn->Put(t.meta, pass.mark, Be64(next))
                       : txn->Del(t.meta, pass.mark);
  if (!s.ok()) return s;
  if (Status c = txn->Commit(); !c.ok()) return c;
  return next;
}

}  // namespace

Status RunIndexPass(Env& env, const Tables& t, const IndexPass& pass,
                    size_t max_map_size, size_t tickets_per_txn) {
  uint64_t from = 1;
  {
    auto txn = Txn::BeginRead(env);
    if (!txn.ok()) return txn.status();
    auto mark = txn->Get(t.meta, pass.mark);
    if (!mark.ok()) return mark.status();
    if (!*mark) return Status::Ok();
    if ((*mark)->size() == 8) from = ReadBe64(**mark);
  }
  spdlog::info("upgrade: indexing {}", pass.what);
  size_t batches = 0;
  while (true) {
    auto next =
        IndexSome(env, t, pass, from, std::max<size_t>(tickets_per_txn, 1));
    if (!next.ok()) {
      if (Status s = GrowMapOrExplain(env, next.status(), max_map_size);
          !s.ok())
        return s;
      continue;
    }
    if (*next == 0) break;
    from = *next;
    if (++batches % 50 == 0)
      spdlog::info("upgrade: indexed {} up to ticket {}", pass.what, from);
  }
  spdlog::info("upgrade: indexed {}", pass.what);
  return Status::Ok();
}

}  // namespace helpdesk::store
