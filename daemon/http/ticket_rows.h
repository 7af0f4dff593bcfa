#pragma once
// What each row of a ticket list (GET /api/v1/tickets) holds: by default a
// summary, what a queue or a search result shows; `view=full` the ticket
// as a list has it (its assignment without the decision's steps and
// explanation, no comments); `fields=` the fields named. Pure; any thread.

#include <string>
#include <vector>

#include "daemon/http/query.h"
#include "proto/helpdesk.pb.h"
#include "proto/status.h"

namespace helpdesk::http {

struct RowShape {
  bool full = false;  // view=full: rows as read
  // Otherwise these (and the id): dotted paths of the schema's field names.
  std::vector<std::string> fields;
};

// The summary's fields as `fields=` names them: id, title, municipality,
// the service (id, version, name), status, priority, assignee and why a
// ticket waits unassigned, created and updated, the version, and each SLA
// clock's state and due times.
const std::string& SummaryFields();

// `view` (summary or full) and `fields` (comma-separated, each a field of
// a ticket as the answers spell it, or a path into one:
// "sla.resolution.dueAt"); not both. kInvalidParameter saying what to fix.
StatusOr<RowShape> ParseRowShape(const Target& t);

// Appends `row` as JSON with what `shape` keeps.
void AppendRow(std::string& out, const RowShape& shape, const v1::Ticket& row);

}  // namespace helpdesk::http
