#include "tools/helpdeskctl/page_command.h"

#include <google/protobuf/util/time_util.h>

#include <cstdio>
#include <optional>
#include <thread>

#include "proto/json.h"
#include "proto/wire_names.h"
#include "tools/helpdeskctl/catalogue_commands.h"
#include "tools/helpdeskctl/http_client.h"
#include "tools/helpdeskctl/text_output.h"

namespace helpdesk::ctl {
namespace {

using google::protobuf::util::TimeUtil;

// One call; the answer's body when it had `expect`, else nullopt (the
// problem printed).
std::optional<std::string> Call(const PageOptions& o, std::string_view method,
                                const std::string& target,
                                const std::string& body, int expect) {
  auto url = ParseUrl(o.url);
  if (!url.ok()) {
    Err(url.status().message());
    return std::nullopt;
  }
  Headers headers = {{"Accept", "application/json"},
                     {"X-Request-Id", RequestId()}};
  if (!body.empty()) headers.emplace_back("Content-Type", "application/json");
  auto reply = Exchange(*url, method, target, body, headers, o.timeout);
  if (!reply.ok()) {
    Err(reply.status().message());
    return std::nullopt;
  }
  if (reply->status != expect) {
    Err(std::string(method) + " " + target + ": " + Problem(*reply));
    return std::nullopt;
  }
  return reply->body;
}

bool Print(const std::string& text) {
  if (std::fputs(text.c_str(), stdout) < 0 || std::fflush(stdout) != 0) {
    Err("cannot write to standard output");
    return false;
  }
  return true;
}

std::optional<v1::Page> ParsePage(const std::string& body) {
  v1::Page page;
  if (!proto::ParseJson(body, page, {.ignore_unknown_fields = true}).ok()) {
    Err("not a page: " + body.substr(0, 500));
    return std::nullopt;
  }
  return page;
}

// Every channel of the page's one step has delivered or failed once (a
// test says at once what does not work; the sender keeps retrying).
bool Settled(const v1::Page& page) {
  if (page.steps_size() == 0) return true;
  const auto& step = page.steps(0);
  if (step.deliveries_size() == 0) return false;
  for (const auto& d : step.deliveries())
    if (!d.delivered() && !d.gave_up() && d.attempts() == 0) return false;
  return true;
}

}  // namespace

std::string FormatPage(const v1::Page& p) {
  std::string out = "page " + p.id();
  if (!p.ticket_id().empty()) out += ", ticket " + p.ticket_id();
  out += ", " + proto::WireName(p.reason()) + ", " + proto::WireName(p.state());
  if (p.has_created_at()) out += ", made " + TimeUtil::ToString(p.created_at());
  out += "\n  " + p.subject() + "\n";
  if (p.state() == v1::PAGE_STATE_ACKNOWLEDGED)
    out += "  acknowledged by " + p.acknowledged_by() + " (" +
           p.acknowledged_how() + ") at " +
           TimeUtil::ToString(p.acknowledged_at()) + "\n";
  for (int i = 0; i < p.steps_size(); ++i) {
    const auto& s = p.steps(i);
    out += "  step " + std::to_string(i + 1) + ": " + s.to() + " (" + s.role() +
           "), due " + TimeUtil::ToString(s.due_at()) + ", " +
           proto::WireName(s.state()) + "\n";
    for (const auto& d : s.deliveries()) {
      out += "    " + d.channel() + ": ";
      if (d.delivered())
        out += "delivered " + TimeUtil::ToString(d.delivered_at());
      else if (d.gave_up())
        out += "gave up after " + std::to_string(d.attempts()) +
               " attempts: " + d.last_error();
      else if (d.attempts() > 0)
        out += std::to_string(d.attempts()) +
               " failed, retrying: " + d.last_error();
      else
        out += "sending";
      if (!d.address().empty()) out += " (" + d.address() + ")";
      out += "\n";
    }
  }
  return out;
}

int PageTestCommand(const PageOptions& o) {
  v1::TestPageRequest req;
  req.set_to(o.to);
  auto body = Call(o, "POST", "/api/v1/pages/test", proto::ToJson(req), 201);
  if (!body) return kExitError;
  auto page = ParsePage(*body);
  if (!page) return kExitError;
  // Polled until each channel has delivered or failed twice (a poll, with
  // a deadline: the sender works on its own).
  const auto deadline = std::chrono::steady_clock::now() + o.wait;
  while (!Settled(*page) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    auto again = Call(o, "GET", "/api/v1/pages/" + page->id(), "", 200);
    if (!again) return kExitError;
    auto parsed = ParsePage(*again);
    if (!parsed) return kExitError;
    page = std::move(parsed);
  }
  if (!Print(o.format == "json" ? proto::ToJson(*page) + "\n"
                                : FormatPage(*page)))
    return kExitError;
  bool delivered = page->steps_size() > 0;
  for (const auto& d : page->steps(0).deliveries()) delivered &= d.delivered();
  return delivered ? kExitOk : kExitProblems;
}

int PageListCommand(const PageOptions& o) {
  std::string target = "/api/v1/pages?limit=200";
  if (!o.status.empty()) target += "&status=" + o.status;
  if (!o.to.empty()) target += "&to=" + o.to;
  auto body = Call(o, "GET", target, "", 200);
  if (!body) return kExitError;
  if (o.format == "json") return Print(*body + "\n") ? kExitOk : kExitError;
  v1::ListPagesResponse list;
  if (!proto::ParseJson(*body, list, {.ignore_unknown_fields = true}).ok()) {
    Err("GET " + target + ": not a list of pages: " + body->substr(0, 500));
    return kExitError;
  }
  std::string out;
  if (list.pages().empty()) out = "no pages\n";
  for (const auto& p : list.pages()) out += FormatPage(p);
  return Print(out) ? kExitOk : kExitError;
}

int PageAckCommand(const PageOptions& o) {
  auto body = Call(o, "POST", "/api/v1/pages/" + o.id + "/ack", "{}", 200);
  if (!body) return kExitError;
  auto page = ParsePage(*body);
  if (!page) return kExitError;
  return Print(o.format == "json" ? *body + "\n" : FormatPage(*page))
             ? kExitOk
             : kExitError;
}

}  // namespace helpdesk::ctl
