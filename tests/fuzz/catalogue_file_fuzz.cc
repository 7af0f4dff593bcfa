// Fuzz target: a catalogue file (catalogue/catalogue_file.h) as
// `helpdeskctl catalogue import` reads it: parsed, its findings located
// and formatted, and a file without findings validated against the demo
// region, rendered as JSON (round_trip.h) and written back out, which must
// read back to the same catalogue (versions of entries aside, as the
// header says).

#include <google/protobuf/util/message_differencer.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "catalogue/catalogue.h"
#include "catalogue/catalogue_file.h"
#include "proto/helpdesk.pb.h"
#include "tests/fuzz/demo.h"
#include "tests/fuzz/round_trip.h"

namespace {

using namespace helpdesk;

// The catalogue without the versions of its entries (only categories and
// services have one).
v1::Catalogue WithoutEntryVersions(v1::Catalogue c) {
  for (auto& e : *c.mutable_categories()) e.clear_version();
  for (auto& e : *c.mutable_services()) e.clear_version();
  return c;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  catalogue::ParsedFile parsed = catalogue::ParseCatalogueFile(text);
  catalogue::Locate(parsed.findings, parsed.sources);
  (void)catalogue::FormatFindings("fuzz.toml", parsed.findings);
  if (!parsed.findings.empty()) return 0;
  std::vector<catalogue::Finding> findings =
      catalogue::Validate(parsed.catalogue, fuzz::DemoMunicipalityIds());
  catalogue::Locate(findings, parsed.sources);
  (void)catalogue::FormatFindings("fuzz.toml", findings);
  fuzz::CheckJsonRoundTrip(parsed.catalogue);
  (void)catalogue::BuildTree(parsed.catalogue, "", true);

  const std::string written = catalogue::WriteCatalogueFile(parsed.catalogue);
  catalogue::ParsedFile again = catalogue::ParseCatalogueFile(written);
  if (!again.findings.empty())
    fuzz::Finding("a written catalogue file does not read back: " +
                      again.findings.front().message,
                  written);
  std::string diff;
  google::protobuf::util::MessageDifferencer differ;
  differ.ReportDifferencesToString(&diff);
  if (!differ.Compare(WithoutEntryVersions(parsed.catalogue),
                      WithoutEntryVersions(again.catalogue)))
    fuzz::Finding("a written catalogue file reads back changed: " + diff,
                  written);
  return 0;
}
