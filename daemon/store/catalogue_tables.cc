#include "daemon/store/catalogue_tables.h"

#include <charconv>
#include <map>
#include <string>

namespace helpdesk::store {
namespace {

constexpr std::string_view kVersionKey = "catalogue_version";

// The records of a catalogue by key, serialised: what PutCatalogue
// compares and writes.
std::map<std::string, std::string> Records(const v1::Catalogue& c) {
  std::map<std::string, std::string> out;
  for (const auto& e : c.categories())
    out["category/" + e.id()] = e.SerializeAsString();
  for (const auto& e : c.services())
    out["service/" + e.id()] = e.SerializeAsString();
  for (const auto& e : c.skills())
    out["skill/" + e.id()] = e.SerializeAsString();
  for (const auto& e : c.sla_classes())
    out["sla_class/" + e.id()] = e.SerializeAsString();
  return out;
}

template <typename M>
Status ParseInto(std::string_view bytes, M* out) {
  if (!out->ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    return Status::Internal("corrupt catalogue record");
  return Status::Ok();
}

}  // namespace

StatusOr<uint32_t> CatalogueVersion(const Txn& txn, const Tables& t) {
  auto version = txn.Get(t.meta, kVersionKey);
  if (!version.ok()) return version.status();
  if (!*version) return uint32_t{0};
  uint32_t v = 0;
  std::string_view text = **version;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size())
    return Status::Internal("corrupt catalogue version record");
  return v;
}

StatusOr<v1::Catalogue> LoadCatalogue(const Txn& txn, const Tables& t) {
  v1::Catalogue c;
  auto version = CatalogueVersion(txn, t);
  if (!version.ok()) return version.status();
  c.set_version(*version);
  auto cursor = Cursor::Open(txn, t.catalogue);
  if (!cursor.ok()) return cursor.status();
  for (auto moved = cursor->First();; moved = cursor->Next()) {
    if (!moved.ok()) return moved.status();
    if (!*moved) break;
    std::string_view key = cursor->key();
    std::string_view value = cursor->value();
    Status s;
    if (key.starts_with("category/"))
      s = ParseInto(value, c.add_categories());
    else if (key.starts_with("service/"))
      s = ParseInto(value, c.add_services());
    else if (key.starts_with("skill/"))
      s = ParseInto(value, c.add_skills());
    else if (key.starts_with("sla_class/"))
      s = ParseInto(value, c.add_sla_classes());
    else
      s = Status::Internal("unknown catalogue record " + std::string(key));
    if (!s.ok()) return s;
  }
  return c;
}

StatusOr<std::optional<v1::Service>> GetService(const Txn& txn, const Tables& t,
                                                std::string_view id) {
  auto raw = txn.Get(t.catalogue, "service/" + std::string(id));
  if (!raw.ok()) return raw.status();
  if (!*raw) return std::optional<v1::Service>();
  v1::Service s;
  if (Status st = ParseInto(**raw, &s); !st.ok()) return st;
  return std::optional<v1::Service>(std::move(s));
}

Status PutCatalogue(Txn& txn, const Tables& t, const v1::Catalogue& before,
                    const v1::Catalogue& after) {
  auto old_records = Records(before);
  for (auto& [key, value] : Records(after)) {
    auto it = old_records.find(key);
    bool same = it != old_records.end() && it->second == value;
    if (it != old_records.end()) old_records.erase(it);
    if (same) continue;
    if (Status s = txn.Put(t.catalogue, key, value); !s.ok()) return s;
  }
  for (const auto& [key, value] : old_records) {
    if (Status s = txn.Del(t.catalogue, key); !s.ok()) return s;
  }
  return txn.Put(t.meta, kVersionKey, std::to_string(after.version()));
}

}  // namespace helpdesk::store
