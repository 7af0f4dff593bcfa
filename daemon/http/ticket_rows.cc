#include "daemon/http/ticket_rows.h"

#include <google/protobuf/util/field_mask_util.h>

#include <string_view>

#include "proto/json.h"

namespace helpdesk::http {
namespace {

using google::protobuf::FieldMask;
using google::protobuf::util::FieldMaskUtil;

// A `fields` value this long names every field of a ticket several times.
constexpr size_t kMaxFieldsBytes = 1000;

const std::vector<std::string>& SummaryPaths() {
  static const std::vector<std::string> paths = [] {
    FieldMask m;
    FieldMaskUtil::FromJsonString(SummaryFields(), &m);
    return std::vector<std::string>(m.paths().begin(), m.paths().end());
  }();
  return paths;
}

// A path that names a field of a ticket, each of its steps a message
// field (not a repeated one, nor inside a Timestamp, which is written as
// one string).
bool IsPathOfTicket(std::string_view path) {
  if (path.empty() || path.front() == '.' || path.back() == '.' ||
      path.find("..") != std::string_view::npos)
    return false;
  std::vector<const google::protobuf::FieldDescriptor*> steps;
  if (!FieldMaskUtil::GetFieldDescriptors(v1::Ticket::descriptor(), path,
                                          &steps))
    return false;
  for (size_t i = 0; i + 1 < steps.size(); ++i)
    if (steps[i]->message_type() == nullptr ||
        steps[i]->message_type()->full_name() == "google.protobuf.Timestamp")
      return false;
  return true;
}

}  // namespace

const std::string& SummaryFields() {
  static const std::string fields =
      "id,title,municipality,serviceId,service.id,service.version,"
      "service.name,status,priority,assignee,assignment.unassignedReason,"
      "createdAt,updatedAt,version,"
      "sla.firstResponse.kind,sla.firstResponse.state,"
      "sla.firstResponse.counting,"
      "sla.firstResponse.warningAt,sla.firstResponse.dueAt,"
      "sla.firstResponse.stoppedAt,"
      "sla.resolution.kind,sla.resolution.state,sla.resolution.counting,"
      "sla.resolution.warningAt,sla.resolution.dueAt,"
      "sla.resolution.stoppedAt";
  return fields;
}

StatusOr<RowShape> ParseRowShape(const Target& t) {
  RowShape shape;
  const auto view = t.params.find("view");
  const auto fields = t.params.find("fields");
  if (view != t.params.end() && fields != t.params.end())
    return Status::InvalidParameter(
        "fields",
        "give view or fields, not both: view=full for every field, or "
        "fields=... for the ones named");
  if (view != t.params.end()) {
    if (view->second == "full") {
      shape.full = true;
      return shape;
    }
    if (view->second != "summary")
      return Status::InvalidParameter(
          "view", "view is 'summary' (the default) or 'full'");
  }
  if (fields == t.params.end()) {
    shape.fields = SummaryPaths();
    return shape;
  }
  const std::string& text = fields->second;
  if (text.size() > kMaxFieldsBytes)
    return Status::InvalidParameter(
        "fields",
        "fields is longer than 1000 bytes; name fewer fields, or "
        "ask for view=full");
  // Each name as the answers spell it ("createdAt"), or as the schema
  // does ("created_at"); checked one by one to say which is wrong.
  std::string_view rest = text;
  while (true) {
    const size_t comma = rest.find(',');
    std::string_view name = rest.substr(0, comma);
    while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
    while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
    FieldMask one;
    const bool parsed =
        !name.empty() && (name.find('_') != std::string_view::npos
                              ? (FieldMaskUtil::FromString(name, &one), true)
                              : FieldMaskUtil::FromJsonString(name, &one));
    if (!parsed || one.paths_size() != 1 || !IsPathOfTicket(one.paths(0)))
      return Status::InvalidParameter(
          "fields",
          name.empty()
              ? "fields has an empty name; separate names by single commas, "
                "such as fields=id,title,status"
              : "fields names '" + std::string(name) +
                    "', which a ticket does not have; name fields of a "
                    "ticket as the answers spell them, comma-separated (such "
                    "as fields=id,title,status,location), or ask for "
                    "view=full");
    shape.fields.push_back(one.paths(0));
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  shape.fields.push_back("id");  // a row always says which ticket
  return shape;
}

void AppendRow(std::string& out, const RowShape& shape, const v1::Ticket& row) {
  if (shape.full)
    out += proto::ToJson(row);
  else
    proto::AppendJson(out, row, shape.fields);
}

}  // namespace helpdesk::http
