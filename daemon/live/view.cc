#include "daemon/live/view.h"

#include <algorithm>

#include "daemon/auth/policy.h"
#include "proto/json.h"

namespace helpdesk::live {

View ViewOf(const auth::Principal& who) {
  // Tickets are IT staff's (and their reporters'): an admin who is not
  // also staff reads figures, as on the routes.
  if (who.IsStaff()) return who.Has(auth::kAdmin) ? View::kAdmin : View::kStaff;
  if (who.Has(auth::kEmployee)) return View::kEmployee;
  return View::kDashboard;
}

std::string_view ViewName(View view) {
  switch (view) {
    case View::kAdmin:
      return "admin";
    case View::kStaff:
      return "staff";
    case View::kEmployee:
      return "employee";
    case View::kDashboard:
      return "dashboard";
  }
  return "";
}

bool MaySee(View view, const auth::Principal& who, const v1::Event& e) {
  switch (view) {
    case View::kAdmin:
    case View::kStaff:
      return true;
    case View::kEmployee:
      // An event written before events carried their ticket cannot say
      // whose it is: it is not sent.
      return e.has_ticket() && !who.account.empty() &&
             (e.ticket().reporter() == who.account ||
              std::find(e.ticket().followers().begin(),
                        e.ticket().followers().end(),
                        who.account) != e.ticket().followers().end()) &&
             e.ticket().municipality() == who.municipality &&
             auth::MaySee(who, e);
    case View::kDashboard:
      // Who was paged is no wall's business.
      if (e.has_page_created() || e.has_page_delivered() ||
          e.has_page_acknowledged())
        return false;
      return e.has_ticket() || e.has_vakt_changed() || e.has_staff_changed();
  }
  return false;
}

namespace {

// The figures of an event of a ticket: its header, its ticket's summary
// without the reporter, and its body without text.
v1::Event Figures(const v1::Event& e) {
  v1::Event out;
  out.set_seq(e.seq());
  *out.mutable_at() = e.at();
  out.set_ticket_id(e.ticket_id());
  out.set_ticket_version(e.ticket_version());
  if (e.has_ticket()) {
    *out.mutable_ticket() = e.ticket();
    out.mutable_ticket()->clear_reporter();
    out.mutable_ticket()->clear_followers();
  }
  switch (e.body_case()) {
    case v1::Event::kStatusChanged:
      out.mutable_status_changed()->set_from(e.status_changed().from());
      out.mutable_status_changed()->set_to(e.status_changed().to());
      out.mutable_status_changed()->set_assignee(e.status_changed().assignee());
      break;
    case v1::Event::kPriorityChanged:
      out.mutable_priority_changed()->set_from(e.priority_changed().from());
      out.mutable_priority_changed()->set_to(e.priority_changed().to());
      break;
    case v1::Event::kAssigned: {
      const auto& a = e.assigned().assignment();
      auto* to = out.mutable_assigned();
      to->set_from(e.assigned().from());
      to->set_to(e.assigned().to());
      auto* b = to->mutable_assignment();
      b->set_outcome(a.outcome());
      b->set_trigger(a.trigger());
      b->set_assignee(a.assignee());
      b->set_previous_assignee(a.previous_assignee());
      b->set_unassigned_reason(a.unassigned_reason());
      b->set_rule_path(a.rule_path());
      b->set_vakt(a.vakt());
      b->set_travel(a.travel());
      break;
    }
    case v1::Event::kSlaWarning:
      *out.mutable_sla_warning() = e.sla_warning();
      break;
    case v1::Event::kSlaBreached:
      *out.mutable_sla_breached() = e.sla_breached();
      break;
    case v1::Event::kVaktChanged:
      *out.mutable_vakt_changed() = e.vakt_changed();
      break;
    case v1::Event::kStaffChanged: {
      auto* s = out.mutable_staff_changed();
      s->set_change(e.staff_changed().change());
      s->mutable_staff()->set_id(e.staff_changed().staff().id());
      s->mutable_staff()->set_name(e.staff_changed().staff().name());
      break;
    }
    case v1::Event::kTicketCreated:
      out.mutable_ticket_created();
      break;
    case v1::Event::kCommentAdded:
      out.mutable_comment_added();
      break;
    case v1::Event::kPersonalDataErased:
      out.mutable_personal_data_erased()->set_ticket_id(e.ticket_id());
      break;
    default:
      break;  // nothing of the others reaches a dashboard
  }
  return out;
}

}  // namespace

v1::Event Shown(View view, const v1::Event& e) {
  switch (view) {
    case View::kAdmin:
      return e;
    case View::kStaff: {
      v1::Event out = e;
      out.clear_client_address();
      return out;
    }
    case View::kEmployee: {
      v1::Event out = e;
      out.clear_client_address();
      if (out.has_ticket_created()) {
        auth::Principal employee;
        employee.roles = auth::kEmployee;
        auth::Redact(employee, *out.mutable_ticket_created()->mutable_ticket());
      }
      return out;
    }
    case View::kDashboard:
      return Figures(e);
  }
  return e;
}

std::string Render(View view, const v1::Event& e) {
  if (view == View::kAdmin) return proto::ToJson(e);
  return proto::ToJson(Shown(view, e));
}

void Reduce(View view, v1::TicketSummary& ticket) {
  if (view == View::kDashboard) {
    ticket.clear_reporter();
    ticket.clear_followers();
  }
}

}  // namespace helpdesk::live
