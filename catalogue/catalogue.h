#pragma once
// The tjenestekatalog model: lookups over a flat v1::Catalogue, the checks
// every service and category must pass, and the snapshot a ticket keeps.
// Pure: no I/O, no clock. Plain functions over values; any thread.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "proto/helpdesk.pb.h"

namespace helpdesk::catalogue {

// Limits, so that a catalogue stays something people can read and a
// request that carries one stays bounded.
inline constexpr size_t kMaxIdBytes = 64;
inline constexpr size_t kMaxNameBytes = 100;
inline constexpr size_t kMaxDescriptionBytes = 2000;
inline constexpr size_t kMaxKeywordBytes = 50;
inline constexpr size_t kMaxKeywords = 20;
// Lists in one service: a region has a handful of municipalities (the demo
// region seven) and a service needs a few skills.
inline constexpr size_t kMaxServiceMunicipalities = 100;
inline constexpr size_t kMaxServiceSkills = 20;
// Whole lists: the demo catalogue has about 60 services in 12 categories.
// A list over its limit is refused before any entry is looked at.
inline constexpr size_t kMaxServices = 2000;
inline constexpr size_t kMaxCategories = 500;
inline constexpr size_t kMaxSkills = 200;
inline constexpr size_t kMaxSlaClasses = 50;
inline constexpr size_t kMaxCategoryDepth = 8;
inline constexpr size_t kMaxSynonymGroups = 500;
inline constexpr size_t kMaxSynonymWords = 20;  // per group

// Where in a catalogue a problem is: a section, the entry's index in it, a
// field of that entry and, for a list field, the item.
enum class Section { kFile, kCategory, kService, kSkill, kSlaClass, kSynonym };

struct Ref {
  Section section = Section::kFile;
  int index = -1;
  std::string field;  // proto field name ("sla_class"); empty: the entry
  int item = -1;      // index in a repeated field
};

// One problem found in a catalogue, with what to fix.
struct Finding {
  Ref ref;
  std::string message;
  int line = 0;  // in the source file, where known (see catalogue_file.h)
  // Non-zero only on a last finding that stands for this many more
  // problems, found but not listed (see Validate).
  size_t more = 0;
};

// Validate lists at most this many problems.
inline constexpr size_t kMaxFindings = 100;

// "/services/3/slaClass", the JSON pointer of `ref` in a Catalogue body.
std::string JsonPointer(const Ref& ref);
// "category", "service", "skill", "sla_class": the file's table names.
std::string_view SectionName(Section section);

// A readable slug: lowercase a-z and 0-9 in groups joined by single
// hyphens, at most kMaxIdBytes.
bool IsSlug(std::string_view id);

// Fills what may be left out: state active, default priority normal.
void Normalize(v1::Service& service);
void Normalize(v1::Catalogue& catalogue);

// Every problem of `catalogue` at once: ids, names, references between
// sections, category cycles and depth, supplier rules, business-critical
// services on a business-critical class, and municipalities from
// `municipality_ids`. Empty when the catalogue is valid. When a list is
// longer than its limit, only that is reported. At most kMaxFindings
// problems are listed; when there were more, a last finding (on the file,
// with `more` set) says how many. Linear in the size of the catalogue.
std::vector<Finding> Validate(const v1::Catalogue& catalogue,
                              const std::vector<std::string>& municipality_ids);

const v1::Service* FindService(const v1::Catalogue& c, std::string_view id);
const v1::Category* FindCategory(const v1::Catalogue& c, std::string_view id);

// Whether `service` may be chosen for a ticket in `municipality`.
bool AppliesTo(const v1::Service& service, std::string_view municipality);

// The catalogue as a tree for browsing: categories and services sorted by
// name, only services applying to `municipality` (empty: all), retired ones
// only if asked, and categories left empty by that filtering left out.
v1::CatalogueTree BuildTree(const v1::Catalogue& catalogue,
                            std::string_view municipality,
                            bool include_retired);

// The attributes a ticket keeps from the service it was created under.
v1::ServiceSnapshot Snapshot(const v1::Service& service);

}  // namespace helpdesk::catalogue
