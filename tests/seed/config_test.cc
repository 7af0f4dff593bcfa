// The [dispatch] settings of the config file and their flags: travel
// fallback, the longest drive, the travel-time table, the vakt and
// familiarity settings.

#include "daemon/config/config.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "tests/support/scratch_dir.h"

namespace helpdesk::config {
namespace {

StatusOr<Parsed> LoadArgs(std::vector<std::string> args) {
  args.insert(args.begin(), "helpdeskd");
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  return Load(static_cast<int>(argv.size()), argv.data());
}

StatusOr<Config> LoadConfig(std::vector<std::string> args) {
  auto parsed = LoadArgs(std::move(args));
  if (!parsed.ok()) return parsed.status();
  if (!std::holds_alternative<Config>(*parsed))
    return Status::Internal("printed instead of running");
  return std::get<Config>(*parsed);
}

class DispatchConfig : public ::testing::Test {
 protected:
  // Writes `text` as the config file and loads it with `flags` after it.
  StatusOr<Config> WithFile(const std::string& text,
                            std::vector<std::string> flags = {}) {
    path_ = dir_.path() + "/helpdeskd.toml";
    std::ofstream(path_) << text;
    flags.insert(flags.begin(), {"--config", path_});
    return LoadConfig(std::move(flags));
  }
  // The error of loading `text`, which must fail.
  std::string ErrorOf(const std::string& text) {
    auto c = WithFile(text);
    EXPECT_FALSE(c.ok()) << text;
    return c.ok() ? "" : c.status().message();
  }
  const std::string& path() const { return path_; }

 private:
  testing::ScratchDir dir_;
  std::string path_;
};

TEST_F(DispatchConfig, DefaultsFallBackWithin90MinutesOnTheBuiltInTable) {
  auto c = LoadConfig({});
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_TRUE(c->travel_fallback);
  EXPECT_EQ(c->max_travel_minutes, 90u);
  EXPECT_TRUE(c->travel.empty());
}

TEST_F(DispatchConfig, TheFileSetsTheDispatchTableAndTheTravelTable) {
  auto c = WithFile(
      "port = 9000\n"
      "[dispatch]\n"
      "travel_fallback = false\n"
      "max_travel_minutes = 45\n"
      "[[dispatch.travel]]\n"
      "from = \"kongsberg\"\n"
      "to = \"notodden\"\n"
      "minutes = 40\n"
      "[[dispatch.travel]]\n"
      "from = \"notodden\"\n"
      "to = \"hjartdal\"\n"
      "minutes = 20\n");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->port, 9000);
  EXPECT_FALSE(c->travel_fallback);
  EXPECT_EQ(c->max_travel_minutes, 45u);
  ASSERT_EQ(c->travel.size(), 2u);
  EXPECT_EQ(c->travel[0].from, "kongsberg");
  EXPECT_EQ(c->travel[0].to, "notodden");
  EXPECT_EQ(c->travel[0].minutes, 40u);
  EXPECT_EQ(c->travel[1].from, "notodden");
  EXPECT_EQ(c->travel[1].to, "hjartdal");
  EXPECT_EQ(c->travel[1].minutes, 20u);
}

TEST_F(DispatchConfig, FlagsOverrideTheFile) {
  const std::string file =
      "[dispatch]\ntravel_fallback = true\nmax_travel_minutes = 45\n";
  auto c = WithFile(file,
                    {"--max-travel-minutes", "120", "--travel-fallback=false"});
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->max_travel_minutes, 120u);
  EXPECT_FALSE(c->travel_fallback);
  c = WithFile(file, {"--no-travel-fallback"});
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_FALSE(c->travel_fallback);
  EXPECT_EQ(c->max_travel_minutes, 45u);
  c = WithFile("[dispatch]\ntravel_fallback = false\n", {"--travel-fallback"});
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_TRUE(c->travel_fallback);
}

// Which urgent tickets go to the vakt whatever the skills, and how far
// familiarity may bend the load rule: defaults, the file, flags over it,
// and a value vakt_high does not know refused with the choices.
TEST_F(DispatchConfig, VaktAndFamiliaritySettings) {
  auto d = LoadConfig({});
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_TRUE(d->vakt_critical);
  EXPECT_EQ(d->vakt_high, "business-critical");
  EXPECT_EQ(d->familiar_margin, 2u);
  EXPECT_EQ(d->familiar_margin_on_site, 8u);
  auto c = WithFile(
      "[dispatch]\nvakt_critical = false\nvakt_high = \"all\"\n"
      "familiar_margin = 0\nfamiliar_margin_on_site = 12\n",
      {"--vakt-high", "none"});
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_FALSE(c->vakt_critical);
  EXPECT_EQ(c->vakt_high, "none");
  EXPECT_EQ(c->familiar_margin, 0u);
  EXPECT_EQ(c->familiar_margin_on_site, 12u);
  const std::string bad = ErrorOf("[dispatch]\nvakt_high = \"sometimes\"\n");
  EXPECT_NE(bad.find("vakt_high 'sometimes' is not one of business-critical, "
                     "all, none"),
            std::string::npos)
      << bad;
}

// [paging]: defaults (no channel but the live stream), the file, a flag
// over it, and the settings that cannot stand alone refused by name.
TEST_F(DispatchConfig, PagingSettings) {
  auto d = LoadConfig({});
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_EQ(d->paging_escalate_minutes, 15u);
  EXPECT_EQ(d->paging_smtp_url, "");
  EXPECT_EQ(d->paging_smtp_to, "{email}");
  EXPECT_EQ(d->paging_smtp_tls, "try");
  EXPECT_EQ(d->paging_webhook_url, "");
  auto c = WithFile(
      "[paging]\nescalate_minutes = 10\ndispatchers = \"ole.kristiansen\"\n"
      "smtp_url = \"smtp://127.0.0.1:2525\"\nsmtp_from = \"a@b.no\"\n"
      "smtp_to = \"{phone}@sms.example.no\"\nsmtp_tls = \"require\"\n"
      "webhook_url = \"https://hooks.example.no/x\"\n"
      "webhook_secrets_file = \"/etc/secrets\"\n",
      {"--paging-escalate-minutes", "20"});
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->paging_escalate_minutes, 20u);
  EXPECT_EQ(c->paging_dispatchers, "ole.kristiansen");
  EXPECT_EQ(c->paging_smtp_to, "{phone}@sms.example.no");
  EXPECT_EQ(c->paging_smtp_tls, "require");
  EXPECT_EQ(c->paging_webhook_secrets_file, "/etc/secrets");
  for (const auto& [file, says] :
       std::vector<std::pair<std::string, std::string>>{
           {"[paging]\nsmtp_tls = \"maybe\"\n",
            "smtp_tls 'maybe' is not one of try, require, none"},
           {"[paging]\nsmtp_url = \"smtp://127.0.0.1\"\n",
            "pages by e-mail need a sender address"},
           {"[paging]\nwebhook_url = \"https://x.example.no\"\n",
            "a webhook is always signed"},
           {"[paging]\nescalate_minutes = 0\n", "escalate_minutes"},
           {"[paging]\nsmtp_port = 25\n", "smtp_port"}}) {
    const std::string why = ErrorOf(file);
    EXPECT_NE(why.find(says), std::string::npos) << file << ": " << why;
  }
}

// The report pool an operator sizes: in the file, a flag over it, and
// a pool of no threads refused.
TEST_F(DispatchConfig, TheReportPoolIsSetByFileOrFlag) {
  auto c = WithFile("report_threads = 4\nreport_queue = 0\n");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->report_threads, 4u);
  EXPECT_EQ(c->report_queue, 0u);
  c = WithFile("report_threads = 4\n", {"--report-threads", "1"});
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->report_threads, 1u);
  EXPECT_EQ(c->report_queue, 8u);
  const std::string why = ErrorOf("report_threads = 0\n");
  EXPECT_NE(why.find("'report_threads'"), std::string::npos) << why;
}

TEST_F(DispatchConfig, BadFlagValuesNameTheFlag) {
  for (const char* bad : {"0", "1441", "ninety"}) {
    auto c = LoadConfig({"--max-travel-minutes", bad});
    ASSERT_FALSE(c.ok()) << bad;
    EXPECT_NE(c.status().message().find("max-travel-minutes"),
              std::string::npos)
        << c.status().message();
  }
  auto c = LoadConfig({"--travel-fallback=maybe"});
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("travel-fallback"), std::string::npos)
      << c.status().message();
}

TEST_F(DispatchConfig, BadSettingsSayWhichKeyWhereAndWhatIsExpected) {
  std::string why = ErrorOf("[dispatch]\nmax_travel_minutes = 0\n");
  EXPECT_NE(why.find(path() + ":2:"), std::string::npos) << why;
  EXPECT_NE(why.find("'dispatch.max_travel_minutes'"), std::string::npos)
      << why;
  EXPECT_NE(why.find("from 1 to 1440"), std::string::npos) << why;

  why = ErrorOf("[dispatch]\n\ntravel_fallback = \"yes\"\n");
  EXPECT_NE(why.find(":3:"), std::string::npos) << why;
  EXPECT_NE(why.find("'dispatch.travel_fallback'"), std::string::npos) << why;
  EXPECT_NE(why.find("true or false"), std::string::npos) << why;

  why = ErrorOf("[dispatch]\ntravel_fallback = 1\n");
  EXPECT_NE(why.find("true or false"), std::string::npos) << why;

  why = ErrorOf("[dispatch]\nmax_travel = 60\n");
  EXPECT_NE(why.find("unknown setting 'dispatch.max_travel'"),
            std::string::npos)
      << why;

  why = ErrorOf("dispatch = 3\n");
  EXPECT_NE(why.find("[dispatch] table"), std::string::npos) << why;

  // The right key in the wrong place gets a hint.
  why = ErrorOf("max_travel_minutes = 60\n");
  EXPECT_NE(why.find("unknown setting 'max_travel_minutes'"), std::string::npos)
      << why;
  EXPECT_NE(why.find("dispatch.max_travel_minutes"), std::string::npos) << why;
  why = ErrorOf("[dispatch]\nport = 80\n");
  EXPECT_NE(why.find("at the top of the file"), std::string::npos) << why;

  // Existing settings now say what they expect, too.
  why = ErrorOf("io_threads = 0\n");
  EXPECT_NE(why.find("'io_threads'"), std::string::npos) << why;
  EXPECT_NE(why.find("from 1 to 64"), std::string::npos) << why;
}

// Found by fuzzing: a float where a whole number belongs was converted,
// and one past int64's range was an undefined cast.
TEST_F(DispatchConfig, AFloatWhereAWholeNumberBelongsIsRefused) {
  for (const char* text : {"idle_timeout_ms = 747e20\n",
                           "idle_timeout_ms = 30000.0\n", "port = 8.080\n"}) {
    const std::string error = ErrorOf(text);
    EXPECT_NE(error.find("a whole number"), std::string::npos)
        << text << ": " << error;
  }
}

TEST_F(DispatchConfig, BadTravelEntriesSayWhichEntryAndWhatIsWrong) {
  const std::string head = "[dispatch]\n";
  const std::string ok_entry =
      "[[dispatch.travel]]\nfrom = \"kongsberg\"\nto = \"notodden\"\n"
      "minutes = 35\n";
  struct Case {
    std::string entry;
    std::string expected;
  } cases[] = {
      {"[[dispatch.travel]]\nfrom = \"tinn\"\nto = \"notodden\"\n",
       "entry 2: 'minutes' is missing"},
      {"[[dispatch.travel]]\nfrom = \"tinn\"\nminutes = 60\n",
       "entry 2: 'to' is missing"},
      {"[[dispatch.travel]]\nfrom = \"tinn\"\nto = \"notodden\"\nminutes = 0\n",
       "'minutes' must be a whole number from 1 to 1440"},
      {"[[dispatch.travel]]\nfrom = \"tinn\"\nto = \"notodden\"\n"
       "minutes = \"60\"\n",
       "'minutes' must be a whole number"},
      {"[[dispatch.travel]]\nfrom = \"tinn\"\nto = \"notodden\"\n"
       "minutes = 60.5\n",
       "'minutes' must be a whole number"},
      {"[[dispatch.travel]]\nfrom = \"\"\nto = \"notodden\"\nminutes = 60\n",
       "'from' must be a municipality id"},
      {"[[dispatch.travel]]\nfrom = \"tinn\"\nto = \"tinn\"\nminutes = 1\n",
       "from and to are both 'tinn'"},
      {"[[dispatch.travel]]\nfrom = \"notodden\"\nto = \"kongsberg\"\n"
       "minutes = 30\n",
       "the pair notodden - kongsberg is listed twice"},
      {"[[dispatch.travel]]\nfrom = \"tinn\"\nto = \"notodden\"\nminutes = 60\n"
       "road = \"Rv 37\"\n",
       "unknown key 'road'"},
  };
  for (const auto& c : cases) {
    std::string why = ErrorOf(head + ok_entry + c.entry);
    EXPECT_NE(why.find(c.expected), std::string::npos)
        << "expected '" << c.expected << "' in: " << why;
    EXPECT_NE(why.find(path() + ":"), std::string::npos) << why;
  }
  std::string why = ErrorOf("[dispatch]\ntravel = []\n");
  EXPECT_NE(why.find("'dispatch.travel'"), std::string::npos) << why;
  EXPECT_NE(why.find("built-in table"), std::string::npos) << why;
  why = ErrorOf("[dispatch]\ntravel = [1, 2]\n");
  EXPECT_NE(why.find("entry 1: not a table"), std::string::npos) << why;
}

TEST_F(DispatchConfig, HelpShowsTheDispatchSettings) {
  auto parsed = LoadArgs({"--help"});
  ASSERT_TRUE(parsed.ok());
  ASSERT_TRUE(std::holds_alternative<PrintAndExit>(*parsed));
  const std::string& help = std::get<PrintAndExit>(*parsed).text;
  for (const char* text :
       {"--travel-fallback", "--no-travel-fallback", "--max-travel-minutes",
        "[dispatch]", "[[dispatch.travel]]", "minutes = 35"})
    EXPECT_NE(help.find(text), std::string::npos) << text << "\n" << help;
}

TEST(CheckTravelTable, AcceptsAGoodTableAndNamesEveryBadEntry) {
  const std::vector<std::string> ids = {"kongsberg", "notodden", "tinn"};
  EXPECT_TRUE(CheckTravelTable({}, ids).ok());
  EXPECT_TRUE(
      CheckTravelTable(
          {{"kongsberg", "notodden", 35}, {"notodden", "tinn", 65}}, ids)
          .ok());
  Status s = CheckTravelTable({{"kongsberg", "notodden", 35},
                               {"kongsberg", "rjukan", 90},
                               {"tinn", "tinn", 10},
                               {"notodden", "kongsberg", 30},
                               {"notodden", "tinn", 0}},
                              ids);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), Code::kInvalidField);
  std::vector<std::string> pointers;
  for (const auto& e : s.errors()) pointers.push_back(e.pointer);
  EXPECT_EQ(pointers, (std::vector<std::string>{
                          "/dispatch/travel/1/to", "/dispatch/travel/2",
                          "/dispatch/travel/3", "/dispatch/travel/4/minutes"}));
  EXPECT_NE(s.message().find("unknown municipality 'rjukan'"),
            std::string::npos)
      << s.message();
  EXPECT_NE(s.message().find("known: kongsberg, notodden, tinn"),
            std::string::npos)
      << s.message();
}

}  // namespace
}  // namespace helpdesk::config
