#include "proto/json.h"

#include <google/protobuf/timestamp.pb.h>
#include <google/protobuf/util/time_util.h>
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proto/utf8.h"
#include "proto/wire_names.h"

namespace helpdesk::proto {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;
using Json = rapidjson::Value;

std::string Join(const std::string& path, const std::string& name) {
  return path.empty() ? name : path + "." + name;
}

const char* KindName(const Json& v) {
  if (v.IsNull()) return "null";
  if (v.IsBool()) return "a boolean";
  if (v.IsNumber()) return "a number";
  if (v.IsString()) return "a string";
  if (v.IsObject()) return "an object";
  return "an array";
}

std::string_view Str(const Json& v) {
  return {v.GetString(), v.GetStringLength()};
}

Status WrongType(const std::string& path, const std::string& want,
                 const Json& v) {
  return Status::InvalidField(
      path, "field '" + path + "' must be " + want + ", not " + KindName(v));
}

// A string that is not well-formed UTF-8 once its escapes are decoded: raw
// bytes of another encoding (Latin-1), or a lone surrogate escape
// ("\udc00"), which RapidJSON decodes to CESU-8 bytes. Protobuf would
// store it and then refuse to read the record back.
Status NotUtf8(const std::string& path, std::string_view s) {
  return Status::InvalidField(
      path, "field '" + path + "' is not valid UTF-8 text (at byte " +
                std::to_string(FirstInvalidUtf8(s)) +
                " of the decoded string); send UTF-8, and \\u escapes only "
                "of whole characters (a surrogate pair such as "
                "\\ud83d\\ude00, never a lone \\udc00)");
}

std::string FieldList(const google::protobuf::Descriptor* d) {
  std::string out;
  for (int i = 0; i < d->field_count(); ++i) {
    if (!out.empty()) out += ", ";
    out += d->field(i)->json_name();
  }
  return out;
}

// An integer from a JSON number or a decimal string, within T's range.
template <typename T>
StatusOr<T> Integer(const std::string& path, const Json& v) {
  using Limits = std::numeric_limits<T>;
  auto out_of_range = [&] {
    return Status::InvalidField(
        path, "field '" + path + "' must be a whole number from " +
                  std::to_string(Limits::min()) + " to " +
                  std::to_string(Limits::max()));
  };
  if (v.IsString()) {
    std::string_view s = Str(v);
    T x{};
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), x);
    if (s.empty() || end != s.data() + s.size()) {
      return WrongType(path, "an integer", v);
    }
    if (ec != std::errc()) return out_of_range();
    return x;
  }
  if (v.IsUint64()) {
    if (v.GetUint64() > static_cast<uint64_t>(Limits::max()))
      return out_of_range();
    return static_cast<T>(v.GetUint64());
  }
  if (v.IsInt64()) {
    int64_t x = v.GetInt64();
    if (x < static_cast<int64_t>(Limits::min()) ||
        (x > 0 &&
         static_cast<uint64_t>(x) > static_cast<uint64_t>(Limits::max())))
      return out_of_range();
    return static_cast<T>(x);
  }
  if (v.IsDouble()) {
    double x = v.GetDouble();
    if (x != std::floor(x)) return out_of_range();
    // Limits::max() rounds up to 2^digits as a double, so compare with
    // that, excluded: casting 2^64 to uint64_t is undefined.
    const double above = std::ldexp(1.0, Limits::digits);
    if (x < static_cast<double>(Limits::min()) || x >= above)
      return out_of_range();
    return static_cast<T>(x);
  }
  return WrongType(path, "an integer", v);
}

template <typename T, typename Set>
Status SetInteger(const std::string& path, const Json& v, Set set) {
  auto x = Integer<T>(path, v);
  if (!x.ok()) return x.status();
  set(*x);
  return Status::Ok();
}

Status FromObject(const Json& object, Message& out, const std::string& path,
                  const ParseOptions& options);

// One value (not a list) into field f of `out`; `add` for repeated fields.
Status SetOne(const FieldDescriptor* f, const Json& v, Message& out,
              const std::string& path, bool add, const ParseOptions& options) {
  const Reflection* r = out.GetReflection();
  // Every string first, whatever it is read as (text, enum, number, time).
  if (v.IsString() && !IsValidUtf8(Str(v))) return NotUtf8(path, Str(v));
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING: {
      if (!v.IsString()) return WrongType(path, "a string", v);
      std::string s(Str(v));
      add ? r->AddString(&out, f, std::move(s))
          : r->SetString(&out, f, std::move(s));
      return Status::Ok();
    }
    case FieldDescriptor::CPPTYPE_BOOL: {
      if (!v.IsBool()) return WrongType(path, "true or false", v);
      add ? r->AddBool(&out, f, v.GetBool()) : r->SetBool(&out, f, v.GetBool());
      return Status::Ok();
    }
    case FieldDescriptor::CPPTYPE_DOUBLE:
    case FieldDescriptor::CPPTYPE_FLOAT: {
      if (!v.IsNumber()) return WrongType(path, "a number", v);
      if (f->cpp_type() == FieldDescriptor::CPPTYPE_DOUBLE) {
        add ? r->AddDouble(&out, f, v.GetDouble())
            : r->SetDouble(&out, f, v.GetDouble());
      } else {
        auto x = static_cast<float>(v.GetDouble());
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
      if (!v.IsString())
        return WrongType(path, "one of the strings " + choices, v);
      const auto* e = proto::FindWireEnumValue(f->enum_type(), Str(v));
      if (e == nullptr && options.ignore_unknown_fields) return Status::Ok();
      if (e == nullptr) {
        return Status::InvalidField(path, "field '" + path + "': '" +
                                              std::string(Str(v)) +
                                              "' is not one of " + choices);
      }
      add ? r->AddEnumValue(&out, f, e->number())
          : r->SetEnumValue(&out, f, e->number());
      return Status::Ok();
    }
    case FieldDescriptor::CPPTYPE_MESSAGE: {
      Message* m = add ? r->AddMessage(&out, f) : r->MutableMessage(&out, f);
      if (f->message_type()->full_name() == "google.protobuf.Timestamp") {
        if (!v.IsString() ||
            !google::protobuf::util::TimeUtil::FromString(
                std::string(Str(v)),
                static_cast<google::protobuf::Timestamp*>(m))) {
          return Status::InvalidField(path,
                                      "field '" + path +
                                          "' must be an RFC 3339 time such as "
                                          "\"2026-04-01T12:00:00Z\"");
        }
        return Status::Ok();
      }
      if (!v.IsObject()) return WrongType(path, "an object", v);
      return FromObject(v, *m, path, options);
    }
  }
  return Status::Internal("unhandled field type at " + path);
}

Status FromObject(const Json& object, Message& out, const std::string& path,
                  const ParseOptions& options) {
  const auto* d = out.GetDescriptor();
  for (auto it = object.MemberBegin(); it != object.MemberEnd(); ++it) {
    std::string key(Str(it->name));
    if (!IsValidUtf8(key)) {
      const std::string here = Join(path, ToValidUtf8(key));
      return Status::InvalidField(
          here, "the field name '" + here + "' is not valid UTF-8 text");
    }
    const Json& v = it->value;
    const FieldDescriptor* f = d->FindFieldByName(key);
    for (int i = 0; f == nullptr && i < d->field_count(); ++i) {
      if (d->field(i)->json_name() == key) f = d->field(i);
    }
    std::string here = Join(path, key);
    if (f == nullptr) {
      if (options.ignore_unknown_fields) continue;
      return Status::InvalidField(
          here,
          "unknown field '" + here + "'; the fields here are: " + FieldList(d));
    }
    if (v.IsNull()) continue;  // null: not given
    if (!f->is_repeated()) {
      if (Status st = SetOne(f, v, out, here, false, options); !st.ok())
        return st;
      continue;
    }
    if (!v.IsArray()) return WrongType(here, "an array", v);
    int i = 0;
    for (const auto& item : v.GetArray()) {
      std::string at = here + "[" + std::to_string(i++) + "]";
      if (Status st = SetOne(f, item, out, at, true, options); !st.ok())
        return st;
    }
  }
  return Status::Ok();
}

// ------------------------------------------------------------ output

// Appends `v` in decimal, quoted when `quoted` (64-bit integers are
// strings in proto3 JSON).
template <typename Int>
void AppendInteger(std::string& out, Int v, bool quoted = false) {
  char buf[24];
  const auto end = std::to_chars(buf, buf + sizeof buf, v).ptr;
  if (quoted) out += '"';
  out.append(buf, end);
  if (quoted) out += '"';
}

// Appends `n` as exactly `width` decimal digits.
void AppendDigits(std::string& out, uint32_t n, int width) {
  char buf[10];
  for (int i = width - 1; i >= 0; --i, n /= 10)
    buf[i] = static_cast<char>('0' + n % 10);
  out.append(buf, static_cast<size_t>(width));
}

// A timestamp as TimeUtil::ToString writes it (RFC 3339 in UTC, with 0,
// 3, 6 or 9 digits of fraction, as few as the nanoseconds need), without
// its allocations: every ticket answer carries a dozen. What it does not
// take (before year 1 or after 9999, nanoseconds out of range) goes to
// TimeUtil itself.
void AppendTimestamp(std::string& out, const google::protobuf::Timestamp& t) {
  using google::protobuf::util::TimeUtil;
  const int64_t seconds = t.seconds();
  const int32_t nanos = t.nanos();
  if (seconds < TimeUtil::kTimestampMinSeconds ||
      seconds > TimeUtil::kTimestampMaxSeconds || nanos < 0 ||
      nanos > 999999999) {
    AppendJsonString(out, TimeUtil::ToString(t));
    return;
  }
  namespace chrono = std::chrono;
  const chrono::sys_seconds at{chrono::seconds(seconds)};
  const auto day = chrono::floor<chrono::days>(at);
  const chrono::year_month_day ymd{day};
  const chrono::hh_mm_ss hms{at - day};
  out += '"';
  AppendDigits(out, static_cast<uint32_t>(static_cast<int>(ymd.year())), 4);
  out += '-';
  AppendDigits(out, static_cast<unsigned>(ymd.month()), 2);
  out += '-';
  AppendDigits(out, static_cast<unsigned>(ymd.day()), 2);
  out += 'T';
  AppendDigits(out, static_cast<uint32_t>(hms.hours().count()), 2);
  out += ':';
  AppendDigits(out, static_cast<uint32_t>(hms.minutes().count()), 2);
  out += ':';
  AppendDigits(out, static_cast<uint32_t>(hms.seconds().count()), 2);
  if (nanos != 0) {
    out += '.';
    const auto n = static_cast<uint32_t>(nanos);
    if (n % 1000000 == 0)
      AppendDigits(out, n / 1000000, 3);
    else if (n % 1000 == 0)
      AppendDigits(out, n / 1000, 6);
    else
      AppendDigits(out, n, 9);
  }
  out += "Z\"";
}

void AppendScalar(std::string& out, const Message& m, const FieldDescriptor* f,
                  int index);

// Of `paths` (dotted field names, as ToJson's `only`), what field `name`
// keeps: nullopt when none names it, an empty list when one names it
// whole, else the paths below it.
std::optional<std::vector<std::string_view>> PathsBelow(
    const std::vector<std::string_view>& paths, std::string_view name) {
  std::optional<std::vector<std::string_view>> below;
  for (std::string_view p : paths) {
    if (!p.starts_with(name)) continue;
    if (p.size() == name.size()) return std::vector<std::string_view>();
    if (p[name.size()] != '.') continue;
    if (!below) below.emplace();
    below->push_back(p.substr(name.size() + 1));
  }
  return below;
}

void AppendMessage(std::string& out, const Message& m,
                   const std::vector<std::string_view>* only);

void AppendMessage(std::string& out, const Message& m) {
  AppendMessage(out, m, nullptr);
}

// `only`: when set, the fields these paths name (a message named only by
// paths below it that leaves nothing is left out whole).
void AppendMessage(std::string& out, const Message& m,
                   const std::vector<std::string_view>* only) {
  const auto* d = m.GetDescriptor();
  if (d == google::protobuf::Timestamp::descriptor()) {
    AppendTimestamp(out, static_cast<const google::protobuf::Timestamp&>(m));
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
    std::optional<std::vector<std::string_view>> below;
    if (only != nullptr) {
      below = PathsBelow(*only, f->name());
      if (!below) continue;
    }
    const size_t start = out.size();
    if (!first) out += ',';
    AppendJsonString(out, f->json_name());
    out += ':';
    if (below && !below->empty() && is_message && !f->is_repeated()) {
      const size_t value = out.size();
      AppendMessage(out, r->GetMessage(m, f), &*below);
      if (out.size() - value == 2) {  // "{}": nothing of it asked for is set
        out.resize(start);
        continue;
      }
      first = false;
      continue;
    }
    first = false;
    if (!f->is_repeated()) {
      AppendScalar(out, m, f, -1);
      continue;
    }
    if (f->is_map()) {
      // An object, as the proto JSON mapping writes maps (output only: no
      // request of the API takes a map).
      out += '{';
      const FieldDescriptor* key = f->message_type()->map_key();
      const FieldDescriptor* value = f->message_type()->map_value();
      for (int j = 0, n = r->FieldSize(m, f); j < n; ++j) {
        if (j) out += ',';
        const Message& entry = r->GetRepeatedMessage(m, f, j);
        std::string k;
        AppendScalar(k, entry, key, -1);
        if (k.empty() || k.front() != '"')
          AppendJsonString(out, k);
        else
          out += k;
        out += ':';
        AppendScalar(out, entry, value, -1);
      }
      out += '}';
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
    case FieldDescriptor::CPPTYPE_STRING: {
      // By reference: the scratch is used only where a field is not held
      // as a std::string (never, for this schema), so it stays empty.
      std::string scratch;
      AppendJsonString(out,
                       rep ? r->GetRepeatedStringReference(m, f, i, &scratch)
                           : r->GetStringReference(m, f, &scratch));
      return;
    }
    case FieldDescriptor::CPPTYPE_BOOL:
      out += (rep ? r->GetRepeatedBool(m, f, i) : r->GetBool(m, f)) ? "true"
                                                                    : "false";
      return;
    case FieldDescriptor::CPPTYPE_INT32:
      AppendInteger(out,
                    rep ? r->GetRepeatedInt32(m, f, i) : r->GetInt32(m, f));
      return;
    case FieldDescriptor::CPPTYPE_UINT32:
      AppendInteger(out,
                    rep ? r->GetRepeatedUInt32(m, f, i) : r->GetUInt32(m, f));
      return;
    case FieldDescriptor::CPPTYPE_INT64:
      AppendInteger(out, rep ? r->GetRepeatedInt64(m, f, i) : r->GetInt64(m, f),
                    true);
      return;
    case FieldDescriptor::CPPTYPE_UINT64:
      AppendInteger(
          out, rep ? r->GetRepeatedUInt64(m, f, i) : r->GetUInt64(m, f), true);
      return;
    case FieldDescriptor::CPPTYPE_DOUBLE:
    case FieldDescriptor::CPPTYPE_FLOAT: {
      double x =
          f->cpp_type() == FieldDescriptor::CPPTYPE_DOUBLE
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
      AppendJsonString(out, WireEnumName(rep ? r->GetRepeatedEnum(m, f, i)
                                             : r->GetEnum(m, f)));
      return;
    case FieldDescriptor::CPPTYPE_MESSAGE:
      AppendMessage(out,
                    rep ? r->GetRepeatedMessage(m, f, i) : r->GetMessage(m, f));
      return;
  }
}

}  // namespace

void AppendJsonString(std::string& out, std::string_view s) {
  static const char kHex[] = "0123456789abcdef";
  out += '"';
  size_t i = 0;
  while (i < s.size()) {
    // The common case, a run of printable ASCII, goes in at once.
    size_t run = i;
    while (run < s.size()) {
      const auto c = static_cast<unsigned char>(s[run]);
      if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') break;
      ++run;
    }
    out.append(s.data() + i, run - i);
    i = run;
    if (i == s.size()) break;
    const auto c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 15];
        } else if (size_t len = Utf8SequenceLength(s.substr(i)); len != 0) {
          out.append(s.data() + i, len);
          i += len - 1;
        } else {
          // What is echoed (a path, a Content-Type) may be any bytes; the
          // answer stays UTF-8, as JSON must be.
          out += "\\ufffd";
        }
    }
    ++i;
  }
  out += '"';
}

Status ParseJson(std::string_view text, google::protobuf::Message& out,
                 ParseOptions options) {
  // Iterative: a deeply nested body cannot exhaust the stack. The pool
  // allocator frees the whole DOM at once, without recursion. Encoding is
  // not validated here but string by string after decoding (FromObject):
  // that also catches escapes of lone surrogates, and names the field.
  // Normal precision: RapidJSON 1.1's full-precision path has undefined
  // behaviour on some digit strings (a clz(0) in its DiyFp, found by the
  // json_body fuzz target), and no request carries a fraction that needs
  // the last bit.
  rapidjson::Document doc;
  constexpr unsigned kFlags = rapidjson::kParseIterativeFlag;
  doc.Parse<kFlags>(text.data(), text.size());
  if (doc.HasParseError()) {
    return Status::MalformedJson(
        std::string("the body is not valid JSON: ") +
        rapidjson::GetParseError_En(doc.GetParseError()) + " (at byte " +
        std::to_string(doc.GetErrorOffset()) + ")");
  }
  if (!doc.IsObject()) {
    return Status::MalformedJson(
        std::string("the body must be a JSON object {...}, not ") +
        KindName(doc));
  }
  return FromObject(doc, out, "", options);
}

std::string ToJson(const google::protobuf::Message& message) {
  std::string out;
  out.reserve(512);
  AppendMessage(out, message);
  return out;
}

void AppendJson(std::string& out, const google::protobuf::Message& message,
                const std::vector<std::string>& only) {
  const std::vector<std::string_view> paths(only.begin(), only.end());
  AppendMessage(out, message, &paths);
}

}  // namespace helpdesk::proto
