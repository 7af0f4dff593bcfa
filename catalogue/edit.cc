#include "catalogue/edit.h"

#include <google/protobuf/util/message_differencer.h>

#include <algorithm>
#include <map>
#include <set>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "proto/versions.h"

namespace helpdesk::catalogue {
namespace {

EditResult Reject(Status why) {
  EditResult r;
  r.status = std::move(why);
  return r;
}

EditResult Conflict(std::string what, uint32_t current) {
  return Reject(Status::VersionConflict(
      current, what + " has changed since: it is at version " +
                   std::to_string(current) +
                   "; read it again and redo your change"));
}

// Equal apart from the version, which the daemon keeps.
template <typename M>
bool SameContent(M a, M b) {
  a.clear_version();
  b.clear_version();
  return google::protobuf::util::MessageDifferencer::Equals(a, b);
}

// Whether `f` is about the entry being changed. A category cycle is found
// once, at its first member in the catalogue; when the changed category is
// in it, it is that change's problem.
bool OnEntry(const Finding& f, Section section, int index,
             std::string_view id) {
  if (f.ref.section != section) return false;
  if (f.ref.index == index) return true;
  constexpr std::string_view kCycle = "categories form a cycle: ";
  std::string_view m = f.message;
  if (section != Section::kCategory || !m.starts_with(kCycle)) return false;
  m.remove_prefix(kCycle.size());
  m = m.substr(0, m.find(';'));
  for (size_t at = 0; at <= m.size();) {
    size_t end = std::min(m.find(" -> ", at), m.size());
    if (m.substr(at, end - at) == id) return true;
    at = end + 4;
  }
  return false;
}

// Findings on entry (`section`, `index`) become pointers into the request
// body, which is that one entry; the rest keep their catalogue pointer. A
// last finding standing for more problems (Validate) becomes their count.
EditResult Invalid(const std::vector<Finding>& findings, Section section,
                   int index, std::string_view id = "") {
  std::vector<FieldError> errors;
  size_t more = 0;
  for (const auto& f : findings) {
    if (f.more > 0) {
      more += f.more;
      continue;
    }
    std::string pointer = JsonPointer(f.ref);
    if (OnEntry(f, section, index, id)) {
      Ref local = f.ref;
      pointer = JsonPointer({Section::kService, -1, local.field, local.item});
      pointer = pointer.substr(std::string("/services").size());
    }
    errors.push_back({pointer, f.message});
  }
  const size_t total = errors.size() + more;
  std::string message =
      total == 1 ? findings[0].message
                 : std::to_string(total) +
                       " problems; the first: " + findings[0].message;
  return Reject(Status::Invalid(std::move(message), std::move(errors), more));
}

EditResult Committed(v1::Catalogue after, uint32_t from_version,
                     v1::CatalogueChange kind) {
  EditResult r;
  r.after = std::move(after);
  r.after.set_version(from_version + 1);
  r.changed = true;
  r.change.set_change(kind);
  r.change.set_catalogue_version(r.after.version());
  return r;
}

template <typename Entries>
int IndexOf(const Entries& entries, std::string_view id) {
  for (int i = 0; i < entries.size(); ++i)
    if (entries[i].id() == id) return i;
  return -1;
}

}  // namespace

EditResult CreateService(const v1::Catalogue& current, v1::Service service,
                         const std::vector<std::string>& munis) {
  if (!service.id().empty() && FindService(current, service.id()))
    return Reject(Status::AlreadyExists("service '" + service.id() +
                                        "' exists already; change it with PUT "
                                        "/api/v1/catalogue/services/" +
                                        service.id()));
  Normalize(service);
  if (service.state() != v1::SERVICE_STATE_ACTIVE)
    return Invalid({{{Section::kService, 0, "state"},
                     "a new service is active; leave out state"}},
                   Section::kService, 0);
  service.set_version(1);
  v1::Catalogue after = current;
  *after.add_services() = service;
  auto findings = Validate(after, munis);
  if (!findings.empty())
    return Invalid(findings, Section::kService, after.services_size() - 1);
  EditResult r = Committed(std::move(after), current.version(),
                           v1::CATALOGUE_CHANGE_SERVICE_CREATED);
  *r.change.mutable_service() = std::move(service);
  return r;
}

EditResult UpdateService(const v1::Catalogue& current, std::string_view id,
                         v1::Service service, std::optional<uint32_t> if_match,
                         const std::vector<std::string>& munis) {
  int index = IndexOf(current.services(), id);
  if (index < 0)
    return Reject(Status::NotFound("no service '" + std::string(id) +
                                   "' in the catalogue"));
  const v1::Service& old = current.services(index);
  if (!service.id().empty() && service.id() != id)
    return Invalid({{{Section::kService, index, "id"},
                     "the body's id '" + service.id() + "' is not the URL's '" +
                         std::string(id) + "'; ids never change"}},
                   Section::kService, index);
  auto based_on =
      proto::BaseVersion(service.version(), if_match,
                         "service '" + std::string(id) + "'", old.version());
  if (!based_on.ok()) return Reject(based_on.status());
  if (*based_on != old.version())
    return Conflict("service '" + std::string(id) + "'", old.version());
  if (service.state() != v1::SERVICE_STATE_UNSPECIFIED &&
      service.state() != old.state())
    return Invalid(
        {{{Section::kService, index, "state"},
          "state changes by POST /api/v1/catalogue/services/" +
              std::string(id) +
              (old.state() == v1::SERVICE_STATE_ACTIVE ? "/retire"
                                                       : "/reactivate") +
              ", not by PUT; leave out state"}},
        Section::kService, index);
  service.set_id(std::string(id));
  service.set_state(old.state());
  Normalize(service);
  service.set_version(old.version());
  if (SameContent(service, old)) {
    EditResult r;
    r.after = current;
    return r;  // nothing to do: no new version, no event
  }
  service.set_version(old.version() + 1);
  v1::Catalogue after = current;
  *after.mutable_services(index) = service;
  auto findings = Validate(after, munis);
  if (!findings.empty()) return Invalid(findings, Section::kService, index);
  EditResult r = Committed(std::move(after), current.version(),
                           v1::CATALOGUE_CHANGE_SERVICE_UPDATED);
  *r.change.mutable_service() = std::move(service);
  return r;
}

EditResult SetServiceState(const v1::Catalogue& current, std::string_view id,
                           v1::ServiceState to, std::optional<uint32_t> version,
                           std::string reason) {
  int index = IndexOf(current.services(), id);
  if (index < 0)
    return Reject(Status::NotFound("no service '" + std::string(id) +
                                   "' in the catalogue"));
  const v1::Service& old = current.services(index);
  if (version && *version != old.version())
    return Conflict("service '" + std::string(id) + "'", old.version());
  if (reason.size() > kMaxReasonBytes) {
    std::string message = "reason is " + std::to_string(reason.size()) +
                          " bytes, at most " + std::to_string(kMaxReasonBytes);
    return Reject(Status::Invalid(message, {{"/reason", message}}));
  }
  if (old.state() == to)
    return Reject(Status::IllegalTransition(
        {}, "service '" + std::string(id) + "' is " +
                (to == v1::SERVICE_STATE_RETIRED ? "retired" : "active") +
                " already"));
  v1::Catalogue after = current;
  v1::Service* s = after.mutable_services(index);
  s->set_state(to);
  s->set_version(old.version() + 1);
  EditResult r = Committed(std::move(after), current.version(),
                           to == v1::SERVICE_STATE_RETIRED
                               ? v1::CATALOGUE_CHANGE_SERVICE_RETIRED
                               : v1::CATALOGUE_CHANGE_SERVICE_REACTIVATED);
  *r.change.mutable_service() = r.after.services(index);
  r.change.set_reason(std::move(reason));
  return r;
}

EditResult CreateCategory(const v1::Catalogue& current, v1::Category category,
                          const std::vector<std::string>& munis) {
  if (!category.id().empty() && FindCategory(current, category.id()))
    return Reject(Status::AlreadyExists("category '" + category.id() +
                                        "' exists already; change it with PUT "
                                        "/api/v1/catalogue/categories/" +
                                        category.id()));
  category.set_version(1);
  v1::Catalogue after = current;
  *after.add_categories() = category;
  auto findings = Validate(after, munis);
  if (!findings.empty())
    return Invalid(findings, Section::kCategory, after.categories_size() - 1,
                   category.id());
  EditResult r = Committed(std::move(after), current.version(),
                           v1::CATALOGUE_CHANGE_CATEGORY_CREATED);
  *r.change.mutable_category() = std::move(category);
  return r;
}

EditResult UpdateCategory(const v1::Catalogue& current, std::string_view id,
                          v1::Category category,
                          std::optional<uint32_t> if_match,
                          const std::vector<std::string>& munis) {
  int index = IndexOf(current.categories(), id);
  if (index < 0)
    return Reject(Status::NotFound("no category '" + std::string(id) +
                                   "' in the catalogue"));
  const v1::Category& old = current.categories(index);
  if (!category.id().empty() && category.id() != id)
    return Invalid(
        {{{Section::kCategory, index, "id"},
          "the body's id '" + category.id() + "' is not the URL's '" +
              std::string(id) + "'; ids never change"}},
        Section::kCategory, index);
  auto based_on =
      proto::BaseVersion(category.version(), if_match,
                         "category '" + std::string(id) + "'", old.version());
  if (!based_on.ok()) return Reject(based_on.status());
  if (*based_on != old.version())
    return Conflict("category '" + std::string(id) + "'", old.version());
  category.set_id(std::string(id));
  if (SameContent(category, old)) {
    EditResult r;
    r.after = current;
    return r;
  }
  category.set_version(old.version() + 1);
  v1::Catalogue after = current;
  *after.mutable_categories(index) = category;
  auto findings = Validate(after, munis);
  if (!findings.empty())
    return Invalid(findings, Section::kCategory, index, id);
  EditResult r = Committed(std::move(after), current.version(),
                           v1::CATALOGUE_CHANGE_CATEGORY_UPDATED);
  *r.change.mutable_category() = std::move(category);
  return r;
}

namespace {

// Gives each incoming entry its version (kept if unchanged, +1 if changed,
// 1 if new) and records the ids in `added`, `changed` and `removed`.
template <typename Entries, typename List>
bool Reconcile(const Entries& old_entries, Entries& new_entries, List* added,
               List* changed, List* removed) {
  std::map<std::string, const typename Entries::value_type*> old_by_id;
  for (const auto& e : old_entries) old_by_id[e.id()] = &e;
  bool any = false;
  std::set<std::string> seen;
  for (auto& e : new_entries) {
    seen.insert(e.id());
    auto it = old_by_id.find(e.id());
    if (it == old_by_id.end()) {
      e.set_version(1);
      if (added) *added->Add() = e.id();
      any = true;
    } else if (SameContent(e, *it->second)) {
      e.set_version(it->second->version());
    } else {
      e.set_version(it->second->version() + 1);
      if (changed) *changed->Add() = e.id();
      any = true;
    }
  }
  for (const auto& [id, e] : old_by_id) {
    if (seen.count(id)) continue;
    if (removed) *removed->Add() = id;
    any = true;
  }
  return any;
}

// Skills and SLA classes have no version of their own: compared whole.
template <typename Entries, typename List>
bool Compare(const Entries& old_entries, const Entries& new_entries,
             List* added, List* changed, List* removed) {
  std::map<std::string, const typename Entries::value_type*> old_by_id;
  for (const auto& e : old_entries) old_by_id[e.id()] = &e;
  bool any = false;
  std::set<std::string> seen;
  for (const auto& e : new_entries) {
    seen.insert(e.id());
    auto it = old_by_id.find(e.id());
    if (it == old_by_id.end()) {
      *added->Add() = e.id();
      any = true;
    } else if (!google::protobuf::util::MessageDifferencer::Equals(
                   e, *it->second)) {
      *changed->Add() = e.id();
      any = true;
    }
  }
  for (const auto& [id, e] : old_by_id) {
    if (seen.count(id)) continue;
    *removed->Add() = id;
    any = true;
  }
  return any;
}

}  // namespace

EditResult Import(const v1::Catalogue& current, v1::Catalogue incoming,
                  const std::vector<std::string>& munis) {
  Normalize(incoming);
  std::vector<Finding> findings = Validate(incoming, munis);
  size_t more = 0;
  if (!findings.empty() && findings.back().more > 0) {
    more = findings.back().more;
    findings.pop_back();
  }
  std::unordered_map<std::string_view, const v1::Service*> incoming_services;
  for (const auto& s : incoming.services())
    incoming_services.emplace(s.id(), &s);
  for (const auto& old : current.services()) {
    if (incoming_services.count(old.id())) continue;
    if (findings.size() >= kMaxFindings) {
      ++more;
      continue;
    }
    findings.push_back(
        {{Section::kService, -1, "", -1},
         "service '" + old.id() +
             "' is in the catalogue but not in "
             "the import; services are never deleted (tickets refer to "
             "them): keep it, with state = \"retired\" if it is no longer "
             "offered"});
  }
  if (!findings.empty()) {
    std::vector<FieldError> errors;
    for (const auto& f : findings)
      errors.push_back({JsonPointer(f.ref), f.message});
    const size_t total = findings.size() + more;
    return Reject(Status::Invalid(
        std::to_string(total) + (total == 1 ? " problem" : " problems") +
            " in the catalogue; nothing was changed. The first: " +
            findings[0].message,
        std::move(errors), more));
  }
  const uint32_t based_on = incoming.version();
  std::unordered_map<std::string_view, const v1::Service*> current_services;
  for (const auto& s : current.services()) current_services.emplace(s.id(), &s);
  v1::CatalogueDiff diff;
  // Retire and reactivate are state changes of a service; any other change
  // counts as changed.
  std::unordered_set<std::string> state_changed;
  for (const auto& s : incoming.services()) {
    auto old = current_services.find(s.id());
    if (old == current_services.end() || old->second->state() == s.state())
      continue;
    state_changed.insert(s.id());
    *(s.state() == v1::SERVICE_STATE_RETIRED
          ? diff.add_services_retired()
          : diff.add_services_reactivated()) = s.id();
  }
  google::protobuf::RepeatedPtrField<std::string> changed_services;
  bool any = Reconcile(current.services(), *incoming.mutable_services(),
                       diff.mutable_services_added(), &changed_services,
                       static_cast<decltype(&changed_services)>(nullptr));
  // (Reconcile only set versions: the pointers still hold.)
  for (const auto& id : changed_services) {
    const bool state_only = state_changed.count(id) > 0;
    const v1::Service* old = current_services.at(id);
    v1::Service now = *incoming_services.at(id);
    now.set_state(old->state());
    if (!state_only || !SameContent(now, *old))
      *diff.add_services_changed() = id;
  }
  any |= Reconcile(current.categories(), *incoming.mutable_categories(),
                   diff.mutable_categories_added(),
                   diff.mutable_categories_changed(),
                   diff.mutable_categories_removed());
  any |=
      Compare(current.skills(), incoming.skills(), diff.mutable_skills_added(),
              diff.mutable_skills_changed(), diff.mutable_skills_removed());
  any |= Compare(current.sla_classes(), incoming.sla_classes(),
                 diff.mutable_sla_classes_added(),
                 diff.mutable_sla_classes_changed(),
                 diff.mutable_sla_classes_removed());
  // Synonym groups have no ids: the list as a whole differs or not.
  bool same_synonyms = current.synonyms_size() == incoming.synonyms_size();
  for (int i = 0; same_synonyms && i < current.synonyms_size(); ++i)
    same_synonyms = google::protobuf::util::MessageDifferencer::Equals(
        current.synonyms(i), incoming.synonyms(i));
  diff.set_synonyms_changed(!same_synonyms);
  any |= !same_synonyms;
  if (!any) {
    EditResult r;
    r.after = current;
    return r;
  }
  if (based_on != 0 && based_on != current.version())
    return Conflict("the catalogue (the file is from version " +
                        std::to_string(based_on) + ")",
                    current.version());
  EditResult r = Committed(std::move(incoming), current.version(),
                           v1::CATALOGUE_CHANGE_IMPORTED);
  *r.change.mutable_diff() = std::move(diff);
  return r;
}

}  // namespace helpdesk::catalogue
