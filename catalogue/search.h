#pragma once
// Finding services by what an employee types, as they type it: a sentence
// ("skriveren virker ikke"), in bokmål or nynorsk ("skrivaren"), with the
// word they use rather than the catalogue's ("printer", "pålogging"):
// - case and æ/ø/å folded, their ASCII spellings too ("brukerstotte",
//   "Brukerstøtte" and "brukerstoette" are one word);
// - word endings removed by Snowball's Norwegian stemmer (Debian's
//   libstemmer), applied until the word stops changing, so "skriveren",
//   "skriver" and "skrivar" meet at "skriv";
// - stop words ("ikke", "min", "på", "ikkje") and the words people use for
//   "it is broken" ("virker", "fungerer") ignored;
// - the catalogue's synonym groups (Catalogue.synonyms) widen each word;
// - a service matches when any word does; best first: the most query
//   words matched, then where (name, keywords, category, description) and
//   how (whole word, start of a word, inside a compound), then the shorter
//   name. When some service matches two words or more, only the services
//   matching as many are given.
// Pure; any thread (each call has its own stemmer, or each thread for
// SearchTerms).

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "proto/helpdesk.pb.h"

namespace helpdesk::catalogue {

// Lowercase, with æ -> ae, ø -> o, å -> a (and the ASCII spellings aa ->
// a, oe -> o), other Latin accents dropped, and every run of characters
// that are not letters or digits turned into one space. Words that differ
// only in these ways fold to the same string.
std::string FoldForSearch(std::string_view text);

// The search forms of `text`'s words, in order: each word lowercased,
// stemmed to a fixpoint and folded; stop words left out. A hyphenated word
// ("e-post") is one word ("epost"). For the synonyms' check and the
// tickets' word index (daemon/store/ticket_words.h); any thread (each has
// its own stemmer, kept with what it has stemmed).
std::vector<std::string> SearchTerms(std::string_view text);

struct SearchOptions {
  std::string municipality;      // only services applying here; empty: any
  std::string category;          // only this category and those below it
  bool include_retired = false;  // retired services are hidden by default
  size_t limit = 50;
};

struct SearchHit {
  const v1::Service* service;  // points into the catalogue searched
  int score;
  int matched;  // how many of the query's words it matched
};

// A catalogue prepared for searching: every service's words stemmed and
// folded once. Keeps a pointer to `catalogue`, which must outlive it and
// not change. Immutable once built; any thread may search it.
class SearchIndex {
 public:
  explicit SearchIndex(const v1::Catalogue& catalogue);
  ~SearchIndex();
  SearchIndex(const SearchIndex&) = delete;
  SearchIndex& operator=(const SearchIndex&) = delete;

  // Services matching any word of `query` (its first ten words that are
  // not stop words), best first (see above); then by name and id. An empty
  // query matches every service that passes the options, by name; a query
  // of stop words alone matches none.
  std::vector<SearchHit> Search(std::string_view query,
                                const SearchOptions& options) const;

  const v1::Catalogue& catalogue() const { return *catalogue_; }

 private:
  struct Service;
  const v1::Catalogue* catalogue_;
  std::vector<Service> services_;
  // A synonym's search form -> the search forms of every word of its
  // groups (itself included).
  std::unordered_map<std::string, std::vector<std::string>> synonyms_;
};

// SearchIndex(catalogue).Search(query, options): for one search.
std::vector<SearchHit> Search(const v1::Catalogue& catalogue,
                              std::string_view query,
                              const SearchOptions& options);

// Whether `category` is `ancestor` or lies below it.
bool IsWithin(const v1::Catalogue& catalogue, std::string_view category,
              std::string_view ancestor);

}  // namespace helpdesk::catalogue
