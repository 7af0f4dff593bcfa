// The staff registry and the vakt rota: changes decided by the pure staff::
// functions against the staff, rota and catalogue skills as the writer sees
// them, so a racing change is never decided against a stale copy. A person
// (a small body) is decided inside the writer's transaction; a rota (up to
// staff::kMaxShifts shifts) before it, by the Desk against the last commit,
// the writer only checking the staff generation still holds. Each change
// re-runs dispatch for the people it makes absent or inactive and for the
// queue, in the same write.

#include "daemon/staff/staff.h"

#include <google/protobuf/util/message_differencer.h>

#include <set>

#include "daemon/desk/internal.h"
#include "daemon/desk/staff_view.h"
#include "daemon/desk/use_cases.h"
#include "daemon/dispatch/dispatch.h"
#include "daemon/staff/schedule.h"
#include "daemon/store/catalogue_tables.h"
#include "daemon/store/record_check.h"
#include "daemon/store/staff_tables.h"
#include "sla/holidays.h"
#include "sla/oslo_time.h"

namespace helpdesk::desk {
namespace {

using google::protobuf::util::MessageDifferencer;

// The decisions validate a record after filling in what may be left out
// (home first in `covers`, the employer), so their pointers can name places
// the client never sent. When a record is refused as invalid, the body as
// sent is validated too, and its problems, which point into what was sent,
// are the answer.
Status AsSent(Status refused, const v1::StaffMember& sent,
              const staff::Registry& registry) {
  if (refused.code() != Code::kInvalidField) return refused;
  Status as_sent = staff::Validate(sent, registry);
  return as_sent.ok() ? refused : as_sent;
}

// The person as a write answers it: with `now` at the batch's instant. The
// change is saved by then, so a failed read of the load must not turn the
// answer into an error: the person is answered without `now`.
v1::StaffMember WithNow(const Scope& s, const v1::VaktRota& rota,
                        v1::StaffMember member) {
  if (Status st = AddNow(s.txn(), s.tables(), rota, s.now_sys(), member);
      !st.ok())
    member.clear_now();
  return member;
}

}  // namespace

Status AddNow(const store::Txn& txn, const store::Tables& tables,
              const v1::VaktRota& rota, std::chrono::sys_seconds at,
              v1::StaffMember& member) {
  const staff::Schedule schedule = staff::Schedule::Of(member);
  const sla::OsloTime local = sla::ToOslo(at);
  v1::StaffNow* now = member.mutable_now();
  now->set_absent(schedule.AbsentOn(local.day));
  now->set_at_work(member.active() &&
                   schedule.AtWork(local, sla::IsPublicHoliday(local.day)));
  const v1::VaktShift* shift = staff::ShiftAt(rota, at);
  now->set_on_vakt(shift != nullptr && (shift->primary() == member.id() ||
                                        shift->backup() == member.id()));
  auto stored = store::GetLoad(txn, tables, member.id());
  if (!stored.ok()) return stored.status();
  const dispatch::Load load = dispatch::LoadOfStored(*stored);
  now->set_load(dispatch::LoadPerPost(load, member.fte_percent()));
  now->set_open_tickets(dispatch::OpenTickets(load));
  return Status::Ok();
}

StatusOr<staff::Registry> RegistryOf(const store::Txn& txn,
                                     const store::Tables& tables,
                                     const std::vector<std::string>& munis) {
  auto catalogue = store::LoadCatalogue(txn, tables);
  if (!catalogue.ok()) return catalogue.status();
  staff::Registry registry;
  registry.municipalities = munis;
  for (const auto& skill : catalogue->skills())
    registry.skills.push_back(skill.id());
  return registry;
}

Status NoStaff(std::string_view id) {
  return Status::NotFound("no staff member '" + std::string(id) +
                          "'; see GET /api/v1/staff, or add them with POST "
                          "/api/v1/staff");
}

StatusOr<v1::StaffMember> CreateStaff(Scope& s, const v1::StaffMember& body) {
  auto registry =
      RegistryOf(s.txn(), s.tables(), s.context().municipality_ids());
  if (!registry.ok()) return registry.status();
  std::optional<v1::StaffMember> existing;
  if (staff::IsStaffId(body.id())) {
    auto found = store::GetStaff(s.txn(), s.tables(), body.id());
    if (!found.ok()) return found.status();
    existing = std::move(*found);
  }
  // A bounded registry: every change rebuilds the roster and sweeps it.
  auto roster = s.Roster();
  if (!roster.ok()) return roster.status();
  if (!existing && (*roster)->people().size() >= staff::kMaxStaff)
    return Status::IllegalTransition(
        {}, "the staff registry holds " +
                std::to_string((*roster)->people().size()) +
                " people, its limit; make someone who has left inactive and "
                "reuse a record, or raise the limit");
  auto created =
      staff::DecideCreate(body, existing ? &*existing : nullptr, *registry);
  if (!created.ok()) return AsSent(created.status(), body, *registry);
  auto rota = store::LoadRota(s.txn(), s.tables());
  if (!rota.ok()) return rota.status();
  v1::Event event = s.NewEvent();
  event.mutable_staff_changed()->set_change(v1::STAFF_CHANGE_CREATED);
  *event.mutable_staff_changed()->mutable_staff() = *created;
  if (Status st = s.store().SaveStaff(nullptr, *created, std::move(event));
      !st.ok())
    return st;
  // Someone new may take what waits in the dispatcher queue.
  if (auto moved = Redispatch(s); !moved.ok()) return moved.status();
  return WithNow(s, *rota, std::move(*created));
}

StatusOr<v1::StaffMember> UpdateStaff(Scope& s, std::string_view id,
                                      const v1::StaffMember& body,
                                      std::optional<uint32_t> if_match) {
  // Ids that cannot exist are not looked up (an empty or oversized LMDB
  // key is an error, not a miss).
  if (!staff::IsStaffId(id)) return NoStaff(id);
  auto current = store::GetStaff(s.txn(), s.tables(), id);
  if (!current.ok()) return current.status();
  if (!*current) return NoStaff(id);
  const v1::StaffMember& before = **current;
  auto registry =
      RegistryOf(s.txn(), s.tables(), s.context().municipality_ids());
  if (!registry.ok()) return registry.status();
  auto updated = staff::DecideUpdate(before, id, body, if_match, *registry);
  if (!updated.ok()) {
    if (!body.id().empty() && body.id() != id) return updated.status();
    v1::StaffMember sent = body;
    sent.set_id(std::string(id));
    return AsSent(updated.status(), sent, *registry);
  }
  auto rota = store::LoadRota(s.txn(), s.tables());
  if (!rota.ok()) return rota.status();
  // The same record again changes nothing: no version, no event.
  v1::StaffMember same = *updated;
  same.set_version(before.version());
  if (MessageDifferencer::Equals(same, before))
    return WithNow(s, *rota, std::move(same));
  v1::Event event = s.NewEvent();
  event.mutable_staff_changed()->set_change(v1::STAFF_CHANGE_UPDATED);
  *event.mutable_staff_changed()->mutable_staff() = *updated;
  if (Status st = s.store().SaveStaff(&before, *updated, std::move(event));
      !st.ok())
    return st;
  // Their open tickets move when they just became inactive or absent
  // today, and the dispatcher queue is tried again, all in this
  // transaction: the change commits (or fails) as one.
  if (auto moved = Redispatch(s); !moved.ok()) return moved.status();
  return WithNow(s, *rota, std::move(*updated));
}

StatusOr<RotaDecision> DecideRotaIn(const store::Txn& txn,
                                    const store::Tables& tables,
                                    const v1::VaktRota& body,
                                    std::optional<uint32_t> if_match) {
  RotaDecision out;
  auto generation = store::StaffGeneration(txn, tables);
  if (!generation.ok()) return generation.status();
  out.generation = *generation;
  auto current = store::LoadRota(txn, tables);
  // A PUT is what an operator tries on a rota that cannot be read (as on a
  // damaged service): it has no version to match, so it replaces it whole.
  const bool damaged = store::IsDamaged(current.status());
  if (damaged) current = v1::VaktRota();
  if (!current.ok()) return current.status();
  auto people = store::LoadStaff(txn, tables);
  if (!people.ok()) return people.status();
  std::vector<std::string> ids;
  std::set<std::string> inactive;
  for (const auto& m : *people) {
    ids.push_back(m.id());
    if (!m.active()) inactive.insert(m.id());
  }
  auto rota = staff::DecideRota(*current, body, if_match, ids);
  if (!rota.ok()) return rota.status();
  // Urgent work out of hours goes to whoever is on vakt: someone who has
  // left cannot be.
  std::vector<FieldError> errors;
  size_t found = 0;
  auto add = [&](std::string pointer, std::string detail) {
    if (++found <= Status::kMaxErrors)
      errors.push_back({std::move(pointer), std::move(detail)});
  };
  for (int i = 0; i < body.shifts_size(); ++i) {
    const auto& shift = body.shifts(i);
    const std::string at = "/shifts/" + std::to_string(i);
    if (inactive.count(shift.primary()))
      add(at + "/primary",
          "'" + shift.primary() + "' is not active and cannot be on vakt");
    if (inactive.count(shift.backup()))
      add(at + "/backup",
          "'" + shift.backup() + "' is not active and cannot be on vakt");
  }
  if (!errors.empty()) {
    std::string detail = std::to_string(found) +
                         " problem(s) in the vakt rota; nothing was changed. "
                         "The first: " +
                         errors.front().detail;
    return Status::Invalid(std::move(detail), std::move(errors),
                           found - errors.size());
  }
  out.rota = std::move(*rota);
  // Above any version the damaged rota had: it began at 1 and each save
  // since moved the generation too, so a client's old If-Match never
  // matches the replacement by chance.
  if (damaged) out.rota.set_version(*generation + 2);
  // The same shifts again change nothing: no version, no event.
  if (current->version() != 0) {
    v1::VaktRota same = out.rota;
    same.set_version(current->version());
    if (MessageDifferencer::Equals(same, *current)) {
      out.rota = std::move(same);
      out.unchanged = true;
    }
  }
  return out;
}

namespace {

StatusOr<v1::VaktRota> SaveRota(Scope& s, const RotaDecision& decided) {
  if (decided.unchanged) return decided.rota;
  v1::Event event = s.NewEvent();
  event.mutable_vakt_changed()->set_version(decided.rota.version());
  event.mutable_vakt_changed()->set_shifts(
      static_cast<uint32_t>(decided.rota.shifts_size()));
  if (Status st = s.store().SaveRota(decided.rota, std::move(event)); !st.ok())
    return st;
  // A new vakt may take urgent work waiting in the dispatcher queue.
  if (auto moved = Redispatch(s); !moved.ok()) return moved.status();
  return decided.rota;
}

}  // namespace

StatusOr<v1::VaktRota> PutRota(Scope& s, const v1::VaktRota& body,
                               std::optional<uint32_t> if_match) {
  auto decided = DecideRotaIn(s.txn(), s.tables(), body, if_match);
  if (!decided.ok()) return decided.status();
  return SaveRota(s, *decided);
}

StatusOr<v1::VaktRota> ApplyRota(Scope& s, const RotaDecision& decided,
                                 const v1::VaktRota& body,
                                 std::optional<uint32_t> if_match) {
  // Every staff and rota write moves the generation: the same generation
  // is the same staff and rota, and the decision holds.
  auto generation = store::StaffGeneration(s.txn(), s.tables());
  if (!generation.ok()) return generation.status();
  if (*generation != decided.generation) return PutRota(s, body, if_match);
  return SaveRota(s, decided);
}

}  // namespace helpdesk::desk
