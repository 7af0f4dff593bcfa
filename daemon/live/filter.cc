#include "daemon/live/filter.h"

#include <algorithm>

#include "proto/wire_names.h"

namespace helpdesk::live {
namespace {

template <typename T>
bool Listed(const std::vector<T>& list, const T& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

// Either side of the event listed (an empty list takes any).
template <typename T>
bool EitherListed(const std::vector<T>& list, const T& after, const T& before) {
  return list.empty() || Listed(list, after) || Listed(list, before);
}

std::string Joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return out;
}

}  // namespace

std::vector<std::string> SplitList(std::string_view value) {
  std::vector<std::string> out;
  while (!value.empty()) {
    const size_t comma = value.find(',');
    std::string_view item = value.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return out;
}

std::string_view TypeName(v1::Event::BodyCase body) {
  const auto* field = v1::Event::descriptor()->FindFieldByNumber(body);
  return field == nullptr ? std::string_view() : field->json_name();
}

bool Filter::Matches(const v1::Event& e) const {
  if (!types.empty() && !Listed(types, e.body_case())) return false;
  if (!tickets.empty() && !Listed(tickets, e.ticket_id())) return false;
  const bool about_ticket = !e.ticket_id().empty();
  if (!about_ticket || !e.has_ticket())
    return municipalities.empty() && assignees.empty() && statuses.empty() &&
           (tickets.empty() || about_ticket);
  const auto& t = e.ticket();
  if (!municipalities.empty() && !Listed(municipalities, t.municipality()))
    return false;
  return EitherListed(assignees, t.assignee(), t.assignee_before()) &&
         EitherListed(statuses, t.status(), t.status_before());
}

std::string Filter::Key() const {
  std::string key;
  for (const auto& m : municipalities) key += m + ",";
  key += "|";
  for (const auto& a : assignees) key += a + ",";
  key += "|";
  for (auto s : statuses) key += std::to_string(s) + ",";
  key += "|";
  for (auto t : types) key += std::to_string(t) + ",";
  key += "|";
  for (const auto& t : tickets) key += t + ",";
  return key;
}

StatusOr<Filter> ParseFilter(const std::map<std::string, std::string>& params,
                             const std::vector<std::string>& municipalities,
                             std::string_view staff_id) {
  Filter f;
  auto param = [&params](const char* name) -> std::vector<std::string> {
    auto it = params.find(name);
    return it == params.end() ? std::vector<std::string>()
                              : SplitList(it->second);
  };
  for (auto& m : param("municipality")) {
    if (!Listed(municipalities, m))
      return Status::InvalidParameter(
          "municipality", "'" + m +
                              "' is not a municipality of the region; "
                              "municipality takes ids among " +
                              Joined(municipalities));
    f.municipalities.push_back(std::move(m));
  }
  for (auto& a : param("assignee")) {
    if (a == "me") {
      if (staff_id.empty())
        return Status::InvalidParameter(
            "assignee",
            "assignee=me needs an account linked to a staff "
            "record; name the person's staff id instead");
      a = std::string(staff_id);
    }
    f.assignees.push_back(std::move(a));
  }
  for (const auto& s : param("status")) {
    const auto* type = v1::TicketStatus_descriptor();
    const auto* value = proto::FindWireEnumValue(type, s);
    if (value == nullptr)
      return Status::InvalidParameter(
          "status", "'" + s + "' is not a ticket status; status takes " +
                        proto::WireEnumChoices(type));
    f.statuses.push_back(static_cast<v1::TicketStatus>(value->number()));
  }
  for (const auto& t : param("types")) {
    const auto* d = v1::Event::descriptor();
    const auto* oneof = d->FindOneofByName("body");
    const google::protobuf::FieldDescriptor* found = nullptr;
    std::string names;
    for (int i = 0; i < oneof->field_count(); ++i) {
      const auto* field = oneof->field(i);
      if (field->json_name() == t || field->name() == t) found = field;
      names += (i ? ", " : "") + field->json_name();
    }
    if (found == nullptr)
      return Status::InvalidParameter(
          "types", "'" + t + "' is not an event type; types takes " + names);
    f.types.push_back(static_cast<v1::Event::BodyCase>(found->number()));
  }
  for (auto& t : param("ticket")) {
    const bool number = !t.empty() && t.size() <= 19 &&
                        std::all_of(t.begin(), t.end(), [](char c) {
                          return c >= '0' && c <= '9';
                        });
    if (!number)
      return Status::InvalidParameter(
          "ticket", "'" + t +
                        "' is not a ticket id; ticket takes numbers "
                        "such as 1042");
    f.tickets.push_back(std::move(t));
  }
  return f;
}

}  // namespace helpdesk::live
