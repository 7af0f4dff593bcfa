#include "daemon/tickets/commands.h"

#include <google/protobuf/text_format.h>
#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

namespace helpdesk::tickets {
namespace {

using google::protobuf::util::TimeUtil;

v1::Region TestRegion() {
  v1::Region r;
  google::protobuf::TextFormat::ParseFromString(R"pb(
    municipalities {
      id: "rollag" name: "Rollag"
      locations { id: "rollag-kommunehus" name: "Rollag kommunehus" }
    }
    municipalities { id: "hjartdal" name: "Hjartdal" }
  )pb", &r);
  return r;
}

v1::CreateTicketRequest GoodCreate() {
  v1::CreateTicketRequest req;
  req.set_title("Skriveren skriver ikke ut");
  req.set_description("Papirstopp i skuff 2.");
  req.set_municipality("rollag");
  req.set_location("rollag-kommunehus");
  req.set_service_id("printer");
  req.set_reporter("kari");
  return req;
}

v1::Service Printer() {
  v1::Service s;
  google::protobuf::TextFormat::ParseFromString(R"pb(
    id: "printer" name: "Skrivere" category: "utstyr" version: 3
    presence: PRESENCE_NOT_NEEDED delivery: DELIVERY_EXTERNAL
    supplier { name: "Skriverleverandør" contact: "service@skriver.example" }
    skills: "printers" sla_class: "standard" default_priority: PRIORITY_LOW
    state: SERVICE_STATE_ACTIVE description: "Not in the snapshot"
  )pb", &s);
  return s;
}

RequestContext Ctx(int64_t seconds = 1767225600) {
  return {"req-1", TimeUtil::SecondsToTimestamp(seconds)};
}

TEST(ValidateCreate, AcceptsAGoodRequest) {
  EXPECT_TRUE(ValidateCreate(GoodCreate(), TestRegion()).ok());
  auto no_location = GoodCreate();
  no_location.clear_location();
  EXPECT_TRUE(ValidateCreate(no_location, TestRegion()).ok());
}

TEST(ValidateCreate, NamesTheFieldThatIsWrong) {
  struct Case {
    std::function<void(v1::CreateTicketRequest&)> mutate;
    std::string field;
  };
  std::vector<Case> cases = {
      {[](auto& r) { r.clear_title(); }, "title"},
      {[](auto& r) { r.set_title("   "); }, "title"},
      {[](auto& r) { r.set_title(std::string(201, 'x')); }, "title"},
      {[](auto& r) { r.set_title("two\nlines"); }, "title"},
      {[](auto& r) { r.clear_description(); }, "description"},
      {[](auto& r) { r.clear_municipality(); }, "municipality"},
      {[](auto& r) { r.set_municipality("oslo"); }, "municipality"},
      {[](auto& r) { r.clear_service_id(); }, "serviceId"},
      {[](auto& r) { r.clear_reporter(); }, "reporter"},
      {[](auto& r) { r.set_location("hjartdal-kommunehus"); }, "location"},
      {[](auto& r) { r.set_location(" "); }, "location"},
  };
  for (const auto& c : cases) {
    auto req = GoodCreate();
    c.mutate(req);
    Status s = ValidateCreate(req, TestRegion());
    EXPECT_EQ(s.code(), Code::kInvalidField) << c.field;
    EXPECT_EQ(s.field(), c.field);
    EXPECT_NE(s.message().find(c.field), std::string::npos) << s.message();
  }
}

TEST(ValidateCreate, UnknownMunicipalityListsTheKnownOnes) {
  auto req = GoodCreate();
  req.set_municipality("oslo");
  Status s = ValidateCreate(req, TestRegion());
  EXPECT_NE(s.message().find("rollag"), std::string::npos);
  EXPECT_NE(s.message().find("hjartdal"), std::string::npos);
}

TEST(CheckService, NeedsAnActiveServiceOfferedInTheMunicipality) {
  v1::Service s = Printer();
  EXPECT_TRUE(CheckService(GoodCreate(), &s).ok());

  Status missing = CheckService(GoodCreate(), nullptr);
  EXPECT_EQ(missing.code(), Code::kInvalidField);
  EXPECT_EQ(missing.field(), "serviceId");
  EXPECT_NE(missing.message().find("'printer'"), std::string::npos);

  s.set_state(v1::SERVICE_STATE_RETIRED);
  Status retired = CheckService(GoodCreate(), &s);
  EXPECT_EQ(retired.field(), "serviceId");
  EXPECT_NE(retired.message().find("retired"), std::string::npos);

  s = Printer();
  s.add_municipalities("hjartdal");
  s.add_municipalities("tinn");
  Status elsewhere = CheckService(GoodCreate(), &s);
  EXPECT_EQ(elsewhere.field(), "serviceId");
  EXPECT_NE(elsewhere.message().find("hjartdal, tinn"), std::string::npos)
      << elsewhere.message();
  s.add_municipalities("rollag");
  EXPECT_TRUE(CheckService(GoodCreate(), &s).ok());
}

TEST(DecideCreate, KeepsASnapshotOfTheServiceAndTakesItsDefaultPriority) {
  Change c = DecideCreate(GoodCreate(), Printer(), 42, Ctx());
  EXPECT_EQ(c.ticket.priority(), v1::PRIORITY_LOW);  // the service's default
  const v1::ServiceSnapshot& snap = c.ticket.service();
  EXPECT_EQ(snap.id(), "printer");
  EXPECT_EQ(snap.version(), 3u);
  EXPECT_EQ(snap.name(), "Skrivere");
  EXPECT_EQ(snap.presence(), v1::PRESENCE_NOT_NEEDED);
  EXPECT_EQ(snap.delivery(), v1::DELIVERY_EXTERNAL);
  EXPECT_EQ(snap.supplier().name(), "Skriverleverandør");
  EXPECT_EQ(snap.sla_class(), "standard");
  ASSERT_EQ(snap.skills_size(), 1);
  EXPECT_EQ(c.event.ticket_created().ticket().service().id(), "printer");

  auto req = GoodCreate();
  req.set_priority(v1::PRIORITY_HIGH);  // the reporter's choice wins
  EXPECT_EQ(DecideCreate(req, Printer(), 43, Ctx()).ticket.priority(),
            v1::PRIORITY_HIGH);
}

TEST(DecideCreate, MakesANewTicketAndItsEvent) {
  v1::Service service = Printer();
  service.clear_default_priority();
  Change c = DecideCreate(GoodCreate(), service, 42, Ctx());
  EXPECT_EQ(c.ticket.id(), "42");
  EXPECT_EQ(c.ticket.status(), v1::TICKET_STATUS_NEW);
  EXPECT_EQ(c.ticket.priority(), v1::PRIORITY_NORMAL);  // the default
  EXPECT_EQ(c.ticket.version(), 1u);
  EXPECT_EQ(c.ticket.created_at(), Ctx().now);
  EXPECT_EQ(c.event.actor(), "kari");  // the reporter, until identities exist
  EXPECT_EQ(c.event.request_id(), "req-1");
  EXPECT_EQ(c.event.ticket_id(), "42");
  ASSERT_TRUE(c.event.has_ticket_created());
  EXPECT_EQ(c.event.ticket_created().ticket().title(), GoodCreate().title());
}

v1::Ticket Ticket(v1::TicketStatus status, uint32_t version) {
  v1::Ticket t;
  t.set_id("7");
  t.set_status(status);
  t.set_version(version);
  return t;
}

v1::ChangeStatusRequest Move(v1::TicketStatus to, uint32_t version) {
  v1::ChangeStatusRequest r;
  r.set_status(to);
  r.set_version(version);
  return r;
}

TEST(DecideStatusChange, AppliesAnAllowedMove) {
  auto req = Move(v1::TICKET_STATUS_ASSIGNED, 3);
  req.set_assignee("ola");
  req.set_actor("jobbfordeler");
  auto c = DecideStatusChange(Ticket(v1::TICKET_STATUS_NEW, 3), req,
                              std::nullopt, Ctx(1767229200));
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->ticket.status(), v1::TICKET_STATUS_ASSIGNED);
  EXPECT_EQ(c->ticket.assignee(), "ola");
  EXPECT_EQ(c->ticket.version(), 4u);
  EXPECT_EQ(c->ticket.updated_at(), Ctx(1767229200).now);
  EXPECT_EQ(c->event.actor(), "jobbfordeler");
  EXPECT_EQ(c->event.status_changed().from(), v1::TICKET_STATUS_NEW);
  EXPECT_EQ(c->event.status_changed().to(), v1::TICKET_STATUS_ASSIGNED);
}

TEST(DecideStatusChange, ActorDefaultsToSystem) {
  auto c = DecideStatusChange(Ticket(v1::TICKET_STATUS_ASSIGNED, 1),
                              Move(v1::TICKET_STATUS_IN_PROGRESS, 1),
                              std::nullopt, Ctx());
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->event.actor(), "system");
}

TEST(DecideStatusChange, IllegalMoveNamesTheAllowedOnes) {
  auto c = DecideStatusChange(Ticket(v1::TICKET_STATUS_IN_PROGRESS, 1),
                              Move(v1::TICKET_STATUS_CLOSED, 1), std::nullopt,
                              Ctx());
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), Code::kIllegalTransition);
  EXPECT_EQ(c.status().allowed(),
            (std::vector<std::string>{"waiting_on_user", "waiting_on_supplier",
                                      "resolved"}));
}

TEST(DecideStatusChange, StaleVersionIsAConflict) {
  auto c = DecideStatusChange(Ticket(v1::TICKET_STATUS_ASSIGNED, 5),
                              Move(v1::TICKET_STATUS_IN_PROGRESS, 4),
                              std::nullopt, Ctx());
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), Code::kVersionConflict);
  EXPECT_EQ(c.status().current_version(), 5u);
}

TEST(DecideStatusChange, IfMatchWinsOverTheBodyAndOneIsRequired) {
  auto t = Ticket(v1::TICKET_STATUS_ASSIGNED, 5);
  EXPECT_TRUE(DecideStatusChange(t, Move(v1::TICKET_STATUS_IN_PROGRESS, 1), 5u,
                                 Ctx()).ok());
  auto missing = DecideStatusChange(t, Move(v1::TICKET_STATUS_IN_PROGRESS, 0),
                                    std::nullopt, Ctx());
  EXPECT_EQ(missing.status().code(), Code::kVersionRequired);
}

TEST(DecideStatusChange, AssignedNeedsAnAssignee) {
  auto c = DecideStatusChange(Ticket(v1::TICKET_STATUS_NEW, 1),
                              Move(v1::TICKET_STATUS_ASSIGNED, 1), std::nullopt,
                              Ctx());
  EXPECT_EQ(c.status().code(), Code::kInvalidField);
  EXPECT_EQ(c.status().field(), "assignee");
}

TEST(DecideComment, CountsAndVersionsTheTicket) {
  v1::AddCommentRequest req;
  req.set_author("ola");
  req.set_body("Kommer etter lunsj.");
  auto c = DecideComment(Ticket(v1::TICKET_STATUS_ASSIGNED, 2), req, Ctx());
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->ticket.comment_count(), 1u);
  EXPECT_EQ(c->ticket.version(), 3u);
  EXPECT_EQ(c->event.comment_added().body(), "Kommer etter lunsj.");
  req.clear_body();
  EXPECT_EQ(DecideComment(Ticket(v1::TICKET_STATUS_ASSIGNED, 2), req, Ctx())
                .status().field(), "body");
}

TEST(DecideComment, ClosedTicketsTakeNoComments) {
  v1::AddCommentRequest req;
  req.set_author("ola");
  req.set_body("hei");
  EXPECT_EQ(DecideComment(Ticket(v1::TICKET_STATUS_CLOSED, 9), req, Ctx())
                .status().code(),
            Code::kIllegalTransition);
}

TEST(ParseTicketId, AcceptsOnlyCanonicalNumbers) {
  EXPECT_EQ(ParseTicketId("1042"), 1042u);
  EXPECT_EQ(ParseTicketId("0"), std::nullopt);
  EXPECT_EQ(ParseTicketId("042"), std::nullopt);
  EXPECT_EQ(ParseTicketId("12a"), std::nullopt);
  EXPECT_EQ(ParseTicketId(""), std::nullopt);
  EXPECT_EQ(ParseTicketId("-1"), std::nullopt);
  EXPECT_EQ(ParseTicketId("99999999999999999999999"), std::nullopt);
}

}  // namespace
}  // namespace helpdesk::tickets
