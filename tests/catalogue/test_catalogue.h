#pragma once
// A small valid catalogue for the unit tests, built from a catalogue file,
// and the demo region's municipality ids.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "catalogue/catalogue_file.h"

namespace helpdesk::catalogue {

inline const std::vector<std::string> kMunicipalities = {
    "kongsberg", "notodden", "nore-og-uvdal", "flesberg",
    "rollag",    "tinn",     "hjartdal"};

inline constexpr const char* kSmallCatalogue = R"toml(
[[skill]]
id = "user-support"
name = "Brukerstøtte"

[[skill]]
id = "printers"
name = "Skrivere"

[[sla_class]]
id = "standard"
name = "Standard"

[[sla_class]]
id = "business-critical"
name = "Virksomhetskritisk"
business_critical = true

[[category]]
id = "arbeidsplass"
name = "Arbeidsplass"

[[category]]
id = "utskrift"
name = "Utskrift"
parent = "arbeidsplass"

[[service]]
id = "brukerstotte-pa-stedet"
name = "Brukerstøtte på stedet"
description = "Hjelp ved pulten."
category = "arbeidsplass"
presence = "necessary"
delivery = "internal"
skills = ["user-support"]
sla_class = "standard"
keywords = ["pc", "hjelp"]

[[service]]
id = "skrivere"
name = "Skrivere og utskrift"
description = "Skriveren skriver ikke, papirstopp, toner."
category = "utskrift"
presence = "not_needed"
delivery = "external"
supplier = { name = "Skriverleverandør", contact = "service@skriver.example" }
skills = ["printers"]
sla_class = "standard"
default_priority = "low"
municipalities = ["rollag", "flesberg"]
)toml";

// The messages of `findings`, one per line, for readable failures.
inline std::string Messages(const std::vector<Finding>& findings) {
  std::string out;
  for (const auto& f : findings)
    out += JsonPointer(f.ref) + ": " + f.message + "\n";
  return out;
}

// kSmallCatalogue, parsed; fails the test if it does not parse cleanly.
inline v1::Catalogue SmallCatalogue() {
  ParsedFile f = ParseCatalogueFile(kSmallCatalogue);
  EXPECT_TRUE(f.findings.empty()) << FormatFindings("small", f.findings);
  return f.catalogue;
}

}  // namespace helpdesk::catalogue
