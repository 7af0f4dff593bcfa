// The staff registry and the vakt rota routes. People are answered with
// what they are doing at the moment of the answer (`now`), which the desk
// adds.

#include "daemon/desk/desk.h"
#include "daemon/http/api.h"
#include "daemon/http/query.h"
#include "daemon/http/responses.h"
#include "proto/json.h"

namespace helpdesk::http {
namespace {

using std::chrono::sys_seconds;

constexpr std::string_view kStaff = "/api/v1/staff";

// One person, as a write or a read answers it.
Response StaffResponse(int status, const v1::StaffMember& member) {
  Response resp = WithETag(Json(status, member), member.version());
  if (status == 201)
    resp.headers.emplace_back("Location",
                              std::string(kStaff) + "/" + member.id());
  return resp;
}

}  // namespace

void Api::ListStaff(const Call& c, Respond respond) {
  const Target& t = c.target;
  desk::StaffQuery query;
  if (t.params.count("municipality"))
    query.municipality = t.params.at("municipality");
  if (Status s = desk_.CheckMunicipality(query.municipality); !s.ok())
    return respond(Fail(c, s));
  if (t.params.count("skill")) query.skill = t.params.at("skill");
  if (t.params.count("active")) {
    auto active = BoolParam(t, "active", true);
    if (!active.ok()) return respond(Fail(c, active.status()));
    query.active = *active;
  }
  auto staff = desk_.ListStaff(query);
  if (!staff.ok()) return respond(Fail(c, staff.status()));
  respond(Json(200, *staff));
}

void Api::GetStaffMember(const Call& c, Respond respond) {
  auto member = desk_.GetStaffMember(c.id);
  if (!member.ok()) return respond(Fail(c, member.status()));
  respond(StaffResponse(200, *member));
}

void Api::GetRota(const Call& c, Respond respond) {
  const Target& t = c.target;
  auto from = OptionalTimeParam(t, "from");
  if (!from.ok()) return respond(Fail(c, from.status()));
  auto to = OptionalTimeParam(t, "to");
  if (!to.ok()) return respond(Fail(c, to.status()));
  if (*from && *to && **to <= **from)
    return respond(
        Fail(c, Status::InvalidParameter("to", "'to' must be after 'from'")));
  auto rota = desk_.GetRota(*from, *to);
  if (!rota.ok()) return respond(Fail(c, rota.status()));
  respond(WithETag(Json(200, *rota), rota->version()));
}

void Api::VaktNow(const Call& c, Respond respond) {
  auto at = OptionalTimeParam(c.target, "at");
  if (!at.ok()) return respond(Fail(c, at.status()));
  auto now = desk_.VaktNow(*at);
  if (!now.ok()) return respond(Fail(c, now.status()));
  respond(WithETag(Json(200, now->vakt), now->rota_version));
}

void Api::CreateStaff(const Call& c, Respond respond) {
  auto change = ReadChange<v1::StaffMember>(c, /*versioned=*/false);
  if (!change.ok()) return respond(Fail(c, change.status()));
  desk_.CreateStaff(std::move(change->origin), std::move(change->body),
                    Answer<v1::StaffMember>(c, std::move(respond),
                                            [](const v1::StaffMember& m) {
                                              return StaffResponse(201, m);
                                            }));
}

void Api::UpdateStaff(const Call& c, Respond respond) {
  auto change = ReadChange<v1::StaffMember>(c);
  if (!change.ok()) return respond(Fail(c, change.status()));
  desk_.UpdateStaff(std::move(change->origin), c.id, std::move(change->body),
                    change->if_match,
                    Answer<v1::StaffMember>(c, std::move(respond),
                                            [](const v1::StaffMember& m) {
                                              return StaffResponse(200, m);
                                            }));
}

void Api::PutRota(const Call& c, Respond respond) {
  auto change = ReadChange<v1::VaktRota>(c);
  if (!change.ok()) return respond(Fail(c, change.status()));
  desk_.PutRota(
      std::move(change->origin), std::move(change->body), change->if_match,
      Answer<v1::VaktRota>(c, std::move(respond), [](const v1::VaktRota& rota) {
        return WithETag(Json(200, rota), rota.version());
      }));
}

}  // namespace helpdesk::http
