// paging_channel_probe: one attempt through one paging channel, options
// from argv, for the tests on the wire (channels_test.py). Prints "ok" or
// the Status, and exits 0 when delivered, 1 when not.
//
//   paging_channel_probe mail --url smtp://127.0.0.1:2525 --from a@b
//       --to c@d --subject ... --text ... [--tls try|require|none]
//   paging_channel_probe webhook --url http://127.0.0.1:8080/hook
//       --secret whsec_... [--secret whsec_...] --json '{...}'

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "daemon/pager/channels.h"

namespace {

using helpdesk::Status;
using helpdesk::paging::Message;
using helpdesk::paging::SmtpOptions;
using helpdesk::paging::WebhookOptions;

const char* CodeName(helpdesk::Code code) {
  switch (code) {
    case helpdesk::Code::kOk:
      return "ok";
    case helpdesk::Code::kInvalidField:
      return "invalid_field";
    case helpdesk::Code::kUnavailable:
      return "unavailable";
    case helpdesk::Code::kInternal:
      return "internal";
    default:
      return "other";
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"One attempt through one paging channel"};
  app.require_subcommand(1);
  Message message;
  message.id = "p-1.1";
  message.unix_seconds =
      std::chrono::duration_cast<std::chrono::seconds>(
          std::chrono::system_clock::now().time_since_epoch())
          .count();
  int64_t timeout_ms = 10000;
  for (CLI::App* sub : {app.add_subcommand("mail", "SendMail"),
                        app.add_subcommand("webhook", "PostWebhook")}) {
    // The last one given counts, so a test can override a default.
    const auto last = CLI::MultiOptionPolicy::TakeLast;
    sub->add_option("--id", message.id, "webhook-id, Message-ID")
        ->multi_option_policy(last);
    sub->add_option("--timestamp", message.unix_seconds, "unix seconds")
        ->multi_option_policy(last);
    sub->add_option("--timeout-ms", timeout_ms)->multi_option_policy(last);
  }

  SmtpOptions smtp;
  std::string tls = "try";
  CLI::App* mail = app.get_subcommand("mail");
  mail->add_option("--url", smtp.url)->required();
  mail->add_option("--from", smtp.from)->required();
  mail->add_option("--to", message.to_address)->required();
  mail->add_option("--subject", message.subject);
  mail->add_option("--text", message.text);
  mail->add_option("--username", smtp.username);
  mail->add_option("--password", smtp.password);
  mail->add_option("--ca-file", smtp.ca_file);
  mail->add_option("--tls", tls)
      ->check(CLI::IsMember({"try", "require", "none"}));

  WebhookOptions webhook;
  CLI::App* hook = app.get_subcommand("webhook");
  hook->add_option("--url", webhook.url)->required();
  hook->add_option("--secret", webhook.secrets);
  hook->add_option("--ca-file", webhook.ca_file);
  hook->add_option("--json", message.json);

  CLI11_PARSE(app, argc, argv);

  if (Status s = helpdesk::paging::InitChannels(); !s.ok()) {
    std::printf("error: %s: %s\n", CodeName(s.code()), s.message().c_str());
    return 1;
  }
  Status result;
  if (mail->parsed()) {
    static const std::map<std::string, SmtpOptions::Tls> kTls = {
        {"try", SmtpOptions::Tls::kTry},
        {"require", SmtpOptions::Tls::kRequire},
        {"none", SmtpOptions::Tls::kNone}};
    smtp.tls = kTls.at(tls);
    smtp.timeout = std::chrono::milliseconds(timeout_ms);
    result = helpdesk::paging::SendMail(smtp, message);
  } else {
    webhook.timeout = std::chrono::milliseconds(timeout_ms);
    result = helpdesk::paging::PostWebhook(webhook, message);
  }
  if (result.ok()) {
    std::printf("ok\n");
    return 0;
  }
  std::printf("error: %s: %s%s%s\n", CodeName(result.code()),
              result.field().empty() ? "" : result.field().c_str(),
              result.field().empty() ? "" : ": ", result.message().c_str());
  return 1;
}
