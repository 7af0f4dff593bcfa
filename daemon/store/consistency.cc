#include "daemon/store/consistency.h"

#include <date/date.h>
#include <google/protobuf/unknown_field_set.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <functional>
#include <map>
#include <set>
#include <unordered_map>

#include "daemon/store/comment_tables.h"
#include "daemon/store/packing.h"
#include "daemon/store/record_check.h"
#include "daemon/store/report_cells.h"
#include "daemon/store/sla_index.h"
#include "daemon/store/ticket_words.h"
#include "proto/helpdesk.pb.h"
#include "proto/ticket_status.h"
#include "proto/wire_names.h"

namespace helpdesk::store {
namespace {

constexpr int kPriorities = v1::Priority_ARRAYSIZE;

class Findings {
 public:
  explicit Findings(ConsistencyReport& r) : r_(r) {}
  void Add(std::string what) {
    if (r_.findings.size() < kMaxFindings)
      r_.findings.push_back(std::move(what));
    else
      ++r_.more_findings;
  }

 private:
  ConsistencyReport& r_;
};

// A key as a person reads it: printable ASCII as is, the rest as \xNN.
std::string Printable(std::string_view key) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : key) {
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// Why `bytes` do not parse: protobuf refuses a record whose wire format
// is sound only for a string that is not UTF-8.
std::string Why(std::string_view bytes) {
  std::string scratch;
  auto record = Unpack(bytes, scratch);
  if (!record) return "packed, but does not unpack (damaged bytes)";
  google::protobuf::UnknownFieldSet fields;
  if (fields.ParseFromArray(record->data(), static_cast<int>(record->size())))
    return "a string field is not valid UTF-8";
  return "not a readable record (damaged bytes)";
}

// The message a record of `table` under `key` holds; nullptr for keys
// whose values are not messages (the staff generation lives in meta).
std::unique_ptr<google::protobuf::Message> RecordOf(std::string_view table,
                                                    std::string_view key) {
  if (table == "municipalities") return std::make_unique<v1::Municipality>();
  if (table == "service_snapshots")
    return std::make_unique<v1::ServiceSnapshot>();
  if (table == "catalogue") {
    if (key.starts_with("category/")) return std::make_unique<v1::Category>();
    if (key.starts_with("service/")) return std::make_unique<v1::Service>();
    if (key.starts_with("skill/")) return std::make_unique<v1::Skill>();
    if (key.starts_with("sla_class/")) return std::make_unique<v1::SlaClass>();
    if (key.starts_with("synonym/"))
      return std::make_unique<v1::SynonymGroup>();
    return nullptr;
  }
  if (table == "staff") {
    if (key.starts_with("member/")) return std::make_unique<v1::StaffMember>();
    if (key.starts_with("load/")) return std::make_unique<v1::StaffLoad>();
    if (key == "rota") return std::make_unique<v1::VaktRota>();
  }
  return nullptr;
}

// Every unreadable record of a table keyed by text.
Status ScanText(const Txn& txn, Table table, const char* name,
                ConsistencyReport& r) {
  auto cursor = Cursor::Open(txn, table);
  if (!cursor.ok()) return cursor.status();
  for (auto moved = cursor->First();; moved = cursor->Next()) {
    if (!moved.ok()) return moved.status();
    if (!*moved) return Status::Ok();
    auto record = RecordOf(name, cursor->key());
    if (record == nullptr) {
      r.unreadable.push_back({name, std::string(cursor->key()),
                              Printable(cursor->key()),
                              "a key of no known kind"});
    } else if (!ParseRecord(cursor->value(), *record)) {
      r.unreadable.push_back({name, std::string(cursor->key()),
                              Printable(cursor->key()), Why(cursor->value())});
    }
  }
}

struct Expected {
  // Per readable ticket number: its index keys.
  std::unordered_map<uint64_t, std::array<std::string, kIndexKeysPerTicket>>
      index;
  // Per readable ticket with followers: their index keys.
  std::unordered_map<uint64_t, std::vector<std::string>> follower_index;
  std::set<uint64_t> damaged;
  std::vector<uint64_t> counts =
      std::vector<uint64_t>(v1::TicketStatus_ARRAYSIZE, 0);
  std::map<std::string, std::array<uint64_t, kPriorities>> loads;
  std::set<std::string> sla_due;
  // Per readable ticket with words: the hashes of its words, sorted
  // (hashes, not the words: a million tickets' words would not fit).
  std::unordered_map<uint64_t, std::vector<size_t>> words;
  // Per readable ticket: its comment_count.
  std::unordered_map<uint64_t, uint64_t> comment_counts;
  // The CommentAdded events of the log: ticket number, seq.
  std::set<std::pair<uint64_t, uint64_t>> comments;
  // Events that cannot say whether they added a comment: unreadable, or
  // the placeholder of one a repair quarantined.
  std::set<uint64_t> unknown_events;
};

Status ScanTickets(const Txn& txn, const Tables& t, ConsistencyReport& r,
                   Expected& e) {
  auto cursor = Cursor::Open(txn, t.tickets);
  if (!cursor.ok()) return cursor.status();
  for (auto moved = cursor->First();; moved = cursor->Next()) {
    if (!moved.ok()) return moved.status();
    if (!*moved) return Status::Ok();
    const uint64_t number = ReadBe64(cursor->key());
    v1::Ticket ticket;
    if (cursor->key().size() != 8 || !ParseRecord(cursor->value(), ticket)) {
      e.damaged.insert(number);
      r.unreadable.push_back({"tickets", std::string(cursor->key()),
                              std::to_string(number), Why(cursor->value())});
      continue;
    }
    ++r.tickets;
    e.index.emplace(number, TicketIndexKeys(ticket, number));
    if (ticket.followers_size() > 0)
      e.follower_index.emplace(number, FollowerIndexKeys(ticket, number));
    const int status = static_cast<int>(ticket.status());
    if (status > 0 && status < v1::TicketStatus_ARRAYSIZE) ++e.counts[status];
    if (!ticket.assignee().empty() && proto::IsOpen(ticket.status())) {
      int p = static_cast<int>(ticket.priority());
      if (p < 0 || p >= kPriorities) p = 0;
      ++e.loads[ticket.assignee()][p];
    }
    for (auto& k : SlaDueKeys(ticket)) e.sla_due.insert(std::move(k));
    if (t.ticket_words.dbi == 0) {
      // older than schema 11: no words to check
    } else if (auto words = TicketWords(ticket); !words.empty()) {
      std::vector<size_t> hashes;
      for (const auto& w : words) hashes.push_back(std::hash<std::string>()(w));
      std::sort(hashes.begin(), hashes.end());
      e.words.emplace(number, std::move(hashes));
    }
    e.comment_counts.emplace(number, ticket.comment_count());
  }
}

Status CheckIndex(const Txn& txn, const Tables& t, const Expected& e,
                  Findings& f) {
  std::unordered_map<uint64_t, int> seen;  // entries found per ticket
  std::unordered_map<uint64_t, size_t> followers_seen;
  auto cursor = Cursor::Open(txn, t.ticket_index);
  if (!cursor.ok()) return cursor.status();
  for (auto moved = cursor->First();; moved = cursor->Next()) {
    if (!moved.ok()) return moved.status();
    if (!*moved) break;
    if (cursor->value().size() != 8) {
      f.Add("ticket_index: an entry that names no ticket (" +
            Printable(cursor->key()) + ")");
      continue;
    }
    const std::string entry = EntryAt(*cursor);
    const std::string_view key = entry;
    const uint64_t number = ReadBe64(key.substr(key.size() - 8));
    if (e.damaged.count(number)) continue;  // cannot be judged
    auto it = e.index.find(number);
    if (it == e.index.end()) {
      f.Add("ticket_index: an entry for ticket " + std::to_string(number) +
            ", which is not stored");
      continue;
    }
    const auto& keys = it->second;
    const uint8_t mask = static_cast<uint8_t>(key[0]);
    if (mask == kFollowerIndexByte) {  // by follower (FollowerIndexKeys)
      auto followers = e.follower_index.find(number);
      if (followers != e.follower_index.end() &&
          std::find(followers->second.begin(), followers->second.end(), key) !=
              followers->second.end()) {
        ++followers_seen[number];
        continue;
      }
      f.Add("ticket_index: a stale follower entry for ticket " +
            std::to_string(number) + " (" +
            Printable(key.substr(0, key.size() - 8)) +
            "), which its stored followers do not give");
      continue;
    }
    const auto place =
        std::find(kTicketIndexBytes.begin(), kTicketIndexBytes.end(), mask);
    if (place == kTicketIndexBytes.end() ||
        keys[place - kTicketIndexBytes.begin()] != key) {
      f.Add("ticket_index: a stale entry for ticket " + std::to_string(number) +
            " (" + Printable(key.substr(0, key.size() - 8)) +
            "), which its stored status, municipality, assignee or "
            "reporter do not give");
      continue;
    }
    ++seen[number];
  }
  for (const auto& [number, keys] : e.index) {
    const int found = seen.count(number) ? seen.at(number) : 0;
    if (found != static_cast<int>(kIndexKeysPerTicket))
      f.Add("ticket_index: ticket " + std::to_string(number) + " has " +
            std::to_string(found) + " of its " +
            std::to_string(kIndexKeysPerTicket) +
            " entries; lists by some filters miss it");
  }
  for (const auto& [number, keys] : e.follower_index) {
    const size_t found =
        followers_seen.count(number) ? followers_seen.at(number) : 0;
    if (found != keys.size())
      f.Add("ticket_index: ticket " + std::to_string(number) + " has " +
            std::to_string(found) + " of its " + std::to_string(keys.size()) +
            " follower entries; a follower's list misses it");
  }
  return Status::Ok();
}

Status CheckCounts(const Txn& txn, const Tables& t, const Expected& e,
                   Findings& f) {
  auto stored = CountByStatus(txn, t);
  if (!stored.ok()) return stored.status();
  const uint64_t damaged = e.damaged.size();
  uint64_t surplus = 0;
  for (int s = 1; s < v1::TicketStatus_ARRAYSIZE; ++s) {
    const uint64_t have = (*stored)[s], want = e.counts[s];
    if (have == want) continue;
    if (have > want && damaged > 0) {  // maybe the unreadable tickets
      surplus += have - want;
      continue;
    }
    f.Add("status count of " +
          proto::WireName(static_cast<v1::TicketStatus>(s)) + " is " +
          std::to_string(have) + ", the stored tickets give " +
          std::to_string(want));
  }
  if (surplus > damaged)
    f.Add("the status counts hold " + std::to_string(surplus) +
          " tickets more than are stored (" + std::to_string(damaged) +
          " unreadable)");
  return Status::Ok();
}

Status CheckLoads(const Txn& txn, const Tables& t, const Expected& e,
                  Findings& f) {
  constexpr std::string_view kPrefix = "load/";
  std::set<std::string> have_record;
  auto cursor = Cursor::Open(txn, t.staff);
  if (!cursor.ok()) return cursor.status();
  for (auto moved = cursor->Seek(kPrefix);; moved = cursor->Next()) {
    if (!moved.ok()) return moved.status();
    if (!*moved || !cursor->key().starts_with(kPrefix)) break;
    const std::string id(cursor->key().substr(kPrefix.size()));
    v1::StaffLoad load;
    if (!ParseRecord(cursor->value(), load)) continue;  // listed unreadable
    have_record.insert(id);
    auto it = e.loads.find(id);
    for (int p = 0; p < kPriorities; ++p) {
      const uint64_t have =
          p < load.open_by_priority_size() ? load.open_by_priority(p) : 0;
      const uint64_t want = it == e.loads.end() ? 0 : it->second[p];
      if (have == want || (have > want && !e.damaged.empty())) continue;
      f.Add("open load of " + id + " at priority " +
            proto::WireName(static_cast<v1::Priority>(p)) + " is " +
            std::to_string(have) + ", the stored tickets give " +
            std::to_string(want));
    }
  }
  for (const auto& [id, counts] : e.loads) {
    if (have_record.count(id)) continue;
    uint64_t open = 0;
    for (uint64_t c : counts) open += c;
    f.Add("open load of " + id + " is not stored; the stored tickets give " +
          std::to_string(open) + " open");
  }
  return Status::Ok();
}

Status CheckSlaDue(const Txn& txn, const Tables& t, const Expected& e,
                   Findings& f) {
  std::set<std::string> found;
  auto cursor = Cursor::Open(txn, t.sla_due);
  if (!cursor.ok()) return cursor.status();
  for (auto moved = cursor->First();; moved = cursor->Next()) {
    if (!moved.ok()) return moved.status();
    if (!*moved) break;
    std::string_view key = cursor->key();
    if (key.size() != 17) {
      f.Add("sla_due: a key of the wrong size (" + Printable(key) + ")");
      continue;
    }
    const uint64_t number = ReadBe64(key.substr(8, 8));
    if (e.damaged.count(number)) continue;
    if (!e.sla_due.count(std::string(key))) {
      f.Add("sla_due: an entry for ticket " + std::to_string(number) + " at " +
            std::to_string(ReadBe64(key.substr(0, 8))) + " (alert " +
            std::to_string(static_cast<int>(key[16])) +
            ") that its stored clocks do not give");
      continue;
    }
    found.insert(std::string(key));
  }
  for (const auto& k : e.sla_due) {
    if (found.count(k)) continue;
    f.Add("sla_due: ticket " + std::to_string(ReadBe64(k.substr(8, 8))) +
          " lacks its entry at " + std::to_string(ReadBe64(k.substr(0, 8))) +
          " (alert " + std::to_string(static_cast<int>(k[16])) +
          "): that alert would never be recorded");
  }
  return Status::Ok();
}

// Every ticket's words are in ticket_words, and nothing else is.
Status CheckWords(const Txn& txn, const Tables& t, const Expected& e,
                  Findings& f) {
  if (t.ticket_words.dbi == 0) return Status::Ok();  // older than 11
  std::unordered_map<uint64_t, size_t> seen;         // entries found per ticket
  auto cursor = Cursor::Open(txn, t.ticket_words);
  if (!cursor.ok()) return cursor.status();
  for (auto moved = cursor->First();; moved = cursor->Next()) {
    if (!moved.ok()) return moved.status();
    if (!*moved) break;
    const std::string entry = EntryAt(*cursor);
    const std::string_view key = entry;
    if (cursor->value().size() != 8 || key.size() < 10 ||
        key[key.size() - 9] != '\0') {
      f.Add("ticket_words: an entry that names no word and ticket (" +
            Printable(key) + ")");
      continue;
    }
    const uint64_t number = ReadBe64(key.substr(key.size() - 8));
    if (e.damaged.count(number)) continue;  // cannot be judged
    const std::string_view word = key.substr(0, key.size() - 9);
    auto it = e.words.find(number);
    const size_t hash = std::hash<std::string_view>()(word);
    if (it == e.words.end() ||
        !std::binary_search(it->second.begin(), it->second.end(), hash)) {
      f.Add("ticket_words: a stale entry '" + Printable(word) +
            "' for ticket " + std::to_string(number) +
            ", whose stored title and description do not give it");
      continue;
    }
    ++seen[number];
  }
  for (const auto& [number, hashes] : e.words) {
    const size_t found = seen.count(number) ? seen.at(number) : 0;
    if (found != hashes.size())
      f.Add("ticket_words: ticket " + std::to_string(number) + " has " +
            std::to_string(found) + " of its " + std::to_string(hashes.size()) +
            " word entries; a search misses it");
  }
  return Status::Ok();
}

// The report cells agree with what the tickets give. Skipped when a ticket
// cannot be read: its part of them is unknown (the repair rebuilds them).
Status CheckReportCells(const Txn& txn, const Tables& t, const Expected& e,
                        Findings& f) {
  if (!e.damaged.empty()) return Status::Ok();
  auto expected = ExpectedReportCells(txn, t);
  if (!expected.ok()) return expected.status();
  const auto name = [](const reports::CellKey& k, Period p) {
    const std::string first =
        std::string(PeriodName(p)) + " " +
        date::format("%F", date::sys_days(date::days(k.day))) + " ";
    if (p == Period::kMonthByAssignee)
      return first + (k.assignee.empty() ? "unassigned" : k.assignee);
    return first + k.municipality + "/" + k.service_id + "/priority " +
           std::to_string(k.priority) + "/" +
           (p == Period::kYear   ? "any assignee"
            : k.assignee.empty() ? "unassigned"
                                 : k.assignee);
  };
  std::set<std::string> seen;
  auto cursor = Cursor::Open(txn, t.report_cells);
  if (!cursor.ok()) return cursor.status();
  for (auto moved = cursor->First();; moved = cursor->Next()) {
    if (!moved.ok()) return moved.status();
    if (!*moved) break;
    reports::Cell cell;
    Period p;
    if (!ParseReportCellKey(cursor->key(), p, cell.key) ||
        !reports::DecodeCell(cursor->value(), cell)) {
      f.Add("report_cells: a cell that cannot be read (" +
            Printable(cursor->key()) + ")");
      continue;
    }
    const std::string key(cursor->key());
    seen.insert(key);
    auto it = expected->find(key);
    if (it == expected->end()) {
      f.Add("report_cells: " + name(cell.key, p) + " holds " +
            std::to_string(cell.tickets) + " tickets that no ticket gives");
    } else if (!(it->second.tickets == cell.tickets &&
                 it->second.response == cell.response &&
                 it->second.resolution == cell.resolution)) {
      f.Add("report_cells: " + name(cell.key, p) + " holds " +
            std::to_string(cell.tickets) + " tickets, the tickets give " +
            std::to_string(it->second.tickets) +
            (it->second.tickets == cell.tickets ? " with other clocks" : ""));
    }
  }
  for (const auto& [key, cell] : *expected) {
    if (seen.count(key)) continue;
    Period p;
    reports::CellKey k;
    ParseReportCellKey(key, p, k);
    f.Add("report_cells: " + name(k, p) + " is missing (" +
          std::to_string(cell.tickets) + " tickets)");
  }
  return Status::Ok();
}

// The log runs 1..N, and each event parses; notes the comments it adds.
Status CheckEvents(const Txn& txn, const Tables& t, ConsistencyReport& r,
                   Findings& f, Expected& e) {
  auto cursor = Cursor::Open(txn, t.events);
  if (!cursor.ok()) return cursor.status();
  uint64_t expected = 1;
  for (auto moved = cursor->First();; moved = cursor->Next()) {
    if (!moved.ok()) return moved.status();
    if (!*moved) return Status::Ok();
    const uint64_t seq = ReadBe64(cursor->key());
    if (seq != expected)
      f.Add("events: the log jumps from " + std::to_string(expected - 1) +
            " to " + std::to_string(seq));
    expected = seq + 1;
    ++r.events;
    v1::Event event;
    if (!ParseRecord(cursor->value(), event)) {
      r.unreadable.push_back({"events", std::string(cursor->key()),
                              std::to_string(seq), Why(cursor->value())});
      e.unknown_events.insert(seq);
    } else if (IsQuarantinedEvent(event)) {
      e.unknown_events.insert(seq);
    } else if (event.has_comment_added()) {
      uint64_t number = 0;
      const std::string& id = event.ticket_id();
      auto [end, ec] =
          std::from_chars(id.data(), id.data() + id.size(), number);
      if (ec == std::errc() && end == id.data() + id.size() && !id.empty())
        e.comments.emplace(number, seq);
      else
        f.Add("events: comment event " + std::to_string(seq) +
              " names no ticket");
    }
  }
}

// How many of each ticket's events are in `seqs` (one pass over the
// ticket_events keys; none when `seqs` is empty).
StatusOr<std::unordered_map<uint64_t, uint64_t>> EventsPerTicket(
    const Txn& txn, const Tables& t, const std::set<uint64_t>& seqs) {
  std::unordered_map<uint64_t, uint64_t> out;
  if (seqs.empty()) return out;
  auto cursor = Cursor::Open(txn, t.ticket_events);
  if (!cursor.ok()) return cursor.status();
  for (auto moved = cursor->First();; moved = cursor->Next()) {
    if (!moved.ok()) return moved.status();
    if (!*moved) return out;
    std::string_view key = cursor->key();
    if (key.size() == 16 && seqs.count(ReadBe64(key.substr(8))))
      ++out[ReadBe64(key.substr(0, 8))];
  }
}

// Each comment record has its CommentAdded event and each such event its
// record; each readable ticket has as many records as its comment_count. A
// record whose event cannot say (unreadable, quarantined) is let be, and a
// ticket may lack as many records as it has such events.
Status CheckComments(const Txn& txn, const Tables& t, ConsistencyReport& r,
                     const Expected& e, Findings& f) {
  // Unset: a database older than version 5, read without upgrading.
  if (t.ticket_comments.dbi == 0) return Status::Ok();
  std::unordered_map<uint64_t, uint64_t> records;  // per ticket
  std::set<std::pair<uint64_t, uint64_t>> found;
  auto cursor = Cursor::Open(txn, t.ticket_comments);
  if (!cursor.ok()) return cursor.status();
  for (auto moved = cursor->First();; moved = cursor->Next()) {
    if (!moved.ok()) return moved.status();
    if (!*moved) break;
    std::string_view key = cursor->key();
    if (key.size() != 16) {
      f.Add("ticket_comments: a key of the wrong size (" + Printable(key) +
            ")");
      continue;
    }
    const uint64_t number = ReadBe64(key.substr(0, 8));
    const uint64_t seq = ReadBe64(key.substr(8));
    ++records[number];
    v1::Comment comment;
    if (!ParseRecord(cursor->value(), comment)) {
      r.unreadable.push_back(
          {"ticket_comments", std::string(key),
           std::to_string(number) + "/" + std::to_string(seq),
           Why(cursor->value())});
      continue;
    }
    if (e.comments.count({number, seq})) {
      found.emplace(number, seq);
    } else if (!e.unknown_events.count(seq)) {
      f.Add("ticket_comments: " + CommentName(number, seq) +
            " has no CommentAdded event");
    }
  }
  for (const auto& [number, seq] : e.comments) {
    if (!found.count({number, seq}))
      f.Add("ticket_comments: " + CommentName(number, seq) +
            " is missing; its CommentAdded event is in the log");
  }
  auto unknown = EventsPerTicket(txn, t, e.unknown_events);
  if (!unknown.ok()) return unknown.status();
  for (const auto& [number, count] : e.comment_counts) {
    const uint64_t have = records.count(number) ? records.at(number) : 0;
    const uint64_t may_lack = unknown->count(number) ? unknown->at(number) : 0;
    if (have == count || (have < count && count - have <= may_lack)) continue;
    f.Add("ticket_comments: " + TicketName(number) + " has " +
          std::to_string(have) + " comment records, its comment count is " +
          std::to_string(count));
  }
  return Status::Ok();
}

}  // namespace

StatusOr<ConsistencyReport> CheckConsistency(const Txn& txn, const Tables& t) {
  ConsistencyReport r;
  Findings f(r);
  Expected e;
  if (Status s = ScanTickets(txn, t, r, e); !s.ok()) return s;
  if (Status s = CheckEvents(txn, t, r, f, e); !s.ok()) return s;
  for (auto [table, name] :
       {std::pair{t.municipalities, "municipalities"},
        std::pair{t.catalogue, "catalogue"}, std::pair{t.staff, "staff"}}) {
    if (Status s = ScanText(txn, table, name, r); !s.ok()) return s;
  }
  if (t.service_snapshots.dbi != 0)  // schema 10
    if (Status s = ScanText(txn, t.service_snapshots, "service_snapshots", r);
        !s.ok())
      return s;
  if (Status s = CheckIndex(txn, t, e, f); !s.ok()) return s;
  if (Status s = CheckCounts(txn, t, e, f); !s.ok()) return s;
  if (Status s = CheckLoads(txn, t, e, f); !s.ok()) return s;
  if (Status s = CheckSlaDue(txn, t, e, f); !s.ok()) return s;
  if (Status s = CheckWords(txn, t, e, f); !s.ok()) return s;
  if (Status s = CheckReportCells(txn, t, e, f); !s.ok()) return s;
  if (Status s = CheckComments(txn, t, r, e, f); !s.ok()) return s;
  return r;
}

}  // namespace helpdesk::store
