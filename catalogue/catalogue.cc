#include "catalogue/catalogue.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "catalogue/search.h"
#include "proto/wire_names.h"

namespace helpdesk::catalogue {
namespace {

std::string CamelCase(std::string_view snake) {
  std::string out;
  bool upper = false;
  for (char c : snake) {
    if (c == '_') {
      upper = true;
      continue;
    }
    out += upper ? static_cast<char>(c - 'a' + 'A') : c;
    upper = false;
  }
  return out;
}

bool Blank(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](unsigned char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
  });
}

bool HasControl(std::string_view s, bool allow_newlines) {
  return std::any_of(s.begin(), s.end(), [&](unsigned char c) {
    if (allow_newlines && (c == '\n' || c == '\t')) return false;
    return c < 0x20 || c == 0x7f;
  });
}

// Collects findings for one catalogue; the helpers name the entry in each
// message so that a list of problems reads on its own. Lookups go through
// maps built once, so checking is linear in the size of the catalogue.
class Checker {
 public:
  Checker(const v1::Catalogue& c, const std::vector<std::string>& munis)
      : c_(c), municipalities_(munis.begin(), munis.end()) {}

  std::vector<Finding> Run() {
    if (!CheckSizes()) return Finish();
    Index();
    Ids(Section::kSkill, c_.skills());
    Ids(Section::kSlaClass, c_.sla_classes());
    Ids(Section::kCategory, c_.categories());
    Ids(Section::kService, c_.services());
    for (int i = 0; i < c_.skills_size(); ++i)
      Name(Section::kSkill, i, c_.skills(i).id(), "name", c_.skills(i).name());
    for (int i = 0; i < c_.sla_classes_size(); ++i) {
      const auto& k = c_.sla_classes(i);
      Name(Section::kSlaClass, i, k.id(), "name", k.name());
      Description(Section::kSlaClass, i, k.id(), k.description());
    }
    for (int i = 0; i < c_.categories_size(); ++i) CheckCategory(i);
    CheckCategoryTree();
    for (int i = 0; i < c_.services_size(); ++i) CheckService(i);
    for (int i = 0; i < c_.synonyms_size(); ++i) CheckSynonyms(i);
    return Finish();
  }

 private:
  void Add(Section s, int index, std::string field, std::string message,
           int item = -1) {
    ++count_;
    if (findings_.size() < kMaxFindings)
      findings_.push_back(
          {{s, index, std::move(field), item}, std::move(message)});
  }

  std::vector<Finding> Finish() {
    if (count_ > findings_.size()) {
      const size_t more = count_ - findings_.size();
      Finding last{{Section::kFile, -1, "", -1},
                   "and " + std::to_string(more) +
                       " more problems, not listed; fix these first"};
      last.more = more;
      findings_.push_back(std::move(last));
    }
    return std::move(findings_);
  }

  static std::string What(Section s, std::string_view id) {
    return std::string(SectionName(s)) + " '" + std::string(id) + "'";
  }

  // Whole lists first: when one is over its limit, its entries are not
  // checked (a hostile import must cost no more than the limits allow).
  bool CheckSizes() {
    auto too_many = [&](Section s, int n, size_t max) {
      if (static_cast<size_t>(n) > max)
        Add(Section::kFile, -1, "",
            "too many " + std::string(SectionName(s)) + " entries: " +
                std::to_string(n) + ", at most " + std::to_string(max));
    };
    too_many(Section::kService, c_.services_size(), kMaxServices);
    too_many(Section::kCategory, c_.categories_size(), kMaxCategories);
    too_many(Section::kSkill, c_.skills_size(), kMaxSkills);
    too_many(Section::kSlaClass, c_.sla_classes_size(), kMaxSlaClasses);
    too_many(Section::kSynonym, c_.synonyms_size(), kMaxSynonymGroups);
    for (int i = 0; i < c_.synonyms_size(); ++i)
      if (static_cast<size_t>(c_.synonyms(i).words_size()) > kMaxSynonymWords)
        Add(Section::kSynonym, i, "words",
            "synonym group " + std::to_string(i + 1) + " has " +
                std::to_string(c_.synonyms(i).words_size()) +
                " words, at most " + std::to_string(kMaxSynonymWords));
    for (int i = 0; i < c_.services_size(); ++i) {
      const auto& s = c_.services(i);
      auto list = [&](const char* field, int n, size_t max) {
        if (static_cast<size_t>(n) > max)
          Add(Section::kService, i, field,
              What(Section::kService, s.id()) + " has " + std::to_string(n) +
                  " " + field + ", at most " + std::to_string(max));
      };
      list("keywords", s.keywords_size(), kMaxKeywords);
      list("skills", s.skills_size(), kMaxServiceSkills);
      list("municipalities", s.municipalities_size(),
           kMaxServiceMunicipalities);
    }
    return count_ == 0;
  }

  // The first entry of each id, as FindCategory and friends find them.
  void Index() {
    for (int i = 0; i < c_.categories_size(); ++i)
      category_index_.emplace(c_.categories(i).id(), i);
    for (const auto& k : c_.sla_classes()) sla_classes_.emplace(k.id(), &k);
    for (const auto& k : c_.skills()) skills_.insert(k.id());
  }

  template <typename Entries>
  void Ids(Section s, const Entries& entries) {
    std::unordered_map<std::string, int> first;
    for (int i = 0; i < entries.size(); ++i) {
      const std::string& id = entries[i].id();
      if (id.empty()) {
        Add(s, i, "id",
            std::string(SectionName(s)) + " number " + std::to_string(i + 1) +
                " has no id");
        continue;
      }
      if (!IsSlug(id)) {
        Add(s, i, "id",
            What(s, id) +
                ": an id is lowercase a-z and 0-9 in groups "
                "joined by single hyphens, at most " +
                std::to_string(kMaxIdBytes) +
                " bytes (e.g. "
                "'brukerstotte-pa-stedet')");
      }
      auto [it, fresh] = first.emplace(id, i);
      if (!fresh) {
        Add(s, i, "id",
            "duplicate " + What(s, id) + ": already used by " +
                std::string(SectionName(s)) + " number " +
                std::to_string(it->second + 1));
      }
    }
  }

  void Name(Section s, int i, std::string_view id, const char* field,
            const std::string& name, bool required = true) {
    if (name.empty() || Blank(name)) {
      if (required) Add(s, i, field, What(s, id) + " has an empty " + field);
    } else if (name.size() > kMaxNameBytes) {
      Add(s, i, field,
          What(s, id) + ": " + field + " is " + std::to_string(name.size()) +
              " bytes, at most " + std::to_string(kMaxNameBytes));
    } else if (HasControl(name, false)) {
      Add(s, i, field,
          What(s, id) + ": " + field +
              " contains control characters (a line break?)");
    }
  }

  void Description(Section s, int i, std::string_view id,
                   const std::string& text, const char* field = "description") {
    if (text.size() > kMaxDescriptionBytes) {
      Add(s, i, field,
          What(s, id) + ": " + field + " is " + std::to_string(text.size()) +
              " bytes, at most " + std::to_string(kMaxDescriptionBytes));
    } else if (HasControl(text, true)) {
      Add(s, i, field,
          What(s, id) + ": " + field + " contains control characters");
    }
  }

  bool HasCategory(const std::string& id) const {
    return category_index_.count(id) > 0;
  }

  void CheckCategory(int i) {
    const auto& cat = c_.categories(i);
    Name(Section::kCategory, i, cat.id(), "name", cat.name());
    Description(Section::kCategory, i, cat.id(), cat.description());
    if (!cat.parent().empty()) {
      if (cat.parent() == cat.id()) {
        Add(Section::kCategory, i, "parent",
            What(Section::kCategory, cat.id()) + " is its own parent");
      } else if (!HasCategory(cat.parent())) {
        Add(Section::kCategory, i, "parent",
            What(Section::kCategory, cat.id()) + ": unknown parent category '" +
                cat.parent() + "'");
      }
    }
  }

  // Follows parents from each category, remembering what every walk
  // found, so that each category is walked over once: a walk that comes
  // back to a category on it is a cycle (reported once, at its first
  // member in the catalogue), one that goes deeper than kMaxCategoryDepth
  // is too deep. A category that is its own parent is reported already.
  void CheckCategoryTree() {
    const int n = c_.categories_size();
    // The index of each category's parent; -1 for none or an unknown one.
    std::vector<int> parent(n, -1);
    for (int i = 0; i < n; ++i) {
      auto it = category_index_.find(c_.categories(i).parent());
      if (it != category_index_.end()) parent[i] = it->second;
    }
    enum : int { kUnseen = 0, kOnWalk = -1, kCycle = -2 };
    // The depth of each category (1 for a top one) once known, or a state.
    std::vector<int> depth(n, kUnseen);
    std::vector<int> walk;
    for (int i = 0; i < n; ++i) {
      if (depth[i] != kUnseen) continue;
      walk.clear();
      int at = i;
      while (at >= 0 && depth[at] == kUnseen) {
        depth[at] = kOnWalk;
        walk.push_back(at);
        at = parent[at];
      }
      int base = 0;  // the depth where the walk ended
      if (at >= 0 && depth[at] == kOnWalk) {
        // Back on this walk: the categories from `at` on form a cycle.
        auto first = std::find(walk.begin(), walk.end(), at);
        ReportCycle(std::vector<int>(first, walk.end()));
        for (auto it = first; it != walk.end(); ++it) depth[*it] = kCycle;
        walk.erase(first, walk.end());
        base = kCycle;
      } else if (at >= 0) {
        base = depth[at];  // a known depth, or kCycle
      }
      // The rest lead to a top category, or into a cycle (not theirs).
      for (auto it = walk.rbegin(); it != walk.rend(); ++it) {
        depth[*it] = base == kCycle ? kCycle : ++base;
        if (base != kCycle && static_cast<size_t>(base) > kMaxCategoryDepth)
          tree_.emplace_back(
              *it, What(Section::kCategory, c_.categories(*it).id()) +
                       " is nested " + std::to_string(base) +
                       " deep, at most " + std::to_string(kMaxCategoryDepth));
      }
    }
    // In catalogue order, as each category's own problems are.
    std::stable_sort(
        tree_.begin(), tree_.end(),
        [](const auto& a, const auto& b) { return a.first < b.first; });
    for (auto& [i, message] : tree_)
      Add(Section::kCategory, i, "parent", std::move(message));
  }

  // `members` in parent order; the message starts at the first in the
  // catalogue and comes back to it: "a -> b -> a".
  void ReportCycle(std::vector<int> members) {
    if (members.size() < 2) return;  // its own parent: reported already
    auto first = std::min_element(members.begin(), members.end());
    std::rotate(members.begin(), first, members.end());
    std::string chain;
    for (int m : members)
      chain += (chain.empty() ? "" : " -> ") + c_.categories(m).id();
    chain += " -> " + c_.categories(members.front()).id();
    tree_.emplace_back(members.front(),
                       "categories form a cycle: " + chain +
                           "; one of them must have another parent or none");
  }

  void CheckService(int i) {
    const auto& s = c_.services(i);
    const Section k = Section::kService;
    const std::string what = What(k, s.id());
    Name(k, i, s.id(), "name", s.name());
    Name(k, i, s.id(), "name_en", s.name_en(), /*required=*/false);
    Description(k, i, s.id(), s.description());
    Description(k, i, s.id(), s.description_en(), "description_en");
    if (s.category().empty()) {
      Add(k, i, "category", what + " has no category");
    } else if (!HasCategory(s.category())) {
      Add(k, i, "category", what + ": unknown category '" + s.category() + "'");
    }
    if (s.presence() == v1::PRESENCE_UNSPECIFIED) {
      Add(k, i, "presence",
          what + " needs presence: " +
              proto::WireEnumChoices(v1::Presence_descriptor()));
    }
    if (s.delivery() == v1::DELIVERY_UNSPECIFIED) {
      Add(k, i, "delivery",
          what + " needs delivery: " +
              proto::WireEnumChoices(v1::Delivery_descriptor()));
    } else if (s.delivery() == v1::DELIVERY_EXTERNAL) {
      if (s.supplier().name().empty() || Blank(s.supplier().name())) {
        Add(k, i, "supplier",
            what +
                " is delivered externally: name its supplier "
                "(supplier.name and supplier.contact)");
      }
    } else if (!s.supplier().name().empty() ||
               !s.supplier().contact().empty()) {
      Add(k, i, "supplier",
          what +
              " is delivered internally but names a supplier; set "
              "delivery to external or remove the supplier");
    }
    Name(k, i, s.id(), "supplier", s.supplier().name(), false);
    Description(k, i, s.id(), s.supplier().contact(), "supplier");
    if (s.skills().empty())
      Add(k, i, "skills", what + " needs at least one skill");
    std::set<std::string> skills;
    for (int j = 0; j < s.skills_size(); ++j) {
      const std::string& skill = s.skills(j);
      if (!skills.insert(skill).second) {
        Add(k, i, "skills", what + " lists skill '" + skill + "' twice", j);
      } else if (!skills_.count(skill)) {
        Add(k, i, "skills",
            what + ": unknown skill '" + skill + "'" + KnownSkills(), j);
      }
    }
    const v1::SlaClass* sla = FindSlaClass(s.sla_class());
    if (s.sla_class().empty()) {
      Add(k, i, "sla_class", what + " needs an SLA class");
    } else if (sla == nullptr) {
      Add(k, i, "sla_class",
          what + ": unknown SLA class '" + s.sla_class() + "'");
    } else if (s.business_critical() && !sla->business_critical()) {
      Add(k, i, "sla_class",
          what + " is business-critical (virksomhetskritisk) but SLA class '" +
              s.sla_class() +
              "' is not a business-critical class; business-critical "
              "services get the stricter targets");
    }
    if (s.default_priority() == v1::PRIORITY_UNSPECIFIED) {
      Add(k, i, "default_priority",
          what + " needs a default priority: " +
              proto::WireEnumChoices(v1::Priority_descriptor()));
    }
    if (s.state() == v1::SERVICE_STATE_UNSPECIFIED) {
      Add(k, i, "state", what + " needs a state: active or retired");
    }
    std::set<std::string> munis;
    for (int j = 0; j < s.municipalities_size(); ++j) {
      const std::string& m = s.municipalities(j);
      if (!munis.insert(m).second) {
        Add(k, i, "municipalities",
            what + " lists municipality '" + m + "' twice", j);
      } else if (!municipalities_.count(m)) {
        std::string known;
        if (!municipalities_said_) {
          for (const auto& id : municipalities_)
            known += (known.empty() ? "" : ", ") + id;
          known = "; the region has " + known;
          municipalities_said_ = true;
        }
        Add(k, i, "municipalities",
            what + ": unknown municipality '" + m + "'" + known, j);
      }
    }
    if (static_cast<size_t>(s.keywords_size()) > kMaxKeywords) {
      Add(k, i, "keywords",
          what + " has " + std::to_string(s.keywords_size()) +
              " keywords, at most " + std::to_string(kMaxKeywords));
    }
    for (int j = 0; j < s.keywords_size(); ++j) {
      const std::string& w = s.keywords(j);
      if (w.empty() || Blank(w) || w.size() > kMaxKeywordBytes ||
          HasControl(w, false)) {
        Add(k, i, "keywords",
            what + ": keyword " + std::to_string(j + 1) + " must be 1 to " +
                std::to_string(kMaxKeywordBytes) + " bytes of text",
            j);
      }
    }
  }

  // A synonym group: two words or more, each one word that search uses
  // (not a stop word or a letter alone, which search drops).
  void CheckSynonyms(int i) {
    const auto& g = c_.synonyms(i);
    const std::string what = "synonym group " + std::to_string(i + 1);
    if (g.words_size() < 2)
      Add(Section::kSynonym, i, "words",
          what + " has " + std::to_string(g.words_size()) +
              " word(s); a group lists two or more words that mean the same");
    for (int j = 0; j < g.words_size(); ++j) {
      const std::string& w = g.words(j);
      if (w.empty() || Blank(w) || w.size() > kMaxKeywordBytes ||
          HasControl(w, false)) {
        Add(Section::kSynonym, i, "words",
            what + ": word " + std::to_string(j + 1) + " must be 1 to " +
                std::to_string(kMaxKeywordBytes) + " bytes of text",
            j);
      } else if (SearchTerms(w).size() != 1) {
        Add(Section::kSynonym, i, "words",
            what + ": '" + w +
                "' is not one word that search uses (several words, a "
                "letter alone, or a word such as 'ikke' that search "
                "ignores); write single words",
            j);
      }
    }
  }

  // The known skills, said in the first problem about an unknown one
  // only: the list can be long, and an answer must not grow with it.
  std::string KnownSkills() {
    if (skill_ids_said_)
      return " (the known skills are listed at the first unknown one)";
    skill_ids_said_ = true;
    std::string out;
    for (const auto& s : c_.skills()) out += (out.empty() ? "" : ", ") + s.id();
    return "; known: " +
           (out.empty() ? std::string("(none: add [[skill]] entries)") : out);
  }
  const v1::SlaClass* FindSlaClass(const std::string& id) const {
    auto it = sla_classes_.find(id);
    return it == sla_classes_.end() ? nullptr : it->second;
  }

  const v1::Catalogue& c_;
  const std::set<std::string> municipalities_;
  std::unordered_map<std::string, int> category_index_;
  std::unordered_map<std::string, const v1::SlaClass*> sla_classes_;
  std::unordered_set<std::string> skills_;
  // Problems of the category tree, by the index they are reported at.
  std::vector<std::pair<int, std::string>> tree_;
  bool skill_ids_said_ = false;
  bool municipalities_said_ = false;
  std::vector<Finding> findings_;
  size_t count_ = 0;  // findings, also those not kept
};

}  // namespace

std::string_view SectionName(Section s) {
  switch (s) {
    case Section::kFile:
      return "file";
    case Section::kCategory:
      return "category";
    case Section::kService:
      return "service";
    case Section::kSkill:
      return "skill";
    case Section::kSlaClass:
      return "sla_class";
    case Section::kSynonym:
      return "synonym";
  }
  return "file";
}

std::string JsonPointer(const Ref& ref) {
  if (ref.section == Section::kFile) return "";
  static const std::map<Section, std::string> kLists = {
      {Section::kCategory, "/categories"},
      {Section::kService, "/services"},
      {Section::kSkill, "/skills"},
      {Section::kSlaClass, "/slaClasses"},
      {Section::kSynonym, "/synonyms"}};
  std::string p = kLists.at(ref.section);
  if (ref.index >= 0) p += "/" + std::to_string(ref.index);
  if (!ref.field.empty()) p += "/" + CamelCase(ref.field);
  if (ref.item >= 0) p += "/" + std::to_string(ref.item);
  return p;
}

bool IsSlug(std::string_view id) {
  if (id.empty() || id.size() > kMaxIdBytes) return false;
  if (id.front() == '-' || id.back() == '-') return false;
  char prev = 0;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok || (c == '-' && prev == '-')) return false;
    prev = c;
  }
  return true;
}

void Normalize(v1::Service& s) {
  if (s.state() == v1::SERVICE_STATE_UNSPECIFIED)
    s.set_state(v1::SERVICE_STATE_ACTIVE);
  if (s.default_priority() == v1::PRIORITY_UNSPECIFIED)
    s.set_default_priority(v1::PRIORITY_NORMAL);
}

void Normalize(v1::Catalogue& c) {
  for (auto& s : *c.mutable_services()) Normalize(s);
}

std::vector<Finding> Validate(
    const v1::Catalogue& catalogue,
    const std::vector<std::string>& municipality_ids) {
  return Checker(catalogue, municipality_ids).Run();
}

const v1::Service* FindService(const v1::Catalogue& c, std::string_view id) {
  for (const auto& s : c.services())
    if (s.id() == id) return &s;
  return nullptr;
}

const v1::Category* FindCategory(const v1::Catalogue& c, std::string_view id) {
  for (const auto& cat : c.categories())
    if (cat.id() == id) return &cat;
  return nullptr;
}

bool AppliesTo(const v1::Service& service, std::string_view municipality) {
  if (service.municipalities().empty()) return true;
  return std::find(service.municipalities().begin(),
                   service.municipalities().end(),
                   municipality) != service.municipalities().end();
}

namespace {

void FillNode(const v1::Catalogue& c, const v1::Category& cat,
              std::string_view municipality, bool include_retired, size_t depth,
              v1::CategoryNode& node) {
  node.set_id(cat.id());
  node.set_name(cat.name());
  node.set_description(cat.description());
  if (depth < kMaxCategoryDepth) {  // a stored catalogue has no cycles; still
    for (const auto& child : c.categories()) {
      if (child.parent() != cat.id()) continue;
      v1::CategoryNode sub;
      FillNode(c, child, municipality, include_retired, depth + 1, sub);
      if (sub.services_size() || sub.categories_size())
        *node.add_categories() = std::move(sub);
    }
  }
  for (const auto& s : c.services()) {
    if (s.category() != cat.id()) continue;
    if (!include_retired && s.state() == v1::SERVICE_STATE_RETIRED) continue;
    if (!municipality.empty() && !AppliesTo(s, municipality)) continue;
    *node.add_services() = s;
  }
  auto by_name = [](const auto& a, const auto& b) {
    return std::tie(a.name(), a.id()) < std::tie(b.name(), b.id());
  };
  std::sort(node.mutable_categories()->begin(),
            node.mutable_categories()->end(), by_name);
  std::sort(node.mutable_services()->begin(), node.mutable_services()->end(),
            by_name);
}

}  // namespace

v1::CatalogueTree BuildTree(const v1::Catalogue& c,
                            std::string_view municipality,
                            bool include_retired) {
  v1::CatalogueTree tree;
  tree.set_version(c.version());
  for (const auto& cat : c.categories()) {
    if (!cat.parent().empty()) continue;
    v1::CategoryNode node;
    FillNode(c, cat, municipality, include_retired, 1, node);
    if (node.services_size() || node.categories_size())
      *tree.add_categories() = std::move(node);
  }
  std::sort(tree.mutable_categories()->begin(),
            tree.mutable_categories()->end(), [](const auto& a, const auto& b) {
              return std::tie(a.name(), a.id()) < std::tie(b.name(), b.id());
            });
  *tree.mutable_skills() = c.skills();
  *tree.mutable_sla_classes() = c.sla_classes();
  return tree;
}

v1::ServiceSnapshot Snapshot(const v1::Service& s) {
  v1::ServiceSnapshot out;
  out.set_id(s.id());
  out.set_version(s.version());
  out.set_name(s.name());
  out.set_category(s.category());
  out.set_presence(s.presence());
  out.set_delivery(s.delivery());
  if (s.has_supplier()) *out.mutable_supplier() = s.supplier();
  out.set_business_critical(s.business_critical());
  out.set_regional_gain(s.regional_gain());
  *out.mutable_skills() = s.skills();
  out.set_sla_class(s.sla_class());
  return out;
}

}  // namespace helpdesk::catalogue
