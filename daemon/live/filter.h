#pragma once
// What a live subscriber asks for (README, "Live"): events of some
// municipalities, assignees, statuses, event types or tickets; an empty
// list takes any. Matched on the event alone (its TicketSummary), so a
// replay from the log filters exactly as the live fan-out did. Who may see
// an event at all is the view's (view.h). Pure; any thread.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "proto/helpdesk.pb.h"
#include "proto/status.h"

namespace helpdesk::live {

struct Filter {
  std::vector<std::string> municipalities;
  std::vector<std::string> assignees;
  std::vector<v1::TicketStatus> statuses;
  std::vector<v1::Event::BodyCase> types;
  std::vector<std::string> tickets;

  // An event of a ticket matches municipality, assignee and status when
  // the ticket's, before or after the event, is one listed (so a
  // subscriber sees a ticket leave its view too); an event of no ticket
  // (the catalogue, the rota) matches only a filter without them.
  bool Matches(const v1::Event& e) const;
  // The same for equal filters: subscribers with equal keys (and views)
  // are matched once per event.
  std::string Key() const;
};

// The filter of a stream's query parameters (comma-separated lists):
// municipality, assignee ("me": `staff_id`), status, types, ticket. A bad
// value is kInvalidParameter naming the parameter and what it takes.
// `municipalities`: the region's ids.
StatusOr<Filter> ParseFilter(const std::map<std::string, std::string>& params,
                             const std::vector<std::string>& municipalities,
                             std::string_view staff_id);

// "a, b,,c" -> {"a", "b", "c"}: a comma-separated list, spaces around
// items and empty items dropped.
std::vector<std::string> SplitList(std::string_view value);

// The JSON key of an event's body ("ticketCreated"): its type on the wire.
std::string_view TypeName(v1::Event::BodyCase body);

}  // namespace helpdesk::live
