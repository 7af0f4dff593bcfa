// `helpdeskctl sla due`, offline on the built-in policy: the due times of
// hand-worked examples, the forms of --start, and usage errors (exit 2).

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/support/daemon_process.h"
#include "tests/tools/ctl_runner.h"

namespace helpdesk::testing {
namespace {

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

CtlResult Due(const std::string& start, const std::string& sla_class,
              const std::string& priority, std::vector<std::string> more = {}) {
  std::vector<std::string> args = {"sla",        "due",     "--start",
                                   start,        "--class", sla_class,
                                   "--priority", priority};
  args.insert(args.end(), more.begin(), more.end());
  return RunCtl(args);
}

// Wednesday 1 April 2026 at 14:00 in Oslo (12:00Z, summer time) is after
// the desk's half day before Easter closed at 12:00; Thursday 2 to Monday 6
// April are closed (Skjærtorsdag, Langfredag, Saturday, Første påskedag,
// Andre påskedag). Standard/high, by hand: response 1 h from Tuesday 7
// April 08:00 is 09:00 (warning at 45 min, 08:45); resolution 4 h is 12:00
// (warning at 3 h, 11:00). Oslo is UTC+2: 07:00Z and 10:00Z.
TEST(CtlSlaDue, TheEasterExampleByHand) {
  CtlResult r = Due("2026-04-01T14:00", "standard", "high");
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_TRUE(r.err.empty()) << r.Describe();
  EXPECT_TRUE(r.out.starts_with(
      "Start:           2026-04-01 14:00 Europe/Oslo (2026-04-01T12:00:00Z), "
      "Wednesday\n"
      "Policy:          standard / high (the built-in policy; warning at 75 % "
      "of a target)\n"
      "First response:  1 h on desk (Servicedesk, hverdager 08:00-15:30): "
      "warning 2026-04-07 08:45, due 2026-04-07 09:00 Europe/Oslo "
      "(2026-04-07T07:00:00Z)\n"
      "Resolution:      4 h on desk (Servicedesk, hverdager 08:00-15:30): "
      "warning 2026-04-07 11:00, due 2026-04-07 12:00 Europe/Oslo "
      "(2026-04-07T10:00:00Z)\n"))
      << r.Describe();
}

TEST(CtlSlaDue, TheEasterExampleListsTheClosedDaysByName) {
  CtlResult r = Due("2026-04-01T14:00", "standard", "high");
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_TRUE(Contains(
      r.out,
      "Calendar desk from start to due (2026-04-01 to 2026-04-07):\n"
      "  closed at the start; the clock starts 2026-04-07 08:00\n"
      "  2026-04-01 Wednesday  half day 08:00-12:00: Onsdag før skjærtorsdag\n"
      "  2026-04-02 Thursday   closed: Skjærtorsdag\n"
      "  2026-04-03 Friday     closed: Langfredag\n"
      "  2026-04-04 Saturday   closed\n"
      "  2026-04-05 Sunday     closed: Første påskedag\n"
      "  2026-04-06 Monday     closed: Andre påskedag\n"))
      << r.Describe();
  // Tuesday 7 April is an ordinary day: not listed.
  EXPECT_FALSE(Contains(r.out, "2026-04-07 Tuesday")) << r.Describe();
}

TEST(CtlSlaDue, AConfigFileChangesThePolicyAsTheDaemonWould) {
  // The operator's [sla] table: standard/high resolution 2 h, warnings at
  // half, and Tuesday 7 April closed as well.
  ScratchDir dir;
  const std::string config = dir.path() + "/helpdeskd.toml";
  {
    std::ofstream out(config);
    out << "[sla]\nwarn_percent = 50\nclosed_days = [\"2026-04-07\"]\n"
           "[[sla.target]]\nclass = \"standard\"\npriority = \"high\"\n"
           "response_minutes = 60\nresolution_minutes = 120\n";
  }
  CtlResult r =
      Due("2026-04-01T14:00", "standard", "high", {"--config", config});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_TRUE(Contains(
      r.out, "the policy of " + config + "; warning at 50 % of a target"))
      << r.out;
  // Wednesday 8 April: response 09:00 (warning 08:30), resolution 10:00.
  EXPECT_TRUE(Contains(r.out, "warning 2026-04-08 08:30, due 2026-04-08 09:00"))
      << r.out;
  EXPECT_TRUE(Contains(r.out, "warning 2026-04-08 09:00, due 2026-04-08 10:00"))
      << r.out;
  // A bad table is a usage error naming the key.
  {
    std::ofstream out(config);
    out << "[sla]\nwarn_percent = 100\n";
  }
  CtlResult bad =
      Due("2026-04-01T14:00", "standard", "high", {"--config", config});
  EXPECT_EQ(bad.exit_code, 2) << bad.Describe();
  EXPECT_TRUE(Contains(bad.err, "warn_percent")) << bad.Describe();
}

TEST(CtlSlaDue, ZAndOffsetStartsGiveTheSameAnswer) {
  const CtlResult local = Due("2026-04-01T14:00", "standard", "high");
  ASSERT_EQ(local.exit_code, 0) << local.Describe();
  for (const char* start :
       {"2026-04-01T12:00:00Z", "2026-04-01T12:00Z",
        "2026-04-01T14:00:00+02:00", "2026-04-01T13:00+01:00",
        "2026-04-01T07:00:00.250-05:00"}) {
    const CtlResult r = Due(start, "standard", "high");
    EXPECT_EQ(r.exit_code, 0) << start << "\n" << r.Describe();
    EXPECT_EQ(r.out, local.out) << start;
  }
}

// Business-critical critical work counts on 24x7 (vakt): a Saturday night
// ticket is due 15 min later, the warning at 11 min 15 s.
TEST(CtlSlaDue, BusinessCriticalCriticalCountsAroundTheClock) {
  CtlResult r = Due("2026-03-21T02:00", "business-critical", "critical");
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_TRUE(Contains(r.out,
                       "First response:  15 min on 24x7 (Døgnåpent (24/7)): "
                       "warning 2026-03-21 02:11:15, due 2026-03-21 02:15 "
                       "Europe/Oslo (2026-03-21T01:15:00Z)\n"))
      << r.Describe();
  EXPECT_TRUE(Contains(r.out, "Calendar 24x7: open around the clock\n"))
      << r.Describe();
}

TEST(CtlSlaDue, JsonHasTheSameInstants) {
  CtlResult r =
      Due("2026-04-01T14:00", "standard", "high", {"--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  const auto j = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r.Describe();
  EXPECT_EQ(j["start"]["utc"], "2026-04-01T12:00:00Z");
  EXPECT_EQ(j["start"]["local"], "2026-04-01T14:00:00+02:00");
  EXPECT_EQ(j["slaClass"], "standard");
  EXPECT_EQ(j["priority"], "high");
  EXPECT_EQ(j["response"]["targetSeconds"], 3600);
  EXPECT_EQ(j["response"]["calendar"], "desk");
  EXPECT_EQ(j["response"]["warning"]["local"], "2026-04-07T08:45:00+02:00");
  EXPECT_EQ(j["response"]["due"]["utc"], "2026-04-07T07:00:00Z");
  EXPECT_EQ(j["resolution"]["due"]["utc"], "2026-04-07T10:00:00Z");
  ASSERT_EQ(j["calendars"].size(), 1u) << r.out;
  const auto& days = j["calendars"][0]["days"];
  ASSERT_EQ(days.size(), 6u) << r.out;
  EXPECT_EQ(days[1]["day"], "2026-04-02");
  EXPECT_EQ(days[1]["kind"], "closed");
  EXPECT_EQ(days[1]["name"], "Skjærtorsdag");
  EXPECT_EQ(days[0]["kind"], "half day");
  EXPECT_EQ(days[0]["hours"], "08:00-12:00");
}

TEST(CtlSlaDue, AnUnknownClassExitsTwoNamingTheKnownOnes) {
  CtlResult r = Due("2026-04-01T14:00", "gold", "high");
  EXPECT_EQ(r.exit_code, 2) << r.Describe();
  EXPECT_TRUE(r.out.empty()) << r.Describe();
  EXPECT_TRUE(Contains(r.err, "unknown SLA class 'gold'")) << r.Describe();
  EXPECT_TRUE(Contains(r.err, "business-critical, standard, order"))
      << r.Describe();
}

TEST(CtlSlaDue, ABadStartExitsTwoWithAClearMessage) {
  for (const char* start :
       {"tomorrow", "2026-04-31T14:00", "2026-04-01", "2026-04-01T25:00",
        "2026-04-01 14:00", "2026-04-01T14:00+2", "2026-04-01T14:00:61Z",
        "2026-04-01T14:00CEST", "1899-06-01T10:00Z", "9999-12-31T23:59"}) {
    CtlResult r = Due(start, "standard", "high");
    EXPECT_EQ(r.exit_code, 2) << start << "\n" << r.Describe();
    EXPECT_TRUE(r.out.empty()) << r.Describe();
    EXPECT_TRUE(Contains(r.err, "--start '" + std::string(start) + "'"))
        << r.Describe();
    EXPECT_TRUE(Contains(r.err, "2026-04-01T12:00:00Z")) << r.Describe();
    EXPECT_TRUE(Contains(r.err, "Europe/Oslo local time")) << r.Describe();
  }
}

TEST(CtlSlaDue, ABadPriorityOrAMissingOptionExitsTwo) {
  EXPECT_EQ(Due("2026-04-01T14:00", "standard", "urgent").exit_code, 2);
  CtlResult r =
      RunCtl({"sla", "due", "--class", "standard", "--priority", "high"});
  EXPECT_EQ(r.exit_code, 2) << r.Describe();
  EXPECT_TRUE(Contains(r.err, "--start")) << r.Describe();
}

TEST(CtlSlaDue, HelpSaysOsloAndTheBuiltInPolicy) {
  CtlResult r = RunCtl({"sla", "due", "--help"});
  EXPECT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_TRUE(Contains(r.out, "Europe/Oslo")) << r.Describe();
  EXPECT_TRUE(Contains(r.out, "built-in policy")) << r.Describe();
}

}  // namespace
}  // namespace helpdesk::testing
