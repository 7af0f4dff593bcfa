// The pure parts of helpdeskctl: JSON pointers of the daemon's answers back
// to lines of the file, the diff as printed, and --url parsing.

#include "tools/helpdeskctl/import_outcome.h"

#include <gtest/gtest.h>

#include "catalogue/catalogue_file.h"
#include "tools/helpdeskctl/http_client.h"

namespace helpdesk::ctl {
namespace {

using catalogue::Ref;
using catalogue::Section;

TEST(RefOfPointer, InvertsJsonPointer) {
  for (const Ref& ref : {Ref{Section::kService, 3, "sla_class", -1},
                         Ref{Section::kService, 0, "skills", 2},
                         Ref{Section::kService, 7, "default_priority", -1},
                         Ref{Section::kSlaClass, 1, "business_critical", -1},
                         Ref{Section::kCategory, 12, "", -1},
                         Ref{Section::kSkill, 0, "name", -1}}) {
    const std::string pointer = catalogue::JsonPointer(ref);
    auto back = RefOfPointer(pointer);
    ASSERT_TRUE(back.has_value()) << pointer;
    EXPECT_EQ(back->section, ref.section) << pointer;
    EXPECT_EQ(back->index, ref.index) << pointer;
    EXPECT_EQ(back->field, ref.field) << pointer;
    EXPECT_EQ(back->item, ref.item) << pointer;
  }
}

TEST(RefOfPointer, NestedFieldsWholeFileAndNonsense) {
  auto nested = RefOfPointer("/services/2/supplier/name");
  ASSERT_TRUE(nested.has_value());
  EXPECT_EQ(nested->field, "supplier.name");
  auto whole = RefOfPointer("");
  ASSERT_TRUE(whole.has_value());
  EXPECT_EQ(whole->section, Section::kFile);
  EXPECT_FALSE(RefOfPointer("/tickets/1").has_value());
  EXPECT_FALSE(RefOfPointer("/services/x/name").has_value());
  EXPECT_FALSE(RefOfPointer("services/1").has_value());
}

TEST(Locate, PutsTheDaemonsErrorsOnTheFilesLines) {
  auto parsed = catalogue::ParseCatalogueFile(
      "[[skill]]\n"                                       // 1
      "id = \"a\"\n"                                      // 2
      "name = \"A\"\n"                                    // 3
      "\n"                                                // 4
      "[[service]]\n"                                     // 5
      "id = \"s\"\n"                                      // 6
      "skills = [\n  \"a\",\n  \"b\",\n]\n"               // 7-10
      "supplier = { name = \"X\", contact = \"y\" }\n");  // 11
  auto found = Locate({{"/services/0/skills/1", "unknown skill"},
                       {"/services/0/supplier", "no supplier wanted"},
                       {"/skills/0/name", "bad name"},
                       {"/services/0", "the entry"},
                       {"", "a service is missing"},
                       {"/nonsense", "still reported"}},
                      parsed.sources);
  ASSERT_EQ(found.size(), 6u);
  EXPECT_EQ(found[0].line, 9);
  EXPECT_EQ(found[1].line, 11);
  EXPECT_EQ(found[2].line, 3);
  EXPECT_EQ(found[3].line, 5);
  EXPECT_EQ(found[4].line, 1);
  EXPECT_EQ(found[5].line, 1);
  EXPECT_EQ(found[5].message, "still reported");
}

TEST(FormatDiff, OneLinePerKindThatChanged) {
  v1::CatalogueDiff diff;
  diff.add_services_changed("vpn");
  diff.add_services_changed("epost");
  diff.add_sla_classes_added("gold");
  EXPECT_EQ(FormatDiff(diff),
            "  services changed (2): vpn, epost\n"
            "  SLA classes added (1): gold\n");
  diff.set_synonyms_changed(true);
  EXPECT_EQ(FormatDiff(diff),
            "  services changed (2): vpn, epost\n"
            "  SLA classes added (1): gold\n"
            "  synonyms changed\n");
  EXPECT_EQ(FormatDiff({}), "");
}

TEST(ParseUrl, HostAndPortOnly) {
  auto plain = ParseUrl("http://127.0.0.1:8080");
  ASSERT_TRUE(plain.ok()) << plain.status().message();
  EXPECT_EQ(plain->host, "127.0.0.1");
  EXPECT_EQ(plain->port, 8080);
  auto slash = ParseUrl("http://helpdesk.example/");
  ASSERT_TRUE(slash.ok()) << slash.status().message();
  EXPECT_EQ(slash->host, "helpdesk.example");
  EXPECT_EQ(slash->port, 80);
  auto v6 = ParseUrl("http://[::1]:9000");
  ASSERT_TRUE(v6.ok()) << v6.status().message();
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 9000);
  for (const char* bad :
       {"https://127.0.0.1:8443", "127.0.0.1:8080", "http://", "http://h:0",
        "http://h:70000", "http://h:80x", "http://h:8080/api", "http://u:p@h:1",
        "http://h:1?x=1", "http://h:"}) {
    EXPECT_FALSE(ParseUrl(bad).ok()) << bad;
  }
  auto https = ParseUrl("https://h");
  EXPECT_NE(https.status().message().find("https is not supported"),
            std::string::npos);
}

}  // namespace
}  // namespace helpdesk::ctl
