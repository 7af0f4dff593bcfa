// The staff registry and the vakt rota routes of Api. Reads run in a short
// LMDB read transaction and add to each person what they are doing at the
// moment of the answer (`now`). Changes are decided by the pure staff::
// functions inside the writer's transaction, against the staff, rota and
// catalogue skills as the writer sees them, so a racing change is never
// decided against a stale copy.

#include <google/protobuf/util/message_differencer.h>
#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <chrono>
#include <set>

#include "daemon/dispatch/dispatch.h"
#include "daemon/http/api.h"
#include "daemon/http/json.h"
#include "daemon/http/problem.h"
#include "daemon/http/responses.h"
#include "daemon/staff/schedule.h"
#include "daemon/staff/staff.h"
#include "daemon/store/catalogue_tables.h"
#include "daemon/store/staff_tables.h"
#include "daemon/tickets/commands.h"
#include "proto/timestamps.h"
#include "sla/holidays.h"
#include "sla/oslo_time.h"

namespace helpdesk::http {
namespace {

using std::chrono::sys_seconds;

constexpr std::string_view kStaff = "/api/v1/staff";
constexpr std::string_view kVakt = "/api/v1/vakt";
constexpr std::string_view kVaktNow = "/api/v1/vakt/now";

// TimeParam (query.h) reads ?at=, ?from= and ?to=.

// Fills `member.now`: what the person is doing at `at`, by their working
// hours and absences in Oslo time, the rota and their open tickets.
Status AddNow(const store::Txn& txn, const store::Tables& tables,
              const v1::VaktRota& rota, sys_seconds at,
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
  // The load as the dispatcher weighs it when it chooses between people.
  const dispatch::Load load = dispatch::LoadOfStored(*stored);
  now->set_load(dispatch::LoadPerPost(load, member.fte_percent()));
  now->set_open_tickets(dispatch::OpenTickets(load));
  return Status::Ok();
}

// What staff records are checked against, as `txn` sees the catalogue.
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

// The decisions validate a record after filling in what may be left out
// (home first in `covers`, the employer), so their pointers can name places
// the client never sent. When a record is refused as invalid, the body as
// sent is validated too, and its problems, which point into what was sent,
// are the answer.
Status AsSent(Status refused, v1::StaffMember sent,
              const staff::Registry& registry) {
  if (refused.code() != Code::kInvalidField) return refused;
  Status as_sent = staff::Validate(sent, registry);
  return as_sent.ok() ? refused : as_sent;
}

// One person with `now`, as a write or a read answers it.
Response StaffResponse(int status, const v1::StaffMember& member) {
  Response resp = WithETag(Json(status, ToJson(member)), member.version());
  if (status == 201)
    resp.headers.emplace_back("Location",
                              std::string(kStaff) + "/" + member.id());
  return resp;
}

// The answer of a write: the person with `now` at the batch's instant.
// The change is saved by then, so a failed read of the load must not turn
// the answer into an error: the person is answered without `now`.
void AnswerWithNow(const store::WriteContext& w, const v1::VaktRota& rota,
                   int status, v1::StaffMember member, Response& answer) {
  if (Status s =
          AddNow(w.txn(), w.tables(), rota, proto::ToSys(w.now()), member);
      !s.ok())
    member.clear_now();
  answer = StaffResponse(status, member);
}

}  // namespace

void Api::HandleStaff(const Request& r, const Target& t, Respond respond) {
  const std::string& path = t.path;
  const bool get = r.method == "GET" || r.method == "HEAD";
  std::string route;
  std::string id;
  const char* allow = "GET, HEAD";
  if (path == kStaff) {
    route = kStaff;
    allow = "GET, HEAD, POST";
  } else if (path.starts_with(std::string(kStaff) + "/")) {
    id = path.substr(kStaff.size() + 1);
    route = std::string(kStaff) + "/{id}";
    allow = "GET, HEAD, PUT";
  } else if (path == kVakt) {
    route = kVakt;
    allow = "GET, HEAD, PUT";
  } else if (path == kVaktNow) {
    route = kVaktNow;
  }
  auto answer = [&](Response resp) {
    resp.route = route;
    respond(std::move(resp));
  };
  auto fail = [&](const Status& s) {
    answer(Problem(s, r.target, r.request_id));
  };
  if (route.empty() || (!id.empty() && id.find('/') != std::string::npos) ||
      (route != kStaff && route.starts_with(kStaff) && id.empty())) {
    return answer(Problem(404, "/problems/not-found", "Not found",
                          "no route " + path +
                              "; the staff registry is at /api/v1/staff[/{id}] "
                              "and the vakt rota at /api/v1/vakt and "
                              "/api/v1/vakt/now",
                          path, r.request_id));
  }
  const bool write = route == kStaff     ? r.method == "POST"
                     : route == kVaktNow ? false
                                         : r.method == "PUT";
  if (!get && !write) {
    return answer(MethodNotAllowed(r.method, path, allow, r.request_id));
  }
  if (get) {
    if (route == kStaff) return answer(ListStaff(r, t));
    if (route == kVakt) return answer(GetRota(r, t));
    if (route == kVaktNow) return answer(GetVaktNow(r, t));
    return answer(GetStaffMember(r, t, id));
  }
  if (!IsJsonContentType(r.content_type)) {
    return answer(UnsupportedMediaType(r.content_type, path, r.request_id));
  }
  if (Status s = CheckParams(t, {}); !s.ok()) return fail(s);
  // Ids that cannot exist are not looked up (an empty or oversized LMDB
  // key is an error, not a miss).
  if (!id.empty() && !staff::IsStaffId(id)) return fail(NoStaff(id));
  Respond routed = [route, respond](Response resp) {
    resp.route = route;
    respond(std::move(resp));
  };
  if (route == kStaff) return CreateStaff(r, std::move(routed));
  if (route == kVakt) return PutRota(r, std::move(routed));
  return UpdateStaff(r, id, std::move(routed));
}

// ------------------------------------------------------------ reads

Response Api::ListStaff(const Request& r, const Target& t) {
  auto fail = [&](const Status& s) {
    return Problem(s, r.target, r.request_id);
  };
  if (Status s = CheckParams(t, {"municipality", "skill", "active"}); !s.ok())
    return fail(s);
  std::string municipality, skill;
  if (auto it = t.params.find("municipality"); it != t.params.end()) {
    municipality = it->second;
    if (std::find(municipality_ids_.begin(), municipality_ids_.end(),
                  municipality) == municipality_ids_.end())
      return fail(Status::InvalidParameter(
          "municipality", "unknown municipality '" + municipality +
                              "'; see GET /api/v1/municipalities"));
  }
  std::optional<bool> active;
  if (t.params.count("active")) {
    auto a = BoolParam(t, "active", true);
    if (!a.ok()) return fail(a.status());
    active = *a;
  }
  const sys_seconds at = proto::ToSys(Now());
  auto txn = store::Txn::BeginRead(env_);
  if (!txn.ok()) return fail(txn.status());
  if (auto it = t.params.find("skill"); it != t.params.end()) {
    skill = it->second;
    auto registry = RegistryOf(*txn, tables_, municipality_ids_);
    if (!registry.ok()) return fail(registry.status());
    const auto& skills = registry->skills;
    if (std::find(skills.begin(), skills.end(), skill) == skills.end())
      return fail(Status::InvalidParameter(
          "skill", "unknown skill '" + skill +
                       "'; the skills are in GET /api/v1/catalogue?view=flat"));
  }
  auto rota = store::LoadRota(*txn, tables_);
  if (!rota.ok()) return fail(rota.status());
  auto staff = store::LoadStaff(*txn, tables_);
  if (!staff.ok()) return fail(staff.status());
  v1::ListStaffResponse out;
  for (auto& member : *staff) {
    const auto& covers = member.covers();
    const auto& skills = member.skills();
    if (!municipality.empty() &&
        std::find(covers.begin(), covers.end(), municipality) == covers.end())
      continue;
    if (!skill.empty() &&
        std::find(skills.begin(), skills.end(), skill) == skills.end())
      continue;
    if (active && member.active() != *active) continue;
    if (Status s = AddNow(*txn, tables_, *rota, at, member); !s.ok())
      return fail(s);
    *out.add_staff() = std::move(member);
  }
  return Json(200, ToJson(out));
}

Response Api::GetStaffMember(const Request& r, const Target& t,
                             const std::string& id) {
  auto fail = [&](const Status& s) {
    return Problem(s, r.target, r.request_id);
  };
  if (Status s = CheckParams(t, {}); !s.ok()) return fail(s);
  if (!staff::IsStaffId(id)) return fail(NoStaff(id));
  const sys_seconds at = proto::ToSys(Now());
  auto txn = store::Txn::BeginRead(env_);
  if (!txn.ok()) return fail(txn.status());
  auto member = store::GetStaff(*txn, tables_, id);
  if (!member.ok()) return fail(member.status());
  if (!*member) return fail(NoStaff(id));
  auto rota = store::LoadRota(*txn, tables_);
  if (!rota.ok()) return fail(rota.status());
  if (Status s = AddNow(*txn, tables_, *rota, at, **member); !s.ok())
    return fail(s);
  return StaffResponse(200, **member);
}

Response Api::GetRota(const Request& r, const Target& t) {
  auto fail = [&](const Status& s) {
    return Problem(s, r.target, r.request_id);
  };
  if (Status s = CheckParams(t, {"from", "to"}); !s.ok()) return fail(s);
  auto from = TimeParam(t, "from", sys_seconds::min());
  if (!from.ok()) return fail(from.status());
  auto to = TimeParam(t, "to", sys_seconds::max());
  if (!to.ok()) return fail(to.status());
  if (*to <= *from)
    return fail(Status::InvalidParameter("to", "'to' must be after 'from'"));
  auto txn = store::Txn::BeginRead(env_);
  if (!txn.ok()) return fail(txn.status());
  auto rota = store::LoadRota(*txn, tables_);
  if (!rota.ok()) return fail(rota.status());
  if (t.params.count("from") || t.params.count("to")) {
    // Shifts overlapping [from, to): a shift running over midnight into
    // the range is part of it.
    auto* shifts = rota->mutable_shifts();
    shifts->erase(std::remove_if(shifts->begin(), shifts->end(),
                                 [&](const v1::VaktShift& s) {
                                   return !(proto::ToSys(s.start()) < *to &&
                                            *from < proto::ToSys(s.end()));
                                 }),
                  shifts->end());
  }
  return WithETag(Json(200, ToJson(*rota)), rota->version());
}

Response Api::GetVaktNow(const Request& r, const Target& t) {
  auto fail = [&](const Status& s) {
    return Problem(s, r.target, r.request_id);
  };
  if (Status s = CheckParams(t, {"at"}); !s.ok()) return fail(s);
  auto at = TimeParam(t, "at", proto::ToSys(Now()));
  if (!at.ok()) return fail(at.status());
  auto txn = store::Txn::BeginRead(env_);
  if (!txn.ok()) return fail(txn.status());
  auto rota = store::LoadRota(*txn, tables_);
  if (!rota.ok()) return fail(rota.status());
  v1::VaktNow out;
  *out.mutable_at() = proto::ToTimestamp(*at);
  const v1::VaktShift* shift = staff::ShiftAt(*rota, *at);
  out.set_covered(shift != nullptr);
  if (shift != nullptr) {
    *out.mutable_shift() = *shift;
    // The people on vakt, as the rest of the API shows them, with what they
    // are doing at `at`. A person missing from the registry is named only.
    auto person = [&](const std::string& id, v1::StaffMember& slot) {
      auto member = store::GetStaff(*txn, tables_, id);
      if (!member.ok()) return member.status();
      if (!*member) {
        slot.set_id(id);
        return Status::Ok();
      }
      slot = std::move(**member);
      return AddNow(*txn, tables_, *rota, *at, slot);
    };
    if (!shift->primary().empty()) {
      if (Status s = person(shift->primary(), *out.mutable_primary()); !s.ok())
        return fail(s);
    }
    if (!shift->backup().empty()) {
      if (Status s = person(shift->backup(), *out.mutable_backup()); !s.ok())
        return fail(s);
    }
  }
  if (const v1::VaktShift* next = staff::NextShift(*rota, *at))
    *out.mutable_next() = *next;
  return WithETag(Json(200, ToJson(out)), rota->version());
}

// ------------------------------------------------------------ writes

void Api::CreateStaff(const Request& r, Respond respond) {
  v1::StaffMember body;
  if (Status s = ParseJson(r.body, body); !s.ok())
    return respond(Problem(s, r.target, r.request_id));
  SubmitRegistryWrite(
      r,
      [this, body = std::move(body), rid = r.request_id](
          store::WriteContext& w, const std::string& actor, Response& answer) {
        store::WriteResult result;
        auto registry = RegistryOf(w.txn(), w.tables(), municipality_ids_);
        if (!registry.ok()) {
          result.status = registry.status();
          return result;
        }
        std::optional<v1::StaffMember> existing;
        if (staff::IsStaffId(body.id())) {
          auto found = store::GetStaff(w.txn(), w.tables(), body.id());
          if (!found.ok()) {
            result.status = found.status();
            return result;
          }
          existing = std::move(*found);
        }
        // A bounded registry: every change rebuilds the roster and sweeps it.
        auto roster = rosters_.Get(w.txn());
        if (!roster.ok()) {
          result.status = roster.status();
          return result;
        }
        if (!existing && (*roster)->people().size() >= staff::kMaxStaff) {
          result.status = Status::IllegalTransition(
              {}, "the staff registry holds " +
                      std::to_string((*roster)->people().size()) +
                      " people, its limit; make someone who has left "
                      "inactive and reuse a record, or raise the limit");
          return result;
        }
        auto created = staff::DecideCreate(
            body, existing ? &*existing : nullptr, *registry);
        if (!created.ok()) {
          result.status = AsSent(created.status(), body, *registry);
          return result;
        }
        auto rota = store::LoadRota(w.txn(), w.tables());
        if (!rota.ok()) {
          result.status = rota.status();
          return result;
        }
        v1::Event event;
        *event.mutable_at() = w.now();
        event.set_actor(actor);
        event.set_request_id(rid);
        event.mutable_staff_changed()->set_change(v1::STAFF_CHANGE_CREATED);
        *event.mutable_staff_changed()->mutable_staff() = *created;
        result.status = w.SaveStaff(nullptr, *created, event);
        if (!result.status.ok()) return result;
        result.events.push_back(std::move(event));
        // Someone new may take what waits in the dispatcher queue.
        result.status = Redispatch(w, rid, result);
        if (!result.status.ok()) return result;
        AnswerWithNow(w, *rota, 201, *created, answer);
        return result;
      },
      std::move(respond));
}

void Api::UpdateStaff(const Request& r, const std::string& id,
                      Respond respond) {
  auto if_match = ParseIfMatch(r.if_match);
  if (!if_match.ok())
    return respond(Problem(if_match.status(), r.target, r.request_id));
  v1::StaffMember body;
  if (Status s = ParseJson(r.body, body); !s.ok())
    return respond(Problem(s, r.target, r.request_id));
  SubmitRegistryWrite(
      r,
      [this, id, body = std::move(body), if_match = *if_match,
       rid = r.request_id](store::WriteContext& w, const std::string& actor,
                           Response& answer) {
        store::WriteResult result;
        auto current = store::GetStaff(w.txn(), w.tables(), id);
        if (!current.ok() || !*current) {
          result.status = current.ok() ? NoStaff(id) : current.status();
          return result;
        }
        const v1::StaffMember& before = **current;
        auto registry = RegistryOf(w.txn(), w.tables(), municipality_ids_);
        if (!registry.ok()) {
          result.status = registry.status();
          return result;
        }
        auto updated =
            staff::DecideUpdate(before, id, body, if_match, *registry);
        if (!updated.ok()) {
          result.status = updated.status();
          if (body.id().empty() || body.id() == id) {
            v1::StaffMember sent = body;
            sent.set_id(id);
            result.status = AsSent(result.status, std::move(sent), *registry);
          }
          return result;
        }
        auto rota = store::LoadRota(w.txn(), w.tables());
        if (!rota.ok()) {
          result.status = rota.status();
          return result;
        }
        // The same record again changes nothing: no version, no event.
        v1::StaffMember same = *updated;
        same.set_version(before.version());
        if (google::protobuf::util::MessageDifferencer::Equals(same, before)) {
          AnswerWithNow(w, *rota, 200, same, answer);
          return result;
        }
        v1::Event event;
        *event.mutable_at() = w.now();
        event.set_actor(actor);
        event.set_request_id(rid);
        event.mutable_staff_changed()->set_change(v1::STAFF_CHANGE_UPDATED);
        *event.mutable_staff_changed()->mutable_staff() = *updated;
        result.status = w.SaveStaff(&before, *updated, event);
        if (!result.status.ok()) return result;
        result.events.push_back(std::move(event));

        // Their open tickets move when they just became inactive or absent
        // today, and the dispatcher queue is tried again, all in this
        // transaction: the change commits (or fails) as one.
        result.status = Redispatch(w, rid, result);
        if (!result.status.ok()) return result;

        AnswerWithNow(w, *rota, 200, *updated, answer);
        return result;
      },
      std::move(respond));
}

void Api::PutRota(const Request& r, Respond respond) {
  auto if_match = ParseIfMatch(r.if_match);
  if (!if_match.ok())
    return respond(Problem(if_match.status(), r.target, r.request_id));
  v1::VaktRota body;
  if (Status s = ParseJson(r.body, body); !s.ok())
    return respond(Problem(s, r.target, r.request_id));
  SubmitRegistryWrite(
      r,
      [this, body = std::move(body), if_match = *if_match, rid = r.request_id](
          store::WriteContext& w, const std::string& actor, Response& answer) {
        store::WriteResult result;
        auto current = store::LoadRota(w.txn(), w.tables());
        if (!current.ok()) {
          result.status = current.status();
          return result;
        }
        auto people = store::LoadStaff(w.txn(), w.tables());
        if (!people.ok()) {
          result.status = people.status();
          return result;
        }
        std::vector<std::string> ids;
        std::set<std::string> inactive;
        for (const auto& m : *people) {
          ids.push_back(m.id());
          if (!m.active()) inactive.insert(m.id());
        }
        auto rota = staff::DecideRota(*current, body, if_match, ids);
        if (!rota.ok()) {
          result.status = rota.status();
          return result;
        }
        // Urgent work out of hours goes to whoever is on vakt: someone who
        // has left cannot be.
        std::vector<FieldError> errors;
        for (int i = 0; i < body.shifts_size(); ++i) {
          const auto& s = body.shifts(i);
          const std::string at = "/shifts/" + std::to_string(i);
          if (inactive.count(s.primary()))
            errors.push_back({at + "/primary", "'" + s.primary() +
                                                   "' is not active and "
                                                   "cannot be on vakt"});
          if (inactive.count(s.backup()))
            errors.push_back({at + "/backup", "'" + s.backup() +
                                                  "' is not active and "
                                                  "cannot be on vakt"});
        }
        if (!errors.empty()) {
          std::string detail = std::to_string(errors.size()) +
                               " problem(s) in the vakt rota; nothing was "
                               "changed. The first: " +
                               errors.front().detail;
          result.status = Status::Invalid(std::move(detail), std::move(errors));
          return result;
        }
        // The same shifts again change nothing: no version, no event.
        if (current->version() != 0) {
          v1::VaktRota same = *rota;
          same.set_version(current->version());
          if (google::protobuf::util::MessageDifferencer::Equals(same,
                                                                 *current)) {
            answer = WithETag(Json(200, ToJson(same)), same.version());
            return result;
          }
        }
        v1::Event event;
        *event.mutable_at() = w.now();
        event.set_actor(actor);
        event.set_request_id(rid);
        event.mutable_vakt_changed()->set_version(rota->version());
        event.mutable_vakt_changed()->set_shifts(
            static_cast<uint32_t>(rota->shifts_size()));
        result.status = w.SaveRota(*rota, event);
        if (!result.status.ok()) return result;
        result.events.push_back(std::move(event));
        // A new vakt may take urgent work waiting in the dispatcher queue.
        result.status = Redispatch(w, rid, result);
        if (!result.status.ok()) return result;
        answer = WithETag(Json(200, ToJson(*rota)), rota->version());
        return result;
      },
      std::move(respond));
}

void Api::SubmitRegistryWrite(const Request& r, RegistryWrite write,
                              Respond respond) {
  auto actor = ActorOf(r.actor);
  if (!actor.ok())
    return respond(Problem(actor.status(), r.target, r.request_id));
  // Filled on the writer thread by the write, read there by the completion
  // after the commit; a retried batch simply fills it again.
  auto out = std::make_shared<Response>();
  auto shared = std::make_shared<Respond>(std::move(respond));
  Status queued = writer_.Submit(
      [write = std::move(write), out, actor = *actor](store::WriteContext& w) {
        return write(w, actor, *out);
      },
      [this, out, shared, instance = r.target,
       rid = r.request_id](store::WriteResult result) {
        if (!result.status.ok()) {
          // A roster cached from a transaction that did not commit must
          // not outlive it (see roster_cache.h).
          rosters_.Invalidate();
          (*shared)(Problem(result.status, instance, rid));
          return;
        }
        (*shared)(std::move(*out));
      });
  if (!queued.ok()) (*shared)(Problem(queued, r.target, r.request_id));
}

}  // namespace helpdesk::http
