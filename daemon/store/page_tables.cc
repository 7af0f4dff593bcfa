#include "daemon/store/page_tables.h"

#include <algorithm>
#include <charconv>

#include "daemon/store/record_check.h"

namespace helpdesk::store {
namespace {

int64_t Ms(const google::protobuf::Timestamp& ts) {
  return ts.seconds() * 1000 + ts.nanos() / 1000000;
}

// A page's pages_due key, or "" when it has nothing due.
std::string DueKey(const v1::Page& page, uint64_t number) {
  if (!page.has_next_action_at()) return {};
  const int64_t ms = Ms(page.next_action_at());
  return Be64(static_cast<uint64_t>(ms < 0 ? 0 : ms)) + Be64(number);
}

std::string TicketKey(uint64_t ticket, v1::PageReason reason,
                      v1::SlaClockKind clock) {
  std::string key = Be64(ticket);
  key += static_cast<char>(reason);
  key += static_cast<char>(clock);
  return key;
}

uint64_t NumberOf(std::string_view id) {
  uint64_t n = 0;
  std::from_chars(id.data(), id.data() + id.size(), n);
  return n;
}

StatusOr<v1::Page> ParsePage(std::string_view bytes, uint64_t number) {
  v1::Page page;
  if (!ParseRecord(bytes, page)) return Damaged(PageName(number));
  return page;
}

}  // namespace

std::string PageName(uint64_t number) {
  return "page " + std::to_string(number);
}

StatusOr<std::optional<v1::Page>> GetPage(const Txn& txn, const Tables& t,
                                          uint64_t number) {
  auto raw = txn.Get(t.pages, Be64(number));
  if (!raw.ok()) return raw.status();
  if (!*raw) return std::optional<v1::Page>();
  auto page = ParsePage(**raw, number);
  if (!page.ok()) return page.status();
  return std::optional<v1::Page>(std::move(*page));
}

StatusOr<uint64_t> LastPageNumber(const Txn& txn, const Tables& t) {
  auto cursor = Cursor::Open(txn, t.pages);
  if (!cursor.ok()) return cursor.status();
  auto last = cursor->Last();
  if (!last.ok()) return last.status();
  return *last ? ReadBe64(cursor->key()) : 0;
}

StatusOr<std::optional<uint64_t>> PageFor(const Txn& txn, const Tables& t,
                                          uint64_t ticket,
                                          v1::PageReason reason,
                                          v1::SlaClockKind clock) {
  auto raw = txn.Get(t.pages_by_ticket, TicketKey(ticket, reason, clock));
  if (!raw.ok()) return raw.status();
  if (!*raw) return std::optional<uint64_t>();
  return std::optional<uint64_t>(ReadBe64(**raw));
}

StatusOr<std::vector<v1::Page>> PagesOfTicket(const Txn& txn, const Tables& t,
                                              uint64_t ticket) {
  std::vector<uint64_t> numbers;
  {
    auto cursor = Cursor::Open(txn, t.pages_by_ticket);
    if (!cursor.ok()) return cursor.status();
    const std::string prefix = Be64(ticket);
    for (auto at = cursor->Seek(prefix);; at = cursor->Next()) {
      if (!at.ok()) return at.status();
      if (!*at || !cursor->key().starts_with(prefix)) break;
      numbers.push_back(ReadBe64(cursor->value()));
    }
  }
  std::vector<v1::Page> out;
  for (uint64_t n : numbers) {
    auto page = GetPage(txn, t, n);
    if (IsDamaged(page.status())) {
      NoteDamaged(PageName(n));
      continue;
    }
    if (!page.ok()) return page.status();
    if (*page) out.push_back(std::move(**page));
  }
  std::sort(out.begin(), out.end(), [](const v1::Page& a, const v1::Page& b) {
    return NumberOf(a.id()) < NumberOf(b.id());
  });
  return out;
}

StatusOr<std::vector<uint64_t>> PagesDueBy(const Txn& txn, const Tables& t,
                                           int64_t until_ms, size_t limit) {
  std::vector<uint64_t> out;
  auto cursor = Cursor::Open(txn, t.pages_due);
  if (!cursor.ok()) return cursor.status();
  for (auto at = cursor->First(); out.size() < limit; at = cursor->Next()) {
    if (!at.ok()) return at.status();
    if (!*at || cursor->key().size() != 16) break;
    if (static_cast<int64_t>(ReadBe64(cursor->key().substr(0, 8))) > until_ms)
      break;
    out.push_back(ReadBe64(cursor->key().substr(8)));
  }
  return out;
}

StatusOr<std::optional<int64_t>> NextPageAction(const Txn& txn,
                                                const Tables& t) {
  auto cursor = Cursor::Open(txn, t.pages_due);
  if (!cursor.ok()) return cursor.status();
  auto first = cursor->First();
  if (!first.ok()) return first.status();
  if (!*first || cursor->key().size() != 16) return std::optional<int64_t>();
  return std::optional<int64_t>(
      static_cast<int64_t>(ReadBe64(cursor->key().substr(0, 8))));
}

StatusOr<PageList> ListPages(const Txn& txn, const Tables& t,
                             const PageFilter& filter, uint64_t before,
                             size_t limit) {
  PageList list;
  limit = std::max<size_t>(limit, 1);
  auto cursor = Cursor::Open(txn, t.pages);
  if (!cursor.ok()) return cursor.status();
  auto at = before ? cursor->Seek(Be64(before)) : cursor->Last();
  if (before && at.ok()) at = *at ? cursor->Prev() : cursor->Last();
  for (; list.pages.size() <= limit; at = cursor->Prev()) {
    if (!at.ok()) return at.status();
    if (!*at) break;
    const uint64_t number = ReadBe64(cursor->key());
    auto page = ParsePage(cursor->value(), number);
    if (!page.ok()) {
      NoteDamaged(PageName(number));
      continue;
    }
    if (filter.state != v1::PAGE_STATE_UNSPECIFIED &&
        page->state() != filter.state)
      continue;
    if (!filter.to.empty()) {
      bool paged = false;
      for (const auto& step : page->steps()) paged |= step.to() == filter.to;
      if (!paged) continue;
    }
    if (list.pages.size() == limit) {
      list.next_before = NumberOf(list.pages.back().id());
      break;
    }
    list.pages.push_back(std::move(*page));
  }
  return list;
}

Status PutPage(Txn& txn, const Tables& t, const v1::Page* before,
               const v1::Page& now) {
  const uint64_t number = NumberOf(now.id());
  if (number == 0) return Status::Internal("a page without a number");
  const std::string old_due = before ? DueKey(*before, number) : std::string();
  const std::string new_due = DueKey(now, number);
  if (old_due != new_due) {
    if (!old_due.empty())
      if (Status s = txn.Del(t.pages_due, old_due); !s.ok()) return s;
    if (!new_due.empty())
      if (Status s = txn.Put(t.pages_due, new_due, ""); !s.ok()) return s;
  }
  if (before == nullptr && !now.ticket_id().empty()) {
    if (Status s = txn.Put(
            t.pages_by_ticket,
            TicketKey(NumberOf(now.ticket_id()), now.reason(), now.clock()),
            Be64(number));
        !s.ok())
      return s;
  }
  return txn.Put(t.pages, Be64(number), now.SerializeAsString());
}

}  // namespace helpdesk::store
