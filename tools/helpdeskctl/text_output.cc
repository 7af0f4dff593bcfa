#include "tools/helpdeskctl/text_output.h"

#include <algorithm>
#include <cstdio>

#include "proto/helpdesk.pb.h"
#include "proto/json.h"

namespace helpdesk::ctl {

void Err(const std::string& text) {
  std::fputs(("helpdeskctl: " + text + "\n").c_str(), stderr);
}

size_t Width(std::string_view text) {
  return static_cast<size_t>(std::count_if(
      text.begin(), text.end(),
      [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::string Pad(const std::string& text, size_t width) {
  const size_t w = Width(text);
  return text + std::string(w < width ? width - w : 1, ' ');
}

std::string Problem(const HttpReply& reply) {
  const std::string status = "HTTP " + std::to_string(reply.status);
  v1::Problem problem;
  if (reply.content_type == "application/problem+json" &&
      proto::ParseJson(reply.body, problem, {.ignore_unknown_fields = true})
          .ok() &&
      !problem.detail().empty())
    return problem.detail() + " (" + status + ")";
  const std::string body = reply.body.substr(0, 500);
  return "unexpected answer " + status + (body.empty() ? "" : ": " + body);
}

}  // namespace helpdesk::ctl
