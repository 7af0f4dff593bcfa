#pragma once
// Free-text search over tickets' titles and descriptions (schema 11).
//
//   ticket_words   search form . \0 -> BE64 ticket numbers
//
// a table of numbers (lmdb.h, since schema 14): each word once, its
// tickets' numbers packed under it. Its entries are named whole, the word's
// prefix then the number (WordKeys), and put by PutEntry (tables.h).
//
// A ticket's words are the search forms (catalogue::SearchTerms: case,
// æ/ø/å and accents folded, Norwegian endings stemmed, stop words left
// out) of its title's and description's words, each once: so "Skriveren",
// "skrivaren" and "skriver" are one word, as in the catalogue's search. A
// ticket whose personal text was erased has none.
//
// Every word's tickets are one range of the table, in number order, as a
// ticket_index filter's are: a search walks the ranges of its words (and of
// its filter) backwards together and keeps the numbers all of them hold,
// newest first (SearchTickets, tables.h's ListTickets), never reading a
// ticket that does not match.
//
// Free functions over a Txn, as tables.h. Thread-safety: as the Txn.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/store/lmdb.h"
#include "daemon/store/tables.h"
#include "proto/helpdesk.pb.h"
#include "proto/status.h"

namespace helpdesk::store {

// A ticket's words, at most this many (the first distinct ones, the
// title's first): a 20,000-byte description is found by its first 200
// words, and costs its write no more than that.
inline constexpr size_t kMaxTicketWords = 200;
// A longer word is not indexed (no one types it; and a key must stay
// under LMDB's 511 bytes).
inline constexpr size_t kMaxWordBytes = 64;
// A search looks for at most this many of its query's words.
inline constexpr size_t kMaxQueryWords = 10;

// The search forms of `ticket`'s title and description words, each once,
// in the order first seen, at most kMaxTicketWords; none when its personal
// text was erased.
std::vector<std::string> TicketWords(const v1::Ticket& ticket);

// A new ticket's words worked out before its write, on the thread that
// took the request, with the text they were worked out from: the writer
// then only puts them (PutTicketWords), where working them out (folding
// and stemming every word) would hold up every write queued behind it.
struct TextWords {
  std::string title;
  std::string description;
  std::vector<std::string> words;  // as TicketWords of a ticket so written
};
TextWords WordsOfText(std::string title, std::string description);

// The search forms of a query's words (as TicketWords forms a ticket's),
// each once, at most kMaxQueryWords; empty when it has only stop words.
// Pure; what a client sends as `q`.
std::vector<std::string> QueryWords(std::string_view query);

// Whether `ticket` holds every word of `words` (QueryWords).
bool HasWords(const v1::Ticket& ticket, const std::vector<std::string>& words);

// The ticket_words keys of ticket `number` with words `words`.
std::vector<std::string> WordKeys(const std::vector<std::string>& words,
                                  uint64_t number);

// Keeps the ticket_words entries of a ticket saved from `before` (null: a
// new one) to `now`; a change that leaves its title and description as
// they were touches nothing. `known`, if given, is taken for `now`'s words
// when it was worked out from `now`'s very title and description (and
// `now`'s text is not erased); else they are worked out here.
Status PutTicketWords(Txn& txn, const Tables& t, const v1::Ticket* before,
                      const v1::Ticket& now, const TextWords* known = nullptr);

// The ticket_words prefix of a word's range: WordKeys' keys less the
// number.
std::string WordPrefix(std::string_view word);

// Empties ticket_words and makes it again from the tickets, in `txn`
// (`helpdeskctl repair`).
Status RebuildTicketWords(Txn& txn, const Tables& t);

// The upgrades of schema 11 and 14, after OpenTables' transaction: indexes
// the words of every stored ticket, `tickets_per_txn` tickets to a write
// transaction, from where the meta mark kIndexingWords says, then removes
// the mark (RunIndexPass, index_pass.h). Resumable: a start after a stop
// part-way goes on.
Status IndexTicketWords(Env& env, const Tables& t, size_t max_map_size,
                        size_t tickets_per_txn = 2000);

// In meta while IndexTicketWords has tickets left: the BE64 number of the
// next ticket to index ("" for the first).
inline constexpr std::string_view kIndexingWords = "indexing_words";

}  // namespace helpdesk::store
