#pragma once
// Who is paged, when, and in what words (README, "Paging"): pure decisions
// over an event that was just recorded, the roster and the clock reading
// of its write. The desk calls them inside that write, so a page is made
// in the same transaction as its cause; the sender (sender.h) delivers.
//
//   - an urgent ticket (critical, or high) the dispatch rules gave to the
//     vakt: its assignee;
//   - an SLA warning or breach on a ticket whose assignee is on vakt now
//     and not at work: the assignee;
//   - a ticket no one can take (no_vakt: a hole in the rota;
//     no_skilled_staff: a skill no one holds): the dispatcher on duty.
//
// A page for a critical ticket carries an escalation chain, fixed when it
// is made: the assignee, then the other person of the vakt shift, then the
// dispatcher on duty (or the next dispatchers), each step due
// `escalate_after` after the one before unless someone acknowledges.
//
// Pure: no clock, no I/O. Values; safe from any thread.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/dispatch/roster.h"
#include "proto/helpdesk.pb.h"

namespace helpdesk::paging {

struct Options {
  std::chrono::minutes escalate_after{15};
  // How long a channel is retried for one step before it gives up.
  std::chrono::seconds give_up_after{24 * 3600};
  // The address people reach the daemon at, for the links in a page
  // ("https://helpdesk.example.no"); "" leaves links out.
  std::string public_url;
};

// The channels a step is delivered over, in order: "live" always, then
// those configured.
struct Channels {
  bool email = false;
  bool webhook = false;
};

// Paging as the daemon is configured ([paging]).
struct Setup {
  Options options;
  // Staff ids of the dispatchers, in the order to page them; empty: every
  // active person whose account has the dispatcher role, by id.
  std::vector<std::string> dispatchers;
  Channels channels;
};

// The dispatchers to page, in order: those at work at `now` first, each
// group in the order given. Unknown or inactive people are left out.
std::vector<std::string> DispatchersOnDuty(
    const std::vector<std::string>& dispatchers, const dispatch::Roster& roster,
    std::chrono::sys_seconds now);

// The page `event` calls for (no id yet: the desk numbers it), or nullopt.
// `event` is one just recorded, with its ticket summary.
std::optional<v1::Page> PlanPage(const v1::Event& event,
                                 const dispatch::Roster& roster,
                                 const std::vector<std::string>& dispatchers,
                                 const Options& options,
                                 std::chrono::sys_seconds now);

// A test page to `to` (helpdeskctl page test): one step, due now.
v1::Page PlanTestPage(const dispatch::Person& to, const Options& options,
                      std::chrono::sys_seconds now);

// Acknowledges `page` at `now` by `by` ("ack", "taken", "status",
// "comment" as `how`): every step not yet sent is cancelled. Returns how
// many were; the page must be open.
uint32_t Acknowledge(v1::Page& page, std::string_view by, std::string_view how,
                     std::chrono::sys_seconds now);

// Starts every step of `page` that fell due by `now` (its deliveries made,
// one per channel, each due now; started_at now), and sets next_action_at.
// Returns the indexes of the steps started.
std::vector<int> StartDueSteps(v1::Page& page, const Channels& channels,
                               std::chrono::sys_seconds now);

// What one attempt at delivering step `step` over `channel` came to.
struct Attempt {
  int step = 0;
  std::string channel{};
  bool delivered = false;
  std::string error{};    // when not delivered
  std::string address{};  // where it went
};

// Records `attempt` on `page` at `now`: delivered; or failed, retried
// after a backoff (5 s doubling to 5 min) until give_up_after has passed
// since the step started (StartDueSteps: its due time, or later when the
// daemon was down then). Every overdue step starts at once: no one
// answered within the chain's times. A step is sent once every channel
// delivered or gave up. Returns the delivery as recorded when it was final
// (delivered or given up: worth an event), else nullopt. An attempt on a step
// that is no longer being delivered (acknowledged meanwhile) is ignored.
std::optional<v1::PageDelivery> RecordAttempt(v1::Page& page,
                                              const Attempt& attempt,
                                              const Options& options,
                                              std::chrono::sys_seconds now);

// When the sender next has something to do for `page`: the earliest due
// time of a scheduled step not started, or next attempt of an undelivered
// channel; unset when nothing (acknowledged, or every step sent).
void SetNextAction(v1::Page& page);

// The deliveries of `page` due by `now`: (step, channel) pairs to attempt.
std::vector<std::pair<int, std::string>> DueDeliveries(
    const v1::Page& page, std::chrono::sys_seconds now);

// The words of a page, for its channels: the subject, and the text
// followed by who is paged (this step).
std::string MailText(const v1::Page& page, int step);
// The id a receiver dedups by: "<epoch>.<page>.<step>", unique across
// databases (a restored backup numbers pages again; `epoch` is the
// database's, store::ReadEpoch) and stable across retries and restarts.
std::string DeliveryId(std::string_view epoch, const v1::Page& page, int step);
// The webhook's JSON body (README, "Paging"); its "id" is `delivery_id`.
std::string WebhookJson(const v1::Page& page, int step,
                        std::string_view delivery_id,
                        std::string_view public_url);

}  // namespace helpdesk::paging
