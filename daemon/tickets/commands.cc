#include "daemon/tickets/commands.h"

#include <algorithm>
#include <charconv>

#include "catalogue/catalogue.h"
#include "daemon/tickets/state_machine.h"
#include "proto/events.h"
#include "proto/ticket_status.h"
#include "proto/versions.h"
#include "proto/wire_names.h"

namespace helpdesk::tickets {
namespace {

bool IsBlank(std::string_view s) {
  return s.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

// Control characters break logs, CSV exports and terminals; free text may
// keep newlines and tabs, one-line fields may not.
bool HasControl(std::string_view s, bool allow_newlines) {
  for (unsigned char c : s) {
    if (c == 0x7f) return true;
    if (c < 0x20 && !(allow_newlines && (c == '\n' || c == '\t' || c == '\r')))
      return true;
  }
  return false;
}

struct TextRule {
  bool required;
  size_t max_bytes;
  bool multiline;
};

Status CheckText(std::string_view field, std::string_view value, TextRule r) {
  if (value.empty() || IsBlank(value)) {
    if (!r.required)
      return value.empty()
                 ? Status::Ok()
                 : Status::InvalidField(
                       std::string(field),
                       "field '" + std::string(field) +
                           "' is blank; leave it out or give a value");
    return Status::InvalidField(
        std::string(field),
        "field '" + std::string(field) + "' is required and must not be empty");
  }
  if (value.size() > r.max_bytes) {
    return Status::InvalidField(
        std::string(field), "field '" + std::string(field) + "' is " +
                                std::to_string(value.size()) +
                                " bytes; at most " +
                                std::to_string(r.max_bytes) + " are allowed");
  }
  if (HasControl(value, r.multiline)) {
    return Status::InvalidField(
        std::string(field), "field '" + std::string(field) +
                                "' contains control characters" +
                                (r.multiline ? "" : " (it must be one line)"));
  }
  return Status::Ok();
}

constexpr TextRule kName{true, kMaxNameBytes, false};

std::string KnownMunicipalities(const v1::Region& region) {
  std::string out;
  for (const auto& m : region.municipalities()) {
    if (!out.empty()) out += ", ";
    out += m.id();
  }
  return out;
}

v1::Event NewEvent(const v1::Ticket& ticket, std::string actor,
                   const RequestContext& ctx) {
  v1::Event e = proto::NewEvent({ctx.now, std::move(actor), ctx.request_id});
  e.set_ticket_id(ticket.id());
  e.set_ticket_version(ticket.version());
  return e;
}

// The change is based on the ticket's current version: `if_match` or the
// body's version (one is required) must be it.
Status CheckVersion(const v1::Ticket& current, uint32_t body_version,
                    std::optional<uint32_t> if_match) {
  auto base = proto::BaseVersion(body_version, if_match, "the ticket");
  if (!base.ok()) return base.status();
  if (*base == current.version()) return Status::Ok();
  return Status::VersionConflict(
      current.version(),
      "ticket " + current.id() + " is at version " +
          std::to_string(current.version()) + ", not " + std::to_string(*base) +
          "; someone changed it since you read it: fetch it again and retry");
}

}  // namespace

Status ValidateCreate(const v1::CreateTicketRequest& req,
                      const v1::Region& region) {
  if (Status s = CheckText("title", req.title(), {true, kMaxTitleBytes, false});
      !s.ok())
    return s;
  if (Status s = CheckText("description", req.description(),
                           {true, kMaxTextBytes, true});
      !s.ok())
    return s;
  if (Status s = CheckText("municipality", req.municipality(), kName); !s.ok())
    return s;
  if (Status s = CheckText("serviceId", req.service_id(), kName); !s.ok())
    return s;
  if (Status s = CheckText("reporter", req.reporter(), kName); !s.ok())
    return s;
  if (Status s =
          CheckText("location", req.location(), {false, kMaxNameBytes, false});
      !s.ok())
    return s;

  const v1::Municipality* municipality = nullptr;
  for (const auto& m : region.municipalities()) {
    if (m.id() == req.municipality()) municipality = &m;
  }
  if (municipality == nullptr) {
    return Status::InvalidField("municipality",
                                "field 'municipality': unknown municipality '" +
                                    req.municipality() +
                                    "'; known: " + KnownMunicipalities(region));
  }
  if (!req.location().empty()) {
    bool found = false;
    std::string known;
    for (const auto& l : municipality->locations()) {
      found = found || l.id() == req.location();
      known += (known.empty() ? "" : ", ") + l.id();
    }
    if (!found) {
      return Status::InvalidField(
          "location", "field 'location': '" + req.location() +
                          "' is not a location in " + municipality->name() +
                          "; known there: " + known);
    }
  }
  return Status::Ok();
}

Status CheckService(const v1::CreateTicketRequest& req,
                    const v1::Service* service) {
  if (service == nullptr) {
    return Status::InvalidField(
        "serviceId", "field 'serviceId': no service '" + req.service_id() +
                         "' in the tjenestekatalog; find one with GET "
                         "/api/v1/catalogue/services?q=<words>");
  }
  if (service->state() != v1::SERVICE_STATE_ACTIVE) {
    return Status::InvalidField(
        "serviceId", "field 'serviceId': service '" + service->id() + "' (" +
                         service->name() +
                         ") is retired; choose an active service from GET "
                         "/api/v1/catalogue");
  }
  if (!catalogue::AppliesTo(*service, req.municipality())) {
    std::string where;
    for (const auto& m : service->municipalities())
      where += (where.empty() ? "" : ", ") + m;
    return Status::InvalidField(
        "serviceId",
        "field 'serviceId': service '" + service->id() + "' (" +
            service->name() + ") is not offered in " + req.municipality() +
            ", only in " + where +
            "; see GET /api/v1/catalogue?municipality=" + req.municipality());
  }
  return Status::Ok();
}

Change DecideCreate(const v1::CreateTicketRequest& req,
                    const v1::Service& service, uint64_t number,
                    const RequestContext& ctx) {
  Change c;
  v1::Ticket& t = c.ticket;
  t.set_id(std::to_string(number));
  t.set_title(req.title());
  t.set_description(req.description());
  t.set_municipality(req.municipality());
  t.set_location(req.location());
  t.set_service_id(req.service_id());
  t.set_priority(req.priority() != v1::PRIORITY_UNSPECIFIED ? req.priority()
                 : service.default_priority() != v1::PRIORITY_UNSPECIFIED
                     ? service.default_priority()
                     : v1::PRIORITY_NORMAL);
  *t.mutable_service() = catalogue::Snapshot(service);
  t.set_reporter(req.reporter());
  t.set_status(v1::TICKET_STATUS_NEW);
  *t.mutable_created_at() = ctx.now;
  *t.mutable_updated_at() = ctx.now;
  t.set_version(1);
  c.event = NewEvent(t, req.reporter(), ctx);
  *c.event.mutable_ticket_created()->mutable_ticket() = t;
  return c;
}

StatusOr<Change> DecideStatusChange(const v1::Ticket& current,
                                    const v1::ChangeStatusRequest& req,
                                    std::optional<uint32_t> if_match,
                                    const RequestContext& ctx) {
  if (req.status() == v1::TICKET_STATUS_UNSPECIFIED) {
    return Status::InvalidField(
        "status", "field 'status' is required; one of " +
                      proto::WireEnumChoices(v1::TicketStatus_descriptor()));
  }
  if (Status s =
          CheckText("reason", req.reason(), {false, kMaxTextBytes, true});
      !s.ok())
    return s;
  if (Status s = CheckText("actor", req.actor(), {false, kMaxNameBytes, false});
      !s.ok())
    return s;
  if (req.status() == v1::TICKET_STATUS_ASSIGNED || !req.assignee().empty()) {
    const std::string field = req.assignee().empty() ? "status" : "assignee";
    return Status::InvalidField(
        field,
        "field '" + field +
            "': tickets are given to people through POST /api/v1/tickets/" +
            current.id() +
            "/assign (a dispatcher, with a reason) or /take (an agent), "
            "not by a status change; the dispatcher assigns new tickets "
            "automatically");
  }
  if (Status s = CheckVersion(current, req.version(), if_match); !s.ok())
    return s;
  if (!IsAllowed(current.status(), req.status())) {
    std::vector<std::string> allowed;
    std::string list;
    for (auto s : AllowedNext(current.status())) {
      allowed.push_back(proto::WireName(s));
      list += (list.empty() ? "" : ", ") + allowed.back();
    }
    return Status::IllegalTransition(
        allowed, "a ticket in '" + proto::WireName(current.status()) +
                     "' cannot move to '" + proto::WireName(req.status()) +
                     "'; allowed: " + (list.empty() ? "none" : list) +
                     (IsAllowed(current.status(), v1::TICKET_STATUS_ASSIGNED)
                          ? " ('assigned' through POST /api/v1/tickets/" +
                                current.id() + "/assign or /take)"
                          : ""));
  }

  Change c;
  c.ticket = current;
  v1::Ticket& t = c.ticket;
  t.set_status(req.status());
  *t.mutable_updated_at() = ctx.now;
  t.set_version(current.version() + 1);
  c.event = NewEvent(t, req.actor().empty() ? "system" : req.actor(), ctx);
  auto* sc = c.event.mutable_status_changed();
  sc->set_from(current.status());
  sc->set_to(req.status());
  sc->set_reason(req.reason());
  return c;
}

StatusOr<Change> DecideAssignment(const v1::Ticket& current, v1::Assignment a,
                                  bool check_version, uint32_t version,
                                  std::optional<uint32_t> if_match,
                                  const RequestContext& ctx) {
  if (check_version) {
    if (Status s = CheckVersion(current, version, if_match); !s.ok()) return s;
  }
  if (!proto::IsOpen(current.status())) {
    return Status::IllegalTransition(
        {}, "ticket " + current.id() + " is " +
                proto::WireName(current.status()) +
                " and is not assigned again; reopen it first (status "
                "'in_progress')");
  }
  Change c;
  c.ticket = current;
  v1::Ticket& t = c.ticket;
  switch (a.outcome()) {
    case v1::ASSIGNMENT_OUTCOME_ASSIGNED:
      if (a.assignee() == current.assignee()) {
        return Status::IllegalTransition({}, "ticket " + current.id() +
                                                 " is already assigned to " +
                                                 current.assignee());
      }
      t.set_assignee(a.assignee());
      if (current.status() == v1::TICKET_STATUS_NEW ||
          current.status() == v1::TICKET_STATUS_IN_PROGRESS)
        t.set_status(v1::TICKET_STATUS_ASSIGNED);
      break;
    case v1::ASSIGNMENT_OUTCOME_UNASSIGNED:
      if (!current.assignee().empty())
        return Status::Internal("an unassigned decision for ticket " +
                                current.id() + ", which has an assignee");
      break;
    default:  // KEPT
      break;
  }
  *t.mutable_assignment() = a;
  *t.mutable_updated_at() = ctx.now;
  t.set_version(current.version() + 1);
  c.event = NewEvent(t, a.by().empty() ? "dispatch" : a.by(), ctx);
  auto* e = c.event.mutable_assigned();
  *e->mutable_assignment() = std::move(a);
  e->set_from(current.status());
  e->set_to(t.status());
  return c;
}

StatusOr<Change> DecidePriorityChange(const v1::Ticket& current,
                                      const v1::ChangePriorityRequest& req,
                                      std::optional<uint32_t> if_match,
                                      const std::string& actor,
                                      const RequestContext& ctx) {
  if (req.priority() == v1::PRIORITY_UNSPECIFIED) {
    return Status::InvalidField(
        "priority", "field 'priority' is required; one of " +
                        proto::WireEnumChoices(v1::Priority_descriptor()));
  }
  if (Status s =
          CheckText("reason", req.reason(), {false, kMaxTextBytes, true});
      !s.ok())
    return s;
  if (Status s = CheckVersion(current, req.version(), if_match); !s.ok())
    return s;
  if (!proto::IsOpen(current.status())) {
    return Status::IllegalTransition(
        {}, "ticket " + current.id() + " is " +
                proto::WireName(current.status()) +
                "; the priority of a finished ticket stays as it was");
  }
  if (req.priority() == current.priority()) {
    return Status::IllegalTransition(
        {}, "ticket " + current.id() + " already has priority '" +
                proto::WireName(current.priority()) + "'");
  }
  Change c;
  c.ticket = current;
  c.ticket.set_priority(req.priority());
  *c.ticket.mutable_updated_at() = ctx.now;
  c.ticket.set_version(current.version() + 1);
  c.event = NewEvent(c.ticket, actor, ctx);
  auto* e = c.event.mutable_priority_changed();
  e->set_from(current.priority());
  e->set_to(req.priority());
  e->set_reason(req.reason());
  return c;
}

StatusOr<Change> DecideComment(const v1::Ticket& current,
                               const v1::AddCommentRequest& req,
                               const RequestContext& ctx) {
  if (Status s = CheckText("author", req.author(), kName); !s.ok()) return s;
  if (Status s = CheckText("body", req.body(), {true, kMaxTextBytes, true});
      !s.ok())
    return s;
  if (current.status() == v1::TICKET_STATUS_CLOSED) {
    return Status::IllegalTransition(
        {}, "ticket " + current.id() +
                " is closed and takes no more comments; file a new ticket");
  }
  Change c;
  c.ticket = current;
  c.ticket.set_comment_count(current.comment_count() + 1);
  const bool internal = req.visibility() == v1::VISIBILITY_INTERNAL;
  if (internal)
    c.ticket.set_internal_comment_count(current.internal_comment_count() + 1);
  *c.ticket.mutable_updated_at() = ctx.now;
  c.ticket.set_version(current.version() + 1);
  c.event = NewEvent(c.ticket, req.author(), ctx);
  c.event.mutable_comment_added()->set_author(req.author());
  c.event.mutable_comment_added()->set_body(req.body());
  c.event.mutable_comment_added()->set_visibility(
      internal ? v1::VISIBILITY_INTERNAL : v1::VISIBILITY_PUBLIC);
  return c;
}

StatusOr<Change> DecideFollower(const v1::Ticket& current,
                                const std::string& account, bool add,
                                const std::string& actor,
                                const RequestContext& ctx) {
  if (Status s = CheckText("account", account, kName); !s.ok()) return s;
  const auto& followers = current.followers();
  const auto at = std::find(followers.begin(), followers.end(), account);
  const bool follows = at != followers.end();
  // Closed is final, as for comments: and a change would move updatedAt,
  // from which retention counts.
  if (current.status() == v1::TICKET_STATUS_CLOSED)
    return Status::IllegalTransition(
        {}, "ticket " + current.id() +
                " is closed: its followers stay as they were; file a new "
                "ticket");
  if (add) {
    if (account == current.reporter())
      return Status::InvalidField(
          "account", "'" + account + "' reported ticket " + current.id() +
                         " and follows it already");
    if (follows)
      return Status::InvalidField(
          "account",
          "'" + account + "' follows ticket " + current.id() + " already");
    if (static_cast<size_t>(followers.size()) >= kMaxFollowers)
      return Status::InvalidField(
          "account", "ticket " + current.id() + " has " +
                         std::to_string(kMaxFollowers) +
                         " followers, the most it takes; remove one first");
  } else if (!follows) {
    return Status::InvalidField(
        "account", "'" + account + "' does not follow ticket " + current.id());
  }
  Change c;
  c.ticket = current;
  if (add) {
    c.ticket.add_followers(account);
  } else {
    auto* list = c.ticket.mutable_followers();
    list->erase(list->begin() + (at - followers.begin()));
  }
  *c.ticket.mutable_updated_at() = ctx.now;
  c.ticket.set_version(current.version() + 1);
  c.event = NewEvent(c.ticket, actor, ctx);
  (add ? c.event.mutable_follower_added() : c.event.mutable_follower_removed())
      ->set_account(account);
  return c;
}

std::optional<uint64_t> ParseTicketId(std::string_view id) {
  uint64_t n = 0;
  if (id.empty() || id.size() > 19 || id[0] == '0') return std::nullopt;
  auto [end, ec] = std::from_chars(id.data(), id.data() + id.size(), n);
  if (ec != std::errc() || end != id.data() + id.size()) return std::nullopt;
  return n;
}

}  // namespace helpdesk::tickets
