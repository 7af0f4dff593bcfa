#include "daemon/staff/staff.h"

#include <algorithm>
#include <set>
#include <unordered_set>

#include "proto/versions.h"
#include "proto/wire_names.h"
#include "sla/oslo_time.h"

namespace helpdesk::staff {
namespace {

bool Has(const std::vector<std::string>& list, const std::string& v) {
  return std::find(list.begin(), list.end(), v) != list.end();
}

std::string Join(const std::vector<std::string>& list) {
  std::string out;
  for (const auto& s : list) out += (out.empty() ? "" : ", ") + s;
  return out;
}

bool HasControl(std::string_view s) {
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7f) return true;
  return false;
}

// Collects problems as JSON pointers into the body: the first
// Status::kMaxErrors of them, and how many there were.
class Problems {
 public:
  void Add(std::string pointer, std::string detail) {
    ++count_;
    if (errors_.size() < Status::kMaxErrors)
      errors_.push_back({std::move(pointer), std::move(detail)});
  }
  // A one-line text field: required or not, at most `max` bytes.
  void Text(const std::string& pointer, const std::string& what,
            const std::string& value, bool required, size_t max) {
    if (value.empty()) {
      if (required) Add(pointer, what + " is required");
      return;
    }
    if (value.size() > max)
      Add(pointer, what + " is " + std::to_string(value.size()) +
                       " bytes; at most " + std::to_string(max));
    else if (HasControl(value))
      Add(pointer, what + " contains control characters");
  }
  // A list of `size` items at `pointer`, at most `max` of them. Checked
  // before the items, which are not looked at when there are too many.
  void Count(const std::string& pointer, const std::string& what, int size,
             size_t max) {
    if (static_cast<size_t>(size) > max)
      Add(pointer, what + ": " + std::to_string(size) + " given, at most " +
                       std::to_string(max));
  }
  bool empty() const { return count_ == 0; }
  Status Result(const std::string& what) && {
    if (count_ == 0) return Status::Ok();
    std::string detail =
        std::to_string(count_) + " problem" + (count_ == 1 ? "" : "s") +
        " in the " + what +
        "; nothing was changed. The first: " + errors_.front().detail;
    const size_t more = count_ - errors_.size();
    return Status::Invalid(std::move(detail), std::move(errors_), more);
  }

 private:
  std::vector<FieldError> errors_;
  size_t count_ = 0;
};

}  // namespace

bool IsStaffId(std::string_view id) {
  if (id.empty() || id.size() > kMaxIdBytes) return false;
  bool after_separator = true;
  for (char c : id) {
    bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (alnum) {
      after_separator = false;
    } else if (c == '.' || c == '-') {
      if (after_separator) return false;
      after_separator = true;
    } else {
      return false;
    }
  }
  return !after_separator;
}

bool IsEmailAddress(std::string_view a) {
  if (a.empty() || a.size() > kMaxEmailBytes) return false;
  const size_t at = a.find('@');
  if (at == 0 || at == std::string_view::npos || at + 1 >= a.size() ||
      a.find('@', at + 1) != std::string_view::npos)
    return false;
  for (char c : a) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= ' ' || u >= 0x7f || c == '<' || c == '>' || c == ',' || c == ';' ||
        c == '"' || c == '(' || c == ')' || c == '\\')
      return false;
  }
  return a.find('.', at) != std::string_view::npos;
}

void Normalize(v1::StaffMember& m) {
  if (!m.has_active()) m.set_active(true);
  if (m.employer_municipality().empty())
    m.set_employer_municipality(m.home_municipality());
  if (!m.home_municipality().empty()) {
    auto* covers = m.mutable_covers();
    auto it = std::find(covers->begin(), covers->end(), m.home_municipality());
    if (it == covers->end()) {
      covers->Add(std::string(m.home_municipality()));
      it = covers->end() - 1;
    }
    std::rotate(covers->begin(), it, it + 1);  // home first
  }
  m.clear_now();
}

Status Validate(const v1::StaffMember& m, const Registry& r) {
  Problems p;
  p.Count("/covers", "covers (municipalities)", m.covers_size(), kMaxCovers);
  p.Count("/skills", "skills", m.skills_size(), kMaxSkills);
  p.Count("/workingHours", "workingHours (periods)", m.working_hours_size(),
          kMaxWorkPeriods);
  for (int i = 0;
       i < m.working_hours_size() && static_cast<size_t>(i) < kMaxWorkPeriods;
       ++i)
    p.Count("/workingHours/" + std::to_string(i) + "/days", "days",
            m.working_hours(i).days_size(), 7);
  p.Count("/absences", "absences (remove old ones)", m.absences_size(),
          kMaxAbsences);
  if (!p.empty()) return std::move(p).Result("staff record");
  if (!IsStaffId(m.id()))
    p.Add("/id", "id '" + m.id() +
                     "' must be lowercase letters and digits in groups joined "
                     "by '.' or '-' (like kari.haugen), at most " +
                     std::to_string(kMaxIdBytes) + " bytes");
  p.Text("/name", "name", m.name(), true, kMaxNameBytes);
  p.Text("/title", "title", m.title(), false, kMaxNameBytes);
  p.Text("/phone", "phone", m.phone(), false, kMaxPhoneBytes);
  if (!m.email().empty() && !IsEmailAddress(m.email()))
    p.Add("/email", "email '" + m.email() +
                        "' must be one address like kari.haugen@example.no "
                        "(ASCII, no spaces or <>), at most " +
                        std::to_string(kMaxEmailBytes) + " bytes");
  const std::string known = Join(r.municipalities);
  if (m.home_municipality().empty())
    p.Add("/homeMunicipality",
          "homeMunicipality (oppmøtested) is required; one of " + known);
  else if (!Has(r.municipalities, m.home_municipality()))
    p.Add("/homeMunicipality", "unknown municipality '" +
                                   m.home_municipality() +
                                   "'; known: " + known);
  if (!m.employer_municipality().empty() &&
      !Has(r.municipalities, m.employer_municipality()))
    p.Add("/employerMunicipality", "unknown municipality '" +
                                       m.employer_municipality() +
                                       "'; known: " + known);
  std::set<std::string> seen;
  for (int i = 0; i < m.covers_size(); ++i) {
    const std::string& c = m.covers(i);
    const std::string at = "/covers/" + std::to_string(i);
    if (!Has(r.municipalities, c))
      p.Add(at, "unknown municipality '" + c + "'; known: " + known);
    else if (!seen.insert(c).second)
      p.Add(at, "municipality '" + c + "' is listed twice");
  }
  seen.clear();
  for (int i = 0; i < m.skills_size(); ++i) {
    const std::string& s = m.skills(i);
    const std::string at = "/skills/" + std::to_string(i);
    if (!Has(r.skills, s))
      p.Add(at, "unknown skill '" + s +
                    "'; the catalogue's skills: " + Join(r.skills));
    else if (!seen.insert(s).second)
      p.Add(at, "skill '" + s + "' is listed twice");
  }
  if (m.fte_percent() < 1 || m.fte_percent() > 100)
    p.Add("/ftePercent",
          "ftePercent (stillingsprosent) must be 1 to 100, e.g. 40 for a 40 % "
          "post; got " +
              std::to_string(m.fte_percent()));
  // Minutes already worked on each weekday, to find overlapping periods.
  std::vector<std::pair<int, int>> per_day[8];
  for (int i = 0; i < m.working_hours_size(); ++i) {
    const auto& w = m.working_hours(i);
    const std::string at = "/workingHours/" + std::to_string(i);
    auto start = sla::ParseClock(w.start());
    auto end = sla::ParseClock(w.end());
    bool ok = true;
    if (!start.ok()) {
      p.Add(at + "/start", "start '" + w.start() +
                               "' must be a local time HH:MM such as 08:00");
      ok = false;
    }
    if (!end.ok()) {
      p.Add(at + "/end",
            "end '" + w.end() + "' must be a local time HH:MM such as 15:30");
      ok = false;
    }
    if (ok && *start >= *end) {
      p.Add(at + "/end", "end " + w.end() + " must be after start " +
                             w.start() + " on the same day");
      ok = false;
    }
    if (w.days_size() == 0)
      p.Add(at + "/days",
            "days is required: the weekdays of this period, "
            "e.g. [\"monday\", \"tuesday\"]");
    std::set<int> days;
    for (int j = 0; j < w.days_size(); ++j) {
      if (w.days(j) < v1::WEEKDAY_MONDAY || w.days(j) > v1::WEEKDAY_SUNDAY) {
        p.Add(at + "/days/" + std::to_string(j),
              "a day must be one of monday ... sunday");
        continue;
      }
      if (!days.insert(w.days(j)).second)
        p.Add(at + "/days/" + std::to_string(j),
              "day '" + proto::WireName(w.days(j)) + "' is listed twice");
    }
    if (!ok) continue;
    const int from = *start, to = *end;
    for (int d : days) {
      if (d < 1 || d > 7) continue;
      for (auto [f, t] : per_day[d]) {
        if (from < t && f < to) {
          p.Add(at, "the period " + w.start() + "-" + w.end() + " on " +
                        proto::WireName(static_cast<v1::Weekday>(d)) +
                        " overlaps another period of that day");
          break;
        }
      }
      per_day[d].push_back({from, to});
    }
  }
  for (int i = 0; i < m.absences_size(); ++i) {
    const auto& a = m.absences(i);
    const std::string at = "/absences/" + std::to_string(i);
    auto from = sla::ParseLocalDay(a.from());
    auto to = sla::ParseLocalDay(a.to());
    const bool from_ok = from.ok(), to_ok = to.ok();
    if (!from_ok)
      p.Add(at + "/from", "from '" + a.from() +
                              "' must be a date YYYY-MM-DD such as 2026-07-06");
    if (!to_ok)
      p.Add(at + "/to", "to '" + a.to() +
                            "' must be a date YYYY-MM-DD (the last day away)");
    if (from_ok && to_ok && *to < *from)
      p.Add(at + "/to", "to " + a.to() + " is before from " + a.from());
    if (a.kind() == v1::ABSENCE_KIND_UNSPECIFIED)
      p.Add(at + "/kind",
            "kind is required; one of " +
                proto::WireEnumChoices(v1::AbsenceKind_descriptor()));
    p.Text(at + "/note", "note", a.note(), false, kMaxNoteBytes);
  }
  return std::move(p).Result("staff record");
}

StatusOr<v1::StaffMember> DecideCreate(v1::StaffMember body,
                                       const v1::StaffMember* existing,
                                       const Registry& registry) {
  if (existing != nullptr)
    return Status::AlreadyExists("there is already a person with id '" +
                                 body.id() + "' (" + existing->name() +
                                 "); change them with PUT /api/v1/staff/" +
                                 body.id());
  Normalize(body);
  body.set_version(0);
  if (Status s = Validate(body, registry); !s.ok()) return s;
  body.set_version(1);
  return body;
}

StatusOr<v1::StaffMember> DecideUpdate(const v1::StaffMember& current,
                                       std::string_view id,
                                       v1::StaffMember body,
                                       std::optional<uint32_t> if_match,
                                       const Registry& registry) {
  if (!body.id().empty() && body.id() != id)
    return Status::Invalid(
        "the id in the body ('" + body.id() +
            "') is not the one in the path ('" + std::string(id) +
            "'); ids never change",
        {{"/id", "must be '" + std::string(id) + "' or left out"}});
  body.set_id(std::string(id));
  auto base = proto::BaseVersion(body.version(), if_match, "the staff record");
  if (!base.ok()) return base.status();
  if (*base != current.version())
    return Status::VersionConflict(
        current.version(),
        "staff record '" + current.id() + "' is at version " +
            std::to_string(current.version()) + ", not " +
            std::to_string(*base) +
            "; someone changed it since you read it: fetch it again and retry");
  Normalize(body);
  body.set_version(0);
  if (Status s = Validate(body, registry); !s.ok()) return s;
  body.set_version(current.version() + 1);
  return body;
}

StatusOr<v1::VaktRota> DecideRota(const v1::VaktRota& current,
                                  v1::VaktRota body,
                                  std::optional<uint32_t> if_match,
                                  const std::vector<std::string>& staff_ids) {
  if (current.version() != 0) {
    auto base = proto::BaseVersion(body.version(), if_match, "the vakt rota");
    if (!base.ok()) return base.status();
    if (*base != current.version())
      return Status::VersionConflict(
          current.version(),
          "the vakt rota is at version " + std::to_string(current.version()) +
              ", not " + std::to_string(*base) +
              "; someone changed it since you read it: fetch it again and "
              "retry");
  }
  Problems p;
  p.Count("/shifts", "shifts", body.shifts_size(), kMaxShifts);
  if (!p.empty()) return std::move(p).Result("vakt rota");
  const std::unordered_set<std::string> staff(staff_ids.begin(),
                                              staff_ids.end());
  for (int i = 0; i < body.shifts_size(); ++i) {
    const auto& s = body.shifts(i);
    const std::string at = "/shifts/" + std::to_string(i);
    if (!s.has_start()) p.Add(at + "/start", "start is required (RFC 3339)");
    if (!s.has_end()) p.Add(at + "/end", "end is required (RFC 3339)");
    if (s.has_start() && s.has_end()) {
      int64_t length = s.end().seconds() - s.start().seconds();
      if (length <= 0)
        p.Add(at + "/end", "end must be after start");
      else if (length > kMaxShiftSeconds)
        p.Add(at + "/end", "a shift is at most 31 days long");
    }
    if (s.primary().empty())
      p.Add(at + "/primary", "primary (who is on vakt) is required");
    else if (!staff.count(s.primary()))
      p.Add(at + "/primary",
            "no staff member '" + s.primary() + "'; see GET /api/v1/staff");
    if (!s.backup().empty()) {
      if (!staff.count(s.backup()))
        p.Add(at + "/backup",
              "no staff member '" + s.backup() + "'; see GET /api/v1/staff");
      else if (s.backup() == s.primary())
        p.Add(at + "/backup",
              "the backup must be someone else than the "
              "primary");
    }
    p.Text(at + "/note", "note", s.note(), false, kMaxNoteBytes);
  }
  Status problems = std::move(p).Result("vakt rota");
  if (!problems.ok()) return problems;
  // Overlaps are checked in time order, but reported at the body's indexes.
  std::vector<int> order(body.shifts_size());
  for (int i = 0; i < body.shifts_size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
    return body.shifts(a).start().seconds() < body.shifts(b).start().seconds();
  });
  // Each shift against the one reaching furthest of those before it: a
  // long shift can overlap several that follow.
  Problems overlaps;
  size_t furthest = 0;
  for (size_t k = 1; k < order.size(); ++k) {
    const auto& reach = body.shifts(order[furthest]);
    const auto& here = body.shifts(order[k]);
    if (here.start().seconds() < reach.end().seconds())
      overlaps.Add("/shifts/" + std::to_string(order[k]),
                   "this shift overlaps shift " +
                       std::to_string(order[furthest]) +
                       ": at most one person is primary on vakt at a time");
    if (here.end().seconds() > reach.end().seconds()) furthest = k;
  }
  if (Status s = std::move(overlaps).Result("vakt rota"); !s.ok()) return s;
  v1::VaktRota out;
  for (int i : order) *out.add_shifts() = body.shifts(i);
  for (auto& s : *out.mutable_shifts()) {
    s.mutable_start()->set_nanos(0);
    s.mutable_end()->set_nanos(0);
  }
  out.set_version(current.version() + 1);
  return out;
}

}  // namespace helpdesk::staff
