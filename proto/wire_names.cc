#include "proto/wire_names.h"

#include <cctype>
#include <string>
#include <string_view>
#include <unordered_map>

namespace helpdesk::proto {
namespace {

// PRIORITY_HIGH -> prefix "PRIORITY_" comes from the type name "Priority".
std::string EnumPrefix(const google::protobuf::EnumDescriptor* type) {
  std::string prefix;
  for (char c : type->name()) {
    if (std::isupper(static_cast<unsigned char>(c)) && !prefix.empty())
      prefix += '_';
    prefix += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return prefix + "_";
}

// The wire name worked out (not cached).
std::string SpellWireEnumName(
    const google::protobuf::EnumValueDescriptor* value) {
  std::string_view name = value->name();
  std::string prefix = EnumPrefix(value->type());
  if (name.substr(0, prefix.size()) == prefix)
    name.remove_prefix(prefix.size());
  std::string out(name);
  for (char& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

const std::string& WireEnumName(
    const google::protobuf::EnumValueDescriptor* value) {
  thread_local std::unordered_map<const google::protobuf::EnumValueDescriptor*,
                                  std::string>
      names;
  auto it = names.find(value);
  if (it == names.end())
    it = names.emplace(value, SpellWireEnumName(value)).first;
  return it->second;
}

const google::protobuf::EnumValueDescriptor* FindWireEnumValue(
    const google::protobuf::EnumDescriptor* type, std::string_view name) {
  for (int i = 0; i < type->value_count(); ++i) {
    const auto* v = type->value(i);
    if (v->number() != 0 && WireEnumName(v) == name) return v;
  }
  return nullptr;
}

std::string WireEnumChoices(const google::protobuf::EnumDescriptor* type) {
  std::string out;
  for (int i = 0; i < type->value_count(); ++i) {
    const auto* v = type->value(i);
    if (v->number() == 0) continue;
    if (!out.empty()) out += ", ";
    out += WireEnumName(v);
  }
  return out;
}

}  // namespace helpdesk::proto
