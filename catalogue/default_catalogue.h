#pragma once
// The built-in tjenestekatalog of the demo region, compiled into the binary
// from default_catalogue.toml and loaded into a new database. Pure; any
// thread.

#include <string>

#include "proto/helpdesk.pb.h"

namespace helpdesk::catalogue {

// The text of default_catalogue.toml, as built in.
const char* DefaultCatalogueText();

struct DefaultCatalogueResult {
  v1::Catalogue catalogue;  // version 0: the store gives it version 1
  std::string error;        // non-empty only for a build defect
};

// Parses and validates the built-in catalogue against `municipality_ids`.
DefaultCatalogueResult DefaultCatalogue(
    const std::vector<std::string>& municipality_ids);

}  // namespace helpdesk::catalogue
