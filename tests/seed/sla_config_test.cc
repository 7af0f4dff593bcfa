// The [sla] settings of the config file and their flags, and the SLA policy
// BuildPolicy makes of them.

#include "daemon/config/sla_config.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "daemon/config/config.h"
#include "sla/calendar.h"
#include "sla/policy.h"
#include "tests/support/scratch_dir.h"

namespace helpdesk::config {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::sys_seconds;

StatusOr<Config> LoadConfig(std::vector<std::string> args) {
  args.insert(args.begin(), "helpdeskd");
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  auto parsed = Load(static_cast<int>(argv.size()), argv.data());
  if (!parsed.ok()) return parsed.status();
  if (!std::holds_alternative<Config>(*parsed))
    return Status::Internal("printed instead of running");
  return std::get<Config>(*parsed);
}

date::local_days Day(int y, unsigned m, unsigned d) {
  return date::local_days{date::year{y} / date::month{m} / date::day{d}};
}

sys_seconds At(date::local_days day, minutes utc) {
  return sys_seconds(day.time_since_epoch()) + utc;
}

const sla::CalendarSpec& Desk(const sla::Policy& p) {
  for (const auto& c : p.calendars)
    if (c.id == "desk") return c;
  ADD_FAILURE() << "no desk calendar";
  return p.calendars.front();
}

const sla::ClassTargets& Class(const sla::Policy& p, const std::string& id) {
  for (const auto& c : p.classes)
    if (c.sla_class == id) return c;
  ADD_FAILURE() << "no class " << id;
  return p.classes.front();
}

class SlaConfig : public ::testing::Test {
 protected:
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
  // The error of BuildPolicy on the settings of `text`, which must load.
  std::string PolicyErrorOf(const std::string& text) {
    auto c = WithFile(text);
    EXPECT_TRUE(c.ok()) << c.status().message();
    if (!c.ok()) return "";
    auto p = BuildPolicy(c->sla);
    EXPECT_FALSE(p.ok()) << text;
    return p.ok() ? "" : p.status().message();
  }
  StatusOr<sla::Policy> PolicyOf(const std::string& text,
                                 std::vector<std::string> flags = {}) {
    auto c = WithFile(text, std::move(flags));
    if (!c.ok()) return c.status();
    return BuildPolicy(c->sla);
  }
  const std::string& path() const { return path_; }

 private:
  testing::ScratchDir dir_;
  std::string path_;
};

TEST_F(SlaConfig, DefaultsGiveTheDefaultPolicy) {
  auto c = LoadConfig({});
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_FALSE(c->sla.warn_percent.has_value());
  EXPECT_FALSE(c->sla.pause_on_supplier.has_value());
  EXPECT_FALSE(c->sla.desk_hours.has_value());
  EXPECT_TRUE(c->sla.closed_days.empty());
  EXPECT_TRUE(c->sla.half_days.empty());
  EXPECT_TRUE(c->sla.targets.empty());
  auto p = BuildPolicy(c->sla);
  ASSERT_TRUE(p.ok()) << p.status().message();
  const sla::Policy d = sla::DefaultPolicy();
  EXPECT_EQ(p->warn_share, d.warn_share);
  EXPECT_EQ(p->pause_on_supplier, d.pause_on_supplier);
  ASSERT_EQ(p->calendars.size(), d.calendars.size());
  for (size_t i = 0; i < d.calendars.size(); ++i) {
    EXPECT_EQ(p->calendars[i].id, d.calendars[i].id);
    EXPECT_EQ(p->calendars[i].name, d.calendars[i].name);
    EXPECT_EQ(p->calendars[i].week, d.calendars[i].week);
    EXPECT_EQ(p->calendars[i].closed_days, d.calendars[i].closed_days);
    EXPECT_EQ(p->calendars[i].special_days, d.calendars[i].special_days);
  }
  ASSERT_EQ(p->classes.size(), d.classes.size());
  for (size_t i = 0; i < d.classes.size(); ++i) {
    EXPECT_EQ(p->classes[i].sla_class, d.classes[i].sla_class);
    for (int prio = sla::kCritical; prio <= sla::kLow; ++prio) {
      EXPECT_EQ(p->classes[i].response[prio].time,
                d.classes[i].response[prio].time);
      EXPECT_EQ(p->classes[i].response[prio].calendar,
                d.classes[i].response[prio].calendar);
      EXPECT_EQ(p->classes[i].resolution[prio].time,
                d.classes[i].resolution[prio].time);
      EXPECT_EQ(p->classes[i].resolution[prio].calendar,
                d.classes[i].resolution[prio].calendar);
    }
  }
}

TEST_F(SlaConfig, TheFileSetsEveryKey) {
  auto c = WithFile(
      "[sla]\n"
      "warn_percent = 50\n"
      "pause_on_supplier = true\n"
      "desk_hours = \"07:30-11:30, 12:00-16:00\"\n"
      "closed_days = [\"2026-04-16\", \"2026-12-31\"]\n"
      "half_days = [\"2026-06-19\"]\n"
      "[[sla.target]]\n"
      "class = \"standard\"\n"
      "priority = \"high\"\n"
      "response_minutes = 30\n"
      "resolution_minutes = 180\n"
      "[[sla.target]]\n"
      "class = \"order\"\n"
      "priority = \"low\"\n"
      "calendar = \"24x7\"\n");
  ASSERT_TRUE(c.ok()) << c.status().message();
  const SlaSettings& s = c->sla;
  EXPECT_EQ(s.warn_percent, 50u);
  EXPECT_EQ(s.pause_on_supplier, true);
  EXPECT_EQ(s.desk_hours, "07:30-11:30, 12:00-16:00");
  EXPECT_EQ(s.closed_days,
            (std::vector<std::string>{"2026-04-16", "2026-12-31"}));
  EXPECT_EQ(s.half_days, (std::vector<std::string>{"2026-06-19"}));
  ASSERT_EQ(s.targets.size(), 2u);
  EXPECT_EQ(s.targets[0].sla_class, "standard");
  EXPECT_EQ(s.targets[0].priority, "high");
  EXPECT_EQ(s.targets[0].response_minutes, 30u);
  EXPECT_EQ(s.targets[0].resolution_minutes, 180u);
  EXPECT_FALSE(s.targets[0].calendar.has_value());
  EXPECT_EQ(s.targets[1].calendar, "24x7");
  EXPECT_FALSE(s.targets[1].response_minutes.has_value());

  auto p = BuildPolicy(s);
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_DOUBLE_EQ(p->warn_share, 0.5);
  EXPECT_TRUE(p->pause_on_supplier);
  const sla::CalendarSpec& desk = Desk(*p);
  const std::vector<sla::Segment> hours = {{7 * 60 + 30, 11 * 60 + 30},
                                           {12 * 60, 16 * 60}};
  for (int d = 1; d <= 5; ++d) EXPECT_EQ(desk.week[d], hours) << d;
  EXPECT_TRUE(desk.week[6].empty());
  EXPECT_TRUE(desk.week[7].empty());
  const auto& standard = Class(*p, "standard");
  EXPECT_EQ(standard.response[sla::kHigh].time, minutes(30));
  EXPECT_EQ(standard.resolution[sla::kHigh].time, minutes(180));
  EXPECT_EQ(standard.response[sla::kHigh].calendar, "desk");
  // The other priorities keep their built-in targets.
  EXPECT_EQ(standard.response[sla::kCritical].time, minutes(15));
  const auto& order = Class(*p, "order");
  EXPECT_EQ(order.response[sla::kLow].calendar, "24x7");
  EXPECT_EQ(order.resolution[sla::kLow].calendar, "24x7");
  EXPECT_EQ(order.response[sla::kLow].time,
            sla::DefaultPolicy().classes[2].response[sla::kLow].time);
}

TEST_F(SlaConfig, FlagsOverrideTheFile) {
  const std::string file =
      "[sla]\nwarn_percent = 80\npause_on_supplier = true\n";
  auto c =
      WithFile(file, {"--sla-warn-percent=60", "--no-sla-pause-on-supplier"});
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->sla.warn_percent, 60u);
  EXPECT_EQ(c->sla.pause_on_supplier, false);
  c = WithFile(file, {"--sla-pause-on-supplier=false"});
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->sla.warn_percent, 80u);
  EXPECT_EQ(c->sla.pause_on_supplier, false);
  c = LoadConfig({"--sla-pause-on-supplier", "--sla-warn-percent", "90"});
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->sla.pause_on_supplier, true);
  EXPECT_EQ(c->sla.warn_percent, 90u);
  auto p = BuildPolicy(c->sla);
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_DOUBLE_EQ(p->warn_share, 0.9);
  EXPECT_TRUE(p->pause_on_supplier);
}

TEST_F(SlaConfig, BadFlagValuesNameTheFlag) {
  for (const char* bad : {"--sla-warn-percent=0", "--sla-warn-percent=100",
                          "--sla-warn-percent=many"}) {
    auto c = LoadConfig({bad});
    ASSERT_FALSE(c.ok()) << bad;
    EXPECT_NE(c.status().message().find("sla-warn-percent"), std::string::npos)
        << c.status().message();
  }
}

TEST_F(SlaConfig, BadSettingsSayWhichKeyWhereAndWhatIsExpected) {
  struct Case {
    std::string text;
    std::vector<std::string> wanted;  // each must be in the message
  };
  const Case cases[] = {
      {"[sla]\nwarn_percent = 100\n",
       {":2: ", "'sla.warn_percent'", "1 to 99"}},
      {"[sla]\n\nwarn_percent = \"75\"\n",
       {":3: ", "'sla.warn_percent'", "whole number"}},
      {"[sla]\npause_on_supplier = 1\n",
       {":2: ", "'sla.pause_on_supplier'", "true or false"}},
      {"[sla]\ndesk_hours = \"8-15\"\n",
       {":2: ", "'sla.desk_hours'", "\"08:00-15:30\""}},
      {"[sla]\ndesk_hours = \"\"\n", {":2: ", "'sla.desk_hours'", "empty"}},
      {"[sla]\ndesk_hours = \"15:30-08:00\"\n",
       {":2: ", "'sla.desk_hours'", "ends before it begins"}},
      {"[sla]\ndesk_hours = \"08:00-12:00, 11:00-15:00\"\n",
       {":2: ", "'sla.desk_hours'", "overlaps"}},
      {"[sla]\ndesk_hours = \"08:00-25:00\"\n",
       {":2: ", "'sla.desk_hours'", "not a time span"}},
      {"[sla]\nclosed_days = [\"2026-12-24\",\n  \"2026-02-30\"]\n",
       {":3: ", "'sla.closed_days'", "2026-02-30",
        "not a day of the calendar"}},
      {"[sla]\nhalf_days = \"2026-06-19\"\n",
       {":2: ", "'sla.half_days'", "list of days"}},
      {"[sla]\nhalf_days = [\"19.06.2026\"]\n",
       {":2: ", "'sla.half_days'", "YYYY-MM-DD"}},
      {"[sla]\nwarn_procent = 75\n",
       {":2: ", "unknown setting 'sla.warn_procent'", "warn_percent"}},
      {"warn_percent = 75\n",
       {":1: ", "unknown setting 'warn_percent'", "'sla.warn_percent'",
        "[sla]"}},
      {"sla = 3\n", {":1: ", "'sla'", "[sla] table"}},
      {"[sla]\ntarget = 3\n", {":2: ", "'sla.target'", "[[sla.target]]"}},
      {"[[sla.target]]\nclass = \"standard\"\npriority = \"urgent\"\n",
       {":3: ", "sla.target entry 1", "'priority' \"urgent\"",
        "critical, high, normal, low"}},
      {"[[sla.target]]\nclass = \"standard\"\npriority = \"high\"\n"
       "calendar = \"night\"\n",
       {":4: ", "sla.target entry 1", "'calendar' \"night\"", "\"24x7\""}},
      {"[[sla.target]]\nclass = \"standard\"\npriority = \"high\"\n"
       "response_minutes = 0\n",
       {":4: ", "sla.target entry 1", "'response_minutes'", "from 1 to"}},
      {"[[sla.target]]\npriority = \"high\"\n",
       {":1: ", "sla.target entry 1", "'class' is missing"}},
      {"[[sla.target]]\nclass = \"standard\"\npriority = \"high\"\n"
       "minutes = 5\n",
       {":4: ", "unknown key 'minutes'", "response_minutes"}},
      {"[[sla.target]]\nclass = \"standard\"\npriority = \"high\"\n"
       "[[sla.target]]\nclass = \"standard\"\npriority = \"high\"\n",
       {":4: ", "sla.target entry 2", "has a table already"}},
  };
  for (const auto& c : cases) {
    const std::string message = ErrorOf(c.text);
    EXPECT_NE(message.find(path()), std::string::npos) << message;
    for (const auto& w : c.wanted)
      EXPECT_NE(message.find(w), std::string::npos)
          << "'" << w << "' not in: " << message << "\nfor:\n"
          << c.text;
  }
}

TEST_F(SlaConfig, BuildPolicyNamesWhatThePolicyDoesNotHave) {
  std::string m = PolicyErrorOf(
      "[[sla.target]]\nclass = \"gold\"\npriority = \"high\"\n"
      "response_minutes = 10\n");
  EXPECT_NE(m.find(path() + ":1: "), std::string::npos) << m;
  EXPECT_NE(m.find("'gold' is not an SLA class"), std::string::npos) << m;
  EXPECT_NE(m.find("business-critical, standard, order"), std::string::npos)
      << m;
  // Response longer than resolution, with one side built in (standard/high
  // resolves in 4 h).
  m = PolicyErrorOf(
      "port = 8080\n[[sla.target]]\nclass = \"standard\"\n"
      "priority = \"high\"\nresponse_minutes = 300\n");
  EXPECT_NE(m.find(path() + ":2: "), std::string::npos) << m;
  EXPECT_NE(m.find("class \"standard\", priority \"high\""), std::string::npos)
      << m;
  EXPECT_NE(m.find("response target (300 minutes) is longer than the "
                   "resolution target (240 minutes, built in)"),
            std::string::npos)
      << m;
  // Settings made in code are checked as well.
  SlaSettings s;
  s.half_days = {"2026-02-30"};
  s.closed_days = {"2026-12-31"};
  s.desk_hours = "";
  SlaSettings::TargetOverride urgent;
  urgent.sla_class = "standard";
  urgent.priority = "urgent";
  s.targets.push_back(urgent);
  auto p = BuildPolicy(s);
  ASSERT_FALSE(p.ok());
  m = p.status().message();
  for (const char* w : {"3 problems", "sla.half_days", "2026-02-30",
                        "sla.desk_hours", "empty", "'urgent'"})
    EXPECT_NE(m.find(w), std::string::npos) << w << " not in: " << m;
  s = {};
  s.closed_days = {"2026-06-19"};
  s.half_days = {"2026-06-19"};
  p = BuildPolicy(s);
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("2026-06-19 is also in sla.closed_days"),
            std::string::npos)
      << p.status().message();
}

TEST_F(SlaConfig, AnOverriddenTargetChangesWhenItFallsDue) {
  // Wednesday 15 April 2026, 10:00 in Oslo (08:00Z).
  const sys_seconds start = At(Day(2026, 4, 15), hours(8));
  const sla::PolicyBook built_in(sla::DefaultPolicy());
  auto before =
      built_in.DueOf(built_in.Find("standard")->response[sla::kHigh], start);
  ASSERT_TRUE(before.has_value());
  EXPECT_EQ(before->due, start + hours(1));
  EXPECT_EQ(before->warning, start + minutes(45));

  auto p = PolicyOf(
      "[sla]\nwarn_percent = 50\n"
      "[[sla.target]]\nclass = \"standard\"\npriority = \"high\"\n"
      "response_minutes = 30\nresolution_minutes = 120\n");
  ASSERT_TRUE(p.ok()) << p.status().message();
  const sla::PolicyBook book(*p);
  const auto* standard = book.Find("standard");
  ASSERT_NE(standard, nullptr);
  auto response = book.DueOf(standard->response[sla::kHigh], start);
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->due, start + minutes(30));
  EXPECT_EQ(response->warning, start + minutes(15));
  auto resolution = book.DueOf(standard->resolution[sla::kHigh], start);
  ASSERT_TRUE(resolution.has_value());
  EXPECT_EQ(resolution->due, start + hours(2));
  // On 24x7 a target runs through the night: 12 h from 15:00 Oslo.
  p = PolicyOf(
      "[[sla.target]]\nclass = \"standard\"\npriority = \"normal\"\n"
      "resolution_minutes = 720\ncalendar = \"24x7\"\n");
  ASSERT_TRUE(p.ok()) << p.status().message();
  const sla::PolicyBook allhours(*p);
  const sys_seconds afternoon = At(Day(2026, 4, 15), hours(13));
  auto night = allhours.DueOf(
      allhours.Find("standard")->resolution[sla::kNormal], afternoon);
  ASSERT_TRUE(night.has_value());
  EXPECT_EQ(night->due, afternoon + hours(12));
}

TEST_F(SlaConfig, ClosedAndHalfDaysChangeTheDeskCalendar) {
  auto p = PolicyOf(
      "[sla]\nclosed_days = [\"2026-04-16\"]\n"
      "half_days = [\"2026-06-19\"]\n");
  ASSERT_TRUE(p.ok()) << p.status().message();
  const sla::PolicyBook book(*p);
  const sla::BusinessCalendar* desk = book.Calendar("desk");
  ASSERT_NE(desk, nullptr);
  // Thursday 16 April 2026 is closed: 10:00 Oslo is not open, and a one
  // hour target started on Wednesday at 15:00 Oslo runs on Friday.
  EXPECT_TRUE(desk->HoursOn(Day(2026, 4, 16)).empty());
  EXPECT_FALSE(desk->IsOpen(At(Day(2026, 4, 16), hours(8))));
  EXPECT_EQ(desk->Add(At(Day(2026, 4, 15), hours(13)), hours(1)),
            At(Day(2026, 4, 17), hours(6) + minutes(30)));
  // The next day is an ordinary one.
  EXPECT_EQ(desk->HoursOn(Day(2026, 4, 17)),
            (std::vector<sla::Segment>{{8 * 60, 15 * 60 + 30}}));
  // Friday 19 June 2026 is open 08:00-12:00.
  EXPECT_EQ(desk->HoursOn(Day(2026, 6, 19)),
            (std::vector<sla::Segment>{{8 * 60, 12 * 60}}));
  // The built-in calendar has both days as ordinary working days.
  const sla::BusinessCalendar plain(sla::DeskCalendar());
  EXPECT_TRUE(plain.IsOpen(At(Day(2026, 4, 16), hours(8))));
  EXPECT_EQ(plain.HoursOn(Day(2026, 6, 19)),
            (std::vector<sla::Segment>{{8 * 60, 15 * 60 + 30}}));
}

TEST_F(SlaConfig, HelpShowsTheSlaSettings) {
  std::vector<const char*> argv = {"helpdeskd", "--help"};
  auto parsed = Load(2, argv.data());
  ASSERT_TRUE(parsed.ok());
  ASSERT_TRUE(std::holds_alternative<PrintAndExit>(*parsed));
  const std::string& help = std::get<PrintAndExit>(*parsed).text;
  for (const char* w :
       {"SLA ([sla] in the config file)", "--sla-warn-percent",
        "--sla-pause-on-supplier", "[[sla.target]]", "desk_hours", "half_days"})
    EXPECT_NE(help.find(w), std::string::npos) << w;
}

}  // namespace
}  // namespace helpdesk::config
