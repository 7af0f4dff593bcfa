#pragma once
// `helpdeskctl page`: paging over the daemon's API (README, "Paging").
//   page test --to STAFF   sends a test page to STAFF through every
//                          configured channel (POST /api/v1/pages/test) and
//                          waits until each channel delivered or failed
//   page list              the latest 200 pages sent, newest first (GET
//                          /api/v1/pages), optionally to one person
//   page ack ID            acknowledges page ID (POST .../ack)
// The token is $HELPDESK_TOKEN's (an admin's for test; staff's for ack).
// Exit codes: 0 done (test: every channel delivered); 1 a test page that a
// channel did not deliver within --wait (its error printed); 2 usage error,
// the daemon not reachable, or a problem answer. Not thread-safe.

#include <chrono>
#include <string>

#include "proto/helpdesk.pb.h"

namespace helpdesk::ctl {

struct PageOptions {
  std::string url;  // http://HOST:PORT of the daemon
  std::chrono::milliseconds timeout{30000};
  std::string to;      // test: the staff id; list: pages to them
  std::string id;      // ack: the page
  std::string status;  // list: "open" or "acknowledged"; empty: any
  std::string format = "text";
  std::chrono::seconds wait{60};  // test: how long to wait for delivery
};

int PageTestCommand(const PageOptions& options);
int PageListCommand(const PageOptions& options);
int PageAckCommand(const PageOptions& options);

// A page in a few lines: id, ticket, reason, state, then each step with
// its deliveries. Pure.
std::string FormatPage(const v1::Page& page);

}  // namespace helpdesk::ctl
