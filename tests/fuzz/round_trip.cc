#include "tests/fuzz/round_trip.h"

#include <google/protobuf/stubs/logging.h>
#include <google/protobuf/util/field_comparator.h>
#include <google/protobuf/util/message_differencer.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <vector>

#include "proto/json.h"

namespace helpdesk::fuzz {
namespace {

// Protobuf logs every string that is not UTF-8 on serialising; the fuzzer
// makes millions of them.
struct QuietProtobuf {
  QuietProtobuf() { google::protobuf::SetLogHandler(nullptr); }
};
const QuietProtobuf quiet;

using google::protobuf::FieldDescriptor;

// What ToJson cannot write so that it reads back: NaN and the infinities
// (null, on purpose), an enum number the schema does not name (a record
// from a newer writer, or damage: "unknown_enum_value_..." is no value),
// an unset (0) enum in a list, and a Timestamp outside RFC 3339's years
// 0001-9999 (written "InvalidTime").
bool HasValueJsonCannotCarry(const google::protobuf::Message& m) {
  const auto* r = m.GetReflection();
  if (m.GetDescriptor()->full_name() == "google.protobuf.Timestamp") {
    const auto* d = m.GetDescriptor();
    const int64_t seconds = r->GetInt64(m, d->FindFieldByName("seconds"));
    const int32_t nanos = r->GetInt32(m, d->FindFieldByName("nanos"));
    return seconds < -62135596800 || seconds > 253402300799 || nanos < 0 ||
           nanos > 999999999;
  }
  std::vector<const FieldDescriptor*> fields;
  r->ListFields(m, &fields);
  for (const FieldDescriptor* f : fields) {
    const int n = f->is_repeated() ? r->FieldSize(m, f) : 1;
    for (int i = 0; i < n; ++i) {
      switch (f->cpp_type()) {
        case FieldDescriptor::CPPTYPE_DOUBLE:
          if (!std::isfinite(f->is_repeated() ? r->GetRepeatedDouble(m, f, i)
                                              : r->GetDouble(m, f)))
            return true;
          break;
        case FieldDescriptor::CPPTYPE_FLOAT:
          if (!std::isfinite(f->is_repeated() ? r->GetRepeatedFloat(m, f, i)
                                              : r->GetFloat(m, f)))
            return true;
          break;
        case FieldDescriptor::CPPTYPE_ENUM: {
          const int v = f->is_repeated() ? r->GetRepeatedEnumValue(m, f, i)
                                         : r->GetEnumValue(m, f);
          // 0 is "not set", which ParseJson refuses as a list item.
          if (f->enum_type()->FindValueByNumber(v) == nullptr ||
              (f->is_repeated() && v == 0))
            return true;
          break;
        }
        case FieldDescriptor::CPPTYPE_MESSAGE:
          if (HasValueJsonCannotCarry(f->is_repeated()
                                          ? r->GetRepeatedMessage(m, f, i)
                                          : r->GetMessage(m, f)))
            return true;
          break;
        default:
          break;
      }
    }
  }
  return false;
}

}  // namespace

bool StoreCanRead(const google::protobuf::Message& m) {
  std::string bytes;
  if (!m.SerializeToString(&bytes)) return false;
  std::unique_ptr<google::protobuf::Message> back(m.New());
  return back->ParseFromString(bytes);
}

std::string CheckJsonRoundTrip(const google::protobuf::Message& m) {
  std::string json = proto::ToJson(m);
  if (!StoreCanRead(m) || HasValueJsonCannotCarry(m)) return json;
  std::unique_ptr<google::protobuf::Message> back(m.New());
  if (Status s = proto::ParseJson(json, *back); !s.ok())
    Finding("ToJson's output does not parse: " + s.message(), json);
  std::string diff;
  google::protobuf::util::MessageDifferencer differ;
  differ.ReportDifferencesToString(&diff);
  // ParseJson reads numbers at RapidJSON's normal precision (its full-
  // precision path has undefined behaviour), which may be a few units in
  // the last place off for a double written with all its digits.
  google::protobuf::util::DefaultFieldComparator numbers;
  numbers.set_float_comparison(
      google::protobuf::util::DefaultFieldComparator::APPROXIMATE);
  numbers.SetDefaultFractionAndMargin(1e-12, 0);
  differ.set_field_comparator(&numbers);
  // Unknown fields (a record from a newer writer) have no JSON form.
  std::unique_ptr<google::protobuf::Message> known(m.New());
  known->CopyFrom(m);
  known->DiscardUnknownFields();
  if (!differ.Compare(*known, *back))
    Finding("JSON round trip changed " + m.GetTypeName() + ": " + diff, json);
  return json;
}

void Finding(const std::string& what, const std::string& detail) {
  std::fprintf(stderr, "FINDING: %s\n%s\n", what.c_str(), detail.c_str());
  std::abort();
}

}  // namespace helpdesk::fuzz
