#include "daemon/store/catalogue_tables.h"

#include <charconv>
#include <map>
#include <string>

#include "daemon/store/record_check.h"

namespace helpdesk::store {
namespace {

constexpr std::string_view kVersionKey = "catalogue_version";

// An entry of a catalogue as a record: serialised, the message, and its
// place in the catalogue (field "services", index 3: "/services/3",
// spelt out only for an entry that is checked).
struct Record {
  std::string bytes;
  const google::protobuf::Message* entry;
  std::string_view field;
  int index;
};

// The records of a catalogue by key: what PutCatalogue compares and
// writes.
std::map<std::string, Record> Records(const v1::Catalogue& c) {
  std::map<std::string, Record> out;
  auto add = [&](const auto& entries, std::string_view kind,
                 std::string_view field) {
    for (int i = 0; i < entries.size(); ++i) {
      const auto& e = entries[i];
      out[std::string(kind) + "/" + e.id()] = {e.SerializeAsString(), &e, field,
                                               i};
    }
  };
  add(c.categories(), "category", "categories");
  add(c.services(), "service", "services");
  add(c.skills(), "skill", "skills");
  add(c.sla_classes(), "sla_class", "slaClasses");
  // Synonym groups have no id: keyed by their place, zero-padded so that
  // the table's order is the list's.
  for (int i = 0; i < c.synonyms_size(); ++i) {
    std::string place = std::to_string(i);
    place.insert(0, place.size() < 4 ? 4 - place.size() : 0, '0');
    out["synonym/" + place] = {c.synonyms(i).SerializeAsString(),
                               &c.synonyms(i), "synonyms", i};
  }
  return out;
}

std::string RecordName(std::string_view key) {
  return "catalogue record " + std::string(key);
}

// Removes the entry just added for `key`.
void DropLast(v1::Catalogue& c, std::string_view key) {
  if (key.starts_with("category/"))
    c.mutable_categories()->RemoveLast();
  else if (key.starts_with("service/"))
    c.mutable_services()->RemoveLast();
  else if (key.starts_with("skill/"))
    c.mutable_skills()->RemoveLast();
  else if (key.starts_with("synonym/"))
    c.mutable_synonyms()->RemoveLast();
  else
    c.mutable_sla_classes()->RemoveLast();
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
    google::protobuf::Message* entry;
    if (key.starts_with("category/"))
      entry = c.add_categories();
    else if (key.starts_with("service/"))
      entry = c.add_services();
    else if (key.starts_with("skill/"))
      entry = c.add_skills();
    else if (key.starts_with("sla_class/"))
      entry = c.add_sla_classes();
    else if (key.starts_with("synonym/"))
      entry = c.add_synonyms();
    else
      return Status::Internal("unknown catalogue record " + std::string(key));
    // The catalogue goes on without a damaged entry: browsing, search,
    // export, coverage and every edit keep working, and an edit that
    // writes the same id (POST, an import) replaces the damaged bytes.
    if (!ParseRecord(value, *entry)) {
      NoteDamaged(RecordName(key));
      DropLast(c, key);
    }
  }
  return c;
}

StatusOr<std::optional<v1::Service>> GetService(const Txn& txn, const Tables& t,
                                                std::string_view id) {
  auto raw = txn.Get(t.catalogue, "service/" + std::string(id));
  if (!raw.ok()) return raw.status();
  if (!*raw) return std::optional<v1::Service>();
  v1::Service s;
  if (!ParseRecord(**raw, s))
    return Damaged(RecordName("service/" + std::string(id)));
  return std::optional<v1::Service>(std::move(s));
}

StatusOr<CatalogueWrites> PlanCatalogue(const v1::Catalogue& before,
                                        const v1::Catalogue& after) {
  CatalogueWrites plan;
  plan.version_ = after.version();
  auto old_records = Records(before);
  for (auto& [key, record] : Records(after)) {
    auto it = old_records.find(key);
    bool same = it != old_records.end() && it->second.bytes == record.bytes;
    if (it != old_records.end()) old_records.erase(it);
    // An entry stored unchanged was checked when it was put.
    if (same) continue;
    const std::string at =
        "/" + std::string(record.field) + "/" + std::to_string(record.index);
    if (Status s = CheckStrings(*record.entry, "catalogue", nullptr, at);
        !s.ok())
      return s;
    plan.puts_.emplace_back(key, std::move(record.bytes));
  }
  for (const auto& [key, record] : old_records) plan.deletes_.push_back(key);
  return plan;
}

Status PutCatalogue(Txn& txn, const Tables& t, const CatalogueWrites& writes) {
  for (const auto& [key, value] : writes.puts()) {
    if (Status s = txn.Put(t.catalogue, key, value); !s.ok()) return s;
  }
  for (const auto& key : writes.deletes()) {
    if (Status s = txn.Del(t.catalogue, key); !s.ok()) return s;
  }
  return txn.Put(t.meta, kVersionKey, std::to_string(writes.version()));
}

Status PutCatalogue(Txn& txn, const Tables& t, const v1::Catalogue& before,
                    const v1::Catalogue& after) {
  auto plan = PlanCatalogue(before, after);
  if (!plan.ok()) return plan.status();
  return PutCatalogue(txn, t, *plan);
}

}  // namespace helpdesk::store
