#pragma once
// How enum values are spelled on the wire: the proto name without its type
// prefix, in lowercase (TICKET_STATUS_IN_PROGRESS <-> "in_progress"). Done
// once, generically, over the descriptors. Pure; any thread.

#include <google/protobuf/descriptor.h>
#include <google/protobuf/generated_enum_reflection.h>

#include <string>
#include <string_view>

namespace helpdesk::proto {

// Worked out once per value and thread (answers name several enums each,
// and a request's enum is looked up by name): the reference is the
// calling thread's, valid while that thread lives.
const std::string& WireEnumName(
    const google::protobuf::EnumValueDescriptor* value);

// The value whose wire name is `name`, or nullptr. *_UNSPECIFIED never
// matches: it is not a value a client may send.
const google::protobuf::EnumValueDescriptor* FindWireEnumValue(
    const google::protobuf::EnumDescriptor* type, std::string_view name);

// "critical, high, normal, low": the values a client may send.
std::string WireEnumChoices(const google::protobuf::EnumDescriptor* type);

template <typename E>
std::string WireName(E value) {
  const auto* d = google::protobuf::GetEnumDescriptor<E>();
  const auto* v = d->FindValueByNumber(static_cast<int>(value));
  return v ? WireEnumName(v) : std::to_string(static_cast<int>(value));
}

}  // namespace helpdesk::proto
