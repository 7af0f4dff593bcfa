#include "daemon/store/staff_tables.h"

#include <spdlog/spdlog.h>

#include <charconv>
#include <map>
#include <string>
#include <utility>

#include "daemon/store/record_check.h"
#include "proto/ticket_status.h"

namespace helpdesk::store {
namespace {

constexpr std::string_view kMemberPrefix = "member/";
constexpr std::string_view kLoadPrefix = "load/";
constexpr std::string_view kRotaKey = "rota";
constexpr std::string_view kGenerationKey = "staff_generation";
constexpr int kPriorities = v1::Priority_ARRAYSIZE;

std::string MemberKey(std::string_view id) {
  return std::string(kMemberPrefix) + std::string(id);
}
std::string LoadKey(std::string_view id) {
  return std::string(kLoadPrefix) + std::string(id);
}

// `key` names the record for a person when it is damaged.
template <typename M>
Status ParseInto(std::string_view bytes, M& out, std::string_view key) {
  if (!ParseRecord(bytes, out))
    return Damaged("staff record " + std::string(key));
  return Status::Ok();
}

// An unknown priority number (a newer writer) counts as unspecified rather
// than growing the vector past what readers expect.
int PriorityIndex(v1::Priority p) {
  int i = static_cast<int>(p);
  return i >= 0 && i < kPriorities ? i : 0;
}

void Normalise(v1::StaffLoad& load) {
  while (load.open_by_priority_size() < kPriorities)
    load.add_open_by_priority(0);
  if (load.open_by_priority_size() > kPriorities)
    load.mutable_open_by_priority()->Truncate(kPriorities);
}

Status PutLoad(Txn& txn, const Tables& t, std::string_view id,
               const v1::StaffLoad& load) {
  return txn.Put(t.staff, LoadKey(id), load.SerializeAsString());
}

Status PutMember(Txn& txn, const Tables& t, const v1::StaffMember& member) {
  v1::StaffMember stored = member;
  stored.clear_now();
  return txn.Put(t.staff, MemberKey(member.id()), stored.SerializeAsString());
}

Status BumpGeneration(Txn& txn, const Tables& t) {
  auto current = StaffGeneration(txn, t);
  if (!current.ok()) return current.status();
  return txn.Put(t.meta, kGenerationKey, std::to_string(*current + 1));
}

// Who a ticket counts for, and under which priority; nullopt when it
// counts for no one.
std::optional<std::pair<std::string, int>> CountsFor(const v1::Ticket* t) {
  if (t == nullptr || t->assignee().empty() || !proto::IsOpen(t->status()))
    return std::nullopt;
  return std::pair{t->assignee(), PriorityIndex(t->priority())};
}

}  // namespace

StatusOr<std::vector<v1::StaffMember>> LoadStaff(const Txn& txn,
                                                 const Tables& t) {
  auto cursor = Cursor::Open(txn, t.staff);
  if (!cursor.ok()) return cursor.status();
  std::vector<v1::StaffMember> out;
  for (auto moved = cursor->Seek(kMemberPrefix);; moved = cursor->Next()) {
    if (!moved.ok()) return moved.status();
    if (!*moved || !cursor->key().starts_with(kMemberPrefix)) break;
    // The registry goes on without a damaged person: dispatch, the lists
    // and every other person's changes keep working.
    if (!ParseRecord(cursor->value(), out.emplace_back())) {
      out.pop_back();
      NoteDamaged("staff record " + std::string(cursor->key()));
    }
  }
  return out;
}

StatusOr<std::optional<v1::StaffMember>> GetStaff(const Txn& txn,
                                                  const Tables& t,
                                                  std::string_view id) {
  auto raw = txn.Get(t.staff, MemberKey(id));
  if (!raw.ok()) return raw.status();
  if (!*raw) return std::optional<v1::StaffMember>();
  v1::StaffMember member;
  if (Status s = ParseInto(**raw, member, MemberKey(id)); !s.ok()) return s;
  return std::optional<v1::StaffMember>(std::move(member));
}

StatusOr<v1::VaktRota> LoadRota(const Txn& txn, const Tables& t) {
  auto raw = txn.Get(t.staff, kRotaKey);
  if (!raw.ok()) return raw.status();
  v1::VaktRota rota;
  if (*raw) {
    if (Status s = ParseInto(**raw, rota, kRotaKey); !s.ok()) return s;
  }
  return rota;
}

StatusOr<v1::StaffLoad> GetLoad(const Txn& txn, const Tables& t,
                                std::string_view id) {
  auto raw = txn.Get(t.staff, LoadKey(id));
  if (!raw.ok()) return raw.status();
  v1::StaffLoad load;
  // A damaged load counts as none (logged once): dispatch and the staff
  // reads go on, the next change of the person's tickets stores it anew,
  // and helpdeskctl check names it (repair recounts it from the tickets).
  if (*raw && !ParseRecord(**raw, load)) {
    NoteDamaged("staff record " + LoadKey(id));
    load.Clear();
  }
  Normalise(load);
  return load;
}

StatusOr<uint64_t> StaffGeneration(const Txn& txn, const Tables& t) {
  auto raw = txn.Get(t.meta, kGenerationKey);
  if (!raw.ok()) return raw.status();
  if (!*raw) return uint64_t{0};
  uint64_t v = 0;
  std::string_view text = **raw;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size())
    return Status::Internal("corrupt staff generation record");
  return v;
}

Status PutStaff(Txn& txn, const Tables& t, const v1::StaffMember& member) {
  if (Status s = PutMember(txn, t, member); !s.ok()) return s;
  return BumpGeneration(txn, t);
}

Status PutRota(Txn& txn, const Tables& t, const v1::VaktRota& rota) {
  if (Status s = txn.Put(t.staff, kRotaKey, rota.SerializeAsString()); !s.ok())
    return s;
  return BumpGeneration(txn, t);
}

Status UpdateLoads(Txn& txn, const Tables& t, const v1::Ticket* before,
                   const v1::Ticket& now, uint64_t seq) {
  auto was = CountsFor(before);
  auto is = CountsFor(&now);
  const bool moved = was != is;
  const bool newly_assigned =
      !now.assignee().empty() &&
      (before == nullptr || before->assignee() != now.assignee());
  if (!moved && !newly_assigned) return Status::Ok();

  // At most two people; each record is read and written once.
  std::map<std::string, v1::StaffLoad, std::less<>> touched;
  auto load_of = [&](const std::string& id) -> StatusOr<v1::StaffLoad*> {
    auto it = touched.find(id);
    if (it == touched.end()) {
      auto load = GetLoad(txn, t, id);
      if (!load.ok()) return load.status();
      it = touched.emplace(id, std::move(*load)).first;
    }
    return &it->second;
  };
  if (moved && was) {
    auto load = load_of(was->first);
    if (!load.ok()) return load.status();
    uint32_t count = (*load)->open_by_priority(was->second);
    if (count == 0) {
      spdlog::warn(
          "open load of {} at priority {} would go below zero (ticket {}); "
          "kept at 0",
          was->first, was->second, now.id());
    } else {
      (*load)->set_open_by_priority(was->second, count - 1);
    }
  }
  if (moved && is) {
    auto load = load_of(is->first);
    if (!load.ok()) return load.status();
    (*load)->set_open_by_priority(is->second,
                                  (*load)->open_by_priority(is->second) + 1);
  }
  if (newly_assigned) {
    auto load = load_of(now.assignee());
    if (!load.ok()) return load.status();
    (*load)->set_last_assigned_seq(seq);
  }
  for (const auto& [id, load] : touched) {
    if (Status s = PutLoad(txn, t, id, load); !s.ok()) return s;
  }
  return Status::Ok();
}

Status SeedStaff(Txn& txn, const Tables& t,
                 const std::vector<v1::StaffMember>& staff,
                 const v1::VaktRota& rota) {
  for (v1::StaffMember member : staff) {
    member.set_version(1);
    if (Status s = PutMember(txn, t, member); !s.ok()) return s;
  }
  if (rota.shifts_size() > 0) {
    v1::VaktRota first = rota;
    first.set_version(1);
    if (Status s = txn.Put(t.staff, kRotaKey, first.SerializeAsString());
        !s.ok())
      return s;
  }
  return BumpGeneration(txn, t);
}

Status RebuildLoads(Txn& txn, const Tables& t) {
  std::map<std::string, v1::StaffLoad> loads;
  {  // The loads there are, for their last_assigned_seq; counts start at 0.
    auto cursor = Cursor::Open(txn, t.staff);
    if (!cursor.ok()) return cursor.status();
    for (auto moved = cursor->Seek(kLoadPrefix);; moved = cursor->Next()) {
      if (!moved.ok()) return moved.status();
      if (!*moved || !cursor->key().starts_with(kLoadPrefix)) break;
      v1::StaffLoad old;
      if (Status s = ParseInto(cursor->value(), old, cursor->key()); !s.ok())
        return s;
      v1::StaffLoad& fresh =
          loads[std::string(cursor->key().substr(kLoadPrefix.size()))];
      fresh.set_last_assigned_seq(old.last_assigned_seq());
      Normalise(fresh);
    }
  }
  Status scanned = ForEachTicket(txn, t, [&](const v1::Ticket& ticket) {
    auto counts = CountsFor(&ticket);
    if (!counts) return Status::Ok();
    v1::StaffLoad& load = loads[counts->first];
    Normalise(load);
    load.set_open_by_priority(counts->second,
                              load.open_by_priority(counts->second) + 1);
    return Status::Ok();
  });  // its cursor ends before the writes below
  if (!scanned.ok()) return scanned;
  for (const auto& [id, load] : loads) {
    if (Status s = PutLoad(txn, t, id, load); !s.ok()) return s;
  }
  return Status::Ok();
}

}  // namespace helpdesk::store
