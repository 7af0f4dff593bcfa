#include "catalogue/catalogue.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>
#include <unordered_map>

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
// message so that a list of problems reads on its own.
class Checker {
 public:
  Checker(const v1::Catalogue& c, const std::vector<std::string>& munis)
      : c_(c), municipalities_(munis.begin(), munis.end()) {}

  std::vector<Finding> Run() {
    CheckSizes();
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
    return std::move(findings_);
  }

 private:
  void Add(Section s, int index, std::string field, std::string message,
           int item = -1) {
    findings_.push_back(
        {{s, index, std::move(field), item}, std::move(message)});
  }

  static std::string What(Section s, std::string_view id) {
    return std::string(SectionName(s)) + " '" + std::string(id) + "'";
  }

  void CheckSizes() {
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

  void CheckCategory(int i) {
    const auto& cat = c_.categories(i);
    Name(Section::kCategory, i, cat.id(), "name", cat.name());
    Description(Section::kCategory, i, cat.id(), cat.description());
    if (!cat.parent().empty()) {
      if (cat.parent() == cat.id()) {
        Add(Section::kCategory, i, "parent",
            What(Section::kCategory, cat.id()) + " is its own parent");
      } else if (FindCategory(c_, cat.parent()) == nullptr) {
        Add(Section::kCategory, i, "parent",
            What(Section::kCategory, cat.id()) + ": unknown parent category '" +
                cat.parent() + "'");
      }
    }
  }

  // Walks each category's parents: a walk that comes back to where it began
  // is a cycle (reported once, at its first member), one that goes deeper
  // than kMaxCategoryDepth is too deep.
  void CheckCategoryTree() {
    std::unordered_map<std::string, const v1::Category*> by_id;
    for (const auto& cat : c_.categories()) by_id.emplace(cat.id(), &cat);
    std::set<std::string> in_reported_cycle;
    for (int i = 0; i < c_.categories_size(); ++i) {
      const auto& start = c_.categories(i);
      if (start.parent() == start.id()) continue;  // reported already
      std::vector<std::string> path{start.id()};
      std::set<std::string> seen{start.id()};
      const v1::Category* at = &start;
      bool cycle = false, joins_cycle = false;
      while (!at->parent().empty()) {
        auto it = by_id.find(at->parent());
        if (it == by_id.end()) break;  // unknown parent: reported already
        at = it->second;
        path.push_back(at->id());
        if (!seen.insert(at->id()).second) {
          cycle = at->id() == start.id();
          joins_cycle = !cycle;  // reported from the cycle's own members
          break;
        }
      }
      if (joins_cycle) continue;
      if (cycle) {
        if (in_reported_cycle.count(start.id())) continue;
        std::string chain;
        for (const auto& id : path) {
          chain += (chain.empty() ? "" : " -> ") + id;
          in_reported_cycle.insert(id);
        }
        Add(Section::kCategory, i, "parent",
            "categories form a cycle: " + chain +
                "; one of them must have another parent or none");
      } else if (seen.size() > kMaxCategoryDepth) {
        Add(Section::kCategory, i, "parent",
            What(Section::kCategory, start.id()) + " is nested " +
                std::to_string(seen.size()) + " deep, at most " +
                std::to_string(kMaxCategoryDepth));
      }
    }
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
    } else if (FindCategory(c_, s.category()) == nullptr) {
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
      } else if (!HasSkill(skill)) {
        Add(k, i, "skills",
            what + ": unknown skill '" + skill + "'; known: " + SkillIds(), j);
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
        for (const auto& id : municipalities_)
          known += (known.empty() ? "" : ", ") + id;
        Add(k, i, "municipalities",
            what + ": unknown municipality '" + m + "'; the region has " +
                known,
            j);
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

  bool HasSkill(const std::string& id) const {
    return std::any_of(c_.skills().begin(), c_.skills().end(),
                       [&](const v1::Skill& s) { return s.id() == id; });
  }
  std::string SkillIds() const {
    std::string out;
    for (const auto& s : c_.skills()) out += (out.empty() ? "" : ", ") + s.id();
    return out.empty() ? "(none: add [[skill]] entries)" : out;
  }
  const v1::SlaClass* FindSlaClass(const std::string& id) const {
    for (const auto& k : c_.sla_classes())
      if (k.id() == id) return &k;
    return nullptr;
  }

  const v1::Catalogue& c_;
  const std::set<std::string> municipalities_;
  std::vector<Finding> findings_;
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
  }
  return "file";
}

std::string JsonPointer(const Ref& ref) {
  if (ref.section == Section::kFile) return "";
  static const std::map<Section, std::string> kLists = {
      {Section::kCategory, "/categories"},
      {Section::kService, "/services"},
      {Section::kSkill, "/skills"},
      {Section::kSlaClass, "/slaClasses"}};
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
