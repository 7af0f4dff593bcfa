#include "daemon/tickets/commands.h"

#include <google/protobuf/text_format.h>
#include <google/protobuf/util/message_differencer.h>
#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

namespace helpdesk::tickets {
namespace {

using google::protobuf::util::TimeUtil;

v1::Region TestRegion() {
  v1::Region r;
  google::protobuf::TextFormat::ParseFromString(
      R"pb(
        municipalities {
          id: "rollag"
          name: "Rollag"
          locations { id: "rollag-kommunehus" name: "Rollag kommunehus" }
        }
        municipalities { id: "hjartdal" name: "Hjartdal" }
      )pb",
      &r);
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
  google::protobuf::TextFormat::ParseFromString(
      R"pb(
        id: "printer"
        name: "Skrivere"
        category: "utstyr"
        version: 3
        presence: PRESENCE_NOT_NEEDED
        delivery: DELIVERY_EXTERNAL
        supplier {
          name: "Skriverleverandør"
          contact: "service@skriver.example"
        }
        skills: "printers"
        sla_class: "standard"
        default_priority: PRIORITY_LOW
        state: SERVICE_STATE_ACTIVE
        description: "Not in the snapshot"
      )pb",
      &s);
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
  auto current = Ticket(v1::TICKET_STATUS_ASSIGNED, 3);
  current.set_assignee("ola");
  auto req = Move(v1::TICKET_STATUS_IN_PROGRESS, 3);
  req.set_actor("ola");
  req.set_reason("Starter nå");
  auto c = DecideStatusChange(current, req, std::nullopt, Ctx(1767229200));
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->ticket.status(), v1::TICKET_STATUS_IN_PROGRESS);
  EXPECT_EQ(c->ticket.assignee(), "ola");  // a status move keeps the person
  EXPECT_EQ(c->ticket.version(), 4u);
  EXPECT_EQ(c->ticket.updated_at(), Ctx(1767229200).now);
  EXPECT_EQ(c->event.actor(), "ola");
  EXPECT_EQ(c->event.ticket_version(), 4u);
  EXPECT_EQ(c->event.status_changed().from(), v1::TICKET_STATUS_ASSIGNED);
  EXPECT_EQ(c->event.status_changed().to(), v1::TICKET_STATUS_IN_PROGRESS);
  EXPECT_EQ(c->event.status_changed().reason(), "Starter nå");

  // Every other move of the life cycle is a status change too.
  const std::pair<v1::TicketStatus, v1::TicketStatus> moves[] = {
      {v1::TICKET_STATUS_IN_PROGRESS, v1::TICKET_STATUS_WAITING_ON_USER},
      {v1::TICKET_STATUS_IN_PROGRESS, v1::TICKET_STATUS_WAITING_ON_SUPPLIER},
      {v1::TICKET_STATUS_WAITING_ON_USER, v1::TICKET_STATUS_IN_PROGRESS},
      {v1::TICKET_STATUS_WAITING_ON_SUPPLIER, v1::TICKET_STATUS_RESOLVED},
      {v1::TICKET_STATUS_IN_PROGRESS, v1::TICKET_STATUS_RESOLVED},
      {v1::TICKET_STATUS_RESOLVED, v1::TICKET_STATUS_IN_PROGRESS},
      {v1::TICKET_STATUS_RESOLVED, v1::TICKET_STATUS_CLOSED},
  };
  for (const auto& [from, to] : moves) {
    auto moved =
        DecideStatusChange(Ticket(from, 1), Move(to, 1), std::nullopt, Ctx());
    ASSERT_TRUE(moved.ok())
        << from << " -> " << to << ": " << moved.status().message();
    EXPECT_EQ(moved->ticket.status(), to);
    EXPECT_EQ(moved->event.status_changed().from(), from);
  }
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
  EXPECT_TRUE(
      DecideStatusChange(t, Move(v1::TICKET_STATUS_IN_PROGRESS, 1), 5u, Ctx())
          .ok());
  auto missing = DecideStatusChange(t, Move(v1::TICKET_STATUS_IN_PROGRESS, 0),
                                    std::nullopt, Ctx());
  EXPECT_EQ(missing.status().code(), Code::kVersionRequired);
}

// Tickets are given to people through /assign and /take (DecideAssignment);
// a status change may neither move a ticket to 'assigned' nor name an
// assignee, whatever the ticket's status or version.
TEST(DecideStatusChange, AssigningIsNotAStatusChange) {
  struct Case {
    v1::TicketStatus from;
    v1::TicketStatus to;
    std::string assignee;
    std::string field;
  };
  for (const Case& k : std::vector<Case>{
           {v1::TICKET_STATUS_NEW, v1::TICKET_STATUS_ASSIGNED, "", "status"},
           {v1::TICKET_STATUS_NEW, v1::TICKET_STATUS_ASSIGNED, "ola",
            "assignee"},
           {v1::TICKET_STATUS_IN_PROGRESS, v1::TICKET_STATUS_ASSIGNED, "",
            "status"},
           {v1::TICKET_STATUS_ASSIGNED, v1::TICKET_STATUS_IN_PROGRESS, "ola",
            "assignee"},
       }) {
    SCOPED_TRACE(std::to_string(k.from) + " -> " + std::to_string(k.to) +
                 " assignee '" + k.assignee + "'");
    auto req = Move(k.to, 1);
    req.set_assignee(k.assignee);
    auto c = DecideStatusChange(Ticket(k.from, 1), req, std::nullopt, Ctx());
    ASSERT_FALSE(c.ok());
    EXPECT_EQ(c.status().code(), Code::kInvalidField);
    EXPECT_EQ(c.status().field(), k.field);
    EXPECT_NE(c.status().message().find("/api/v1/tickets/7/assign"),
              std::string::npos)
        << c.status().message();
    EXPECT_NE(c.status().message().find("/take"), std::string::npos)
        << c.status().message();
  }
}

// ------------------------------------------------------------ assignment

v1::Assignment Decision(v1::AssignmentOutcome outcome,
                        const std::string& assignee,
                        const std::string& by = "") {
  v1::Assignment a;
  a.set_outcome(outcome);
  a.set_trigger(by.empty() ? v1::ASSIGNMENT_TRIGGER_CREATED
                           : v1::ASSIGNMENT_TRIGGER_MANUAL);
  a.set_assignee(assignee);
  a.set_rule_path("not_needed > region");
  a.set_explanation("Assigned to " + assignee + ".");
  a.set_by(by);
  if (!by.empty()) a.set_reason("Ola er borte i dag");
  return a;
}

// A ticket with an assignee and the fields a change must leave alone.
v1::Ticket Held(v1::TicketStatus status, uint32_t version,
                const std::string& assignee) {
  v1::Ticket t = Ticket(status, version);
  t.set_assignee(assignee);
  t.set_title("Skriveren skriver ikke ut");
  t.set_municipality("rollag");
  t.set_priority(v1::PRIORITY_HIGH);
  t.set_comment_count(2);
  *t.mutable_created_at() = Ctx(1767225000).now;
  *t.mutable_updated_at() = Ctx(1767225000).now;
  return t;
}

// `after` is `before` but for what a recorded assignment may change: the
// assignee and status given, the assignment, the time and the version.
void ExpectOnlyTheAssignmentChanged(const v1::Ticket& before,
                                    const v1::Ticket& after,
                                    const std::string& assignee,
                                    v1::TicketStatus status,
                                    const v1::Assignment& assignment,
                                    const RequestContext& ctx) {
  v1::Ticket want = before;
  want.set_assignee(assignee);
  want.set_status(status);
  *want.mutable_assignment() = assignment;
  *want.mutable_updated_at() = ctx.now;
  want.set_version(before.version() + 1);
  std::string diff;
  google::protobuf::util::MessageDifferencer d;
  d.ReportDifferencesToString(&diff);
  EXPECT_TRUE(d.Compare(want, after)) << diff;
}

TEST(DecideAssignment, ANewTicketBecomesAssignedWithItsEvent) {
  const v1::Ticket current = Held(v1::TICKET_STATUS_NEW, 1, "");
  const v1::Assignment a =
      Decision(v1::ASSIGNMENT_OUTCOME_ASSIGNED, "sigrid.bakka");
  auto c =
      DecideAssignment(current, a, false, 0, std::nullopt, Ctx(1767229200));
  ASSERT_TRUE(c.ok()) << c.status().message();
  ExpectOnlyTheAssignmentChanged(current, c->ticket, "sigrid.bakka",
                                 v1::TICKET_STATUS_ASSIGNED, a,
                                 Ctx(1767229200));
  EXPECT_EQ(c->ticket.version(), 2u);
  // The event: Assigned, with the decision and the status before and after.
  EXPECT_EQ(c->event.actor(), "dispatch");  // `by` is empty: automatic
  EXPECT_EQ(c->event.request_id(), "req-1");
  EXPECT_EQ(c->event.ticket_id(), "7");
  EXPECT_EQ(c->event.ticket_version(), 2u);
  EXPECT_EQ(c->event.at(), Ctx(1767229200).now);
  ASSERT_TRUE(c->event.has_assigned()) << c->event.DebugString();
  EXPECT_EQ(c->event.assigned().from(), v1::TICKET_STATUS_NEW);
  EXPECT_EQ(c->event.assigned().to(), v1::TICKET_STATUS_ASSIGNED);
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(
      c->event.assigned().assignment(), a));
}

TEST(DecideAssignment, ADispatcherIsTheActorOfTheEvent) {
  auto c = DecideAssignment(
      Held(v1::TICKET_STATUS_ASSIGNED, 4, "ola"),
      Decision(v1::ASSIGNMENT_OUTCOME_ASSIGNED, "kari", "per.dispatcher"), true,
      4, std::nullopt, Ctx());
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->event.actor(), "per.dispatcher");
  EXPECT_EQ(c->ticket.assignment().reason(), "Ola er borte i dag");
}

TEST(DecideAssignment, WhoeverHadItTheNewPersonHasNotStartedYet) {
  for (auto status :
       {v1::TICKET_STATUS_ASSIGNED, v1::TICKET_STATUS_IN_PROGRESS}) {
    SCOPED_TRACE(status);
    const v1::Ticket current = Held(status, 5, "ola");
    const v1::Assignment a =
        Decision(v1::ASSIGNMENT_OUTCOME_ASSIGNED, "kari", "per.dispatcher");
    auto c = DecideAssignment(current, a, true, 5, std::nullopt, Ctx());
    ASSERT_TRUE(c.ok()) << c.status().message();
    ExpectOnlyTheAssignmentChanged(current, c->ticket, "kari",
                                   v1::TICKET_STATUS_ASSIGNED, a, Ctx());
    EXPECT_EQ(c->event.assigned().from(), status);
    EXPECT_EQ(c->event.assigned().to(), v1::TICKET_STATUS_ASSIGNED);
  }
}

TEST(DecideAssignment, ATicketWaitingOnSomeoneKeepsWaiting) {
  for (auto status : {v1::TICKET_STATUS_WAITING_ON_USER,
                      v1::TICKET_STATUS_WAITING_ON_SUPPLIER}) {
    SCOPED_TRACE(status);
    const v1::Ticket current = Held(status, 5, "ola");
    const v1::Assignment a =
        Decision(v1::ASSIGNMENT_OUTCOME_ASSIGNED, "kari", "per.dispatcher");
    auto c = DecideAssignment(current, a, true, 5, std::nullopt, Ctx());
    ASSERT_TRUE(c.ok()) << c.status().message();
    ExpectOnlyTheAssignmentChanged(current, c->ticket, "kari", status, a,
                                   Ctx());
    EXPECT_EQ(c->event.assigned().from(), status);
    EXPECT_EQ(c->event.assigned().to(), status);
  }
}

TEST(DecideAssignment, UnassignedStaysNewInTheQueueWithTheReason) {
  const v1::Ticket current = Held(v1::TICKET_STATUS_NEW, 1, "");
  v1::Assignment a = Decision(v1::ASSIGNMENT_OUTCOME_UNASSIGNED, "");
  a.set_unassigned_reason(v1::UNASSIGNED_REASON_NO_SKILLED_STAFF);
  auto c = DecideAssignment(current, a, false, 0, std::nullopt, Ctx());
  ASSERT_TRUE(c.ok()) << c.status().message();
  ExpectOnlyTheAssignmentChanged(current, c->ticket, "", v1::TICKET_STATUS_NEW,
                                 a, Ctx());
  EXPECT_EQ(c->ticket.assignment().unassigned_reason(),
            v1::UNASSIGNED_REASON_NO_SKILLED_STAFF);
  EXPECT_EQ(c->event.assigned().from(), v1::TICKET_STATUS_NEW);
  EXPECT_EQ(c->event.assigned().to(), v1::TICKET_STATUS_NEW);
  EXPECT_EQ(c->event.assigned().assignment().unassigned_reason(),
            v1::UNASSIGNED_REASON_NO_SKILLED_STAFF);

  // A ticket someone has is never made unassigned (the dispatcher keeps it
  // with them instead): that decision is a bug, not a change.
  auto held = DecideAssignment(Held(v1::TICKET_STATUS_ASSIGNED, 2, "ola"), a,
                               false, 0, std::nullopt, Ctx());
  ASSERT_FALSE(held.ok());
  EXPECT_EQ(held.status().code(), Code::kInternal);
}

TEST(DecideAssignment, KeptChangesNothingButTheRecordedDecision) {
  for (auto status : {v1::TICKET_STATUS_ASSIGNED, v1::TICKET_STATUS_IN_PROGRESS,
                      v1::TICKET_STATUS_WAITING_ON_SUPPLIER}) {
    SCOPED_TRACE(status);
    const v1::Ticket current = Held(status, 6, "ola");
    v1::Assignment a = Decision(v1::ASSIGNMENT_OUTCOME_KEPT, "ola");
    a.set_trigger(v1::ASSIGNMENT_TRIGGER_ABSENCE);
    auto c = DecideAssignment(current, a, false, 0, std::nullopt, Ctx());
    ASSERT_TRUE(c.ok()) << c.status().message();
    ExpectOnlyTheAssignmentChanged(current, c->ticket, "ola", status, a, Ctx());
    EXPECT_EQ(c->event.assigned().from(), status);
    EXPECT_EQ(c->event.assigned().to(), status);
    EXPECT_EQ(c->event.assigned().assignment().outcome(),
              v1::ASSIGNMENT_OUTCOME_KEPT);
  }
}

TEST(DecideAssignment, GivingItToThePersonWhoHasItIsRefused) {
  auto c = DecideAssignment(
      Held(v1::TICKET_STATUS_IN_PROGRESS, 3, "ola"),
      Decision(v1::ASSIGNMENT_OUTCOME_ASSIGNED, "ola", "per.dispatcher"), true,
      3, std::nullopt, Ctx());
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), Code::kIllegalTransition);
  EXPECT_NE(c.status().message().find("already assigned to ola"),
            std::string::npos)
      << c.status().message();
}

TEST(DecideAssignment, ResolvedAndClosedTicketsAreNotAssigned) {
  for (auto status : {v1::TICKET_STATUS_RESOLVED, v1::TICKET_STATUS_CLOSED}) {
    SCOPED_TRACE(status);
    for (bool check_version : {true, false}) {
      auto c = DecideAssignment(
          Held(status, 8, "ola"),
          Decision(v1::ASSIGNMENT_OUTCOME_ASSIGNED, "kari", "per.dispatcher"),
          check_version, check_version ? 8 : 0, std::nullopt, Ctx());
      ASSERT_FALSE(c.ok());
      EXPECT_EQ(c.status().code(), Code::kIllegalTransition);
      EXPECT_NE(c.status().message().find("reopen"), std::string::npos)
          << c.status().message();
    }
  }
}

TEST(DecideAssignment, APersonsRequestNeedsTheCurrentVersion) {
  const v1::Ticket t = Held(v1::TICKET_STATUS_ASSIGNED, 5, "ola");
  const v1::Assignment a =
      Decision(v1::ASSIGNMENT_OUTCOME_ASSIGNED, "kari", "per.dispatcher");

  auto stale = DecideAssignment(t, a, true, 4, std::nullopt, Ctx());
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.status().code(), Code::kVersionConflict);
  EXPECT_EQ(stale.status().current_version(), 5u);

  auto missing = DecideAssignment(t, a, true, 0, std::nullopt, Ctx());
  EXPECT_EQ(missing.status().code(), Code::kVersionRequired);

  // If-Match wins over the body, both ways.
  EXPECT_TRUE(DecideAssignment(t, a, true, 1, 5u, Ctx()).ok());
  auto stale_match = DecideAssignment(t, a, true, 5, 4u, Ctx());
  EXPECT_EQ(stale_match.status().code(), Code::kVersionConflict);
  EXPECT_EQ(stale_match.status().current_version(), 5u);

  // The version is checked before anything else: a stale request for a
  // closed ticket is a conflict, so the client re-reads first.
  auto stale_closed = DecideAssignment(Held(v1::TICKET_STATUS_CLOSED, 9, "ola"),
                                       a, true, 8, std::nullopt, Ctx());
  EXPECT_EQ(stale_closed.status().code(), Code::kVersionConflict);

  // An automatic decision is not version-checked.
  EXPECT_TRUE(DecideAssignment(t, a, false, 0, std::nullopt, Ctx()).ok());
  EXPECT_TRUE(DecideAssignment(t, a, false, 2, std::nullopt, Ctx()).ok());
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
                .status()
                .field(),
            "body");
}

TEST(DecideComment, ClosedTicketsTakeNoComments) {
  v1::AddCommentRequest req;
  req.set_author("ola");
  req.set_body("hei");
  EXPECT_EQ(DecideComment(Ticket(v1::TICKET_STATUS_CLOSED, 9), req, Ctx())
                .status()
                .code(),
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

namespace helpdesk::tickets {
namespace {

// Colleagues follow a ticket one by one: never the reporter, never twice,
// at most kMaxFollowers, and nothing changes on a closed ticket.
TEST(DecideFollower, AddsAndRemovesOneColleagueAtATime) {
  v1::Ticket t = Ticket(v1::TICKET_STATUS_IN_PROGRESS, 3);
  t.set_reporter("ansatt.tinn");
  auto added = DecideFollower(t, "ansatt2.tinn", true, "ansatt.tinn", Ctx());
  ASSERT_TRUE(added.ok()) << added.status().message();
  EXPECT_EQ(added->ticket.followers_size(), 1);
  EXPECT_EQ(added->ticket.version(), 4u);
  EXPECT_EQ(added->event.follower_added().account(), "ansatt2.tinn");
  EXPECT_EQ(added->event.actor(), "ansatt.tinn");
  EXPECT_EQ(DecideFollower(added->ticket, "ansatt2.tinn", true, "x", Ctx())
                .status()
                .code(),
            Code::kInvalidField);
  EXPECT_EQ(DecideFollower(t, "ansatt.tinn", true, "x", Ctx()).status().code(),
            Code::kInvalidField);
  EXPECT_EQ(
      DecideFollower(t, "ansatt2.tinn", false, "x", Ctx()).status().code(),
      Code::kInvalidField);
  auto removed = DecideFollower(added->ticket, "ansatt2.tinn", false,
                                "ansatt2.tinn", Ctx());
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(removed->ticket.followers_size(), 0);
  EXPECT_EQ(removed->event.follower_removed().account(), "ansatt2.tinn");

  v1::Ticket full = t;
  for (size_t i = 0; i < kMaxFollowers; ++i)
    full.add_followers("ansatt" + std::to_string(i + 10) + ".tinn");
  EXPECT_EQ(
      DecideFollower(full, "ansatt2.tinn", true, "x", Ctx()).status().code(),
      Code::kInvalidField);
  v1::Ticket closed = added->ticket;
  closed.set_status(v1::TICKET_STATUS_CLOSED);
  for (bool add : {true, false})
    EXPECT_EQ(DecideFollower(closed, add ? "ansatt3.tinn" : "ansatt2.tinn", add,
                             "x", Ctx())
                  .status()
                  .code(),
              Code::kIllegalTransition);
}

}  // namespace
}  // namespace helpdesk::tickets
