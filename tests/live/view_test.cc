// What each kind of subscriber receives of an event, by the rules of the
// reads: employees their own tickets' events and never an internal note;
// dashboards figures without personal text; staff no client address.

#include "daemon/live/view.h"

#include <gtest/gtest.h>

#include "proto/json.h"

namespace helpdesk::live {
namespace {

auth::Principal Employee(std::string account, std::string municipality) {
  auth::Principal p;
  p.account = std::move(account);
  p.municipality = std::move(municipality);
  p.roles = auth::kEmployee;
  return p;
}

auth::Principal WithRoles(auth::Roles roles) {
  auth::Principal p;
  p.account = "someone";
  p.roles = roles;
  return p;
}

v1::Event Comment(std::string reporter, std::string municipality,
                  v1::Visibility visibility) {
  v1::Event e;
  e.set_seq(9);
  e.set_actor("kari.haugen");
  e.set_client_address("10.1.2.3");
  e.set_ticket_id("12");
  e.mutable_ticket()->set_id("12");
  e.mutable_ticket()->set_reporter(std::move(reporter));
  e.mutable_ticket()->set_municipality(std::move(municipality));
  e.mutable_comment_added()->set_author("kari.haugen");
  e.mutable_comment_added()->set_body("Passordet er Sommer2026");
  e.mutable_comment_added()->set_visibility(visibility);
  return e;
}

TEST(MaySee, AFollowerSeesTheTicketsTheyFollowAndDashboardsNotWho) {
  const auto colleague = Employee("ansatt2.tinn", "tinn");
  v1::Event e = Comment("ansatt.tinn", "tinn", v1::VISIBILITY_PUBLIC);
  EXPECT_FALSE(MaySee(View::kEmployee, colleague, e));
  e.mutable_ticket()->add_followers("ansatt2.tinn");
  EXPECT_TRUE(MaySee(View::kEmployee, colleague, e));
  // Never an internal note, and never in another municipality.
  e.mutable_comment_added()->set_visibility(v1::VISIBILITY_INTERNAL);
  EXPECT_FALSE(MaySee(View::kEmployee, colleague, e));
  e.mutable_comment_added()->set_visibility(v1::VISIBILITY_PUBLIC);
  EXPECT_FALSE(MaySee(View::kEmployee, Employee("ansatt2.tinn", "rollag"), e));
  // Who follows a ticket is no wall's business.
  EXPECT_EQ(Render(View::kDashboard, e).find("ansatt2.tinn"),
            std::string::npos);
}

TEST(ViewOf, TheMostThatTheRolesMaySee) {
  EXPECT_EQ(ViewOf(WithRoles(auth::kAdmin | auth::kAgent)), View::kAdmin);
  // Tickets are not an admin's as such: one who is not staff reads figures.
  EXPECT_EQ(ViewOf(WithRoles(auth::kAdmin)), View::kDashboard);
  EXPECT_EQ(ViewOf(WithRoles(auth::kAgent)), View::kStaff);
  EXPECT_EQ(ViewOf(WithRoles(auth::kEmployee)), View::kEmployee);
  EXPECT_EQ(ViewOf(WithRoles(auth::kDashboard)), View::kDashboard);
}

TEST(MaySee, AnEmployeeSeesTheirOwnTicketsPublicEventsOnly) {
  const auto ansatt = Employee("ansatt.tinn", "tinn");
  EXPECT_TRUE(MaySee(View::kEmployee, ansatt,
                     Comment("ansatt.tinn", "tinn", v1::VISIBILITY_PUBLIC)));
  EXPECT_FALSE(MaySee(View::kEmployee, ansatt,
                      Comment("ansatt.tinn", "tinn", v1::VISIBILITY_INTERNAL)));
  EXPECT_FALSE(MaySee(View::kEmployee, ansatt,
                      Comment("ola.nordmann", "tinn", v1::VISIBILITY_PUBLIC)));
  // The same account name in another municipality is someone else's.
  EXPECT_FALSE(MaySee(View::kEmployee, ansatt,
                      Comment("ansatt.tinn", "rollag", v1::VISIBILITY_PUBLIC)));
  v1::Event rota;
  rota.mutable_vakt_changed()->set_version(2);
  EXPECT_FALSE(MaySee(View::kEmployee, ansatt, rota));
}

TEST(MaySee, ADashboardSeesTicketsRotaAndStaffButNotAccounts) {
  const auto wall = WithRoles(auth::kDashboard);
  EXPECT_TRUE(MaySee(View::kDashboard, wall,
                     Comment("a", "tinn", v1::VISIBILITY_INTERNAL)));
  v1::Event account;
  account.mutable_account_changed();
  EXPECT_FALSE(MaySee(View::kDashboard, wall, account));
  v1::Event rota;
  rota.mutable_vakt_changed()->set_version(2);
  EXPECT_TRUE(MaySee(View::kDashboard, wall, rota));
}

// Who was paged (README, "Paging") is the IT staff's: never an
// employee's, not even of their own ticket, nor a wall's.
TEST(MaySee, PagesAreForTheStaffOnly) {
  v1::Event page = Comment("ansatt.tinn", "tinn", v1::VISIBILITY_PUBLIC);
  page.mutable_page_created()->mutable_page()->set_id("3");
  v1::Event delivered = page;
  delivered.mutable_page_delivered()->set_page_id("3");
  v1::Event acked = page;
  acked.mutable_page_acknowledged()->set_page_id("3");
  for (const v1::Event& e : {page, delivered, acked}) {
    EXPECT_TRUE(MaySee(View::kStaff, WithRoles(auth::kAgent), e));
    EXPECT_FALSE(MaySee(View::kEmployee, Employee("ansatt.tinn", "tinn"), e));
    EXPECT_FALSE(MaySee(View::kDashboard, WithRoles(auth::kDashboard), e));
  }
}

TEST(Render, ADashboardGetsFiguresWithoutPersonalText) {
  v1::Event e = Comment("ansatt.tinn", "tinn", v1::VISIBILITY_PUBLIC);
  const std::string json = Render(View::kDashboard, e);
  // The schema's shape stays (every scalar is printed), emptied.
  EXPECT_NE(json.find("\"commentAdded\":{\"author\":\"\",\"body\":\"\","
                      "\"authorName\":\"\"}"),
            std::string::npos)
      << json;
  EXPECT_NE(json.find("\"reporter\":\"\""), std::string::npos) << json;
  for (const char* hidden :
       {"Sommer2026", "ansatt.tinn", "kari.haugen", "10.1.2.3"})
    EXPECT_EQ(json.find(hidden), std::string::npos) << hidden << " in " << json;
  EXPECT_NE(json.find("\"municipality\":\"tinn\""), std::string::npos);

  v1::Event created;
  created.set_ticket_id("12");
  created.mutable_ticket()->set_id("12");
  created.mutable_ticket_created()->mutable_ticket()->set_title("Kari er syk");
  EXPECT_EQ(Render(View::kDashboard, created).find("Kari er syk"),
            std::string::npos);
}

TEST(Render, TheClientAddressIsTheAdminsAlone) {
  v1::Event e = Comment("a", "tinn", v1::VISIBILITY_PUBLIC);
  EXPECT_NE(Render(View::kAdmin, e).find("10.1.2.3"), std::string::npos);
  EXPECT_EQ(Render(View::kStaff, e).find("10.1.2.3"), std::string::npos);
  EXPECT_EQ(Render(View::kEmployee, e).find("10.1.2.3"), std::string::npos);
  // What staff receive is otherwise the event as the log has it.
  v1::Event staff = e;
  staff.clear_client_address();
  EXPECT_EQ(Render(View::kStaff, e), proto::ToJson(staff));
}

}  // namespace
}  // namespace helpdesk::live
