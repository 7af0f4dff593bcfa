// A staff record or vakt rota as large as a request may carry: list sizes
// are checked before any item, and at most Status::kMaxErrors problems are
// listed with a count of the rest, so a hostile body cannot make the
// answer (or the work to find it) grow with it.

#include <gtest/gtest.h>

#include <string>

#include "daemon/staff/staff.h"

namespace helpdesk::staff {
namespace {

const Registry kRegistry{{"kongsberg", "rollag"}, {"network", "servers"}};

v1::StaffMember Ola() {
  v1::StaffMember m;
  m.set_id("ola");
  m.set_name("Ola");
  m.set_home_municipality("rollag");
  m.set_fte_percent(100);
  return m;
}

TEST(Limits, TooManyShiftsIsOneProblemNamingTheListAndTheLimit) {
  // Empty shifts, as the attack sent them: before, each was also checked
  // (three problems each), tens of thousands of problems.
  v1::VaktRota body;
  for (size_t i = 0; i <= kMaxShifts; ++i) body.add_shifts();
  auto got = DecideRota(v1::VaktRota(), body, std::nullopt, {"ola"});
  ASSERT_EQ(got.status().code(), Code::kInvalidField);
  ASSERT_EQ(got.status().errors().size(), 1u);
  EXPECT_EQ(got.status().errors()[0].pointer, "/shifts");
  EXPECT_EQ(got.status().errors()[0].detail,
            "shifts: 20001 given, at most 20000");
  EXPECT_EQ(got.status().more_errors(), 0u);
}

TEST(Limits, ManyBadShiftsListAHundredProblemsAndCountTheRest) {
  v1::VaktRota body;
  for (int i = 0; i < 1000; ++i) body.add_shifts();  // start, end, primary
  auto got = DecideRota(v1::VaktRota(), body, std::nullopt, {"ola"});
  ASSERT_EQ(got.status().code(), Code::kInvalidField);
  EXPECT_EQ(got.status().errors().size(), Status::kMaxErrors);
  EXPECT_EQ(got.status().more_errors(), 3000 - Status::kMaxErrors);
  EXPECT_EQ(got.status().errors()[0].pointer, "/shifts/0/start");
  EXPECT_EQ(got.status().message().substr(0, 37),
            "3000 problems in the vakt rota; nothi");
}

TEST(Limits, ManyOverlapsListAHundredAndCountTheRest) {
  v1::VaktRota body;
  for (int i = 0; i < 500; ++i) {
    auto* s = body.add_shifts();
    s->mutable_start()->set_seconds(1767969000);
    s->mutable_end()->set_seconds(1767969000 + 3600);
    s->set_primary("ola");
  }
  auto got = DecideRota(v1::VaktRota(), body, std::nullopt, {"ola"});
  ASSERT_EQ(got.status().code(), Code::kInvalidField);
  EXPECT_EQ(got.status().errors().size(), Status::kMaxErrors);
  EXPECT_EQ(got.status().more_errors(), 499 - Status::kMaxErrors);
}

TEST(Limits, TheListsOfAStaffRecordAreCheckedBeforeTheirItems) {
  v1::StaffMember m = Ola();
  for (int i = 0; i < 1000; ++i) m.add_skills("unknown-" + std::to_string(i));
  for (int i = 0; i < 300; ++i) m.add_covers("nowhere");
  Status s = Validate(m, kRegistry);
  ASSERT_EQ(s.errors().size(), 2u);
  EXPECT_EQ(s.errors()[0].pointer, "/covers");
  EXPECT_EQ(s.errors()[0].detail,
            "covers (municipalities): 300 given, at most 100");
  EXPECT_EQ(s.errors()[1].pointer, "/skills");
  EXPECT_EQ(s.errors()[1].detail, "skills: 1000 given, at most 200");
}

TEST(Limits, ManyUnknownSkillsListAHundredAndCountTheRest) {
  v1::StaffMember m = Ola();
  for (size_t i = 0; i < kMaxSkills; ++i)
    m.add_skills("unknown-" + std::to_string(i));
  Status s = Validate(m, kRegistry);
  EXPECT_EQ(s.errors().size(), Status::kMaxErrors);
  EXPECT_EQ(s.more_errors(), kMaxSkills - Status::kMaxErrors);
}

TEST(Limits, ProblemsInWordsAreCappedToo) {
  std::vector<std::string> problems(250, "a problem");
  Status s = Status::Problems("the policy", problems);
  EXPECT_EQ(s.errors().size(), Status::kMaxErrors);
  EXPECT_EQ(s.more_errors(), 150u);
  EXPECT_NE(s.message().find("; and 150 more"), std::string::npos);
}

}  // namespace
}  // namespace helpdesk::staff
