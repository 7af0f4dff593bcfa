#include "daemon/pager/channels.h"

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sodium.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "proto/utf8.h"

namespace helpdesk::paging {
namespace {

constexpr std::string_view kWebhookSecretPrefix = "whsec_";
// RFC 5322 asks for lines of at most 78 characters; RFC 2047 for lines with
// encoded-words of at most 76, and words of at most 75.
constexpr size_t kMaxHeaderLine = 78;
constexpr size_t kMaxEncodedLine = 76;
// "=?UTF-8?B?" and "?=" around the base64.
constexpr size_t kEncodedWordOverhead = 10 + 2;
// Of an answer that is not 2xx, this much goes into the Status: a web
// server's one-line reason, not a page of HTML.
constexpr size_t kMaxAnswerExcerpt = 200;

// Standard base64 with padding (libsodium, as daemon/auth uses it).
std::string Base64Encode(std::string_view bytes) {
  constexpr int kVariant = sodium_base64_VARIANT_ORIGINAL;
  std::string out(sodium_base64_encoded_len(bytes.size(), kVariant), '\0');
  sodium_bin2base64(out.data(), out.size(),
                    reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), kVariant);
  out.pop_back();  // the terminating NUL
  return out;
}

// Strict: the standard alphabet, padding optional (secrets are often
// written without it), nothing else, not even whitespace.
std::optional<std::string> Base64Decode(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  std::string out(text.size() * 3 / 4 + 1, '\0');
  size_t size = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()),
                        out.size(), text.data(), text.size(),
                        /*ignore=*/nullptr, &size, &end,
                        sodium_base64_VARIANT_ORIGINAL_NO_PADDING) != 0 ||
      end != text.data() + text.size())
    return std::nullopt;
  out.resize(size);
  return out;
}

bool IsControl(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u < 0x20 || u == 0x7F;
}

// One line whatever it was given: each run of control characters (CR, LF,
// tab) becomes one space, so nothing after it can start a header.
std::string OneLine(std::string_view s) {
  std::string out;
  bool in_run = false;
  for (const char c : s) {
    if (IsControl(c)) {
      if (!in_run) out += ' ';
      in_run = true;
    } else {
      out += c;
      in_run = false;
    }
  }
  const size_t first = out.find_first_not_of(' ');
  if (first == std::string::npos) return "";
  return out.substr(first, out.find_last_not_of(' ') - first + 1);
}

bool IsAtext(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
      (c >= '0' && c <= '9')) {
    return true;
  }
  return std::string_view("!#$%&'*+-/=?^_`{|}~").find(c) !=
         std::string_view::npos;
}

// An id fit for a Message-ID's left part (dot-atom-text) and a header.
bool IsMessageId(std::string_view id) {
  if (id.empty() || id.size() > 200 || id.front() == '.' || id.back() == '.' ||
      id.find("..") != std::string_view::npos) {
    return false;
  }
  return std::all_of(id.begin(), id.end(),
                     [](char c) { return c == '.' || IsAtext(c); });
}

// A bare ASCII address, local@domain, with nothing a header or an SMTP
// command could be bent by (no space, brackets, quotes or controls).
bool IsMailAddress(std::string_view address) {
  const size_t at = address.rfind('@');
  if (address.size() > 254 || at == std::string_view::npos || at == 0 ||
      at + 1 == address.size()) {
    return false;
  }
  return std::all_of(address.begin(), address.end(),
                     [](char c) { return c == '.' || c == '@' || IsAtext(c); });
}

// What FormatMail writes of an address or id that SendMail would refuse:
// only the characters that cannot break the header.
std::string Filtered(std::string_view s, bool (*keep)(char)) {
  std::string out;
  std::copy_if(s.begin(), s.end(), std::back_inserter(out), keep);
  return out;
}

std::string MailDate(int64_t unix_seconds) {
  using namespace std::chrono;
  const sys_seconds t{seconds{unix_seconds}};
  const sys_days day = floor<days>(t);
  const year_month_day ymd{day};
  const hh_mm_ss hms{t - day};
  static constexpr std::array<const char*, 7> kDays = {
      "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr std::array<const char*, 12> kMonths = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun",
      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char buf[64];
  std::snprintf(
      buf, sizeof buf, "%s, %02u %s %04d %02d:%02d:%02d +0000",
      kDays[weekday{day}.c_encoding()], static_cast<unsigned>(ymd.day()),
      kMonths[static_cast<unsigned>(ymd.month()) - 1],
      static_cast<int>(ymd.year()), static_cast<int>(hms.hours().count()),
      static_cast<int>(hms.minutes().count()),
      static_cast<int>(hms.seconds().count()));
  return buf;
}

// "Subject: ..." with its CRLF. Plain when it is short printable ASCII and
// cannot be taken for an encoded-word; else RFC 2047 B encoded-words, each
// of whole UTF-8 characters, folded one per line.
std::string SubjectHeader(std::string_view raw) {
  const std::string subject = proto::ToValidUtf8(OneLine(raw));
  constexpr std::string_view kName = "Subject: ";
  const bool plain = kName.size() + subject.size() <= kMaxHeaderLine &&
                     subject.find("=?") == std::string::npos &&
                     std::all_of(subject.begin(), subject.end(), [](char c) {
                       return static_cast<unsigned char>(c) < 0x80;
                     });
  if (plain) return std::string(kName) + subject + "\r\n";

  std::string out(kName);
  size_t line_prefix = kName.size();  // "Subject: ", then " " on folds
  std::string_view rest = subject;
  do {
    const size_t b64_room =
        (kMaxEncodedLine - line_prefix - kEncodedWordOverhead) / 4 * 4;
    const size_t byte_room = b64_room / 4 * 3;
    size_t take = 0;
    while (take < rest.size()) {
      const size_t n = proto::Utf8SequenceLength(rest.substr(take));
      if (take + n > byte_room) break;
      take += n;
    }
    if (line_prefix == 1) out += "\r\n ";
    out += "=?UTF-8?B?" + Base64Encode(rest.substr(0, take)) + "?=";
    rest.remove_prefix(take);
    line_prefix = 1;
  } while (!rest.empty());
  return out + "\r\n";
}

// The body in quoted-printable: safe through any server (7-bit, short
// lines), every line ended by CRLF. A leading "." stays literal: libcurl
// doubles it on the wire as SMTP requires.
std::string QuotedPrintable(std::string_view raw) {
  static constexpr std::string_view kHex = "0123456789ABCDEF";
  constexpr size_t kMaxLine = 75;  // and the soft break's "=": 76
  const std::string text = proto::ToValidUtf8(raw);
  std::string out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    size_t column = 0;
    for (size_t i = 0; i < line.size(); ++i) {
      const auto c = static_cast<unsigned char>(line[i]);
      const bool last = i + 1 == line.size();
      std::string token;
      if ((c >= 33 && c <= 126 && c != '=') ||
          ((c == ' ' || c == '\t') && !last)) {
        token = static_cast<char>(c);
      } else {
        token = {'=', kHex[c >> 4], kHex[c & 15]};
      }
      if (column + token.size() > kMaxLine) {
        out += "=\r\n";
        column = 0;
      }
      out += token;
      column += token.size();
    }
    out += "\r\n";
    if (end == text.size()) break;
    start = end + 1;
  }
  return out;
}

}  // namespace

std::string Endpoint(std::string_view url) {
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::string(url);
  const size_t start = scheme_end + 3;
  size_t end = url.find_first_of("/?#", start);
  if (end == std::string_view::npos) end = url.size();
  std::string_view authority = url.substr(start, end - start);
  const size_t at = authority.rfind('@');
  if (at != std::string_view::npos) authority.remove_prefix(at + 1);
  return std::string(url.substr(0, start)) + std::string(authority);
}

namespace {

bool HasScheme(std::string_view url, std::initializer_list<const char*> ok) {
  for (const std::string_view scheme : ok) {
    if (url.size() > scheme.size() && url.substr(0, scheme.size()) == scheme &&
        url.find_first_not_of("/?#", scheme.size()) == scheme.size()) {
      return true;
    }
  }
  return false;
}

Status CheckCommon(std::string_view url,
                   std::initializer_list<const char*> schemes,
                   const std::string& ca_file,
                   std::chrono::milliseconds timeout, bool check_files) {
  if (!HasScheme(url, schemes)) {
    std::string names;
    for (const std::string_view s : schemes) {
      names += (names.empty() ? "" : " or ") + std::string(s) + "host";
    }
    return Status::InvalidField(
        "url", "the url must be " + names + ", not \"" + Endpoint(url) + "\"");
  }
  if (timeout.count() <= 0) {
    return Status::InvalidField("timeout", "the timeout must be positive");
  }
  if (check_files && !ca_file.empty() && !std::ifstream(ca_file).good()) {
    return Status::InvalidField("ca_file", "cannot read " + ca_file);
  }
  return Status::Ok();
}

Status CheckSmtp(const SmtpOptions& options, bool check_files) {
  Status s = CheckCommon(options.url, {"smtp://", "smtps://"}, options.ca_file,
                         options.timeout, check_files);
  if (!s.ok()) return s;
  if (!IsMailAddress(options.from)) {
    return Status::InvalidField(
        "from", "\"" + OneLine(options.from) + "\" is not a bare address");
  }
  if (options.username.empty() && !options.password.empty()) {
    return Status::InvalidField("username", "a password needs a username");
  }
  return Status::Ok();
}

Status CheckWebhook(const WebhookOptions& options, bool check_files) {
  Status s = CheckCommon(options.url, {"http://", "https://"}, options.ca_file,
                         options.timeout, check_files);
  if (!s.ok()) return s;
  if (options.secrets.empty()) {
    return Status::InvalidField("secrets", "a webhook needs a secret to sign");
  }
  for (size_t i = 0; i < options.secrets.size(); ++i) {
    auto key = DecodeWebhookSecret(options.secrets[i]);
    if (!key.ok()) {
      return Status::InvalidField("secrets/" + std::to_string(i),
                                  key.status().message());
    }
  }
  return Status::Ok();
}

Status CheckId(const Message& message) {
  if (IsMessageId(message.id)) return Status::Ok();
  return Status::InvalidField(
      "id", "the page id \"" + OneLine(message.id) +
                "\" is not letters, digits and punctuation of an atom");
}

struct CurlDeleter {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using CurlHandle = std::unique_ptr<CURL, CurlDeleter>;
using CurlList = std::unique_ptr<curl_slist, CurlDeleter>;

// Appends to a list, keeping the list on failure (curl_slist_append returns
// null then and leaves it as it was).
bool Append(CurlList& list, const std::string& item) {
  curl_slist* grown = curl_slist_append(list.get(), item.c_str());
  if (grown == nullptr) return false;
  list.release();
  list.reset(grown);
  return true;
}

// What a failed transfer says to an operator: libcurl's category and, when
// it adds something, its specific message.
Status TransferFailure(std::string_view url, CURLcode rc, const char* errbuf) {
  std::string detail = Endpoint(url) + ": ";
  const std::string category = curl_easy_strerror(rc);
  const std::string specific = OneLine(errbuf);
  if (specific.empty()) {
    detail += category;
  } else if (specific.find(category) != std::string::npos) {
    detail += specific;
  } else {
    detail += category + " (" + specific + ")";
  }
  return Status::Unavailable(std::move(detail));
}

// Settings both channels share: a bounded attempt, no signals (threads),
// only the protocols asked for, a private CA when given.
CURLcode SetCommon(CURL* curl, const std::string& url, const char* protocols,
                   const std::string& ca_file,
                   std::chrono::milliseconds timeout, char* errbuf) {
  CURLcode rc = CURLE_OK;
  const auto set = [&rc](CURLcode r) {
    if (rc == CURLE_OK) rc = r;
  };
  set(curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf));
  set(curl_easy_setopt(curl, CURLOPT_URL, url.c_str()));
  set(curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, protocols));
  set(curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L));
  const long ms = static_cast<long>(timeout.count());
  set(curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, ms));
  set(curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, ms));
  if (!ca_file.empty()) {
    set(curl_easy_setopt(curl, CURLOPT_CAINFO, ca_file.c_str()));
  }
  return rc;
}

struct Upload {
  std::string_view rest;
};

size_t ReadUpload(char* buffer, size_t size, size_t count, void* user) {
  auto* upload = static_cast<Upload*>(user);
  const size_t n = std::min(size * count, upload->rest.size());
  std::copy_n(upload->rest.data(), n, buffer);
  upload->rest.remove_prefix(n);
  return n;
}

// libcurl hands an SMTP server's replies to the header callback: the last
// one says why a mail was refused ("451 4.3.0 try later"), which its own
// error ("Weird server reply") does not.
size_t KeepLastReply(char* data, size_t size, size_t count, void* user) {
  auto* reply = static_cast<std::string*>(user);
  const size_t n = size * count;
  *reply = OneLine(std::string_view(data, std::min(n, kMaxAnswerExcerpt)));
  return n;
}

size_t KeepExcerpt(char* data, size_t size, size_t count, void* user) {
  auto* excerpt = static_cast<std::string*>(user);
  const size_t n = size * count;
  if (excerpt->size() < kMaxAnswerExcerpt) {
    excerpt->append(data, std::min(n, kMaxAnswerExcerpt - excerpt->size()));
  }
  return n;
}

}  // namespace

Status InitChannels() {
  static std::once_flag once;
  static CURLcode result = CURLE_OK;
  std::call_once(once, [] { result = curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (result != CURLE_OK) {
    return Status::Internal(std::string("libcurl's set-up failed: ") +
                            curl_easy_strerror(result));
  }
  return Status::Ok();
}

Status CheckSmtpOptions(const SmtpOptions& options) {
  return CheckSmtp(options, /*check_files=*/true);
}

Status CheckWebhookOptions(const WebhookOptions& options) {
  return CheckWebhook(options, /*check_files=*/true);
}

StatusOr<std::string> DecodeWebhookSecret(std::string_view whsec) {
  if (whsec.substr(0, kWebhookSecretPrefix.size()) != kWebhookSecretPrefix) {
    return Status::InvalidField(
        "secret", "a webhook secret starts with \"whsec_\" (then base64)");
  }
  auto key = Base64Decode(whsec.substr(kWebhookSecretPrefix.size()));
  if (!key) {
    return Status::InvalidField(
        "secret", "the webhook secret after \"whsec_\" is not base64");
  }
  if (key->empty()) {
    return Status::InvalidField("secret", "the webhook secret is empty");
  }
  return std::move(*key);
}

std::string SignWebhook(std::string_view key, std::string_view id,
                        int64_t unix_seconds, std::string_view body) {
  std::string content;
  content.reserve(id.size() + body.size() + 24);
  content.append(id).append(".").append(std::to_string(unix_seconds));
  content.append(".").append(body);
  static constexpr unsigned char kNoKey = 0;
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int mac_size = 0;
  HMAC(EVP_sha256(),
       key.empty() ? static_cast<const void*>(&kNoKey)
                   : static_cast<const void*>(key.data()),
       static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(content.data()), content.size(),
       mac.data(), &mac_size);
  return "v1," + Base64Encode(std::string_view(
                     reinterpret_cast<const char*>(mac.data()), mac_size));
}

std::string FormatMail(const SmtpOptions& options, const Message& message) {
  const auto keep_address = [](char c) {
    return c == '.' || c == '@' || IsAtext(c);
  };
  const auto keep_id = [](char c) { return c == '.' || IsAtext(c); };
  std::string mail;
  mail += "Date: " + MailDate(message.unix_seconds) + "\r\n";
  mail += "From: " + Filtered(options.from, keep_address) + "\r\n";
  mail += "To: " + Filtered(message.to_address, keep_address) + "\r\n";
  mail += SubjectHeader(message.subject);
  // Right of the @: the sender's domain, so ids of two installations differ.
  const size_t at = options.from.rfind('@');
  std::string domain = Filtered(
      at == std::string::npos ? std::string() : options.from.substr(at + 1),
      keep_id);
  if (domain.empty()) domain = "helpdeskd";
  mail +=
      "Message-ID: <" + Filtered(message.id, keep_id) + "@" + domain + ">\r\n";
  // RFC 3834: no out-of-office answer to a page.
  mail += "Auto-Submitted: auto-generated\r\n";
  mail += "MIME-Version: 1.0\r\n";
  mail += "Content-Type: text/plain; charset=UTF-8\r\n";
  mail += "Content-Transfer-Encoding: quoted-printable\r\n";
  mail += "\r\n";
  mail += QuotedPrintable(message.text);
  return mail;
}

Status SendMail(const SmtpOptions& options, const Message& message) {
  if (Status s = CheckSmtp(options, /*check_files=*/false); !s.ok()) return s;
  if (!IsMailAddress(message.to_address)) {
    return Status::InvalidField(
        "to_address",
        "\"" + OneLine(message.to_address) + "\" is not a bare address");
  }
  if (Status s = CheckId(message); !s.ok()) return s;

  CurlHandle curl(curl_easy_init());
  if (!curl) return Status::Internal("libcurl: no easy handle");
  CurlList rcpt;
  if (!Append(rcpt, "<" + message.to_address + ">")) {
    return Status::Internal("libcurl: out of memory");
  }
  const std::string mail = FormatMail(options, message);
  Upload upload{mail};
  const std::string mail_from = "<" + options.from + ">";
  char errbuf[CURL_ERROR_SIZE] = {};
  CURLcode rc = SetCommon(curl.get(), options.url, "smtp,smtps",
                          options.ca_file, options.timeout, errbuf);
  const auto set = [&rc](CURLcode r) {
    if (rc == CURLE_OK) rc = r;
  };
  long use_ssl = CURLUSESSL_TRY;
  if (options.tls == SmtpOptions::Tls::kRequire) use_ssl = CURLUSESSL_ALL;
  if (options.tls == SmtpOptions::Tls::kNone) use_ssl = CURLUSESSL_NONE;
  set(curl_easy_setopt(curl.get(), CURLOPT_USE_SSL, use_ssl));
  set(curl_easy_setopt(curl.get(), CURLOPT_MAIL_FROM, mail_from.c_str()));
  set(curl_easy_setopt(curl.get(), CURLOPT_MAIL_RCPT, rcpt.get()));
  set(curl_easy_setopt(curl.get(), CURLOPT_UPLOAD, 1L));
  set(curl_easy_setopt(curl.get(), CURLOPT_READFUNCTION, ReadUpload));
  set(curl_easy_setopt(curl.get(), CURLOPT_READDATA, &upload));
  set(curl_easy_setopt(curl.get(), CURLOPT_INFILESIZE_LARGE,
                       static_cast<curl_off_t>(mail.size())));
  std::string last_reply;
  set(curl_easy_setopt(curl.get(), CURLOPT_HEADERFUNCTION, KeepLastReply));
  set(curl_easy_setopt(curl.get(), CURLOPT_HEADERDATA, &last_reply));
  if (!options.username.empty()) {
    set(curl_easy_setopt(curl.get(), CURLOPT_USERNAME,
                         options.username.c_str()));
    set(curl_easy_setopt(curl.get(), CURLOPT_PASSWORD,
                         options.password.c_str()));
  }
  if (rc != CURLE_OK) {
    return Status::Internal(std::string("libcurl refused an SMTP option: ") +
                            curl_easy_strerror(rc));
  }
  rc = curl_easy_perform(curl.get());
  if (rc == CURLE_OK) return Status::Ok();
  Status failure = TransferFailure(options.url, rc, errbuf);
  // A refusal (4xx, 5xx) in the server's words; not a greeting or a 250.
  if (last_reply.size() >= 3 &&
      (last_reply[0] == '4' || last_reply[0] == '5')) {
    return Status::Unavailable(failure.message() + "; the server said \"" +
                               proto::ToValidUtf8(last_reply) + "\"");
  }
  return failure;
}

Status PostWebhook(const WebhookOptions& options, const Message& message) {
  if (Status s = CheckWebhook(options, /*check_files=*/false); !s.ok()) {
    return s;
  }
  if (Status s = CheckId(message); !s.ok()) return s;

  std::string signatures;
  for (const std::string& secret : options.secrets) {
    const std::string key = *DecodeWebhookSecret(secret);  // checked above
    if (!signatures.empty()) signatures += ' ';
    signatures +=
        SignWebhook(key, message.id, message.unix_seconds, message.json);
  }
  CurlList headers;
  // "Expect:" drops libcurl's 100-continue round trip, which receivers
  // that do not answer it turn into a one-second stall.
  for (const std::string& header :
       {std::string("Content-Type: application/json"),
        "webhook-id: " + message.id,
        "webhook-timestamp: " + std::to_string(message.unix_seconds),
        "webhook-signature: " + signatures, std::string("Expect:")}) {
    if (!Append(headers, header)) {
      return Status::Internal("libcurl: out of memory");
    }
  }

  CurlHandle curl(curl_easy_init());
  if (!curl) return Status::Internal("libcurl: no easy handle");
  std::string excerpt;
  char errbuf[CURL_ERROR_SIZE] = {};
  CURLcode rc = SetCommon(curl.get(), options.url, "http,https",
                          options.ca_file, options.timeout, errbuf);
  const auto set = [&rc](CURLcode r) {
    if (rc == CURLE_OK) rc = r;
  };
  set(curl_easy_setopt(curl.get(), CURLOPT_POST, 1L));
  set(curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, message.json.data()));
  set(curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDSIZE_LARGE,
                       static_cast<curl_off_t>(message.json.size())));
  set(curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers.get()));
  set(curl_easy_setopt(curl.get(), CURLOPT_USERAGENT, "helpdeskd"));
  set(curl_easy_setopt(curl.get(), CURLOPT_FOLLOWLOCATION, 0L));
  set(curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, KeepExcerpt));
  set(curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &excerpt));
  if (rc != CURLE_OK) {
    return Status::Internal(std::string("libcurl refused an HTTP option: ") +
                            curl_easy_strerror(rc));
  }
  rc = curl_easy_perform(curl.get());
  if (rc != CURLE_OK) return TransferFailure(options.url, rc, errbuf);
  long status = 0;
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
  if (status >= 200 && status <= 299) return Status::Ok();
  std::string detail = Endpoint(options.url) + ": HTTP " +
                       std::to_string(status) + " from the webhook";
  if (status >= 300 && status <= 399) detail += " (redirects are not followed)";
  if (const std::string said = proto::ToValidUtf8(OneLine(excerpt));
      !said.empty()) {
    detail += ": " + said;
  }
  return Status::Unavailable(std::move(detail));
}

}  // namespace helpdesk::paging
