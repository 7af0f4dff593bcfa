#pragma once
// Private to route_docs*.cc: short makers of the table's entries, so that
// each route reads as a few lines. Pure; any thread.

#include <google/protobuf/descriptor.h>
#include <google/protobuf/generated_enum_reflection.h>

#include <string>
#include <string_view>
#include <vector>

#include "daemon/http/route_docs.h"
#include "proto/wire_names.h"

namespace helpdesk::http::docs {

inline QueryParam Text(std::string_view name, std::string_view description) {
  return {.name = name, .type = ParamType::kText, .description = description};
}

inline QueryParam Whole(std::string_view name, double lo, double hi,
                        std::string_view fallback,
                        std::string_view description) {
  return {.name = name,
          .type = ParamType::kWhole,
          .description = description,
          .minimum = lo,
          .maximum = hi,
          .fallback = fallback};
}

inline QueryParam Number(std::string_view name, double lo, double hi,
                         std::string_view fallback,
                         std::string_view description) {
  QueryParam p = Whole(name, lo, hi, fallback, description);
  p.type = ParamType::kNumber;
  return p;
}

inline QueryParam Flag(std::string_view name, std::string_view fallback,
                       std::string_view description) {
  return {.name = name,
          .type = ParamType::kBoolean,
          .description = description,
          .fallback = fallback};
}

inline QueryParam Time(std::string_view name, std::string_view description) {
  return {.name = name, .type = ParamType::kTime, .description = description};
}

inline QueryParam TimeOrDate(std::string_view name,
                             std::string_view description) {
  return {
      .name = name, .type = ParamType::kTimeOrDate, .description = description};
}

inline QueryParam OneOf(std::string_view name, std::vector<std::string> choices,
                        std::string_view fallback,
                        std::string_view description) {
  return {.name = name,
          .type = ParamType::kChoice,
          .description = description,
          .fallback = fallback,
          .choices = std::move(choices)};
}

inline QueryParam ListOf(std::string_view name,
                         std::vector<std::string> choices,
                         std::string_view description) {
  return {.name = name,
          .type = ParamType::kList,
          .description = description,
          .choices = std::move(choices)};
}

// The values a client may send of an enum: its wire names (proto/json.h).
inline std::vector<std::string> WireNames(
    const google::protobuf::EnumDescriptor* type) {
  std::vector<std::string> out;
  for (int i = 0; i < type->value_count(); ++i)
    if (type->value(i)->number() != 0)
      out.push_back(proto::WireEnumName(type->value(i)));
  return out;
}

// "a, b, c" as {"a", "b", "c"}.
inline std::vector<std::string> Split(std::string_view list) {
  std::vector<std::string> out;
  while (!list.empty()) {
    const size_t comma = list.find(',');
    std::string_view item = list.substr(0, comma);
    while (item.starts_with(' ')) item.remove_prefix(1);
    out.emplace_back(item);
    list = comma == std::string_view::npos ? "" : list.substr(comma + 1);
  }
  return out;
}

inline constexpr std::string_view kCursorText =
    "the page's `nextCursor` of the previous page, as given; absent or "
    "empty: from the newest";

inline QueryParam Cursor() { return Text("cursor", kCursorText); }

inline QueryParam Limit(double max, std::string_view fallback) {
  return Whole("limit", 1, max, fallback, "how many to answer at most");
}

template <typename M>
const google::protobuf::Descriptor* Msg() {
  return M::descriptor();
}

// A JSON answer of message M.
template <typename M>
std::vector<AnswerDoc> Json(std::string_view description = {}) {
  return {{.message = M::descriptor(), .description = description}};
}

inline const HeaderDoc kETag = {
    "ETag", "the record's version, as If-Match takes it back: \"3\""};
inline const HeaderDoc kLocation = {"Location", "where the new record is"};
inline const HeaderDoc kNoStore = {
    "Cache-Control", "no-store: the answer holds a secret or a session's"};

}  // namespace helpdesk::http::docs
