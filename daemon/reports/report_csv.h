#pragma once
// The SLA report's tables as CSV (RFC 4180: comma separated, CRLF line
// ends, fields with a comma, quote or line break quoted), one table per
// call, a header line first. A text cell that starts like a formula (=, +,
// -, @, tab, CR) is prefixed with ' so no spreadsheet runs it; numbers are
// as they are. Pure; any thread.

#include <string>

#include "proto/helpdesk.pb.h"

namespace helpdesk::reports {

// The grouped table: one line per row of `report.rows`.
std::string GroupCsv(const v1::SlaReport& report);
// The equal-service view: one line per service and municipality.
std::string EqualServiceCsv(const v1::SlaReport& report);
// The volume view: one line per municipality, a column per service.
std::string VolumeCsv(const v1::SlaReport& report);

}  // namespace helpdesk::reports
