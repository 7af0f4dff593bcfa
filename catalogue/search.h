#pragma once
// Finding services by what an employee types: case folded, æ/ø/å and their
// ASCII spellings treated alike ("brukerstotte", "Brukerstøtte" and
// "brukerstoette" are one word), every word of the query must match, and
// services whose name matches come first. Pure; any thread.

#include <string>
#include <string_view>
#include <vector>

#include "proto/helpdesk.pb.h"

namespace helpdesk::catalogue {

// Lowercase, with æ -> ae, ø -> o, å -> a (and the ASCII spellings aa ->
// a, oe -> o), other Latin accents dropped, and every run of characters
// that are not letters or digits turned into one space. Words that differ
// only in these ways fold to the same string.
std::string FoldForSearch(std::string_view text);

struct SearchOptions {
  std::string municipality;      // only services applying here; empty: any
  std::string category;          // only this category and those below it
  bool include_retired = false;  // retired services are hidden by default
  size_t limit = 50;
};

struct SearchHit {
  const v1::Service* service;  // points into the catalogue searched
  int score;
};

// Services of `catalogue` matching every word of `query`, best first: those
// matching in their name before the others, then by score, then by name.
// An empty query matches every service that passes the options, by name.
std::vector<SearchHit> Search(const v1::Catalogue& catalogue,
                              std::string_view query,
                              const SearchOptions& options);

// Whether `category` is `ancestor` or lies below it.
bool IsWithin(const v1::Catalogue& catalogue, std::string_view category,
              std::string_view ancestor);

}  // namespace helpdesk::catalogue
