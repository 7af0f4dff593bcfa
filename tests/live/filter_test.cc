// A live subscriber's filter: what its query parameters may say, and
// which events it then receives (a ticket leaving the filter included).

#include "daemon/live/filter.h"

#include <gtest/gtest.h>

namespace helpdesk::live {
namespace {

const std::vector<std::string> kRegion = {"tinn", "rollag", "kongsberg"};

StatusOr<Filter> Parse(std::map<std::string, std::string> params,
                       std::string_view staff_id = "") {
  return ParseFilter(params, kRegion, staff_id);
}

v1::Event TicketEvent(std::string municipality, v1::TicketStatus before,
                      v1::TicketStatus after, std::string assignee_before,
                      std::string assignee) {
  v1::Event e;
  e.set_seq(7);
  e.set_ticket_id("12");
  auto* t = e.mutable_ticket();
  t->set_id("12");
  t->set_municipality(std::move(municipality));
  t->set_status_before(before);
  t->set_status(after);
  t->set_assignee_before(std::move(assignee_before));
  t->set_assignee(std::move(assignee));
  e.mutable_status_changed()->set_from(before);
  e.mutable_status_changed()->set_to(after);
  return e;
}

TEST(ParseFilter, TakesListsOfWhatTheRegionAndTheLogHave) {
  auto f = Parse({{"municipality", "tinn, rollag"},
                  {"status", "new,in_progress"},
                  {"types", "ticketCreated,slaBreached"},
                  {"ticket", "12,13"},
                  {"assignee", "me"}},
                 "kari.haugen");
  ASSERT_TRUE(f.ok()) << f.status().message();
  EXPECT_EQ(f->municipalities, (std::vector<std::string>{"tinn", "rollag"}));
  EXPECT_EQ(f->statuses,
            (std::vector<v1::TicketStatus>{v1::TICKET_STATUS_NEW,
                                           v1::TICKET_STATUS_IN_PROGRESS}));
  EXPECT_EQ(f->types, (std::vector<v1::Event::BodyCase>{
                          v1::Event::kTicketCreated, v1::Event::kSlaBreached}));
  EXPECT_EQ(f->tickets, (std::vector<std::string>{"12", "13"}));
  EXPECT_EQ(f->assignees, (std::vector<std::string>{"kari.haugen"}));
}

TEST(ParseFilter, NamesTheParameterAndWhatItTakes) {
  struct Case {
    std::map<std::string, std::string> params;
    std::string parameter, says;
  };
  for (const Case& c : std::vector<Case>{
           {{{"municipality", "oslo"}}, "municipality", "tinn, rollag"},
           {{{"status", "open"}}, "status", "in_progress"},
           {{{"types", "created"}}, "types", "ticketCreated"},
           {{{"ticket", "12a"}}, "ticket", "numbers"},
           {{{"assignee", "me"}}, "assignee", "staff record"},
       }) {
    auto f = Parse(c.params);
    ASSERT_FALSE(f.ok()) << c.parameter;
    EXPECT_EQ(f.status().code(), Code::kInvalidParameter);
    EXPECT_EQ(f.status().field(), c.parameter);
    EXPECT_NE(f.status().message().find(c.says), std::string::npos)
        << f.status().message();
  }
}

TEST(FilterMatches, AnEmptyFilterTakesEverything) {
  Filter any;
  EXPECT_TRUE(any.Matches(TicketEvent("tinn", v1::TICKET_STATUS_NEW,
                                      v1::TICKET_STATUS_ASSIGNED, "", "ola")));
  v1::Event rota;
  rota.mutable_vakt_changed()->set_version(3);
  EXPECT_TRUE(any.Matches(rota));
}

TEST(FilterMatches, ATicketLeavingTheStatusOrAssigneeIsStillSeen) {
  auto by_status = Parse({{"status", "new"}});
  ASSERT_TRUE(by_status.ok());
  EXPECT_TRUE(by_status->Matches(TicketEvent(
      "tinn", v1::TICKET_STATUS_NEW, v1::TICKET_STATUS_ASSIGNED, "", "ola")));
  EXPECT_FALSE(by_status->Matches(
      TicketEvent("tinn", v1::TICKET_STATUS_ASSIGNED,
                  v1::TICKET_STATUS_IN_PROGRESS, "ola", "ola")));

  auto mine = Parse({{"assignee", "ola"}});
  ASSERT_TRUE(mine.ok());
  EXPECT_TRUE(
      mine->Matches(TicketEvent("tinn", v1::TICKET_STATUS_ASSIGNED,
                                v1::TICKET_STATUS_ASSIGNED, "ola", "kari")));
  EXPECT_FALSE(
      mine->Matches(TicketEvent("tinn", v1::TICKET_STATUS_ASSIGNED,
                                v1::TICKET_STATUS_ASSIGNED, "per", "kari")));
}

TEST(FilterMatches, MunicipalityTypesAndTicket) {
  auto f = Parse({{"municipality", "tinn"}, {"types", "statusChanged"}});
  ASSERT_TRUE(f.ok());
  EXPECT_TRUE(f->Matches(TicketEvent("tinn", v1::TICKET_STATUS_NEW,
                                     v1::TICKET_STATUS_ASSIGNED, "", "ola")));
  EXPECT_FALSE(f->Matches(TicketEvent("rollag", v1::TICKET_STATUS_NEW,
                                      v1::TICKET_STATUS_ASSIGNED, "", "ola")));
  v1::Event comment =
      TicketEvent("tinn", v1::TICKET_STATUS_NEW, v1::TICKET_STATUS_NEW, "", "");
  comment.mutable_comment_added()->set_body("hei");
  EXPECT_FALSE(f->Matches(comment));

  auto one = Parse({{"ticket", "13"}});
  ASSERT_TRUE(one.ok());
  EXPECT_FALSE(one->Matches(TicketEvent("tinn", v1::TICKET_STATUS_NEW,
                                        v1::TICKET_STATUS_ASSIGNED, "", "")));
}

TEST(FilterMatches, AnEventOfNoTicketOnlyWithoutTicketFilters) {
  v1::Event rota;
  rota.mutable_vakt_changed()->set_version(3);
  auto by_place = Parse({{"municipality", "tinn"}});
  ASSERT_TRUE(by_place.ok());
  EXPECT_FALSE(by_place->Matches(rota));
  auto by_type = Parse({{"types", "vaktChanged"}});
  ASSERT_TRUE(by_type.ok());
  EXPECT_TRUE(by_type->Matches(rota));
}

TEST(FilterKey, EqualFiltersShareAKeyAndOthersDoNot) {
  auto a = Parse({{"municipality", "tinn"}, {"status", "new"}});
  auto b = Parse({{"municipality", "tinn"}, {"status", "new"}});
  auto c = Parse({{"municipality", "tinn"}, {"ticket", "1"}});
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ(a->Key(), b->Key());
  EXPECT_NE(a->Key(), c->Key());
}

}  // namespace
}  // namespace helpdesk::live
