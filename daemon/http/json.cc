#include "daemon/http/json.h"

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/timestamp.pb.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/time_util.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

#include "proto/wire_names.h"

namespace helpdesk::http {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;
using google::protobuf::Value;

std::string Join(const std::string& path, const std::string& name) {
  return path.empty() ? name : path + "." + name;
}

const char* KindName(const Value& v) {
  switch (v.kind_case()) {
    case Value::kNullValue: return "null";
    case Value::kNumberValue: return "a number";
    case Value::kStringValue: return "a string";
    case Value::kBoolValue: return "a boolean";
    case Value::kStructValue: return "an object";
    case Value::kListValue: return "an array";
    default: return "nothing";
  }
}

Status WrongType(const std::string& path, const char* want, const Value& v) {
  return Status::InvalidField(path, "field '" + path + "' must be " + want +
                                        ", not " + KindName(v));
}

std::string FieldList(const google::protobuf::Descriptor* d) {
  std::string out;
  for (int i = 0; i < d->field_count(); ++i) {
    if (!out.empty()) out += ", ";
    out += d->field(i)->json_name();
  }
  return out;
}

// An integer from a JSON number or a decimal string, within [lo, hi].
template <typename T>
StatusOr<T> Integer(const std::string& path, const Value& v) {
  long double x = 0;
  if (v.kind_case() == Value::kNumberValue) {
    x = v.number_value();
  } else if (v.kind_case() == Value::kStringValue) {
    const std::string& s = v.string_value();
    char* end = nullptr;
    errno = 0;
    x = std::strtold(s.c_str(), &end);
    if (s.empty() || end != s.c_str() + s.size() || errno != 0)
      return WrongType(path, "an integer", v);
  } else {
    return WrongType(path, "an integer", v);
  }
  if (x != std::floor(x) || x < static_cast<long double>(std::numeric_limits<T>::min()) ||
      x > static_cast<long double>(std::numeric_limits<T>::max())) {
    return Status::InvalidField(
        path, "field '" + path + "' must be a whole number from " +
                  std::to_string(std::numeric_limits<T>::min()) + " to " +
                  std::to_string(std::numeric_limits<T>::max()));
  }
  return static_cast<T>(x);
}

template <typename T, typename Set>
Status SetInteger(const std::string& path, const Value& v, Set set) {
  auto x = Integer<T>(path, v);
  if (!x.ok()) return x.status();
  set(*x);
  return Status::Ok();
}

Status FromStruct(const google::protobuf::Struct& s, Message& out,
                  const std::string& path);

// One value (not a list) into field f of `out`; `add` for repeated fields.
Status SetOne(const FieldDescriptor* f, const Value& v, Message& out,
              const std::string& path, bool add) {
  const Reflection* r = out.GetReflection();
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING: {
      if (v.kind_case() != Value::kStringValue)
        return WrongType(path, "a string", v);
      add ? r->AddString(&out, f, v.string_value())
          : r->SetString(&out, f, v.string_value());
      return Status::Ok();
    }
    case FieldDescriptor::CPPTYPE_BOOL: {
      if (v.kind_case() != Value::kBoolValue)
        return WrongType(path, "true or false", v);
      add ? r->AddBool(&out, f, v.bool_value())
          : r->SetBool(&out, f, v.bool_value());
      return Status::Ok();
    }
    case FieldDescriptor::CPPTYPE_DOUBLE:
    case FieldDescriptor::CPPTYPE_FLOAT: {
      if (v.kind_case() != Value::kNumberValue)
        return WrongType(path, "a number", v);
      if (f->cpp_type() == FieldDescriptor::CPPTYPE_DOUBLE) {
        add ? r->AddDouble(&out, f, v.number_value())
            : r->SetDouble(&out, f, v.number_value());
      } else {
        auto x = static_cast<float>(v.number_value());
        add ? r->AddFloat(&out, f, x) : r->SetFloat(&out, f, x);
      }
      return Status::Ok();
    }
    case FieldDescriptor::CPPTYPE_INT32:
      return SetInteger<int32_t>(path, v, [&](int32_t x) {
        add ? r->AddInt32(&out, f, x) : r->SetInt32(&out, f, x);
      });
    case FieldDescriptor::CPPTYPE_INT64:
      return SetInteger<int64_t>(path, v, [&](int64_t x) {
        add ? r->AddInt64(&out, f, x) : r->SetInt64(&out, f, x);
      });
    case FieldDescriptor::CPPTYPE_UINT32:
      return SetInteger<uint32_t>(path, v, [&](uint32_t x) {
        add ? r->AddUInt32(&out, f, x) : r->SetUInt32(&out, f, x);
      });
    case FieldDescriptor::CPPTYPE_UINT64:
      return SetInteger<uint64_t>(path, v, [&](uint64_t x) {
        add ? r->AddUInt64(&out, f, x) : r->SetUInt64(&out, f, x);
      });
    case FieldDescriptor::CPPTYPE_ENUM: {
      std::string choices = proto::WireEnumChoices(f->enum_type());
      if (v.kind_case() != Value::kStringValue)
        return WrongType(path, ("one of the strings " + choices).c_str(), v);
      const auto* e = proto::FindWireEnumValue(f->enum_type(), v.string_value());
      if (e == nullptr) {
        return Status::InvalidField(path, "field '" + path + "': '" +
                                              v.string_value() +
                                              "' is not one of " + choices);
      }
      add ? r->AddEnumValue(&out, f, e->number())
          : r->SetEnumValue(&out, f, e->number());
      return Status::Ok();
    }
    case FieldDescriptor::CPPTYPE_MESSAGE: {
      Message* m = add ? r->AddMessage(&out, f) : r->MutableMessage(&out, f);
      if (f->message_type()->full_name() == "google.protobuf.Timestamp") {
        if (v.kind_case() != Value::kStringValue ||
            !google::protobuf::util::TimeUtil::FromString(
                v.string_value(),
                static_cast<google::protobuf::Timestamp*>(m))) {
          return Status::InvalidField(
              path, "field '" + path +
                        "' must be an RFC 3339 time such as "
                        "\"2026-04-01T12:00:00Z\"");
        }
        return Status::Ok();
      }
      if (v.kind_case() != Value::kStructValue)
        return WrongType(path, "an object", v);
      return FromStruct(v.struct_value(), *m, path);
    }
  }
  return Status::Internal("unhandled field type at " + path);
}

Status FromStruct(const google::protobuf::Struct& s, Message& out,
                  const std::string& path) {
  const auto* d = out.GetDescriptor();
  for (const auto& [key, v] : s.fields()) {
    const FieldDescriptor* f = d->FindFieldByName(key);
    for (int i = 0; f == nullptr && i < d->field_count(); ++i) {
      if (d->field(i)->json_name() == key) f = d->field(i);
    }
    std::string here = Join(path, key);
    if (f == nullptr) {
      return Status::InvalidField(here, "unknown field '" + here +
                                            "'; the fields here are: " +
                                            FieldList(d));
    }
    if (v.kind_case() == Value::kNullValue) continue;  // null: not given
    if (!f->is_repeated()) {
      if (Status st = SetOne(f, v, out, here, false); !st.ok()) return st;
      continue;
    }
    if (v.kind_case() != Value::kListValue)
      return WrongType(here, "an array", v);
    int i = 0;
    for (const auto& item : v.list_value().values()) {
      std::string at = here + "[" + std::to_string(i++) + "]";
      if (Status st = SetOne(f, item, out, at, true); !st.ok()) return st;
    }
  }
  return Status::Ok();
}

// ------------------------------------------------------------ output

void AppendScalar(std::string& out, const Message& m, const FieldDescriptor* f,
                  int index);

void AppendMessage(std::string& out, const Message& m) {
  const auto* d = m.GetDescriptor();
  if (d->full_name() == "google.protobuf.Timestamp") {
    AppendJsonString(out, google::protobuf::util::TimeUtil::ToString(
                              static_cast<const google::protobuf::Timestamp&>(m)));
    return;
  }
  const Reflection* r = m.GetReflection();
  out += '{';
  bool first = true;
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    bool is_message = f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE;
    if (!f->is_repeated() && (is_message || f->containing_oneof()) &&
        !r->HasField(m, f))
      continue;
    // Enum value 0 (*_UNSPECIFIED) means "not set" and is never on the wire.
    if (!f->is_repeated() && f->cpp_type() == FieldDescriptor::CPPTYPE_ENUM &&
        r->GetEnumValue(m, f) == 0)
      continue;
    if (!first) out += ',';
    first = false;
    AppendJsonString(out, f->json_name());
    out += ':';
    if (!f->is_repeated()) {
      AppendScalar(out, m, f, -1);
      continue;
    }
    out += '[';
    for (int j = 0, n = r->FieldSize(m, f); j < n; ++j) {
      if (j) out += ',';
      AppendScalar(out, m, f, j);
    }
    out += ']';
  }
  out += '}';
}

void AppendScalar(std::string& out, const Message& m, const FieldDescriptor* f,
                  int i) {
  const Reflection* r = m.GetReflection();
  const bool rep = i >= 0;
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      AppendJsonString(out, rep ? r->GetRepeatedString(m, f, i)
                                : r->GetString(m, f));
      return;
    case FieldDescriptor::CPPTYPE_BOOL:
      out += (rep ? r->GetRepeatedBool(m, f, i) : r->GetBool(m, f)) ? "true"
                                                                    : "false";
      return;
    case FieldDescriptor::CPPTYPE_INT32:
      out += std::to_string(rep ? r->GetRepeatedInt32(m, f, i) : r->GetInt32(m, f));
      return;
    case FieldDescriptor::CPPTYPE_UINT32:
      out += std::to_string(rep ? r->GetRepeatedUInt32(m, f, i)
                                : r->GetUInt32(m, f));
      return;
    case FieldDescriptor::CPPTYPE_INT64:
      AppendJsonString(out, std::to_string(rep ? r->GetRepeatedInt64(m, f, i)
                                               : r->GetInt64(m, f)));
      return;
    case FieldDescriptor::CPPTYPE_UINT64:
      AppendJsonString(out, std::to_string(rep ? r->GetRepeatedUInt64(m, f, i)
                                               : r->GetUInt64(m, f)));
      return;
    case FieldDescriptor::CPPTYPE_DOUBLE:
    case FieldDescriptor::CPPTYPE_FLOAT: {
      double x = f->cpp_type() == FieldDescriptor::CPPTYPE_DOUBLE
                     ? (rep ? r->GetRepeatedDouble(m, f, i) : r->GetDouble(m, f))
                     : (rep ? r->GetRepeatedFloat(m, f, i) : r->GetFloat(m, f));
      if (std::isfinite(x)) {
        char buf[32];
        snprintf(buf, sizeof buf, "%.17g", x);
        out += buf;
      } else {
        out += "null";
      }
      return;
    }
    case FieldDescriptor::CPPTYPE_ENUM:
      AppendJsonString(out, proto::WireEnumName(
                                rep ? r->GetRepeatedEnum(m, f, i)
                                    : r->GetEnum(m, f)));
      return;
    case FieldDescriptor::CPPTYPE_MESSAGE:
      AppendMessage(out, rep ? r->GetRepeatedMessage(m, f, i)
                             : r->GetMessage(m, f));
      return;
  }
}

}  // namespace

void AppendJsonString(std::string& out, std::string_view s) {
  static const char kHex[] = "0123456789abcdef";
  out += '"';
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 15];
        } else {
          out += ch;
        }
    }
  }
  out += '"';
}

Status ParseJson(std::string_view text, google::protobuf::Message& out) {
  Value root;
  auto st = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(text.data(), text.size()), &root);
  if (!st.ok()) {
    return Status::MalformedJson("the body is not valid JSON: " +
                                 std::string(st.message()));
  }
  if (root.kind_case() != Value::kStructValue) {
    return Status::MalformedJson(std::string("the body must be a JSON object {...}, not ") +
                                 KindName(root));
  }
  return FromStruct(root.struct_value(), out, "");
}

std::string ToJson(const google::protobuf::Message& message) {
  std::string out;
  out.reserve(512);
  AppendMessage(out, message);
  return out;
}

}  // namespace helpdesk::http
