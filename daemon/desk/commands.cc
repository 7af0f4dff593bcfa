#include "daemon/desk/commands.h"

#include "daemon/desk/internal.h"
#include "daemon/desk/staff_view.h"
#include "daemon/staff/staff.h"
#include "daemon/tickets/commands.h"

namespace helpdesk::desk {
namespace {

constexpr size_t kMaxReasonBytes = 2000;

}  // namespace

Status CheckTicketId(std::string_view id) {
  return tickets::ParseTicketId(id) ? Status::Ok() : NoSuchTicket(id);
}

Status CheckStaffId(std::string_view id) {
  return staff::IsStaffId(id) ? Status::Ok() : NoStaff(id);
}

Status CheckAssignment(const AssignCommand& a) {
  if (a.take) {
    if (a.assignee.empty())
      return Status::InvalidField(
          "actor",
          "field 'actor' is required: the staff id of the agent taking the "
          "ticket (or send an X-Actor header)");
    return Status::Ok();
  }
  if (a.assignee.empty())
    return Status::InvalidField("assignee",
                                "field 'assignee' is required: the staff id "
                                "of the person to give the ticket to");
  if (a.reason.empty())
    return Status::InvalidField("reason",
                                "field 'reason' is required: say why this "
                                "person (it is kept on the ticket)");
  if (a.reason.size() > kMaxReasonBytes)
    return Status::InvalidField("reason", "field 'reason' is at most " +
                                              std::to_string(kMaxReasonBytes) +
                                              " bytes");
  return Status::Ok();
}

}  // namespace helpdesk::desk
