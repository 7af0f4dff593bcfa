// The Desk's reads: each in one short LMDB read transaction on the caller's
// thread, never held across anything else.

#include <algorithm>

#include "catalogue/catalogue.h"
#include "catalogue/search.h"
#include "daemon/auth/policy.h"
#include "daemon/desk/context.h"
#include "daemon/desk/desk.h"
#include "daemon/desk/internal.h"
#include "daemon/desk/staff_view.h"
#include "daemon/dispatch/coverage.h"
#include "daemon/staff/schedule.h"
#include "daemon/store/catalogue_tables.h"
#include "daemon/store/comment_tables.h"
#include "daemon/store/lmdb.h"
#include "daemon/store/record_check.h"
#include "daemon/store/staff_tables.h"
#include "daemon/store/tables.h"
#include "daemon/store/ticket_words.h"
#include "proto/timestamps.h"
#include "proto/wire_names.h"

namespace helpdesk::desk {
namespace {

using std::chrono::sys_seconds;

bool Known(const std::vector<std::string>& ids, std::string_view id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

// A filter `parameter` naming no `what`: the known ids, so the client sees
// its typo ("Rollag" for "rollag"), rather than an empty list. At most 50
// are named; `where` lists them all.
Status UnknownFilter(const std::string& parameter, std::string_view what,
                     std::string_view id, const std::vector<std::string>& ids,
                     std::string_view where) {
  constexpr size_t kMaxNamed = 50;
  std::string known;
  for (size_t i = 0; i < ids.size() && i < kMaxNamed; ++i)
    known += (i ? ", " : "") + ids[i];
  if (ids.size() > kMaxNamed)
    known += " and " + std::to_string(ids.size() - kMaxNamed) + " more";
  return Status::InvalidParameter(
      parameter, "unknown " + std::string(what) + " '" + std::string(id) +
                     "' in '" + parameter + "'; the known ids are: " +
                     (known.empty() ? "none" : known) + " (see " +
                     std::string(where) + ")");
}

}  // namespace

Status Desk::CheckMunicipality(std::string_view id) const {
  if (id.empty() || Known(context_->municipality_ids(), id))
    return Status::Ok();
  return UnknownFilter("municipality", "municipality", id,
                       context_->municipality_ids(),
                       "GET /api/v1/municipalities");
}

// ------------------------------------------------------------ tickets

StatusOr<v1::Ticket> Desk::GetTicket(const auth::Principal& who,
                                     std::string_view id) const {
  const auto number = tickets::ParseTicketId(id);
  if (!number) return NoSuchTicket(id);
  auto txn = store::Txn::BeginRead(env_);
  if (!txn.ok()) return txn.status();
  auto ticket = store::GetTicket(*txn, tables_, *number);
  if (!ticket.ok()) return ticket.status();
  if (!*ticket || !auth::MaySee(who, **ticket)) return NoSuchTicket(id);
  if (Status s = AddLatestComments(*txn, tables_, **ticket); !s.ok()) return s;
  v1::Ticket out = WithClocks(std::move(**ticket));
  auth::Redact(who, out);
  NoteRead(who, out.id(), "ticket");
  return out;
}

namespace {

// The page of ticket `id`'s comments before `seq`; `limit` 0: the default.
std::string CommentsLink(std::string_view id, uint64_t seq, size_t limit) {
  std::string link = "/api/v1/tickets/" + std::string(id) +
                     "/comments?before=" + std::to_string(seq);
  if (limit) link += "&limit=" + std::to_string(limit);
  return link;
}

}  // namespace

Status AddLatestComments(const store::Txn& txn, const store::Tables& tables,
                         v1::Ticket& ticket) {
  ticket.clear_comments();
  ticket.clear_comments_next();
  if (ticket.comment_count() == 0) return Status::Ok();
  const auto number = tickets::ParseTicketId(ticket.id());
  if (!number) return NoSuchTicket(ticket.id());
  auto page =
      store::ListComments(txn, tables, *number, /*before=*/0, kTicketComments);
  if (!page.ok()) return page.status();
  for (auto& c : page->comments) *ticket.add_comments() = std::move(c);
  if (page->next_before)
    ticket.set_comments_next(CommentsLink(ticket.id(), *page->next_before, 0));
  return Status::Ok();
}

StatusOr<v1::ListCommentsResponse> Desk::ListComments(
    const auth::Principal& who, const CommentQuery& query) const {
  const auto number = tickets::ParseTicketId(query.ticket);
  if (!number) return NoSuchTicket(query.ticket);
  auto txn = store::Txn::BeginRead(env_);
  if (!txn.ok()) return txn.status();
  auto ticket =
      store::GetTicket(*txn, tables_, *number, store::TicketDetail::kRecord);
  // A damaged ticket's comments are still there, as its history is.
  if (!ticket.ok() && !store::IsDamaged(ticket.status()))
    return ticket.status();
  if (ticket.ok() && !*ticket) return NoSuchTicket(*number);
  // Only staff read a damaged ticket's comments: whose it is is unknown.
  if (!ticket.ok() ? !who.IsStaff() : !auth::MaySee(who, **ticket))
    return NoSuchTicket(*number);
  auto page =
      store::ListComments(*txn, tables_, *number, query.before, query.limit);
  if (!page.ok()) return page.status();
  v1::ListCommentsResponse out;
  if (ticket.ok()) {
    const v1::Ticket& t = **ticket;
    out.set_comment_count(who.IsStaff()
                              ? t.comment_count()
                              : t.comment_count() - t.internal_comment_count());
  }
  // A page of an employee's may hold fewer than `limit`: the internal
  // notes among them are left out.
  for (auto& c : page->comments)
    if (auth::MaySee(who, c)) *out.add_comments() = std::move(c);
  NoteRead(who, std::to_string(*number), "comments");
  if (page->next_before) {
    out.set_next_cursor(std::to_string(*page->next_before));
    out.set_next(CommentsLink(query.ticket, *page->next_before, query.limit));
  }
  return out;
}

StatusOr<TicketPage> Desk::ListTickets(const auth::Principal& who,
                                       const TicketQuery& query) const {
  store::TicketFilter filter;
  filter.status = query.status;
  filter.municipality = query.municipality;
  filter.assignee = query.assignee;
  if (Status s = CheckMunicipality(query.municipality); !s.ok()) return s;
  // A text of spaces alone is no search; one of stop words alone finds
  // nothing (and is still a read the audit notes).
  const bool searching =
      query.text.find_first_not_of(" \t") != std::string::npos;
  if (searching) {
    filter.words = store::QueryWords(query.text);
    filter.search_steps = kSearchSteps;
  } else {
    filter.search_steps = kListSteps;  // with two filters or more
  }
  if (!who.IsStaff()) {
    // An employee lists their own tickets (auth/policy.h): another
    // municipality's filter finds none.
    if (!who.Has(auth::kEmployee)) return TicketPage{};
    filter.reporter = who.account;
    filter.with_followed = true;  // and what colleagues let them follow
    if (!filter.municipality.empty() && filter.municipality != who.municipality)
      return TicketPage{};
    filter.municipality = who.municipality;
  }
  auto txn = store::Txn::BeginRead(env_);
  if (!txn.ok()) return txn.status();
  // Only staff are ever assigned (dispatch refuses anyone else).
  if (!query.assignee.empty()) {
    auto member = store::GetStaff(*txn, tables_, query.assignee);
    // A person whose record cannot be read is still there, with tickets.
    if (!member.ok() && !store::IsDamaged(member.status()))
      return member.status();
    if (member.ok() && !*member) {
      // Who the staff are is not an employee's to learn from a typo.
      if (!who.IsStaff()) return TicketPage{};
      auto staff = store::LoadStaff(*txn, tables_);
      if (!staff.ok()) return staff.status();
      std::vector<std::string> ids;
      for (const auto& m : *staff) ids.push_back(m.id());
      return UnknownFilter("assignee", "staff member", query.assignee, ids,
                           "GET /api/v1/staff");
    }
  }
  auto page = searching && filter.words.empty()
                  ? StatusOr<store::TicketPage>(store::TicketPage{})
                  : store::ListTickets(*txn, tables_, filter, query.before,
                                       query.limit);
  if (!page.ok()) return page.status();
  for (auto& t : page->tickets) {
    // A row leaves out the decision's reasons (GET the ticket for them),
    // also a decision older than schema 10 that its record keeps whole.
    if (t.has_assignment()) {
      t.mutable_assignment()->clear_steps();
      t.mutable_assignment()->clear_explanation();
    }
    auth::Redact(who, t);
  }
  std::string filters;
  if (query.status != v1::TICKET_STATUS_UNSPECIFIED)
    filters += "status=" + proto::WireName(query.status) + "&";
  if (!query.municipality.empty())
    filters += "municipality=" + query.municipality + "&";
  if (!query.assignee.empty()) filters += "assignee=" + query.assignee + "&";
  // That a search was made, not what for: the text may name anyone.
  if (searching)
    filters += "q=(" + std::to_string(filter.words.size()) + " words)&";
  if (query.before) filters += "before=" + std::to_string(query.before) + "&";
  if (!filters.empty()) filters.pop_back();
  NoteRead(who, "", "list", filters);
  return TicketPage{std::move(page->tickets), page->next_before};
}

StatusOr<v1::ListEventsResponse> Desk::ListEvents(
    const auth::Principal& who, const EventQuery& query) const {
  std::optional<uint64_t> ticket;
  if (query.ticket) {
    ticket = tickets::ParseTicketId(*query.ticket);
    if (!ticket) return NoSuchTicket(*query.ticket);
  }
  // The whole log is the staff's; an employee reads their tickets' own.
  if (!ticket && !who.IsStaff())
    return Status::Forbidden("",
                             "the event log is for IT staff; read a "
                             "ticket's own at /api/v1/tickets/{id}/events");
  auto txn = store::Txn::BeginRead(env_);
  if (!txn.ok()) return txn.status();
  if (ticket) {
    auto found =
        store::GetTicket(*txn, tables_, *ticket, store::TicketDetail::kRecord);
    // A damaged ticket's history is still there, and is what an operator
    // looks at to see what the ticket was (staff only: whose it is is
    // unknown).
    if (!found.ok() && !store::IsDamaged(found.status())) return found.status();
    if (found.ok() && !*found) return NoSuchTicket(*ticket);
    if (!found.ok() ? !who.IsStaff() : !auth::MaySee(who, **found))
      return NoSuchTicket(*ticket);
  }
  auto page =
      store::ListEvents(*txn, tables_, query.after, query.limit, ticket);
  if (!page.ok()) return page.status();
  v1::ListEventsResponse out;
  NoteRead(who, ticket ? std::to_string(*ticket) : "", "events",
           ticket ? "" : "after=" + std::to_string(query.after));
  for (auto& e : page->events) {
    if (!auth::MaySee(who, e)) continue;
    // Where a request came from is the admins' to read (the audit).
    if (!who.Has(auth::kAdmin)) e.clear_client_address();
    *out.add_events() = std::move(e);
  }
  // For the log, the cursor is simply the last seq seen: a dashboard keeps
  // it and resumes from it.
  if (page->next_after) out.set_next_cursor(std::to_string(*page->next_after));
  return out;
}

// ------------------------------------------------------------ catalogue

StatusOr<v1::Catalogue> Desk::Catalogue() const {
  auto txn = store::Txn::BeginRead(env_);
  if (!txn.ok()) return txn.status();
  return store::LoadCatalogue(*txn, tables_);
}

StatusOr<v1::CatalogueTree> Desk::CatalogueTree(std::string_view municipality,
                                                bool include_retired) const {
  if (Status s = CheckMunicipality(municipality); !s.ok()) return s;
  auto c = Catalogue();
  if (!c.ok()) return c.status();
  return catalogue::BuildTree(*c, municipality, include_retired);
}

struct Desk::SearchCache {
  explicit SearchCache(v1::Catalogue c)
      : catalogue(std::move(c)), index(catalogue) {}
  const v1::Catalogue catalogue;
  const catalogue::SearchIndex index;  // over `catalogue`
};

StatusOr<std::shared_ptr<const Desk::SearchCache>> Desk::Searchable() const {
  auto txn = store::Txn::BeginRead(env_);
  if (!txn.ok()) return txn.status();
  auto version = store::CatalogueVersion(*txn, tables_);
  if (!version.ok()) return version.status();
  {
    std::lock_guard lock(search_mu_);
    if (search_ && search_->catalogue.version() == *version) return search_;
  }
  auto c = store::LoadCatalogue(*txn, tables_);
  if (!c.ok()) return c.status();
  auto built = std::make_shared<const SearchCache>(std::move(*c));
  std::lock_guard lock(search_mu_);
  // Two searches may build at once; the newer catalogue stays.
  if (!search_ || search_->catalogue.version() <= built->catalogue.version())
    search_ = built;
  return built;
}

StatusOr<v1::ListServicesResponse> Desk::SearchServices(
    const ServiceQuery& query) const {
  if (Status s = CheckMunicipality(query.municipality); !s.ok()) return s;
  auto searchable = Searchable();
  if (!searchable.ok()) return searchable.status();
  const v1::Catalogue* c = &(*searchable)->catalogue;
  if (!query.category.empty() && !catalogue::FindCategory(*c, query.category)) {
    std::vector<std::string> ids;
    for (const auto& category : c->categories()) ids.push_back(category.id());
    return UnknownFilter("category", "category", query.category, ids,
                         "GET /api/v1/catalogue/categories");
  }
  catalogue::SearchOptions o;
  o.municipality = query.municipality;
  o.category = query.category;
  o.include_retired = query.include_retired;
  o.limit = query.limit;
  v1::ListServicesResponse out;
  for (const auto& hit : (*searchable)->index.Search(query.text, o))
    *out.add_services() = *hit.service;
  return out;
}

StatusOr<v1::Service> Desk::GetService(std::string_view id) const {
  auto txn = store::Txn::BeginRead(env_);
  if (!txn.ok()) return txn.status();
  auto s = store::GetService(*txn, tables_, id);
  if (!s.ok()) return s.status();
  if (!*s)
    return Status::NotFound("no service '" + std::string(id) +
                            "' in the catalogue; search with GET "
                            "/api/v1/catalogue/services?q=<words>");
  return std::move(**s);
}

StatusOr<v1::Category> Desk::GetCategory(std::string_view id) const {
  auto c = Catalogue();
  if (!c.ok()) return c.status();
  const v1::Category* category = catalogue::FindCategory(*c, id);
  if (category == nullptr)
    return Status::NotFound("no category '" + std::string(id) +
                            "' in the catalogue");
  return *category;
}

// ------------------------------------------------------------ staff

StatusOr<v1::ListStaffResponse> Desk::ListStaff(const StaffQuery& query) const {
  if (Status s = CheckMunicipality(query.municipality); !s.ok()) return s;
  const sys_seconds at = proto::ToSys(Now());
  auto txn = store::Txn::BeginRead(env_);
  if (!txn.ok()) return txn.status();
  if (!query.skill.empty()) {
    auto registry = RegistryOf(*txn, tables_, context_->municipality_ids());
    if (!registry.ok()) return registry.status();
    if (!Known(registry->skills, query.skill))
      return UnknownFilter("skill", "skill", query.skill, registry->skills,
                           "GET /api/v1/catalogue?view=flat");
  }
  auto rota = store::LoadRota(*txn, tables_);
  if (!rota.ok()) return rota.status();
  auto staff = store::LoadStaff(*txn, tables_);
  if (!staff.ok()) return staff.status();
  v1::ListStaffResponse out;
  for (auto& member : *staff) {
    const auto& covers = member.covers();
    const auto& skills = member.skills();
    if (!query.municipality.empty() &&
        std::find(covers.begin(), covers.end(), query.municipality) ==
            covers.end())
      continue;
    if (!query.skill.empty() &&
        std::find(skills.begin(), skills.end(), query.skill) == skills.end())
      continue;
    if (query.active && member.active() != *query.active) continue;
    if (Status s = AddNow(*txn, tables_, *rota, at, member); !s.ok()) return s;
    *out.add_staff() = std::move(member);
  }
  return out;
}

StatusOr<v1::StaffMember> Desk::GetStaffMember(std::string_view id) const {
  if (!staff::IsStaffId(id)) return NoStaff(id);
  const sys_seconds at = proto::ToSys(Now());
  auto txn = store::Txn::BeginRead(env_);
  if (!txn.ok()) return txn.status();
  auto member = store::GetStaff(*txn, tables_, id);
  if (!member.ok()) return member.status();
  if (!*member) return NoStaff(id);
  auto rota = store::LoadRota(*txn, tables_);
  if (!rota.ok()) return rota.status();
  if (Status s = AddNow(*txn, tables_, *rota, at, **member); !s.ok()) return s;
  return std::move(**member);
}

StatusOr<v1::VaktRota> Desk::GetRota(std::optional<sys_seconds> from,
                                     std::optional<sys_seconds> to) const {
  auto txn = store::Txn::BeginRead(env_);
  if (!txn.ok()) return txn.status();
  auto rota = store::LoadRota(*txn, tables_);
  if (!rota.ok()) return rota.status();
  if (from || to) {
    const sys_seconds begin = from.value_or(sys_seconds::min());
    const sys_seconds end = to.value_or(sys_seconds::max());
    auto* shifts = rota->mutable_shifts();
    shifts->erase(std::remove_if(shifts->begin(), shifts->end(),
                                 [&](const v1::VaktShift& s) {
                                   return !(proto::ToSys(s.start()) < end &&
                                            begin < proto::ToSys(s.end()));
                                 }),
                  shifts->end());
  }
  return rota;
}

StatusOr<VaktNowAnswer> Desk::VaktNow(std::optional<sys_seconds> when) const {
  const sys_seconds at = when.value_or(proto::ToSys(Now()));
  auto txn = store::Txn::BeginRead(env_);
  if (!txn.ok()) return txn.status();
  auto rota = store::LoadRota(*txn, tables_);
  if (!rota.ok()) return rota.status();
  v1::VaktNow out;
  *out.mutable_at() = proto::ToTimestamp(at);
  const v1::VaktShift* shift = staff::ShiftAt(*rota, at);
  out.set_covered(shift != nullptr);
  if (shift != nullptr) {
    *out.mutable_shift() = *shift;
    // The people on vakt, as the rest of the API shows them, with what they
    // are doing at `at`. A person missing from the registry (or whose
    // record cannot be read) is named only.
    auto person = [&](const std::string& id, v1::StaffMember& slot) {
      auto member = store::GetStaff(*txn, tables_, id);
      if (!member.ok() && !store::IsDamaged(member.status()))
        return member.status();
      if (!member.ok() || !*member) {
        slot.set_id(id);
        return Status::Ok();
      }
      slot = std::move(**member);
      return AddNow(*txn, tables_, *rota, at, slot);
    };
    if (!shift->primary().empty()) {
      if (Status s = person(shift->primary(), *out.mutable_primary()); !s.ok())
        return s;
    }
    if (!shift->backup().empty()) {
      if (Status s = person(shift->backup(), *out.mutable_backup()); !s.ok())
        return s;
    }
  }
  if (const v1::VaktShift* next = staff::NextShift(*rota, at))
    *out.mutable_next() = *next;
  return VaktNowAnswer{std::move(out), rota->version()};
}

// ------------------------------------------------------------ reports

StatusOr<v1::CoverageReport> Desk::Coverage(
    std::optional<sys_seconds> when) const {
  const sys_seconds at = when.value_or(proto::ToSys(Now()));
  auto txn = store::Txn::BeginRead(env_);
  if (!txn.ok()) return txn.status();
  auto roster = context_->rosters().Get(*txn);
  if (!roster.ok()) return roster.status();
  auto catalogue = store::LoadCatalogue(*txn, tables_);
  if (!catalogue.ok()) return catalogue.status();
  return dispatch::Coverage(**roster, *catalogue, at);
}

}  // namespace helpdesk::desk
