#include "catalogue/catalogue_file.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/reflection.h>
#include <toml++/toml.h>

#include <algorithm>

#include "proto/wire_names.h"

namespace helpdesk::catalogue {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

struct SectionSpec {
  Section section;
  const char* table;  // [[table]] in the file
  const char* field;  // repeated field of v1::Catalogue
};
constexpr SectionSpec kSections[] = {
    {Section::kSkill, "skill", "skills"},
    {Section::kSlaClass, "sla_class", "sla_classes"},
    {Section::kCategory, "category", "categories"},
    {Section::kService, "service", "services"},
    {Section::kSynonym, "synonym", "synonyms"},
};

int LineOfNode(const toml::node& n) {
  return static_cast<int>(n.source().begin.line);
}

std::string KnownKeys(const google::protobuf::Descriptor* d) {
  std::string out;
  for (int i = 0; i < d->field_count(); ++i) {
    if (d->field(i)->name() == "version") continue;
    out += (out.empty() ? "" : ", ") + d->field(i)->name();
  }
  return out;
}

const char* TomlTypeName(const toml::node& n) {
  if (n.is_string()) return "a string";
  if (n.is_boolean()) return "true/false";
  if (n.is_integer() || n.is_floating_point()) return "a number";
  if (n.is_array()) return "a list";
  if (n.is_table()) return "a table";
  return "a date or time";
}

// Reads one TOML table into `msg` by the message's own field names, so the
// file and the schema cannot drift apart.
class EntryReader {
 public:
  EntryReader(std::vector<Finding>& findings, Section section, int index)
      : findings_(findings), section_(section), index_(index) {}

  void Read(const toml::table& table, Message& msg, SourceMap::Entry& src,
            const std::string& prefix) {
    const auto* d = msg.GetDescriptor();
    const auto* r = msg.GetReflection();
    for (auto&& [key, node] : table) {
      const std::string name(key.str());
      const std::string full = prefix + name;
      const int line = static_cast<int>(key.source().begin.line);
      src.keys[full] = line;
      const FieldDescriptor* f = d->FindFieldByName(name);
      if (f == nullptr || name == "version") {
        Add(line, full,
            name == "version"
                ? "'version' is kept by the daemon; remove it from the entry"
                : "unknown key '" + full + "' in [[" +
                      std::string(SectionName(section_)) +
                      "]]; known keys: " + KnownKeys(d));
        continue;
      }
      if (f->is_repeated()) {
        const toml::array* arr = node.as_array();
        if (arr == nullptr) {
          Add(line, full,
              full +
                  " must be a list of strings, such as [\"a\", "
                  "\"b\"], not " +
                  TomlTypeName(node));
          continue;
        }
        auto& lines = src.items[full];
        for (size_t i = 0; i < arr->size(); ++i) {
          const toml::node& item = *arr->get(i);
          lines.push_back(LineOfNode(item));
          if (auto v = item.value_exact<std::string>()) {
            r->AddString(&msg, f, *v);
          } else {
            Add(LineOfNode(item), full,
                full + " item " + std::to_string(i + 1) +
                    " must be a string, not " + TomlTypeName(item));
          }
        }
        continue;
      }
      switch (f->cpp_type()) {
        case FieldDescriptor::CPPTYPE_STRING:
          if (auto v = node.value_exact<std::string>()) {
            r->SetString(&msg, f, *v);
          } else {
            Add(line, full,
                full + " must be a string in quotes, not " +
                    TomlTypeName(node));
          }
          break;
        case FieldDescriptor::CPPTYPE_BOOL:
          if (auto v = node.value_exact<bool>()) {
            r->SetBool(&msg, f, *v);
          } else {
            Add(line, full,
                full + " must be true or false, not " + TomlTypeName(node));
          }
          break;
        case FieldDescriptor::CPPTYPE_ENUM: {
          auto v = node.value_exact<std::string>();
          const auto* value =
              v ? proto::FindWireEnumValue(f->enum_type(), *v) : nullptr;
          if (value == nullptr) {
            Add(line, full,
                full + " must be one of " +
                    proto::WireEnumChoices(f->enum_type()) + " (in quotes)" +
                    (v ? ", not \"" + *v + "\"" : ""));
          } else {
            r->SetEnum(&msg, f, value);
          }
          break;
        }
        case FieldDescriptor::CPPTYPE_MESSAGE:
          if (const toml::table* sub = node.as_table()) {
            Read(*sub, *r->MutableMessage(&msg, f), src, full + ".");
          } else {
            Add(line, full,
                full +
                    " must be a table, such as { name = \"...\", "
                    "contact = \"...\" }");
          }
          break;
        default:
          Add(line, full, "key '" + full + "' cannot be set in a file");
      }
    }
  }

 private:
  void Add(int line, const std::string& field, std::string message) {
    Finding f{{section_, index_, field, -1}, std::move(message), line};
    findings_.push_back(std::move(f));
  }

  std::vector<Finding>& findings_;
  Section section_;
  int index_;
};

// A TOML basic string: quotes, backslashes and control characters escaped.
void AppendQuoted(std::string& out, std::string_view s) {
  out += '"';
  for (char c : s) {
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
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x",
                        static_cast<unsigned>(static_cast<unsigned char>(c)));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

// Keys always written for a service, even at their default, because a
// reader of the file should see the decision ("not business-critical",
// "applies to all").
bool AlwaysWritten(const FieldDescriptor* f) {
  return f->containing_type() == v1::Service::descriptor() &&
         (f->name() == "business_critical" || f->name() == "regional_gain" ||
          f->name() == "municipalities");
}

void WriteEntry(std::string& out, const Message& msg, bool inline_table) {
  const auto* d = msg.GetDescriptor();
  const auto* r = msg.GetReflection();
  bool first = true;
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    if (f->name() == "version") continue;
    if (f->is_repeated() ? r->FieldSize(msg, f) == 0 && !AlwaysWritten(f)
                         : !r->HasField(msg, f) && !AlwaysWritten(f))
      continue;
    if (f->cpp_type() == FieldDescriptor::CPPTYPE_ENUM &&
        f->enum_type() == v1::ServiceState_descriptor() &&
        r->GetEnumValue(msg, f) == v1::SERVICE_STATE_ACTIVE)
      continue;  // active is the default; only "retired" is worth a line
    if (inline_table) out += first ? "" : ", ";
    first = false;
    out += f->name() + " = ";
    if (f->is_repeated()) {
      out += '[';
      for (int j = 0; j < r->FieldSize(msg, f); ++j) {
        if (j) out += ", ";
        AppendQuoted(out, r->GetRepeatedString(msg, f, j));
      }
      out += ']';
    } else {
      switch (f->cpp_type()) {
        case FieldDescriptor::CPPTYPE_STRING:
          AppendQuoted(out, r->GetString(msg, f));
          break;
        case FieldDescriptor::CPPTYPE_BOOL:
          out += r->GetBool(msg, f) ? "true" : "false";
          break;
        case FieldDescriptor::CPPTYPE_ENUM:
          AppendQuoted(out, proto::WireEnumName(r->GetEnum(msg, f)));
          break;
        case FieldDescriptor::CPPTYPE_MESSAGE:
          out += "{ ";
          WriteEntry(out, r->GetMessage(msg, f), true);
          out += " }";
          break;
        default:
          break;
      }
    }
    if (!inline_table) out += '\n';
  }
}

}  // namespace

int SourceMap::LineOf(const Ref& ref) const {
  const auto& entries = sections_[static_cast<size_t>(ref.section)];
  if (ref.index < 0 || static_cast<size_t>(ref.index) >= entries.size())
    return 1;
  const Entry& e = entries[ref.index];
  if (ref.item >= 0) {
    auto it = e.items.find(ref.field);
    if (it != e.items.end() &&
        static_cast<size_t>(ref.item) < it->second.size())
      return it->second[ref.item];
  }
  // A field or, for a nested one ("supplier"), its first key.
  auto it = e.keys.lower_bound(ref.field);
  if (!ref.field.empty() && it != e.keys.end() &&
      (it->first == ref.field || it->first.starts_with(ref.field + ".")))
    return it->second;
  return e.line > 0 ? e.line : 1;
}

ParsedFile ParseCatalogueFile(std::string_view text) {
  ParsedFile out;
  toml::table doc;
  try {  // toml++ reports a syntax error by exception and stops there
    doc = toml::parse(text);
  } catch (const toml::parse_error& e) {
    out.findings.push_back({{},
                            "not valid TOML: " + std::string(e.description()),
                            static_cast<int>(e.source().begin.line)});
    return out;
  }
  for (auto&& [key, node] : doc) {
    const std::string name(key.str());
    const int line = static_cast<int>(key.source().begin.line);
    if (name == "version") {
      if (auto v = node.value_exact<int64_t>();
          v && *v >= 0 && *v <= UINT32_MAX) {
        out.catalogue.set_version(static_cast<uint32_t>(*v));
        out.has_version = true;
      } else {
        out.findings.push_back(
            {{},
             "version must be a whole number (the catalogue version the "
             "file was exported from)",
             line});
      }
      continue;
    }
    const SectionSpec* spec = nullptr;
    for (const auto& s : kSections)
      if (name == s.table) spec = &s;
    if (spec == nullptr) {
      out.findings.push_back({{},
                              "unknown table '" + name +
                                  "'; a catalogue file has [[skill]], "
                                  "[[sla_class]], [[category]], [[service]], "
                                  "[[synonym]] and version",
                              line});
      continue;
    }
    const toml::array* arr = node.as_array();
    if (arr == nullptr || !arr->is_array_of_tables()) {
      out.findings.push_back(
          {{},
           "'" + name + "' must be written as [[" + name + "]] tables",
           line});
      continue;
    }
    const FieldDescriptor* list =
        v1::Catalogue::descriptor()->FindFieldByName(spec->field);
    auto& sources = out.sources.entries(spec->section);
    for (size_t i = 0; i < arr->size(); ++i) {
      const toml::table& table = *arr->get(i)->as_table();
      Message* entry =
          out.catalogue.GetReflection()->AddMessage(&out.catalogue, list);
      sources.emplace_back();
      sources.back().line = LineOfNode(table);
      EntryReader(out.findings, spec->section, static_cast<int>(i))
          .Read(table, *entry, sources.back(), "");
    }
  }
  Normalize(out.catalogue);
  return out;
}

void Locate(std::vector<Finding>& findings, const SourceMap& sources) {
  for (auto& f : findings)
    if (f.line <= 0) f.line = sources.LineOf(f.ref);
}

std::string FormatFindings(std::string_view file_name,
                           std::vector<Finding> findings) {
  std::stable_sort(
      findings.begin(), findings.end(),
      [](const Finding& a, const Finding& b) { return a.line < b.line; });
  std::string out;
  for (const auto& f : findings) {
    out += std::string(file_name) + ":" + std::to_string(std::max(f.line, 1)) +
           ": " + f.message + "\n";
  }
  return out;
}

std::string WriteCatalogueFile(const v1::Catalogue& c) {
  std::string out =
      "# The tjenestekatalog of helpdeskd, written by `helpdeskctl catalogue "
      "export`.\n"
      "# Edit it and load it with `helpdeskctl catalogue import FILE`; check "
      "it first\n"
      "# with `helpdeskctl catalogue validate FILE`. Ids are stable: tickets "
      "refer to them.\n"
      "# Services are never deleted: set state = \"retired\" instead.\n\n";
  if (c.version() > 0) {
    out +=
        "# The catalogue version this file was exported from: an import "
        "is refused\n# if the catalogue has changed since. Remove the line "
        "to import anyway.\n";
    out += "version = " + std::to_string(c.version()) + "\n";
  }
  auto section = [&](const char* table, const auto& entries) {
    for (const auto& e : entries) {
      out += std::string("\n[[") + table + "]]\n";
      WriteEntry(out, e, false);
    }
  };
  section("skill", c.skills());
  section("sla_class", c.sla_classes());
  section("category", c.categories());
  section("service", c.services());
  section("synonym", c.synonyms());
  return out;
}

}  // namespace helpdesk::catalogue
