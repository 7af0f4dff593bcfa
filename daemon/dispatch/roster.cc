#include "daemon/dispatch/roster.h"

#include <algorithm>

namespace helpdesk::dispatch {

Roster::Roster(std::vector<v1::StaffMember> staff, v1::VaktRota rota,
               std::vector<v1::Municipality> municipalities, Options options)
    : staff_(std::move(staff)),
      rota_(std::move(rota)),
      options_(std::move(options)) {
  std::sort(staff_.begin(), staff_.end(),
            [](const auto& a, const auto& b) { return a.id() < b.id(); });
  for (const auto& m : municipalities) {
    municipality_index_.emplace(m.id(),
                                static_cast<int>(municipality_names_.size()));
    municipality_ids_.push_back(m.id());
    municipality_names_.push_back(m.name());
  }
  people_.reserve(staff_.size());
  for (const auto& m : staff_) {
    Person p{&m,
             {},
             {},
             MunicipalityIndex(m.home_municipality()),
             staff::Schedule::Of(m)};
    for (const auto& s : m.skills()) {
      auto [it, added] =
          skill_index_.emplace(s, static_cast<int>(with_skill_.size()));
      if (added) with_skill_.emplace_back();
      p.skills.Set(it->second);
      with_skill_[it->second].push_back(static_cast<int>(people_.size()));
    }
    for (const auto& c : m.covers())
      if (int i = MunicipalityIndex(c); i >= 0) p.covers.Set(i);
    people_.push_back(std::move(p));
  }
  neighbours_.resize(municipality_names_.size());
  for (const auto& t : options_.travel) {
    int a = MunicipalityIndex(t.from), b = MunicipalityIndex(t.to);
    if (a < 0 || b < 0 || a == b || t.minutes > options_.max_travel_minutes)
      continue;
    neighbours_[a].push_back({b, t.minutes});
    neighbours_[b].push_back({a, t.minutes});
  }
  for (auto& list : neighbours_)
    std::stable_sort(list.begin(), list.end(), [](Neighbour x, Neighbour y) {
      return x.minutes < y.minutes;
    });
}

const Person* Roster::Find(std::string_view id) const {
  auto it = std::lower_bound(
      people_.begin(), people_.end(), id,
      [](const Person& p, std::string_view v) { return p.member->id() < v; });
  return it != people_.end() && it->member->id() == id ? &*it : nullptr;
}

int Roster::SkillIndex(std::string_view id) const {
  auto it = skill_index_.find(std::string(id));
  return it == skill_index_.end() ? -1 : it->second;
}

int Roster::MunicipalityIndex(std::string_view id) const {
  auto it = municipality_index_.find(std::string(id));
  return it == municipality_index_.end() ? -1 : it->second;
}

const std::string& Roster::MunicipalityName(int index) const {
  static const std::string kUnknown = "?";
  return index >= 0 && static_cast<size_t>(index) < municipality_names_.size()
             ? municipality_names_[index]
             : kUnknown;
}

const std::string& Roster::MunicipalityId(int index) const {
  static const std::string kUnknown = "?";
  return index >= 0 && static_cast<size_t>(index) < municipality_ids_.size()
             ? municipality_ids_[index]
             : kUnknown;
}

const std::vector<int>& Roster::WithSkill(int index) const {
  return with_skill_[index];
}

const std::vector<Neighbour>& Roster::Neighbours(int index) const {
  static const std::vector<Neighbour> kNone;
  return index >= 0 && static_cast<size_t>(index) < neighbours_.size()
             ? neighbours_[index]
             : kNone;
}

}  // namespace helpdesk::dispatch
