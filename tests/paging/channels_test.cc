// The channels' pure parts: Standard Webhooks signatures against the
// specification's published vector, "whsec_" secrets, and the mail's text
// (RFC 5322 and 2047: encoded subjects, CRLF lines, no header injection).
// The wire is channels_test.py's.

#include "daemon/pager/channels.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace helpdesk::paging {
namespace {

constexpr std::string_view kNorwegian =
    "Kritisk: Nettverk nede på rådhuset i Nore og Uvdal";

// The test's own decoders, written from the RFCs, not from the code's.
std::string DecodeBase64(std::string_view text) {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  uint32_t bits = 0;
  int n = 0;
  for (const char c : text) {
    if (c == '=') break;
    const size_t v = kAlphabet.find(c);
    EXPECT_NE(v, std::string_view::npos) << "not base64: " << text;
    bits = bits << 6 | static_cast<uint32_t>(v);
    n += 6;
    if (n >= 8) {
      n -= 8;
      out += static_cast<char>(bits >> n & 0xff);
    }
  }
  return out;
}

bool IsWholeUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    const size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    if ((c & 0xC0) == 0x80 || i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += n;
  }
  return true;
}

std::vector<std::string> Lines(std::string_view text) {
  std::vector<std::string> lines;
  size_t start = 0;
  for (size_t end; (end = text.find("\r\n", start)) != std::string::npos;
       start = end + 2) {
    lines.emplace_back(text.substr(start, end - start));
  }
  if (start < text.size()) lines.emplace_back(text.substr(start));
  return lines;
}

// Every CR is followed by LF and every LF preceded by CR.
bool OnlyCrlf(std::string_view text) {
  for (size_t i = 0; i < text.size(); ++i) {
    const bool bare_lf = text[i] == '\n' && (i == 0 || text[i - 1] != '\r');
    const bool bare_cr =
        text[i] == '\r' && (i + 1 == text.size() || text[i + 1] != '\n');
    if (bare_lf || bare_cr) return false;
  }
  return true;
}

struct Mail {
  std::vector<std::string> headers;  // unfolded, "Name: value"
  std::string body;                  // as sent (quoted-printable)
};

Mail Parse(std::string_view text) {
  Mail mail;
  const size_t blank = text.find("\r\n\r\n");
  EXPECT_NE(blank, std::string::npos);
  for (const std::string& line : Lines(text.substr(0, blank))) {
    if (!line.empty() && line[0] == ' ') {
      mail.headers.back() += line;  // a fold
    } else {
      mail.headers.push_back(line);
    }
  }
  mail.body = std::string(text.substr(blank + 4));
  return mail;
}

std::string Header(const Mail& mail, std::string_view name) {
  std::string found;
  for (const std::string& h : mail.headers) {
    if (h.rfind(std::string(name) + ": ", 0) == 0) {
      EXPECT_TRUE(found.empty()) << name << " twice";
      found = h.substr(name.size() + 2);
    }
  }
  return found;
}

// RFC 2047 B words of UTF-8, separated by folding white space; each word
// must hold whole characters and be at most 75 characters long.
std::string DecodeSubject(std::string_view value) {
  std::string out;
  while (!value.empty()) {
    if (value[0] == ' ') {
      value.remove_prefix(1);
      continue;
    }
    EXPECT_EQ(value.substr(0, 10), "=?UTF-8?B?") << value;
    const size_t end = value.find("?=", 10);
    EXPECT_NE(end, std::string_view::npos);
    EXPECT_LE(end + 2, 75u) << "an encoded-word longer than 75";
    const std::string chunk = DecodeBase64(value.substr(10, end - 10));
    EXPECT_TRUE(IsWholeUtf8(chunk)) << "a word splits a character";
    out += chunk;
    value.remove_prefix(end + 2);
  }
  return out;
}

std::string DecodeQuotedPrintable(std::string_view body) {
  std::string out;
  for (const std::string& line : Lines(body)) {
    EXPECT_LE(line.size(), 76u) << line;
    std::string_view rest = line;
    const bool soft = !rest.empty() && rest.back() == '=';
    if (soft) rest.remove_suffix(1);
    for (size_t i = 0; i < rest.size(); ++i) {
      if (rest[i] == '=') {
        out += static_cast<char>(
            std::stoi(std::string(rest.substr(i + 1, 2)), nullptr, 16));
        i += 2;
      } else {
        out += rest[i];
      }
    }
    if (!soft) out += '\n';
  }
  return out;
}

Message Page(std::string subject, std::string text = "Se saken.") {
  Message m;
  m.id = "p-17.2";
  m.subject = std::move(subject);
  m.text = std::move(text);
  m.json = R"({"page":"p-17.2"})";
  m.to_address = "vakt@nore-og-uvdal.kommune.no";
  m.unix_seconds = 1614265330;
  return m;
}

SmtpOptions Smtp() {
  SmtpOptions options;
  options.url = "smtp://127.0.0.1:2525";
  options.from = "helpdesk@kommune.no";
  return options;
}

TEST(PagingSignWebhook, ReproducesTheSpecificationsVector) {
  // The vector of the Standard Webhooks specification, which the npm
  // package standardwebhooks 1.1.1 reproduces too.
  auto key = DecodeWebhookSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
  ASSERT_TRUE(key.ok()) << key.status().message();
  EXPECT_EQ(SignWebhook(*key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330,
                        R"({"test": 2432232314})"),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
}

TEST(PagingSignWebhook, ChangesWithEveryPartSigned) {
  const std::string base = SignWebhook("key", "p-1.1", 100, "{}");
  EXPECT_NE(SignWebhook("kez", "p-1.1", 100, "{}"), base);
  EXPECT_NE(SignWebhook("key", "p-1.2", 100, "{}"), base);
  EXPECT_NE(SignWebhook("key", "p-1.1", 101, "{}"), base);
  EXPECT_NE(SignWebhook("key", "p-1.1", 100, "{ }"), base);
}

TEST(PagingWebhookSecret, DecodesWithOrWithoutPadding) {
  auto padded = DecodeWebhookSecret("whsec_aGVsbG8=");
  ASSERT_TRUE(padded.ok()) << padded.status().message();
  EXPECT_EQ(*padded, "hello");
  auto bare = DecodeWebhookSecret("whsec_aGVsbG8");
  ASSERT_TRUE(bare.ok()) << bare.status().message();
  EXPECT_EQ(*bare, "hello");
}

TEST(PagingWebhookSecret, RefusesAMissingPrefix) {
  auto key = DecodeWebhookSecret("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.status().code(), Code::kInvalidField);
  EXPECT_NE(key.status().message().find("whsec_"), std::string::npos);
}

TEST(PagingWebhookSecret, RefusesBadBase64AndAnEmptyKey) {
  for (const char* bad :
       {"whsec_not base64", "whsec_aGVsbG8*", "whsec_a", "whsec_aGVs\nbG8="}) {
    auto key = DecodeWebhookSecret(bad);
    ASSERT_FALSE(key.ok()) << bad;
    EXPECT_EQ(key.status().code(), Code::kInvalidField);
    EXPECT_NE(key.status().message().find("not base64"), std::string::npos)
        << key.status().message();
  }
  auto empty = DecodeWebhookSecret("whsec_");
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.status().message().find("empty"), std::string::npos);
}

TEST(PagingFormatMail, WritesTheHeadersAndCrlfLines) {
  const std::string text = FormatMail(Smtp(), Page("Printer down"));
  EXPECT_TRUE(OnlyCrlf(text)) << text;
  const Mail mail = Parse(text);
  EXPECT_EQ(Header(mail, "Date"), "Thu, 25 Feb 2021 15:02:10 +0000");
  EXPECT_EQ(Header(mail, "From"), "helpdesk@kommune.no");
  EXPECT_EQ(Header(mail, "To"), "vakt@nore-og-uvdal.kommune.no");
  EXPECT_EQ(Header(mail, "Subject"), "Printer down");
  EXPECT_EQ(Header(mail, "Message-ID"), "<p-17.2@kommune.no>");
  EXPECT_EQ(Header(mail, "MIME-Version"), "1.0");
  EXPECT_EQ(Header(mail, "Content-Type"), "text/plain; charset=UTF-8");
  EXPECT_EQ(Header(mail, "Content-Transfer-Encoding"), "quoted-printable");
}

TEST(PagingFormatMail, DatesAreUtcAtAnyInstant) {
  auto date = [](int64_t t) {
    Message m = Page("x");
    m.unix_seconds = t;
    return Header(Parse(FormatMail(Smtp(), m)), "Date");
  };
  EXPECT_EQ(date(0), "Thu, 01 Jan 1970 00:00:00 +0000");
  EXPECT_EQ(date(-1), "Wed, 31 Dec 1969 23:59:59 +0000");
  EXPECT_EQ(date(4102444799), "Thu, 31 Dec 2099 23:59:59 +0000");
}

TEST(PagingFormatMail, EncodesANorwegianSubjectThatRoundTrips) {
  const Mail mail = Parse(FormatMail(Smtp(), Page(std::string(kNorwegian))));
  const std::string subject = Header(mail, "Subject");
  EXPECT_EQ(subject.rfind("=?UTF-8?B?", 0), 0u) << subject;
  EXPECT_EQ(DecodeSubject(subject), kNorwegian);
}

TEST(PagingFormatMail, SplitsALongSubjectBetweenCharacters) {
  // Two- and four-byte characters at every offset of the words' edges.
  std::string subject;
  for (int i = 0; i < 6; ++i) {
    subject += std::string(kNorwegian) + " æøå ÆØÅ \xF0\x9F\x9A\xA8 " +
               std::string(static_cast<size_t>(i), 'x');
  }
  const std::string text = FormatMail(Smtp(), Page(subject));
  const size_t blank = text.find("\r\n\r\n");
  for (const std::string& line : Lines(text.substr(0, blank))) {
    EXPECT_LE(line.size(), 76u) << line;
  }
  const std::string header = Header(Parse(text), "Subject");
  EXPECT_GT(header.find("?= =?UTF-8?B?"), 0u) << "folded into several words";
  EXPECT_EQ(DecodeSubject(header), subject);
}

TEST(PagingFormatMail, EncodesLongAsciiAndLookalikeSubjects) {
  const std::string long_ascii(120, 'a');
  EXPECT_EQ(DecodeSubject(
                Header(Parse(FormatMail(Smtp(), Page(long_ascii))), "Subject")),
            long_ascii);
  const std::string lookalike = "=?UTF-8?B?aGVsbG8=?=";
  EXPECT_EQ(DecodeSubject(
                Header(Parse(FormatMail(Smtp(), Page(lookalike))), "Subject")),
            lookalike);
}

TEST(PagingFormatMail, NoHeaderCanBeInjected) {
  Message m = Page("Alarm\r\nBcc: x@example.com\r\n\r\nbody");
  m.to_address = "vakt@kommune.no\r\nBcc: y@example.com";
  m.id = "p-1\r\nBcc: z@example.com";
  SmtpOptions options = Smtp();
  options.from = "helpdesk@kommune.no\nBcc: w@example.com";
  const std::string text = FormatMail(options, m);
  EXPECT_TRUE(OnlyCrlf(text));
  const Mail mail = Parse(text);
  for (const std::string& h : mail.headers) {
    EXPECT_NE(h.rfind("Bcc", 0), 0u) << h;
  }
  EXPECT_EQ(Header(mail, "Subject"), "Alarm Bcc: x@example.com body");
  EXPECT_EQ(mail.headers.size(), 9u);

  // And the senders refuse them before any connection.
  Message bad_to = Page("x");
  bad_to.to_address = "vakt@kommune.no\r\nBcc: y@example.com";
  Status s = SendMail(Smtp(), bad_to);
  EXPECT_EQ(s.code(), Code::kInvalidField);
  EXPECT_EQ(s.field(), "to_address");
  Message bad_id = Page("x");
  bad_id.id = "p-1\r\nX-Evil: 1";
  EXPECT_EQ(SendMail(Smtp(), bad_id).field(), "id");
  WebhookOptions webhook{"http://127.0.0.1:1", {"whsec_aGVsbG8="}, "", {}};
  webhook.timeout = std::chrono::milliseconds(1000);
  EXPECT_EQ(PostWebhook(webhook, bad_id).field(), "id");
}

TEST(PagingFormatMail, KeepsTheBodyInQuotedPrintable) {
  std::string long_line;
  for (int i = 0; i < 20; ++i) long_line += "Rådhuset = nede. ";
  const std::string body =
      "Hei vakt,\n.\n. punktum først\nSlutt med mellomrom  \n" + long_line +
      "\nCRLF også\r\nferdig";
  const std::string text = FormatMail(Smtp(), Page("x", body));
  EXPECT_TRUE(OnlyCrlf(text));
  const Mail mail = Parse(text);
  for (const char c : mail.body) {
    EXPECT_LT(static_cast<unsigned char>(c), 0x80) << "7-bit on the wire";
  }
  std::string expected = body;
  expected.erase(expected.find('\r'), 1);
  EXPECT_EQ(DecodeQuotedPrintable(mail.body), expected + "\n");
}

TEST(PagingOptions, ChecksUrlsAddressesAndSecrets) {
  EXPECT_TRUE(CheckSmtpOptions(Smtp()).ok());
  SmtpOptions smtp = Smtp();
  smtp.url = "http://mail.kommune.no";
  EXPECT_EQ(CheckSmtpOptions(smtp).field(), "url");
  smtp.url = "smtp://";
  EXPECT_EQ(CheckSmtpOptions(smtp).field(), "url");
  smtp = Smtp();
  smtp.from = "Helpdesk <helpdesk@kommune.no>";
  EXPECT_EQ(CheckSmtpOptions(smtp).field(), "from");
  smtp = Smtp();
  smtp.ca_file = "/nonexistent/ca.pem";
  EXPECT_EQ(CheckSmtpOptions(smtp).field(), "ca_file");

  WebhookOptions webhook;
  webhook.url = "https://hooks.kommune.no/vakt";
  EXPECT_EQ(CheckWebhookOptions(webhook).field(), "secrets");
  webhook.secrets = {"whsec_aGVsbG8=", "whsec_!"};
  const Status s = CheckWebhookOptions(webhook);
  EXPECT_EQ(s.code(), Code::kInvalidField);
  EXPECT_EQ(s.field(), "secrets/1");
  webhook.secrets.pop_back();
  EXPECT_TRUE(CheckWebhookOptions(webhook).ok());
  webhook.url = "ftp://hooks.kommune.no";
  EXPECT_EQ(CheckWebhookOptions(webhook).field(), "url");
}

}  // namespace
}  // namespace helpdesk::paging
