#pragma once
// The catalogue's file format: TOML with one array of tables per section,
//   [[skill]] [[sla_class]] [[category]] [[service]] [[synonym]]
// keys named as the proto fields (snake_case), enum values as on the wire
// ("necessary", "not_needed", "high"), and an optional top-level
// `version` saying which catalogue version an exported file came from.
// Reading keeps the line of every entry, key and list item, so that every
// problem can be reported as FILE:LINE. Pure (text in, text out); any
// thread.

#include <array>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "catalogue/catalogue.h"
#include "proto/helpdesk.pb.h"

namespace helpdesk::catalogue {

// Where each entry, key and list item of a parsed file stands.
class SourceMap {
 public:
  struct Entry {
    int line = 0;  // the [[section]] header
    std::map<std::string, int> keys;
    std::map<std::string, std::vector<int>> items;
  };
  std::vector<Entry>& entries(Section s) {
    return sections_[static_cast<size_t>(s)];
  }
  // The most precise line known for `ref`: its list item, key, entry, or 1.
  int LineOf(const Ref& ref) const;

 private:
  std::array<std::vector<Entry>, 6> sections_;
};

struct ParsedFile {
  v1::Catalogue catalogue;  // what could be read; normalised
  SourceMap sources;
  std::vector<Finding> findings;  // syntax, unknown keys, wrong types
  bool has_version = false;       // the file named the version it came from
};

// Reads a catalogue file. A TOML syntax error is one finding (the parser
// cannot go on past it); otherwise every unknown key and wrong type is a
// finding, and the rest of the file is still read.
ParsedFile ParseCatalogueFile(std::string_view text);

// Sets each finding's line from `sources` where it has none.
void Locate(std::vector<Finding>& findings, const SourceMap& sources);

// "FILE:LINE: message\n" per finding, in line order.
std::string FormatFindings(std::string_view file_name,
                           std::vector<Finding> findings);

// The catalogue as a file that ParseCatalogueFile reads back to the same
// catalogue (versions of entries aside: the daemon keeps those).
std::string WriteCatalogueFile(const v1::Catalogue& catalogue);

}  // namespace helpdesk::catalogue
