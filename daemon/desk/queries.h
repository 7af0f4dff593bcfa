#pragma once
// What the desk's reads take and give besides the schema's messages: list
// filters and pages, report ranges, the figures behind /metrics. Plain
// values; any thread.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "daemon/reports/sla_report.h"
#include "proto/helpdesk.pb.h"

namespace helpdesk::desk {

// Tickets newest first, from the indexes.
struct TicketQuery {
  v1::TicketStatus status = v1::TICKET_STATUS_UNSPECIFIED;  // any
  std::string municipality;                                 // empty: any
  std::string assignee;                                     // empty: any
  // Free text: only tickets whose title and description hold every one of
  // its words, as the catalogue's search forms them (case, æ/ø/å and
  // endings folded; stop words ignored). Empty or spaces: any. Stop words
  // alone match none.
  std::string text;
  uint64_t before = 0;  // numbers below this; 0: from the newest
  size_t limit = 50;
};

// How many index entries one page of a search (TicketQuery::text) steps
// over at most: words common alone and rare together could otherwise walk
// most of the index for one page. A page that reaches it answers what it
// found, maybe nothing, and where to go on.
inline constexpr size_t kSearchSteps = 50000;
// The same for a list by two or more of status, municipality and assignee
// without a search: each filter's tickets are walked together, and
// filters common alone and rare together (a municipality and someone who
// rarely works for it) could otherwise walk most of the index for a page.
inline constexpr size_t kListSteps = 10000;

struct TicketPage {
  std::vector<v1::Ticket> tickets;
  std::optional<uint64_t> next_before;  // where the next page starts
};

// Comments in an answer with one ticket (GET /api/v1/tickets/{id} and
// every write answered with the ticket): its latest this many, oldest first
// among them, with a link to the page before them when there are more.
inline constexpr size_t kTicketComments = 20;

// One ticket's comments a page at a time, from the newest back: the latest
// `limit` with seq below `before` (0: from the newest), oldest first among
// them.
struct CommentQuery {
  std::string ticket;  // its id as a client gives it
  uint64_t before = 0;
  size_t limit = 50;
};

// The event log, oldest first, from sequence number `after`; of one ticket
// when `ticket` is set. The answer's next_cursor is the last seq given.
struct EventQuery {
  uint64_t after = 0;
  size_t limit = 100;
  std::optional<std::string> ticket;  // its id as a client gives it
};

// The audit (GET /api/v1/audit): the changes of the log and the reads of
// tickets by staff, oldest first, of `actor` and `ticket` when set, in
// [from, to). `cursor`: a page's next_cursor. A page reads at most
// kAuditScan records of each kind, so a rare actor over a long log may
// answer a page with few entries and a cursor to go on.
struct AuditQuery {
  std::string actor;
  std::optional<std::string> ticket;  // its id as a client gives it
  std::optional<std::chrono::sys_seconds> from, to;
  std::string cursor;
  size_t limit = 100;
};
inline constexpr size_t kAuditScan = 20000;

// Catalogue search: every word must match, case and æ/ø/å folded.
struct ServiceQuery {
  std::string text;
  std::string municipality;  // empty: any
  std::string category;      // empty: any
  bool include_retired = false;
  size_t limit = 50;
};

struct StaffQuery {
  std::string municipality;    // covers it on site; empty: any
  std::string skill;           // empty: any
  std::optional<bool> active;  // unset: both
};

// The SLA report of the tickets created in [from, to): by default the 30
// days up to and including now; at most three years and a bounded number
// of tickets.
struct SlaReportQuery {
  std::optional<std::chrono::sys_seconds> from, to;
  reports::GroupBy group_by = reports::GroupBy::kMunicipality;
  reports::CostKey cost;
};

// GET /api/v1/pages: newest first.
struct PageQuery {
  v1::PageState state = v1::PAGE_STATE_UNSPECIFIED;  // any
  std::string to;       // a staff id some step pages; empty: any
  uint64_t before = 0;  // page number; 0: from the newest
  size_t limit = 50;
};
struct PageList {
  std::vector<v1::Page> pages;
  std::optional<uint64_t> next_before;  // pass back to continue
};

// Who is on vakt, and the version of the rota that says so (its ETag).
struct VaktNowAnswer {
  v1::VaktNow vakt;
  uint32_t rota_version = 0;
};

// The figures behind /metrics.
struct Stats {
  uint64_t batches = 0;  // write transactions committed or failed
  uint64_t writes = 0;   // writes applied
  uint64_t queued = 0;   // writes waiting now
  std::vector<uint64_t> batch_size_buckets;  // per bucket of batch_buckets
  std::vector<uint64_t> batch_buckets;       // upper bounds
  uint64_t map_size = 0;
  uint64_t last_seq = 0;
  uint64_t writer_exceptions = 0;  // thrown in writes and completions
  // The writer's time per batch: applying its writes, and committing
  // them (pages written and made durable). Counts per bucket of
  // seconds_buckets (upper bounds, in seconds), the total, and how many.
  struct Times {
    std::vector<uint64_t> buckets;
    double total_seconds = 0;
    uint64_t count = 0;
  };
  Times writer_apply, writer_commit;
  std::vector<double> seconds_buckets;
  // Tickets per status, by TicketStatus number; empty when unreadable.
  std::vector<uint64_t> tickets_by_status;
  uint64_t idempotency_keys = 0;  // Idempotency-Key rows stored
};

}  // namespace helpdesk::desk
