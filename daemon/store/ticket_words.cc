#include "daemon/store/ticket_words.h"

#include <algorithm>
#include <unordered_set>
#include <utility>

#include "catalogue/search.h"
#include "daemon/store/index_pass.h"

namespace helpdesk::store {
namespace {

// Adds the search forms of `text` not yet in `seen` to `out`, up to `cap`.
void AddWords(std::string_view text, size_t cap,
              std::unordered_set<std::string>& seen,
              std::vector<std::string>& out) {
  for (auto& term : catalogue::SearchTerms(text)) {
    if (out.size() >= cap) return;
    if (term.empty() || term.size() > kMaxWordBytes) continue;
    if (seen.insert(term).second) out.push_back(std::move(term));
  }
}

bool SameText(const v1::Ticket& a, const v1::Ticket& b) {
  return a.title() == b.title() && a.description() == b.description() &&
         a.has_personal_data_erased_at() == b.has_personal_data_erased_at();
}

std::vector<std::string> WordsOf(std::string_view title,
                                 std::string_view description) {
  std::vector<std::string> out;
  std::unordered_set<std::string> seen;
  AddWords(title, kMaxTicketWords, seen, out);
  AddWords(description, kMaxTicketWords, seen, out);
  return out;
}

}  // namespace

std::vector<std::string> TicketWords(const v1::Ticket& ticket) {
  if (ticket.has_personal_data_erased_at()) return {};
  return WordsOf(ticket.title(), ticket.description());
}

TextWords WordsOfText(std::string title, std::string description) {
  TextWords out{std::move(title), std::move(description), {}};
  out.words = WordsOf(out.title, out.description);
  return out;
}

std::vector<std::string> QueryWords(std::string_view query) {
  std::vector<std::string> out;
  std::unordered_set<std::string> seen;
  // A word too long to be indexed is kept: it matches no ticket, as it
  // should (leaving it out would widen the search).
  for (auto& term : catalogue::SearchTerms(query)) {
    if (out.size() >= kMaxQueryWords) break;
    if (seen.insert(term).second) out.push_back(std::move(term));
  }
  return out;
}

bool HasWords(const v1::Ticket& ticket, const std::vector<std::string>& words) {
  const auto have = TicketWords(ticket);
  for (const auto& w : words)
    if (std::find(have.begin(), have.end(), w) == have.end()) return false;
  return true;
}

std::string WordPrefix(std::string_view word) {
  std::string k(word);
  k += '\0';
  return k;
}

std::vector<std::string> WordKeys(const std::vector<std::string>& words,
                                  uint64_t number) {
  std::vector<std::string> keys;
  keys.reserve(words.size());
  for (const auto& w : words) keys.push_back(WordPrefix(w) + Be64(number));
  // Put in key order: neighbouring words share pages.
  std::sort(keys.begin(), keys.end());
  return keys;
}

Status PutTicketWords(Txn& txn, const Tables& t, const v1::Ticket* before,
                      const v1::Ticket& now, const TextWords* known) {
  if (before != nullptr && SameText(*before, now)) return Status::Ok();
  const uint64_t number = std::stoull(now.id());
  const bool take_known =
      known != nullptr && !now.has_personal_data_erased_at() &&
      known->title == now.title() && known->description == now.description();
  const auto new_keys =
      WordKeys(take_known ? known->words : TicketWords(now), number);
  const auto old_keys = before != nullptr
                            ? WordKeys(TicketWords(*before), number)
                            : std::vector<std::string>();
  // Both sorted: only the words that went or came are written.
  for (const auto& k : old_keys)
    if (!std::binary_search(new_keys.begin(), new_keys.end(), k))
      if (Status s = DelEntry(txn, t.ticket_words, k); !s.ok()) return s;
  for (const auto& k : new_keys)
    if (!std::binary_search(old_keys.begin(), old_keys.end(), k))
      if (Status s = PutEntry(txn, t.ticket_words, k); !s.ok()) return s;
  return Status::Ok();
}

namespace {

std::vector<std::string> EntriesOf(const v1::Ticket& ticket, uint64_t number) {
  return WordKeys(TicketWords(ticket), number);
}

IndexPass WordsPass(const Tables& t) {
  return {kIndexingWords, t.ticket_words, &EntriesOf,
          "the words of the tickets"};
}

}  // namespace

Status RebuildTicketWords(Txn& txn, const Tables& t) {
  if (int rc = mdb_drop(txn.get(), t.ticket_words.dbi, /*del=*/0);
      rc != MDB_SUCCESS)
    return LmdbStatus(rc, "mdb_drop(ticket_words)");
  // A few thousand tickets' words in memory at a time, not years of them.
  for (uint64_t from = 1;;) {
    auto some = EntriesOfTickets(txn, t, WordsPass(t), from, 5000);
    if (!some.ok()) return some.status();
    for (const auto& k : some->first)
      if (Status s = PutEntry(txn, t.ticket_words, k); !s.ok()) return s;
    if (some->second == 0) return Status::Ok();
    from = some->second;
  }
}

Status IndexTicketWords(Env& env, const Tables& t, size_t max_map_size,
                        size_t tickets_per_txn) {
  return RunIndexPass(env, t, WordsPass(t), max_map_size, tickets_per_txn);
}

}  // namespace helpdesk::store
