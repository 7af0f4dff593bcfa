// The catalogue file: every problem with its line, and a written file that
// reads back to the same catalogue.

#include "catalogue/catalogue_file.h"

#include <google/protobuf/util/message_differencer.h>

#include <fstream>
#include <sstream>

#include "catalogue/default_catalogue.h"
#include "tests/catalogue/test_catalogue.h"

namespace helpdesk::catalogue {
namespace {

// "FILE:LINE: message" lines of the file's parse and validation findings.
std::string Report(std::string_view text) {
  ParsedFile f = ParseCatalogueFile(text);
  std::vector<Finding> all = f.findings;
  for (auto& v : Validate(f.catalogue, kMunicipalities)) all.push_back(v);
  Locate(all, f.sources);
  return FormatFindings("k.toml", all);
}

TEST(CatalogueFile, ReadsTheSmallCatalogue) {
  ParsedFile f = ParseCatalogueFile(kSmallCatalogue);
  ASSERT_TRUE(f.findings.empty()) << FormatFindings("small", f.findings);
  ASSERT_EQ(f.catalogue.services_size(), 2);
  const v1::Service& s = f.catalogue.services(1);
  EXPECT_EQ(s.presence(), v1::PRESENCE_NOT_NEEDED);
  EXPECT_EQ(s.delivery(), v1::DELIVERY_EXTERNAL);
  EXPECT_EQ(s.supplier().contact(), "service@skriver.example");
  EXPECT_EQ(s.default_priority(), v1::PRIORITY_LOW);
  EXPECT_EQ(s.municipalities_size(), 2);
  // Left out: active, normal priority.
  EXPECT_EQ(f.catalogue.services(0).state(), v1::SERVICE_STATE_ACTIVE);
  EXPECT_EQ(f.catalogue.services(0).default_priority(), v1::PRIORITY_NORMAL);
  EXPECT_EQ(f.catalogue.categories(1).parent(), "arbeidsplass");
  EXPECT_TRUE(f.catalogue.sla_classes(1).business_critical());
  EXPECT_FALSE(f.has_version);
}

TEST(CatalogueFile, ReportsEveryProblemWithItsLine) {
  const char* text = R"toml(version = 4
[[skill]]
id = "printers"
name = "Skrivere"

[[sla_class]]
id = "standard"
name = "Standard"

[[category]]
id = "a"
name = "A"
parent = "b"

[[category]]
id = "b"
name = ""
parent = "a"

[[service]]
id = "skriver"
name = "Skriver"
category = "ukjent"
presence = "sometimes"
delivery = "internal"
skills = ["printers", "telepathy"]
sla_class = "gull"
business_critical = "yes"
presense = "necessary"

[[service]]
id = "skriver"
name = "Skriver igjen"
category = "a"
presence = "necessary"
delivery = "internal"
skills = ["printers"]
sla_class = "standard"
)toml";
  EXPECT_EQ(Report(text),
            "k.toml:13: categories form a cycle: a -> b -> a; one of them "
            "must have another parent or none\n"
            "k.toml:17: category 'b' has an empty name\n"
            "k.toml:23: service 'skriver': unknown category 'ukjent'\n"
            "k.toml:24: presence must be one of necessary, desirable, "
            "not_needed (in quotes), not \"sometimes\"\n"
            "k.toml:24: service 'skriver' needs presence: necessary, "
            "desirable, not_needed\n"
            "k.toml:26: service 'skriver': unknown skill 'telepathy'; "
            "known: printers\n"
            "k.toml:27: service 'skriver': unknown SLA class 'gull'\n"
            "k.toml:28: business_critical must be true or false, not a "
            "string\n"
            "k.toml:29: unknown key 'presense' in [[service]]; known keys: "
            "id, name, description, name_en, description_en, category, "
            "presence, delivery, supplier, business_critical, regional_gain, "
            "skills, sla_class, default_priority, municipalities, state, "
            "keywords\n"
            "k.toml:32: duplicate service 'skriver': already used by service "
            "number 1\n");
}

TEST(CatalogueFile, ASyntaxErrorIsOneFindingWithItsLine) {
  std::string report = Report("[[skill]]\nid = \"a\"\nname = \"A\n");
  EXPECT_EQ(report.rfind("k.toml:3: not valid TOML: ", 0), 0u) << report;
  EXPECT_EQ(std::count(report.begin(), report.end(), '\n'), 1) << report;
}

TEST(CatalogueFile, UnknownTablesAndWrongShapesAreReported) {
  EXPECT_EQ(
      Report("version = \"x\"\n[[services]]\nid = \"a\"\n"
             "[skill]\nid = \"b\"\n"),
      "k.toml:1: version must be a whole number (the catalogue version "
      "the file was exported from)\n"
      "k.toml:2: unknown table 'services'; a catalogue file has "
      "[[skill]], [[sla_class]], [[category]], [[service]], [[synonym]] and "
      "version\n"
      "k.toml:4: 'skill' must be written as [[skill]] tables\n");
  EXPECT_EQ(Report("[[skill]]\nid = \"a\"\nname = \"A\"\nversion = 3\n"),
            "k.toml:4: 'version' is kept by the daemon; remove it from the "
            "entry\n");
}

TEST(CatalogueFile, AWrittenFileReadsBackTheSame) {
  DefaultCatalogueResult d = DefaultCatalogue(kMunicipalities);
  ASSERT_EQ(d.error, "");
  v1::Catalogue c = d.catalogue;
  c.set_version(7);
  c.mutable_services(0)->set_description(
      "Linje 1\nLinje 2 med \"sitat\" og \\");
  ParsedFile back = ParseCatalogueFile(WriteCatalogueFile(c));
  ASSERT_TRUE(back.findings.empty()) << FormatFindings("back", back.findings);
  EXPECT_TRUE(back.has_version);
  // Entry versions are the daemon's, not the file's.
  for (auto& s : *c.mutable_services()) s.clear_version();
  for (auto& s : *c.mutable_categories()) s.clear_version();
  std::string diff;
  google::protobuf::util::MessageDifferencer md;
  md.ReportDifferencesToString(&diff);
  EXPECT_TRUE(md.Compare(c, back.catalogue)) << diff;
}

TEST(CatalogueFile, TheBuiltInFileIsTheOneCompiledIn) {
  std::ifstream in(HELPDESK_DEFAULT_CATALOGUE);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), DefaultCatalogueText());
}

}  // namespace
}  // namespace helpdesk::catalogue
