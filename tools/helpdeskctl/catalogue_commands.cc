#include "tools/helpdeskctl/catalogue_commands.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string_view>
#include <vector>

#include "catalogue/catalogue.h"
#include "catalogue/catalogue_file.h"
#include "catalogue/edit.h"
#include "daemon/seed/seed.h"
#include "daemon/tickets/commands.h"
#include "tools/helpdeskctl/catalogue_remote.h"
#include "tools/helpdeskctl/file_io.h"
#include "tools/helpdeskctl/import_outcome.h"
#include "tools/helpdeskctl/offline_store.h"

namespace helpdesk::ctl {
namespace {

using catalogue::Finding;

void Err(const std::string& text) {
  std::fputs(("helpdeskctl: " + text + "\n").c_str(), stderr);
}

void Out(const std::string& text) { std::fputs(text.c_str(), stdout); }

// The municipalities a file is checked against before anything is sent:
// the demo region's, which every daemon is seeded with. The daemon (or the
// offline import) checks again against the region it has stored.
StatusOr<std::vector<std::string>> DemoMunicipalities() {
  auto region = seed::DemoRegion();
  if (!region.ok()) return region.status();
  std::vector<std::string> ids;
  for (const auto& m : region->municipalities()) ids.push_back(m.id());
  return ids;
}

struct CheckedFile {
  catalogue::ParsedFile parsed;
  std::vector<Finding> findings;  // located: every one has its line
};

// Whether `validation` only repeats `read`: a value the parser could not
// read (a wrong type) then looks missing to Validate, which says so again.
bool Repeats(const Finding& validation, const Finding& read) {
  const auto& v = validation.ref;
  const auto& r = read.ref;
  return v.section == r.section && v.index == r.index && !v.field.empty() &&
         (r.field == v.field || r.field.starts_with(v.field + "."));
}

CheckedFile Check(std::string_view text,
                  const std::vector<std::string>& municipality_ids) {
  CheckedFile out{catalogue::ParseCatalogueFile(text), {}};
  out.findings = out.parsed.findings;
  for (auto& f : catalogue::Validate(out.parsed.catalogue, municipality_ids)) {
    bool repeat = false;
    for (const auto& read : out.parsed.findings) repeat |= Repeats(f, read);
    if (!repeat) out.findings.push_back(std::move(f));
  }
  catalogue::Locate(out.findings, out.parsed.sources);
  return out;
}

std::string Problems(size_t n) {
  return std::to_string(n) + (n == 1 ? " problem" : " problems");
}

// The reading half of validate and import: the file, checked. Returns the
// exit code when it should end the command.
std::optional<int> ReadAndCheck(const std::string& file, CheckedFile& out,
                                const char* after_problems) {
  auto text = ReadWholeFile(file);
  if (!text.ok()) {
    Err(text.status().message());
    return kExitError;
  }
  auto ids = DemoMunicipalities();
  if (!ids.ok()) {
    Err("the built-in region: " + ids.status().message());
    return kExitError;
  }
  out = Check(*text, *ids);
  if (!out.findings.empty()) {
    std::fputs(catalogue::FormatFindings(file, out.findings).c_str(), stderr);
    Err(file + ": " + Problems(out.findings.size()) + after_problems);
    return kExitProblems;
  }
  return std::nullopt;
}

// Store failures that are a refusal (no database, another schema, the
// daemon holds the directory) rather than an I/O error.
int ExitForStore(const Status& s) {
  return s.code() == Code::kNotFound || s.code() == Code::kInvalidParameter ||
                 s.code() == Code::kUnavailable
             ? kExitProblems
             : kExitError;
}

StatusOr<v1::Catalogue> Fetch(const Target& target) {
  if (!target.data_dir.empty()) {
    auto stored = ReadDataDir(target.data_dir);
    if (!stored.ok()) return stored.status();
    return std::move(stored->catalogue);
  }
  auto url = ParseUrl(target.url);
  if (!url.ok()) return url.status();
  return CatalogueApi(*url, target.timeout, "helpdeskctl", RequestId())
      .GetFlat();
}

int Report(const ImportOutcome& o, const std::string& file,
           const catalogue::SourceMap& sources, uint32_t file_version,
           bool dry_run) {
  using Kind = ImportOutcome::Kind;
  const std::string nothing =
      dry_run ? "dry run, nothing was changed" : "nothing was changed";
  switch (o.kind) {
    case Kind::kApplied:
      Out((dry_run ? "dry run: importing " + file +
                         " would change the catalogue (version " +
                         std::to_string(o.version - 1) + " -> " +
                         std::to_string(o.version) + "); nothing was changed:\n"
                   : "imported " + file + ": catalogue version " +
                         std::to_string(o.version - 1) + " -> " +
                         std::to_string(o.version) + "\n") +
          FormatDiff(o.diff));
      return kExitOk;
    case Kind::kUnchanged:
      Out(std::string(dry_run ? "dry run: " : "") +
          "no changes: the catalogue already matches " + file + " (version " +
          std::to_string(o.version) + ")\n");
      return kExitOk;
    case Kind::kInvalid:
      std::fputs(
          catalogue::FormatFindings(file, Locate(o.errors, sources)).c_str(),
          stderr);
      Err(file + " was refused (" + Problems(o.errors.size()) + "); " +
          nothing);
      return kExitProblems;
    case Kind::kConflict:
      Err(file + " was refused: it was exported from catalogue version " +
          std::to_string(file_version) +
          ", and the catalogue has changed since" +
          (o.version > 0
               ? " (it is at version " + std::to_string(o.version) + " now)"
               : " (" + o.message + ")") +
          "; " + nothing +
          ". Export again and re-apply your edits to the new file (or remove "
          "its `version` line to overwrite the newer catalogue).");
      return kExitProblems;
    case Kind::kRefused:
      Err(file + " was refused: " + o.message + "; " + nothing);
      return kExitProblems;
  }
  return kExitError;
}

Status CheckActor(const std::string& actor) {
  if (actor.empty())
    return Status::InvalidParameter("--actor", "--actor is empty");
  if (actor.size() > tickets::kMaxNameBytes)
    return Status::InvalidParameter(
        "--actor", "--actor is at most " +
                       std::to_string(tickets::kMaxNameBytes) + " bytes");
  for (unsigned char c : actor)
    if (c < 0x20 || c == 0x7f)
      return Status::InvalidParameter("--actor",
                                      "--actor contains control characters");
  return Status::Ok();
}

}  // namespace

std::string RequestId() { return "helpdeskctl-" + std::to_string(getpid()); }

std::string ActorOr(const std::string& given) {
  if (!given.empty()) return given;
  const char* user = std::getenv("USER");
  return user != nullptr && *user != '\0' ? user : "helpdeskctl";
}

int ValidateCommand(const std::string& file) {
  CheckedFile checked;
  if (auto code = ReadAndCheck(file, checked, ""); code) return *code;
  Out("ok: " + Summary(checked.parsed.catalogue) + "\n");
  return kExitOk;
}

int ExportCommand(const ExportOptions& o) {
  auto catalogue = Fetch(o.target);
  if (!catalogue.ok()) {
    Err(catalogue.status().message());
    return o.target.data_dir.empty() ? kExitError
                                     : ExitForStore(catalogue.status());
  }
  const std::string text = catalogue::WriteCatalogueFile(*catalogue);
  const bool to_stdout = o.output.empty() || o.output == "-";
  if (to_stdout) {
    if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size() ||
        std::fflush(stdout) != 0) {
      Err("cannot write the catalogue to standard output");
      return kExitError;
    }
  } else if (Status s = WriteWholeFile(o.output, text); !s.ok()) {
    Err(s.message());
    return kExitError;
  }
  Err("exported catalogue version " + std::to_string(catalogue->version()) +
      " (" + Summary(*catalogue) + ")" + (to_stdout ? "" : " to " + o.output));
  return kExitOk;
}

int ImportCommand(const ImportOptions& o) {
  const std::string actor = ActorOr(o.actor);
  if (Status s = CheckActor(actor); !s.ok()) {
    Err(s.message());
    return kExitError;
  }
  CheckedFile checked;
  if (auto code = ReadAndCheck(o.file, checked,
                               "; nothing was sent, nothing was changed");
      code)
    return *code;
  const v1::Catalogue& incoming = checked.parsed.catalogue;
  const bool offline = !o.target.data_dir.empty();

  StatusOr<ImportOutcome> outcome = Status::Internal("not run");
  if (o.dry_run) {
    // The decision the daemon would take, taken here against a copy.
    StatusOr<std::vector<std::string>> ids = std::vector<std::string>();
    StatusOr<v1::Catalogue> current = v1::Catalogue();
    if (offline) {
      auto stored = ReadDataDir(o.target.data_dir);
      if (!stored.ok()) {
        Err(stored.status().message());
        return ExitForStore(stored.status());
      }
      current = std::move(stored->catalogue);
      ids = std::move(stored->municipality_ids);
    } else {
      current = Fetch(o.target);
      ids = DemoMunicipalities();
    }
    if (!current.ok() || !ids.ok()) {
      Err((!current.ok() ? current.status() : ids.status()).message());
      return kExitError;
    }
    outcome = FromEditResult(catalogue::Import(*current, incoming, *ids),
                             current->version());
  } else if (offline) {
    outcome = ImportIntoDataDir(o.target.data_dir, incoming,
                                {.actor = actor, .request_id = RequestId()});
    if (!outcome.ok()) {
      const Status& s = outcome.status();
      Err((s.code() == Code::kUnavailable
               ? "refusing the offline import: " + s.message() +
                     "; stop the daemon first, or import through it with "
                     "--url"
               : s.message()) +
          "; nothing was changed");
      return ExitForStore(s);
    }
  } else {
    auto url = ParseUrl(o.target.url);
    if (!url.ok()) {
      Err(url.status().message());
      return kExitError;
    }
    outcome =
        CatalogueApi(*url, o.target.timeout, actor, RequestId()).Put(incoming);
  }
  if (!outcome.ok()) {
    Err(outcome.status().message());
    return kExitError;
  }
  return Report(*outcome, o.file, checked.parsed.sources, incoming.version(),
                o.dry_run);
}

}  // namespace helpdesk::ctl
