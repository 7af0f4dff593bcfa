// `helpdeskctl catalogue validate` and the command line itself, run as the
// real binary: no daemon is involved.

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <string>
#include <vector>

#include "tests/support/daemon_process.h"
#include "tests/tools/ctl_runner.h"

namespace helpdesk::testing {
namespace {

std::string WriteFile(const ScratchDir& dir, const std::string& name,
                      const std::string& text) {
  std::string path = dir.path() + "/" + name;
  std::ofstream(path) << text;
  return path;
}

TEST(CtlValidate, BuiltInCatalogueIsValid) {
  CtlResult r = RunCtl({"catalogue", "validate", HELPDESK_DEFAULT_CATALOGUE});
  EXPECT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_EQ(r.err, "") << r.Describe();
  // The summary counts what the file holds.
  EXPECT_TRUE(r.out.starts_with("ok: ")) << r.Describe();
  EXPECT_NE(r.out.find(" services ("), std::string::npos) << r.Describe();
  EXPECT_NE(r.out.find(" categories, "), std::string::npos) << r.Describe();
  EXPECT_NE(r.out.find("SLA classes"), std::string::npos) << r.Describe();
}

// Every kind of problem at once, each at its own line (numbered in the
// comments on the right).
constexpr const char* kBroken = R"([[skill]]
id = "user-support"
name = "Brukerstøtte"

[[sla_class]]
id = "standard"
name = "Standard"
business_critical = false

[[category]]
id = "a"
name = "A"
parent = "b"

[[category]]
id = "b"
name = "B"
parent = "a"

[[category]]
id = "c"
name = ""

[[service]]
id = "one"
name = "One"
category = "c"
presence = "necessary"
delivery = "internal"
skills = ["user-support"]
sla_class = "standard"

[[service]]
id = "one"
name = "One again"
category = "nowhere"
presence = "necessary"
delivery = "internal"
skills = ["user-support",
          "juggling"]
sla_class = "gold"
colour = "blue"
business_critical = "yes"
)";
//  13 the cycle (at its first member's parent)   22 empty name
//  34 duplicate id   36 unknown category   40 unknown skill (list item)
//  41 unknown SLA class   42 unknown key   43 wrong type

TEST(CtlValidate, ReportsEveryProblemWithItsLine) {
  ScratchDir dir;
  const std::string file = WriteFile(dir, "broken.toml", kBroken);
  CtlResult r = RunCtl({"catalogue", "validate", file});
  EXPECT_EQ(r.exit_code, 1) << r.Describe();
  EXPECT_EQ(r.out, "") << r.Describe();
  const std::string expected =
      file +
      ":13: categories form a cycle: a -> b -> a; one of them must "
      "have another parent or none\n" +
      file + ":22: category 'c' has an empty name\n" + file +
      ":34: duplicate service 'one': already used by service number 1\n" +
      file + ":36: service 'one': unknown category 'nowhere'\n" + file +
      ":40: service 'one': unknown skill 'juggling'; known: user-support\n" +
      file + ":41: service 'one': unknown SLA class 'gold'\n" + file +
      ":42: unknown key 'colour' in [[service]]";
  EXPECT_TRUE(r.err.starts_with(expected)) << r.Describe();
  EXPECT_NE(r.err.find("\n" + file +
                       ":43: business_critical must be true or false, not a "
                       "string\nhelpdeskctl: " +
                       file + ": 8 problems\n"),
            std::string::npos)
      << r.Describe();
}

// A value of the wrong type is not read, so Validate would also find it
// missing; the file has one problem there, and is told once.
TEST(CtlValidate, WrongTypeIsReportedOnce) {
  ScratchDir dir;
  const std::string file = WriteFile(dir, "type.toml", R"([[skill]]
id = "user-support"
name = "Brukerstøtte"

[[sla_class]]
id = "standard"
name = "Standard"

[[category]]
id = "c"
name = "C"

[[service]]
id = "one"
name = "One"
category = "c"
presence = "necessary"
delivery = "internal"
skills = "user-support"
sla_class = "standard"
)");
  CtlResult r = RunCtl({"catalogue", "validate", file});
  EXPECT_EQ(r.exit_code, 1) << r.Describe();
  EXPECT_EQ(r.err, file +
                       ":19: skills must be a list of strings, such as "
                       "[\"a\", \"b\"], not a string\nhelpdeskctl: " +
                       file + ": 1 problem\n")
      << r.Describe();
}

TEST(CtlValidate, SyntaxErrorIsOneFindingWithItsLine) {
  ScratchDir dir;
  const std::string file = WriteFile(
      dir, "syntax.toml", "[[skill]]\nid = \"a\"\nname = \"A\n\n[[service]]\n");
  CtlResult r = RunCtl({"catalogue", "validate", file});
  EXPECT_EQ(r.exit_code, 1) << r.Describe();
  EXPECT_TRUE(r.err.starts_with(file + ":3: not valid TOML: ")) << r.Describe();
  EXPECT_NE(r.err.find("helpdeskctl: " + file + ": 1 problem\n"),
            std::string::npos)
      << r.Describe();
  // One finding line and the summary: nothing reported after the error.
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 2) << r.Describe();
}

TEST(CtlValidate, UnreadableFileIsAnIoError) {
  ScratchDir dir;
  CtlResult missing =
      RunCtl({"catalogue", "validate", dir.path() + "/missing.toml"});
  EXPECT_EQ(missing.exit_code, 2) << missing.Describe();
  EXPECT_NE(missing.err.find("cannot read " + dir.path() +
                             "/missing.toml: No such file or directory"),
            std::string::npos)
      << missing.Describe();
  CtlResult directory = RunCtl({"catalogue", "validate", dir.path()});
  EXPECT_EQ(directory.exit_code, 2) << directory.Describe();
  EXPECT_NE(directory.err.find("it is a directory"), std::string::npos)
      << directory.Describe();
}

TEST(CtlCommandLine, UsageErrorsExitTwo) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {},
           {"catalogue"},
           {"catalogue", "validate"},
           {"catalogue", "frobnicate"},
           {"catalogue", "export", "--url", "http://x:1", "--data-dir", "d"}}) {
    CtlResult r = RunCtl(args);
    EXPECT_EQ(r.exit_code, 2) << r.Describe();
    EXPECT_FALSE(r.err.empty()) << r.Describe();
  }
  CtlResult help = RunCtl({"catalogue", "import", "--help"});
  EXPECT_EQ(help.exit_code, 0) << help.Describe();
  EXPECT_NE(help.out.find("--dry-run"), std::string::npos) << help.Describe();
}

TEST(CtlCommandLine, RefusesHttpsAndUnreachableDaemons) {
  CtlResult https =
      RunCtl({"catalogue", "export", "--url", "https://127.0.0.1:8443"});
  EXPECT_EQ(https.exit_code, 2) << https.Describe();
  EXPECT_NE(https.err.find("https is not supported"), std::string::npos)
      << https.Describe();
  // Port 1 on loopback: nothing listens there, so the connect is refused.
  CtlResult down =
      RunCtl({"catalogue", "export", "--url", "http://127.0.0.1:1"});
  EXPECT_EQ(down.exit_code, 2) << down.Describe();
  EXPECT_NE(down.err.find("cannot connect to 127.0.0.1:1"), std::string::npos)
      << down.Describe();
  EXPECT_EQ(down.out, "") << down.Describe();
}

TEST(CtlCommandLine, OfflineCommandsNeverCreateADatabase) {
  ScratchDir dir;
  const std::string data = dir.path() + "/no-such-data";
  const std::string file =
      WriteFile(dir, "c.toml", "[[skill]]\nid = \"a\"\nname = \"A\"\n");
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"catalogue", "export", "--data-dir", data},
           {"catalogue", "import", file, "--data-dir", data},
           {"catalogue", "import", file, "--data-dir", data, "--dry-run"}}) {
    CtlResult r = RunCtl(args);
    EXPECT_EQ(r.exit_code, 1) << r.Describe();
    EXPECT_NE(r.err.find("no helpdeskd database in " + data), std::string::npos)
        << r.Describe();
    EXPECT_NE(access(data.c_str(), F_OK), 0) << data << " was created";
  }
}

}  // namespace
}  // namespace helpdesk::testing
