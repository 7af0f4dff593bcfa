#pragma once
// The delivery channels of paging: one attempt to hand one page step to the
// on-call person's mailbox (SMTP, libcurl) or to a webhook signed as the
// Standard Webhooks specification says (HMAC-SHA256, "whsec_" secrets,
// several signatures during a key rotation). Retrying, backing off and
// remembering what was delivered are the caller's: a Message's id stays the
// same across its attempts, so a receiver can drop a duplicate.
//
// Plain functions over plain values; nothing is kept between calls. Any
// thread may call them at once, after InitChannels. SendMail and PostWebhook
// block for up to their timeout: never call them on an I/O thread.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "proto/status.h"

namespace helpdesk::paging {

// Once per process, from main before any thread starts (libcurl's global
// set-up is not thread-safe). Calling it again does nothing and returns the
// first result.
Status InitChannels();

// One page step as the channels send it.
struct Message {
  // Stable per page step ("p-17.2"), the same on every attempt: the
  // webhook-id and the local part of the mail's Message-ID. Letters,
  // digits and "!#$%&'*+-/=?^_`{|}~." only.
  std::string id;
  std::string subject;     // one line of UTF-8 ("Kritisk: ... på rådhuset")
  std::string text;        // the mail's body, UTF-8, lines split by "\n"
  std::string json;        // the webhook's body, already rendered
  std::string to_address;  // ASCII, bare: "vakt@nore-og-uvdal.kommune.no"
  // The time of this attempt, not of the page: the webhook-timestamp
  // (receivers refuse one more than five minutes off their clock, so a
  // retry passes a fresh one) and the mail's Date.
  int64_t unix_seconds = 0;
};

struct SmtpOptions {
  std::string url;   // "smtp://host:587" (STARTTLS per `tls`), "smtps://host"
  std::string from;  // a bare ASCII address: envelope sender and From
  std::string username;  // "" = no AUTH
  std::string password;
  // kTry: STARTTLS when the server offers it, else plain text. kRequire:
  // STARTTLS or fail. kNone: never. An smtps:// url is TLS from the start
  // whatever this says.
  enum class Tls { kTry, kRequire, kNone };
  Tls tls = Tls::kTry;
  std::string ca_file;  // PEM of a private CA for the server; "" = system's
  std::chrono::milliseconds timeout{10000};  // the whole attempt
};

struct WebhookOptions {
  std::string url;  // "https://..." (or "http://"); redirects not followed
  // "whsec_<base64>" each; one signature per secret, so that during a key
  // rotation the receiver verifies with the old key or the new one.
  std::vector<std::string> secrets;
  std::string ca_file;  // PEM of a private CA for the server; "" = system's
  std::chrono::milliseconds timeout{10000};  // the whole attempt
};

// Config validation: the url's scheme, the addresses and the secrets, with
// kInvalidField naming the option ("url", "from", "secrets/1").
Status CheckSmtpOptions(const SmtpOptions& options);
Status CheckWebhookOptions(const WebhookOptions& options);

// One attempt to deliver `message` by mail to message.to_address. Options or
// a message that cannot be sent (a bad address or id) are kInvalidField;
// every failure of the server or the network is kUnavailable, saying what
// went wrong where ("smtp://127.0.0.1:2525: Couldn't connect to server").
Status SendMail(const SmtpOptions& options, const Message& message);

// One attempt to POST message.json to the webhook with the Standard Webhooks
// headers. A 2xx answer is ok; any other answer (a redirect too) and every
// failure to get one are kUnavailable, naming the status.
Status PostWebhook(const WebhookOptions& options, const Message& message);

// The mail as SendMail hands it to the server (RFC 5322, CRLF lines): Date
// in UTC, From, To, a Subject of RFC 2047 encoded-words unless it is short
// printable ASCII, Message-ID <id@domain of from>, and the text as UTF-8 in
// quoted-printable. Control characters in the subject become spaces and are
// dropped from addresses and the id, so no header can be added through them.
std::string FormatMail(const SmtpOptions& options, const Message& message);

// scheme://host:port of a url, for what an operator reads: never the
// userinfo, path or query, where credentials of webhooks often are.
std::string Endpoint(std::string_view url);

// The key of a "whsec_<base64>" secret; kInvalidField when the prefix is
// missing, the base64 is bad or the key is empty.
StatusOr<std::string> DecodeWebhookSecret(std::string_view whsec);

// "v1,<base64 of HMAC-SHA256(key, id.timestamp.body)>".
std::string SignWebhook(std::string_view key, std::string_view id,
                        int64_t unix_seconds, std::string_view body);

}  // namespace helpdesk::paging
