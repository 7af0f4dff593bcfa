#include "catalogue/default_catalogue.h"

#include "catalogue/catalogue_file.h"

namespace helpdesk::catalogue {

extern const char kDefaultCatalogueText[];  // generated from the .toml

const char* DefaultCatalogueText() { return kDefaultCatalogueText; }

DefaultCatalogueResult DefaultCatalogue(
    const std::vector<std::string>& municipality_ids) {
  ParsedFile parsed = ParseCatalogueFile(kDefaultCatalogueText);
  std::vector<Finding> findings = parsed.findings;
  if (findings.empty()) findings = Validate(parsed.catalogue, municipality_ids);
  DefaultCatalogueResult out;
  if (!findings.empty()) {
    Locate(findings, parsed.sources);
    out.error = "the built-in catalogue is not valid:\n" +
                FormatFindings("catalogue/default_catalogue.toml", findings);
    return out;
  }
  out.catalogue = std::move(parsed.catalogue);
  for (auto& s : *out.catalogue.mutable_services()) s.set_version(1);
  for (auto& c : *out.catalogue.mutable_categories()) c.set_version(1);
  return out;
}

}  // namespace helpdesk::catalogue
