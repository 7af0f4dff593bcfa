#include "daemon/http/json_tree.h"

#include <charconv>
#include <cmath>

#include "proto/json.h"

namespace helpdesk::http {

JsonTree JsonTree::Object() {
  JsonTree t;
  t.kind_ = Kind::kObject;
  return t;
}

JsonTree JsonTree::Array() {
  JsonTree t;
  t.kind_ = Kind::kArray;
  return t;
}

JsonTree JsonTree::Strings(const std::vector<std::string>& items) {
  JsonTree t = Array();
  for (const auto& s : items) t.Push(s);
  return t;
}

JsonTree& JsonTree::operator[](std::string_view key) {
  if (kind_ == Kind::kNull) kind_ = Kind::kObject;
  for (size_t i = 0; i < keys_.size(); ++i)
    if (keys_[i] == key) return items_[i];
  keys_.emplace_back(key);
  return items_.emplace_back();
}

const JsonTree* JsonTree::Find(std::string_view key) const {
  for (size_t i = 0; i < keys_.size(); ++i)
    if (keys_[i] == key) return &items_[i];
  return nullptr;
}

JsonTree& JsonTree::Push(JsonTree item) {
  if (kind_ == Kind::kNull) kind_ = Kind::kArray;
  return items_.emplace_back(std::move(item));
}

std::string JsonTree::Dump() const {
  std::string out;
  Write(out);
  return out;
}

void JsonTree::Write(std::string& out) const {
  switch (kind_) {
    case Kind::kNull:
      out += "null";
      return;
    case Kind::kBool:
      out += bool_ ? "true" : "false";
      return;
    case Kind::kInteger:
      out += std::to_string(integer_);
      return;
    case Kind::kNumber: {
      // The shortest text that reads back as the same double (0.4, 1e+12).
      char buf[32];
      auto [end, ec] = std::to_chars(buf, buf + sizeof buf, number_);
      if (!std::isfinite(number_) || ec != std::errc())
        out += "null";
      else
        out.append(buf, end);
      return;
    }
    case Kind::kString:
      proto::AppendJsonString(out, string_);
      return;
    case Kind::kArray:
      out += '[';
      for (size_t i = 0; i < items_.size(); ++i) {
        if (i) out += ',';
        items_[i].Write(out);
      }
      out += ']';
      return;
    case Kind::kObject:
      out += '{';
      for (size_t i = 0; i < items_.size(); ++i) {
        if (i) out += ',';
        proto::AppendJsonString(out, keys_[i]);
        out += ':';
        items_[i].Write(out);
      }
      out += '}';
      return;
  }
}

}  // namespace helpdesk::http
