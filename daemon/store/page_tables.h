#pragma once
// The paging outbox (README, "Paging"): each page a record, written by the
// use case whose event caused it, in the same transaction, so a page is
// never lost nor sent for a change that did not commit.
//
//   pages            BE64 page number -> Page
//   pages_due        BE64 instant (ms) . BE64 page number -> "": when the
//                    sender next has something to do for each page (its
//                    next_action_at); a page with nothing to do has none
//   pages_by_ticket  BE64 ticket number . reason byte . clock byte ->
//                    BE64 page number: one page per ticket per reason (and
//                    SLA clock), so a replayed cause never pages twice
//
// Free functions over a Txn; they never keep a view past the transaction.
// Thread-safety: as the Txn they are given.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "daemon/store/lmdb.h"
#include "daemon/store/tables.h"
#include "proto/helpdesk.pb.h"
#include "proto/status.h"

namespace helpdesk::store {

StatusOr<std::optional<v1::Page>> GetPage(const Txn& txn, const Tables& t,
                                          uint64_t number);
// The highest page number in use (0 when none).
StatusOr<uint64_t> LastPageNumber(const Txn& txn, const Tables& t);
// The page already made for `ticket` with `reason` (and `clock`), if any.
StatusOr<std::optional<uint64_t>> PageFor(const Txn& txn, const Tables& t,
                                          uint64_t ticket,
                                          v1::PageReason reason,
                                          v1::SlaClockKind clock);
// The pages of `ticket`, by page number.
StatusOr<std::vector<v1::Page>> PagesOfTicket(const Txn& txn, const Tables& t,
                                              uint64_t ticket);
// The numbers of pages whose next action is at or before `until_ms`,
// earliest first, at most `limit`.
StatusOr<std::vector<uint64_t>> PagesDueBy(const Txn& txn, const Tables& t,
                                           int64_t until_ms, size_t limit);
// The earliest next action of any page (ms); nullopt when none.
StatusOr<std::optional<int64_t>> NextPageAction(const Txn& txn,
                                                const Tables& t);

struct PageFilter {
  v1::PageState state = v1::PAGE_STATE_UNSPECIFIED;  // any
  std::string to;  // a staff id some step pages; empty: any
};
struct PageList {
  std::vector<v1::Page> pages;
  std::optional<uint64_t> next_before;
};
// Pages matching `filter`, newest first, numbered below `before` (0: from
// the newest). Scans newest first: pages are few (a handful a night).
StatusOr<PageList> ListPages(const Txn& txn, const Tables& t,
                             const PageFilter& filter, uint64_t before,
                             size_t limit);

// Stores `now` (number from its id), moving its pages_due entry from that
// of `before` (nullptr for a new page) and, for a new page of a ticket,
// adding its pages_by_ticket key.
Status PutPage(Txn& txn, const Tables& t, const v1::Page* before,
               const v1::Page& now);

// "page 17": how messages name a page record.
std::string PageName(uint64_t number);

}  // namespace helpdesk::store
