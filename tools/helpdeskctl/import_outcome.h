#pragma once
// What an import came to, whichever way it went (the daemon's API, an
// offline write on its data directory, or a dry run computed here), and
// how helpdeskctl reports it: problems as FILE:LINE through the file's
// SourceMap, changes as ids per kind. Plain values and pure functions; any
// thread.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "catalogue/catalogue.h"
#include "catalogue/catalogue_file.h"
#include "catalogue/edit.h"
#include "proto/helpdesk.pb.h"
#include "proto/status.h"

namespace helpdesk::ctl {

struct ImportOutcome {
  enum class Kind {
    kApplied,    // committed: `version` is the new catalogue version
    kUnchanged,  // the catalogue is already as in the file
    kInvalid,    // refused: see errors (JSON pointers into the catalogue)
    kConflict,   // refused: the catalogue changed since the file's version
    kRefused,    // refused for another reason: see message
  };
  Kind kind = Kind::kRefused;
  uint32_t version = 0;            // after (applied) or as it is (otherwise)
  v1::CatalogueDiff diff;          // for kApplied
  std::vector<FieldError> errors;  // for kInvalid
  std::string message;             // the refusal as its refuser put it
};

// The outcome of catalogue::Import, as the daemon would see it.
ImportOutcome FromEditResult(const catalogue::EditResult& result,
                             uint32_t current_version);

// "/services/3/slaClass/0" -> {kService, 3, "sla_class", 0}; the inverse of
// catalogue::JsonPointer, also taking nested fields ("/services/3/supplier/
// name" -> field "supplier.name"). nullopt for a pointer into no section;
// "" is the whole file.
std::optional<catalogue::Ref> RefOfPointer(std::string_view pointer);

// The errors of a refused import as findings located in the file.
std::vector<catalogue::Finding> Locate(const std::vector<FieldError>& errors,
                                       const catalogue::SourceMap& sources);

// "  services changed (1): vpn-tilgang\n" per non-empty kind of `diff`.
std::string FormatDiff(const v1::CatalogueDiff& diff);

// "53 services (1 retired) in 14 categories, 19 skills, 3 SLA classes".
std::string Summary(const v1::Catalogue& catalogue);

}  // namespace helpdesk::ctl
