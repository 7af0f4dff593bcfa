#include "tools/helpdeskctl/import_outcome.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/reflection.h>

#include <algorithm>
#include <charconv>

namespace helpdesk::ctl {

using catalogue::Ref;
using catalogue::Section;

ImportOutcome FromEditResult(const catalogue::EditResult& r,
                             uint32_t current_version) {
  ImportOutcome out;
  out.message = r.status.message();
  out.version = current_version;
  switch (r.status.code()) {
    case Code::kOk:
      out.kind = r.changed ? ImportOutcome::Kind::kApplied
                           : ImportOutcome::Kind::kUnchanged;
      out.version = r.after.version();
      out.diff = r.change.diff();
      break;
    case Code::kInvalidField:
      out.kind = ImportOutcome::Kind::kInvalid;
      out.errors = r.status.errors();
      break;
    case Code::kVersionConflict:
      out.kind = ImportOutcome::Kind::kConflict;
      out.version = static_cast<uint32_t>(
          r.status.current_version().value_or(current_version));
      break;
    default:
      out.kind = ImportOutcome::Kind::kRefused;
  }
  return out;
}

namespace {

std::string SnakeCase(std::string_view camel) {
  std::string out;
  for (char c : camel) {
    if (c >= 'A' && c <= 'Z') {
      out += '_';
      out += static_cast<char>(c - 'A' + 'a');
    } else {
      out += c;
    }
  }
  return out;
}

std::optional<int> Number(std::string_view s) {
  int v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || v < 0)
    return std::nullopt;
  return v;
}

}  // namespace

std::optional<Ref> RefOfPointer(std::string_view pointer) {
  if (pointer.empty()) return Ref{};
  if (pointer.front() != '/') return std::nullopt;
  std::vector<std::string_view> parts;
  for (std::string_view rest = pointer.substr(1);;) {
    size_t slash = rest.find('/');
    parts.push_back(rest.substr(0, slash));
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  static constexpr std::pair<std::string_view, Section> kLists[] = {
      {"categories", Section::kCategory},
      {"services", Section::kService},
      {"skills", Section::kSkill},
      {"slaClasses", Section::kSlaClass},
      {"sla_classes", Section::kSlaClass}};
  Ref ref;
  auto list = std::find_if(std::begin(kLists), std::end(kLists),
                           [&](const auto& l) { return l.first == parts[0]; });
  if (list == std::end(kLists)) return std::nullopt;
  ref.section = list->second;
  if (parts.size() < 2) return ref;
  auto index = Number(parts[1]);
  if (!index) return std::nullopt;
  ref.index = *index;
  for (size_t i = 2; i < parts.size(); ++i) {
    if (auto item = Number(parts[i]); item && !ref.field.empty()) {
      ref.item = *item;
      break;  // nothing in a catalogue lies deeper than a list item
    }
    ref.field += (ref.field.empty() ? "" : ".") + SnakeCase(parts[i]);
  }
  return ref;
}

std::vector<catalogue::Finding> Locate(const std::vector<FieldError>& errors,
                                       const catalogue::SourceMap& sources) {
  std::vector<catalogue::Finding> out;
  for (const auto& e : errors) {
    // A pointer we cannot place still reports its problem, at the top.
    Ref ref = RefOfPointer(e.pointer).value_or(Ref{});
    catalogue::Finding f{ref, e.detail, 0};
    f.line = sources.LineOf(ref);
    out.push_back(std::move(f));
  }
  return out;
}

std::string FormatDiff(const v1::CatalogueDiff& diff) {
  // Over the descriptor, so that a kind added to the schema is reported too.
  const auto* d = diff.GetDescriptor();
  const auto* r = diff.GetReflection();
  std::string out;
  for (int i = 0; i < d->field_count(); ++i) {
    const auto* f = d->field(i);
    if (!f->is_repeated()) {  // a flag: synonyms_changed
      if (f->cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_BOOL &&
          r->GetBool(diff, f)) {
        std::string kind = f->name();
        std::replace(kind.begin(), kind.end(), '_', ' ');
        out += "  " + kind + "\n";
      }
      continue;
    }
    const int n = r->FieldSize(diff, f);
    if (n == 0) continue;
    std::string kind = f->name();
    std::replace(kind.begin(), kind.end(), '_', ' ');
    if (kind.starts_with("sla classes")) kind.replace(0, 3, "SLA");
    out += "  " + kind + " (" + std::to_string(n) + "): ";
    for (int j = 0; j < n; ++j)
      out += (j ? ", " : "") + r->GetRepeatedString(diff, f, j);
    out += "\n";
  }
  return out;
}

std::string Summary(const v1::Catalogue& c) {
  int retired = 0;
  for (const auto& s : c.services())
    retired += s.state() == v1::SERVICE_STATE_RETIRED;
  auto n = [](int count, const char* one, const char* many) {
    return std::to_string(count) + " " + (count == 1 ? one : many);
  };
  return n(c.services_size(), "service", "services") + " (" +
         std::to_string(retired) + " retired) in " +
         n(c.categories_size(), "category", "categories") + ", " +
         n(c.skills_size(), "skill", "skills") + ", " +
         n(c.sla_classes_size(), "SLA class", "SLA classes");
}

}  // namespace helpdesk::ctl
