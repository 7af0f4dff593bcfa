#include "tools/helpdeskctl/text_output.h"

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <cstdio>

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
  google::protobuf::Struct problem;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  if (reply.content_type == "application/problem+json" &&
      google::protobuf::util::JsonStringToMessage(reply.body, &problem, options)
          .ok()) {
    auto it = problem.fields().find("detail");
    if (it != problem.fields().end() && it->second.has_string_value() &&
        !it->second.string_value().empty())
      return it->second.string_value() + " (" + status + ")";
  }
  const std::string body = reply.body.substr(0, 500);
  return "unexpected answer " + status + (body.empty() ? "" : ": " + body);
}

}  // namespace helpdesk::ctl
