#pragma once
// The snapshot every dispatch decision reads: the staff registry and the
// vakt rota, indexed once (skills and on-site coverage as bitsets, posting
// lists per skill, schedules compiled, neighbours by travel time) so one
// decision over thousands of people takes microseconds. Rebuilt whenever
// staff or rota change; immutable afterwards, so one Roster may be shared
// by any number of threads.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "daemon/staff/schedule.h"
#include "proto/helpdesk.pb.h"

namespace helpdesk::dispatch {

// Approximate minutes by road between the centres of two municipalities
// (ids of the region); one entry per pair, it holds both ways. Read from
// the config file's [[dispatch.travel]] table or the demo region's.
struct TravelTime {
  std::string from, to;
  uint32_t minutes = 0;
};

// Which high-priority tickets go to the vakt, whatever the skills, when no
// one qualified can take them now.
enum class VaktHigh { kNone, kBusinessCritical, kAll };

// The config file's words for VaktHigh: "none", "business-critical",
// "all"; nullopt for any other.
inline std::optional<VaktHigh> VaktHighNamed(std::string_view name) {
  if (name == "none") return VaktHigh::kNone;
  if (name == "business-critical") return VaktHigh::kBusinessCritical;
  if (name == "all") return VaktHigh::kAll;
  return std::nullopt;
}

struct Options {
  // For on-site (necessary) work with no one local: try the nearest
  // neighbouring municipalities, within max_travel_minutes.
  bool travel_fallback = true;
  uint32_t max_travel_minutes = 90;
  std::vector<TravelTime> travel;
  // When no one qualified can take them now (out of hours, all absent, a
  // registry error), these go to the vakt whatever their skills: critical
  // tickets, and high ones on business-critical services (or all high
  // ones, or none).
  bool vakt_critical = true;
  VaktHigh vakt_high = VaktHigh::kBusinessCritical;
  // People the reporter knows (the municipality's own staff, the person
  // who last helped them) are chosen while their load is at most this
  // much above the lowest, in weighted open tickets per full post (a
  // normal ticket weighs 2): for remote work, and for work where presence
  // is necessary or desirable, where the users' wish weighs more.
  uint32_t familiar_margin = 2;
  uint32_t familiar_margin_on_site = 8;
};

// A small dynamic bitset over skill or municipality indexes.
class Bits {
 public:
  void Set(int i) {
    if (static_cast<size_t>(i / 64) >= words_.size()) words_.resize(i / 64 + 1);
    words_[i / 64] |= uint64_t{1} << (i % 64);
  }
  bool Test(int i) const {
    size_t w = static_cast<size_t>(i / 64);
    return w < words_.size() && (words_[w] >> (i % 64) & 1);
  }
  // Every bit of `need` is set here.
  bool Contains(const Bits& need) const {
    for (size_t w = 0; w < need.words_.size(); ++w) {
      uint64_t have = w < words_.size() ? words_[w] : 0;
      if ((need.words_[w] & ~have) != 0) return false;
    }
    return true;
  }

 private:
  std::vector<uint64_t> words_;
};

struct Person {
  const v1::StaffMember* member;  // into the Roster
  Bits skills;
  Bits covers;  // municipality indexes covered on site
  int home = -1;
  staff::Schedule schedule;
};

struct Neighbour {
  int municipality;
  uint32_t minutes;
};

class Roster {
 public:
  Roster(std::vector<v1::StaffMember> staff, v1::VaktRota rota,
         std::vector<v1::Municipality> municipalities, Options options);
  Roster(const Roster&) = delete;
  Roster& operator=(const Roster&) = delete;

  const std::vector<Person>& people() const { return people_; }
  const Person* Find(std::string_view id) const;
  // Index of a skill or municipality id; -1 when unknown.
  int SkillIndex(std::string_view id) const;
  int MunicipalityIndex(std::string_view id) const;
  const std::string& MunicipalityName(int index) const;
  const std::string& MunicipalityId(int index) const;
  int municipality_count() const {
    return static_cast<int>(municipality_ids_.size());
  }
  // People with skill `index`, as indexes into people().
  const std::vector<int>& WithSkill(int index) const;
  // Neighbours of municipality `index`, nearest first, within the limit.
  const std::vector<Neighbour>& Neighbours(int index) const;
  const v1::VaktRota& rota() const { return rota_; }
  const Options& options() const { return options_; }

 private:
  std::vector<v1::StaffMember> staff_;  // sorted by id; never resized
  std::vector<Person> people_;          // same order
  std::unordered_map<std::string, int> skill_index_, municipality_index_;
  std::vector<std::string> municipality_ids_, municipality_names_;
  std::vector<std::vector<int>> with_skill_;
  std::vector<std::vector<Neighbour>> neighbours_;
  v1::VaktRota rota_;
  Options options_;
};

}  // namespace helpdesk::dispatch
