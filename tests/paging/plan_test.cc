// The pure paging decisions (daemon/paging/plan.h): who is paged for which
// event, the escalation chain and its due times, acknowledgement, and the
// delivery bookkeeping (start, retry with backoff, give up, next action).
// A small hand-made region: two on vakt, one dispatcher at work in office
// hours, one agent off vakt.

#include "daemon/paging/plan.h"

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>

#include "proto/timestamps.h"
#include "sla/oslo_time.h"

namespace helpdesk::paging {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;
using std::chrono::sys_seconds;

sys_seconds Oslo(int y, unsigned m, unsigned d, int hh, int mm) {
  return sla::FromOslo(date::local_days(date::year(y) / m / d), hh * 60 + mm);
}
// Sunday night, and a Wednesday morning.
const sys_seconds kNight = Oslo(2026, 4, 19, 2, 0);
const sys_seconds kDay = Oslo(2026, 4, 15, 10, 0);

v1::StaffMember Member(const std::string& id) {
  v1::StaffMember m;
  m.set_id(id);
  m.set_name("Navn " + id);
  m.set_phone("900 00 000");
  m.set_email(id + "@example.no");
  m.set_home_municipality("tinn");
  m.add_covers("tinn");
  m.set_fte_percent(100);
  auto* hours = m.add_working_hours();
  for (auto d : {v1::WEEKDAY_MONDAY, v1::WEEKDAY_TUESDAY, v1::WEEKDAY_WEDNESDAY,
                 v1::WEEKDAY_THURSDAY, v1::WEEKDAY_FRIDAY})
    hours->add_days(d);
  hours->set_start("08:00");
  hours->set_end("15:30");
  m.set_active(true);
  return m;
}

class PlanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    staff_ = {Member("primus"), Member("sekundus"), Member("disponent"),
              Member("agent")};
    v1::VaktShift* shift = rota_.add_shifts();
    *shift->mutable_start() = proto::ToTimestamp(Oslo(2026, 4, 13, 8, 0));
    *shift->mutable_end() = proto::ToTimestamp(Oslo(2026, 4, 20, 8, 0));
    shift->set_primary("primus");
    shift->set_backup("sekundus");
    Build();
    options_.escalate_after = minutes(15);
    options_.give_up_after = std::chrono::hours(1);
    options_.public_url = "https://helpdesk.example.no";
  }
  void Build() {
    v1::Municipality tinn;
    tinn.set_id("tinn");
    tinn.set_name("Tinn");
    roster_ = std::make_unique<dispatch::Roster>(
        staff_, rota_, std::vector{tinn}, dispatch::Options{});
  }

  // An event of ticket 7 as the writer stamps it.
  v1::Event TicketEvent(v1::Priority priority, const std::string& assignee) {
    v1::Event e;
    e.set_ticket_id("7");
    auto* t = e.mutable_ticket();
    t->set_id("7");
    t->set_municipality("tinn");
    t->set_service_name("E-post");
    t->set_priority(priority);
    t->set_assignee(assignee);
    t->set_status(assignee.empty() ? v1::TICKET_STATUS_NEW
                                   : v1::TICKET_STATUS_ASSIGNED);
    return e;
  }
  v1::Event Created(
      v1::Priority priority, const std::string& assignee, bool vakt,
      v1::AssignmentTrigger trigger = v1::ASSIGNMENT_TRIGGER_CREATED) {
    v1::Event e = TicketEvent(priority, assignee);
    auto* a =
        e.mutable_ticket_created()->mutable_ticket()->mutable_assignment();
    a->set_trigger(trigger);
    a->set_outcome(assignee.empty() ? v1::ASSIGNMENT_OUTCOME_UNASSIGNED
                                    : v1::ASSIGNMENT_OUTCOME_ASSIGNED);
    a->set_assignee(assignee);
    a->set_vakt(vakt);
    return e;
  }
  v1::Event Unassigned(v1::Priority priority, v1::UnassignedReason why) {
    v1::Event e = Created(priority, "", false);
    e.mutable_ticket_created()
        ->mutable_ticket()
        ->mutable_assignment()
        ->set_unassigned_reason(why);
    return e;
  }
  v1::Event Alert(bool breach, const std::string& holder) {
    v1::Event e = TicketEvent(v1::PRIORITY_HIGH, holder);
    v1::SlaAlert* a =
        breach ? e.mutable_sla_breached() : e.mutable_sla_warning();
    a->set_kind(v1::SLA_CLOCK_KIND_RESOLUTION);
    *a->mutable_due_at() = proto::ToTimestamp(kNight + minutes(45));
    return e;
  }

  std::optional<v1::Page> Plan(const v1::Event& e, sys_seconds now,
                               std::vector<std::string> dispatchers = {
                                   "disponent"}) {
    return PlanPage(e, *roster_, DispatchersOnDuty(dispatchers, *roster_, now),
                    options_, now);
  }

  std::vector<v1::StaffMember> staff_;
  v1::VaktRota rota_;
  std::unique_ptr<dispatch::Roster> roster_;
  Options options_;
};

std::vector<std::string> To(const v1::Page& p) {
  std::vector<std::string> out;
  for (const auto& s : p.steps()) out.push_back(s.to() + "/" + s.role());
  return out;
}

TEST_F(PlanTest, AHighTicketGivenToTheVaktPagesItsAssigneeOnly) {
  auto page = Plan(Created(v1::PRIORITY_HIGH, "primus", true), kNight);
  ASSERT_TRUE(page);
  EXPECT_EQ(page->reason(), v1::PAGE_REASON_URGENT);
  EXPECT_EQ(To(*page), (std::vector<std::string>{"primus/assignee"}));
  EXPECT_EQ(proto::ToSys(page->steps(0).due_at()), kNight);
  EXPECT_EQ(proto::ToSys(page->next_action_at()), kNight);
  EXPECT_NE(page->subject().find("Sak 7"), std::string::npos)
      << page->subject();
  EXPECT_NE(page->text().find("https://helpdesk.example.no/agent#/sak/7"),
            std::string::npos)
      << page->text();
}

TEST_F(PlanTest, ACriticalOneEscalatesToTheBackupThenTheDispatcher) {
  auto page = Plan(Created(v1::PRIORITY_CRITICAL, "primus", true), kNight);
  ASSERT_TRUE(page);
  EXPECT_EQ(To(*page),
            (std::vector<std::string>{"primus/assignee", "sekundus/vakt_backup",
                                      "disponent/dispatcher"}));
  EXPECT_EQ(proto::ToSys(page->steps(1).due_at()), kNight + minutes(15));
  EXPECT_EQ(proto::ToSys(page->steps(2).due_at()), kNight + minutes(30));
  // Held by the backup: the primary is next.
  page = Plan(Created(v1::PRIORITY_CRITICAL, "sekundus", true), kNight);
  ASSERT_TRUE(page);
  EXPECT_EQ(To(*page), (std::vector<std::string>{"sekundus/assignee",
                                                 "primus/vakt_primary",
                                                 "disponent/dispatcher"}));
}

TEST_F(PlanTest, TheChainsDispatcherIsTheFirstNotAlreadyInIt) {
  auto page = Plan(Created(v1::PRIORITY_CRITICAL, "primus", true), kNight,
                   {"sekundus", "disponent"});
  ASSERT_TRUE(page);
  EXPECT_EQ(To(*page),
            (std::vector<std::string>{"primus/assignee", "sekundus/vakt_backup",
                                      "disponent/dispatcher"}));
}

TEST_F(PlanTest, AnInactivePersonIsSkippedAndTheChainClosesUp) {
  staff_[1].set_active(false);  // sekundus
  Build();
  auto page = Plan(Created(v1::PRIORITY_CRITICAL, "primus", true), kNight);
  ASSERT_TRUE(page);
  EXPECT_EQ(To(*page), (std::vector<std::string>{"primus/assignee",
                                                 "disponent/dispatcher"}));
  EXPECT_EQ(proto::ToSys(page->steps(1).due_at()), kNight + minutes(15));
}

TEST_F(PlanTest, PeoplesOwnChoicesAndOrdinaryWorkPageNoOne) {
  EXPECT_FALSE(Plan(Created(v1::PRIORITY_CRITICAL, "primus", true,
                            v1::ASSIGNMENT_TRIGGER_TAKEN),
                    kNight));
  EXPECT_FALSE(Plan(Created(v1::PRIORITY_CRITICAL, "primus", true,
                            v1::ASSIGNMENT_TRIGGER_MANUAL),
                    kNight));
  EXPECT_FALSE(Plan(Created(v1::PRIORITY_NORMAL, "primus", true), kNight));
  EXPECT_FALSE(Plan(Created(v1::PRIORITY_CRITICAL, "agent", false), kDay));
  // Waiting for the next working day is not "no one can take it".
  EXPECT_FALSE(Plan(
      Unassigned(v1::PRIORITY_HIGH, v1::UNASSIGNED_REASON_NO_ONE_AVAILABLE),
      kNight));
}

TEST_F(PlanTest, ATicketNoOneCanTakePagesTheDispatcherOnDuty) {
  auto page = Plan(Unassigned(v1::PRIORITY_HIGH, v1::UNASSIGNED_REASON_NO_VAKT),
                   kNight, {"agent", "disponent"});
  ASSERT_TRUE(page);
  EXPECT_EQ(page->reason(), v1::PAGE_REASON_NO_TAKER);
  EXPECT_EQ(To(*page), (std::vector<std::string>{"agent/dispatcher"}))
      << "not critical: the first only";
  EXPECT_NE(page->text().find("hull i vaktlista"), std::string::npos);
  // Critical: each dispatcher in turn.
  page = Plan(
      Unassigned(v1::PRIORITY_CRITICAL, v1::UNASSIGNED_REASON_NO_SKILLED_STAFF),
      kNight, {"agent", "disponent"});
  ASSERT_TRUE(page);
  EXPECT_EQ(To(*page), (std::vector<std::string>{"agent/dispatcher",
                                                 "disponent/dispatcher"}));
  // No dispatcher at all: the vakt rather than no one.
  page = Plan(Unassigned(v1::PRIORITY_HIGH, v1::UNASSIGNED_REASON_NO_VAKT),
              kNight, {});
  ASSERT_TRUE(page);
  EXPECT_EQ(To(*page), (std::vector<std::string>{"primus/vakt_primary"}));
}

TEST_F(PlanTest, TheDispatchersAtWorkComeFirst) {
  staff_[3].mutable_working_hours(0)->set_start("11:00");  // agent: later
  Build();
  EXPECT_EQ(DispatchersOnDuty({"agent", "disponent", "nobody", "disponent"},
                              *roster_, kDay),
            (std::vector<std::string>{"disponent", "agent"}));
  EXPECT_EQ(DispatchersOnDuty({"agent", "disponent"}, *roster_, kNight),
            (std::vector<std::string>{"agent", "disponent"}));
}

TEST_F(PlanTest, AnSlaAlertPagesTheVaktWhoHoldsTheTicketOutOfHours) {
  auto page = Plan(Alert(false, "primus"), kNight);
  ASSERT_TRUE(page);
  EXPECT_EQ(page->reason(), v1::PAGE_REASON_SLA_WARNING);
  EXPECT_EQ(page->clock(), v1::SLA_CLOCK_KIND_RESOLUTION);
  EXPECT_EQ(To(*page), (std::vector<std::string>{"primus/assignee"}));
  EXPECT_NE(page->text().find("02:45"), std::string::npos) << page->text();
  page = Plan(Alert(true, "primus"), kNight);
  ASSERT_TRUE(page);
  EXPECT_EQ(page->reason(), v1::PAGE_REASON_SLA_BREACHED);
  // At work (the vakt week runs through the day), or not on vakt: no page.
  EXPECT_FALSE(Plan(Alert(false, "primus"), kDay));
  EXPECT_FALSE(Plan(Alert(false, "agent"), kNight));
  EXPECT_FALSE(Plan(Alert(false, ""), kNight));
}

TEST_F(PlanTest, AnAcknowledgementCancelsEveryStepNotYetSent) {
  auto page = Plan(Created(v1::PRIORITY_CRITICAL, "primus", true), kNight);
  ASSERT_TRUE(page);
  page->set_id("3");
  StartDueSteps(*page, {.email = true}, kNight);
  ASSERT_EQ(page->steps(0).deliveries_size(), 2);  // live, email
  EXPECT_EQ(Acknowledge(*page, "sekundus", "ack", kNight + minutes(2)), 3u);
  EXPECT_EQ(page->state(), v1::PAGE_STATE_ACKNOWLEDGED);
  for (const auto& s : page->steps())
    EXPECT_EQ(s.state(), v1::PAGE_STEP_STATE_CANCELLED);
  EXPECT_FALSE(page->has_next_action_at());
  EXPECT_TRUE(DueDeliveries(*page, kNight + minutes(60)).empty());
  EXPECT_TRUE(StartDueSteps(*page, {}, kNight + minutes(60)).empty());
  // A late attempt of the cancelled step is ignored.
  EXPECT_FALSE(RecordAttempt(*page,
                             {.step = 0, .channel = "email", .delivered = true},
                             options_, kNight + minutes(3)));
}

TEST_F(PlanTest, DeliveriesStartWhenDueRetryWithBackoffAndGiveUp) {
  auto page = Plan(Created(v1::PRIORITY_CRITICAL, "primus", true), kNight);
  ASSERT_TRUE(page);
  page->set_id("4");
  EXPECT_EQ(StartDueSteps(*page, {.email = true, .webhook = true}, kNight),
            std::vector<int>{0});
  auto due = DueDeliveries(*page, kNight);
  ASSERT_EQ(due.size(), 3u);
  EXPECT_EQ(due[0].second, "live");
  auto final =
      RecordAttempt(*page, {.step = 0, .channel = "live", .delivered = true},
                    options_, kNight);
  ASSERT_TRUE(final);
  EXPECT_TRUE(final->delivered());
  RecordAttempt(*page, {0, "webhook", true, "", "hooks.example.no"}, options_,
                kNight);
  // The mail fails: again after 5 s, then 10 s, 20 s ...
  sys_seconds now = kNight;
  for (int wait : {5, 10, 20, 40, 80, 160, 300}) {  // 320 s: at most 300
    EXPECT_FALSE(RecordAttempt(*page, {0, "email", false, "refused", ""},
                               options_, now));
    EXPECT_EQ(proto::ToSys(page->next_action_at()), now + seconds(wait));
    EXPECT_EQ(page->steps(0).state(), v1::PAGE_STEP_STATE_SCHEDULED);
    now += seconds(wait);
  }
  // Step 2 (the backup) falls due at 02:15, before the next mail attempt.
  now = kNight + minutes(15);
  EXPECT_EQ(StartDueSteps(*page, {.email = true}, now), std::vector<int>{1});
  // An hour after its step started the mail gives up: the step is sent.
  EXPECT_EQ(proto::ToSys(page->steps(0).started_at()), kNight);
  auto gave_up = RecordAttempt(*page, {0, "email", false, "refused", ""},
                               options_, kNight + minutes(61));
  ASSERT_TRUE(gave_up);
  EXPECT_TRUE(gave_up->gave_up());
  EXPECT_EQ(gave_up->last_error(), "refused");
  EXPECT_EQ(page->steps(0).state(), v1::PAGE_STEP_STATE_SENT);
}

TEST_F(PlanTest, BackAfterALongOutageTheStepsStartAndStillRetry) {
  auto page = Plan(Created(v1::PRIORITY_CRITICAL, "primus", true), kNight);
  ASSERT_TRUE(page);
  page->set_id("5");
  // The daemon was down for two hours: every step is overdue.
  const sys_seconds back = kNight + std::chrono::hours(2);
  EXPECT_EQ(StartDueSteps(*page, {.email = true}, back),
            (std::vector<int>{0, 1, 2}));
  for (const auto& s : page->steps())
    EXPECT_EQ(proto::ToSys(s.started_at()), back);
  // A first failure is retried, not given up (the hour counts from now).
  EXPECT_FALSE(
      RecordAttempt(*page, {0, "email", false, "refused", ""}, options_, back));
  EXPECT_FALSE(page->steps(0).deliveries(1).gave_up());
  EXPECT_EQ(proto::ToSys(page->next_action_at()), back);  // live, still due
}

TEST_F(PlanTest, TheWebhookBodyIsJsonWithTheStepsPerson) {
  auto page = Plan(Created(v1::PRIORITY_CRITICAL, "primus", true), kNight);
  ASSERT_TRUE(page);
  page->set_id("12");
  const std::string id = DeliveryId("5eed", *page, 1);
  const std::string json =
      WebhookJson(*page, 1, id, "https://helpdesk.example.no");
  google::protobuf::Struct parsed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(json, &parsed).ok())
      << json;
  const auto& f = parsed.fields();
  EXPECT_EQ(f.at("id").string_value(), "5eed.12.1");
  EXPECT_EQ(f.at("ticket").string_value(), "7");
  EXPECT_EQ(f.at("reason").string_value(), "urgent");
  EXPECT_EQ(f.at("to").struct_value().fields().at("id").string_value(),
            "sekundus");
  EXPECT_EQ(f.at("ackUrl").string_value(),
            "https://helpdesk.example.no/api/v1/pages/12/ack");
  EXPECT_NE(MailText(*page, 1).find("går videre til deg"), std::string::npos);
  EXPECT_EQ(DeliveryId("5eed", *page, 2), "5eed.12.2");
}

}  // namespace
}  // namespace helpdesk::paging
