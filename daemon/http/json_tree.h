#pragma once
// A JSON document built in memory and written out once, for the documents
// the daemon generates itself (the OpenAPI document). Objects keep their
// members in the order they were added, so a document reads in the order
// it was built. Request and answer bodies never go through it: they are
// the schema's, through proto/json.h. A plain value; any thread.

#include <concepts>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace helpdesk::http {

class JsonTree {
 public:
  JsonTree() = default;  // null
  JsonTree(bool b) : kind_(Kind::kBool), bool_(b) {}
  template <std::integral T>
  requires(!std::same_as<T, bool>) JsonTree(T n)
      : kind_(Kind::kInteger), integer_(static_cast<int64_t>(n)) {}
  JsonTree(double x) : kind_(Kind::kNumber), number_(x) {}
  JsonTree(const char* s) : kind_(Kind::kString), string_(s) {}
  JsonTree(std::string_view s) : kind_(Kind::kString), string_(s) {}
  JsonTree(std::string s) : kind_(Kind::kString), string_(std::move(s)) {}

  static JsonTree Object();
  static JsonTree Array();
  // An array of strings.
  static JsonTree Strings(const std::vector<std::string>& items);

  bool IsNull() const { return kind_ == Kind::kNull; }
  bool IsObject() const { return kind_ == Kind::kObject; }

  // An object's member `key`, added as null when it is not there yet; a
  // null becomes an empty object first.
  JsonTree& operator[](std::string_view key);
  // The member `key` of an object, or nullptr.
  const JsonTree* Find(std::string_view key) const;
  // Appends to an array (a null becomes an empty array first).
  JsonTree& Push(JsonTree item);
  // How many members or items.
  size_t size() const { return items_.size(); }

  // Compact JSON, UTF-8 as given.
  std::string Dump() const;

 private:
  enum class Kind { kNull, kBool, kInteger, kNumber, kString, kArray, kObject };
  void Write(std::string& out) const;

  Kind kind_ = Kind::kNull;
  bool bool_ = false;
  int64_t integer_ = 0;
  double number_ = 0;
  std::string string_;
  std::vector<std::string> keys_;  // an object's, beside items_
  std::vector<JsonTree> items_;
};

}  // namespace helpdesk::http
