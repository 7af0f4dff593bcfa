// HTTPS: the real daemon started with a certificate and key made here (a
// self-signed pair for 127.0.0.1, valid one day), spoken to by curl, a
// client we did not write. Plain HTTP and garbage on its port get no HTTP
// answer and leave it serving; the limits hold over TLS; a missing, bad or
// mismatched file stops the start with a message naming it.

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/daemon_process.h"
#include "tests/support/http_client.h"
#include "tests/support/identities.h"
#include "tests/support/scratch_dir.h"

namespace helpdesk::testing {
namespace {

using Clock = std::chrono::steady_clock;
using Key = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;

Key NewEcKey() { return Key(EVP_EC_gen("P-256"), EVP_PKEY_free); }
Key NewRsaKey() { return Key(EVP_RSA_gen(2048), EVP_PKEY_free); }

std::string WriteKey(EVP_PKEY* key, const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "w");
  if (f == nullptr) return "cannot create " + path;
  const bool ok =
      PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr) == 1;
  std::fclose(f);
  return ok ? "" : "cannot write the key to " + path;
}

// A self-signed certificate of `key` for 127.0.0.1 (its CN and an IP
// subjectAltName, which is what clients check), valid for one day.
std::string WriteCertificate(EVP_PKEY* key, const std::string& path) {
  std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), X509_free);
  X509* x = cert.get();
  if (x == nullptr || X509_set_version(x, 2) != 1 ||
      ASN1_INTEGER_set(X509_get_serialNumber(x), 1) != 1 ||
      X509_gmtime_adj(X509_getm_notBefore(x), -60) == nullptr ||
      X509_gmtime_adj(X509_getm_notAfter(x), 24 * 3600) == nullptr ||
      X509_set_pubkey(x, key) != 1)
    return "cannot fill in the certificate";
  X509_NAME* name = X509_get_subject_name(x);
  if (X509_NAME_add_entry_by_txt(
          name, "CN", MBSTRING_ASC,
          reinterpret_cast<const unsigned char*>("127.0.0.1"), -1, -1,
          0) != 1 ||
      X509_set_issuer_name(x, name) != 1)
    return "cannot name the certificate";
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, x, x, nullptr, nullptr, 0);
  const std::pair<int, const char*> extensions[] = {
      {NID_basic_constraints, "critical,CA:TRUE"},
      {NID_subject_key_identifier, "hash"},
      {NID_subject_alt_name, "IP:127.0.0.1"}};
  for (const auto& [nid, value] : extensions) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    if (ext == nullptr) return std::string("cannot make extension ") + value;
    const bool added = X509_add_ext(x, ext, -1) == 1;
    X509_EXTENSION_free(ext);
    if (!added) return std::string("cannot add extension ") + value;
  }
  if (X509_sign(x, key, EVP_sha256()) == 0) return "cannot sign";
  std::FILE* f = std::fopen(path.c_str(), "w");
  if (f == nullptr) return "cannot create " + path;
  const bool ok = PEM_write_X509(f, x) == 1;
  std::fclose(f);
  return ok ? "" : "cannot write the certificate to " + path;
}

struct CurlResult {
  int exit_code = -1;  // curl's (0: the transfer worked)
  std::string out;     // stdout and stderr together
  // The status of the response's status line; 0 if none.
  int status() const {
    if (out.rfind("HTTP/", 0) != 0) return 0;
    const size_t space = out.find(' ');
    return space == std::string::npos ? 0 : std::atoi(out.c_str() + space + 1);
  }
};

// Runs curl with `args` (no shell between), bounded by its --max-time, with
// the response's head included in what it prints.
CurlResult Curl(std::vector<std::string> args) {
  args.insert(args.begin(), {"curl", "--silent", "--show-error", "--include",
                             "--max-time", "10"});
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return {-1, "pipe failed"};
  const pid_t pid = fork();
  if (pid < 0) return {-1, "fork failed"};
  if (pid == 0) {
    dup2(fds[1], 1);
    dup2(fds[1], 2);
    execvp("curl", argv.data());
    _exit(127);
  }
  close(fds[1]);
  CurlResult result;
  char chunk[4096];
  for (;;) {
    const ssize_t n = read(fds[0], chunk, sizeof chunk);
    if (n > 0) {
      result.out.append(chunk, static_cast<size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      break;
    }
  }
  close(fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

// A TCP connection that sends nothing: it holds a connection slot.
class SilentConnection {
 public:
  explicit SilentConnection(uint16_t port)
      : fd_(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = fd_ >= 0 &&
                 connect(fd_, reinterpret_cast<sockaddr*>(&to), sizeof to) == 0;
  }
  ~SilentConnection() {
    if (fd_ >= 0) close(fd_);
  }
  SilentConnection(const SilentConnection&) = delete;
  SilentConnection& operator=(const SilentConnection&) = delete;
  bool connected() const { return connected_; }

 private:
  int fd_;
  bool connected_ = false;
};

class TlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Key key = NewEcKey();
    ASSERT_NE(key, nullptr);
    ASSERT_EQ(WriteKey(key.get(), key_file_), "");
    ASSERT_EQ(WriteCertificate(key.get(), cert_file_), "");
  }

  void TearDown() override {
    if (HasFailure() && daemon_) std::cerr << daemon_->Log();
  }

  // Starts the daemon with `flags` on a fresh data directory; returns
  // what DaemonProcess::Start does ("" when it listens).
  std::string Start(std::vector<std::string> flags) {
    const std::string data = dir_.path() + "/data" + std::to_string(++starts_);
    daemon_ = std::make_unique<DaemonProcess>(data, std::move(flags));
    return daemon_->Start();
  }
  std::vector<std::string> TlsFlags() const {
    return {"--tls-cert-file=" + cert_file_, "--tls-key-file=" + key_file_};
  }
  std::string Url(const std::string& target) const {
    return "https://127.0.0.1:" + std::to_string(daemon_->port()) + target;
  }
  // GET `target` over HTTPS, trusting only the certificate made here.
  CurlResult Get(const std::string& target,
                 std::vector<std::string> more = {}) {
    more.insert(more.begin(), {"--cacert", cert_file_});
    more.push_back(Url(target));
    return Curl(std::move(more));
  }
  std::string Path(const std::string& name) const {
    return dir_.path() + "/" + name;
  }

  ScratchDir dir_;
  const std::string cert_file_ = dir_.path() + "/cert.pem";
  const std::string key_file_ = dir_.path() + "/key.pem";
  std::unique_ptr<DaemonProcess> daemon_;
  int starts_ = 0;
};

TEST_F(TlsTest, CurlGetsHealthzAndLogsInWithASecureCookie) {
  ASSERT_EQ(Start(TlsFlags()), "");
  CurlResult health = Get("/healthz", {"--verbose"});
  ASSERT_EQ(health.exit_code, 0) << health.out;
  // --verbose puts curl's notes before the head: find the status line.
  EXPECT_NE(health.out.find("HTTP/1.1 200"), std::string::npos) << health.out;
  // Both ends have TLS 1.3, so that is what they speak.
  EXPECT_NE(health.out.find("SSL connection using TLSv1.3"), std::string::npos)
      << health.out;

  // Two requests on one kept-alive connection, then one that asks to
  // close (the daemon ends TLS with close_notify).
  CurlResult two = Get("/healthz", {"--verbose", Url("/healthz")});
  EXPECT_EQ(two.exit_code, 0) << two.out;
  EXPECT_NE(two.out.find("Re-using existing connection"), std::string::npos)
      << two.out;
  EXPECT_NE(two.out.rfind("HTTP/1.1 200"), two.out.find("HTTP/1.1 200"))
      << two.out;
  CurlResult closing = Get("/healthz", {"--header", "Connection: close"});
  EXPECT_EQ(closing.exit_code, 0) << closing.out;
  EXPECT_EQ(closing.status(), 200) << closing.out;

  // TLS 1.2 is still served.
  CurlResult v12 = Get("/healthz", {"--tlsv1.2", "--tls-max", "1.2"});
  EXPECT_EQ(v12.exit_code, 0) << v12.out;
  EXPECT_EQ(v12.status(), 200) << v12.out;

  const auto passwords =
      Identities(daemon_->data_dir(), daemon_->port()).Passwords();
  ASSERT_TRUE(passwords.count("admin")) << "no first-start credentials";
  const std::string login = nlohmann::json{
      {"account", "admin"},
      {"password",
       passwords.at("admin")}}.dump();
  CurlResult session = Get("/api/v1/session",
                           {"--request", "POST", "--header",
                            "Content-Type: application/json", "--data", login});
  ASSERT_EQ(session.exit_code, 0) << session.out;
  EXPECT_EQ(session.status(), 201) << session.out;
  std::string cookie;
  for (size_t at = 0; at < session.out.size();) {
    const size_t end = session.out.find("\r\n", at);
    const std::string line = session.out.substr(at, end - at);
    if (line.size() > 11 && strncasecmp(line.c_str(), "set-cookie:", 11) == 0)
      cookie = line;
    if (end == std::string::npos || line.empty()) break;
    at = end + 2;
  }
  EXPECT_NE(cookie.find("; Secure"), std::string::npos) << session.out;
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos) << session.out;
}

TEST_F(TlsTest, PlainHttpAndGarbageGetNoAnswerAndTheDaemonServesOn) {
  // A handshake cut short waits for the rest until the request timeout.
  ASSERT_EQ(Start({"--tls-cert-file=" + cert_file_,
                   "--tls-key-file=" + key_file_, "--request-timeout-ms=1000"}),
            "");
  HttpClient plain(daemon_->port(), std::chrono::seconds(5));
  HttpClient::Raw raw =
      plain.SendRaw("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  EXPECT_TRUE(raw.connected);
  EXPECT_TRUE(raw.closed) << "the daemon kept a plain-HTTP client waiting";
  EXPECT_EQ(raw.received.find("HTTP/"), std::string::npos) << raw.received;
  EXPECT_EQ(plain.Get("/healthz").status, 0);

  // A handshake record of nonsense, and bytes that are no record at all.
  const std::string hello_of_nonsense =
      std::string("\x16\x03\x01\x00\x20", 5) + std::string(32, '\xff');
  for (const std::string& bytes :
       {hello_of_nonsense, std::string(5000, '\0'), std::string("\x16")}) {
    HttpClient::Raw junk =
        HttpClient(daemon_->port(), std::chrono::seconds(15)).SendRaw(bytes);
    EXPECT_TRUE(junk.connected);
    EXPECT_TRUE(junk.closed);
    EXPECT_EQ(junk.received.find("HTTP/"), std::string::npos);
  }

  CurlResult health = Get("/healthz");
  EXPECT_EQ(health.exit_code, 0) << health.out;
  EXPECT_EQ(health.status(), 200) << health.out;
  // A client that does not trust the certificate gets nothing from it.
  CurlResult untrusted = Curl({Url("/healthz")});
  EXPECT_NE(untrusted.exit_code, 0) << untrusted.out;
  EXPECT_TRUE(daemon_->running());
  // Counted in the log (the first at once, then once a minute).
  EXPECT_NE(daemon_->Log().find("TLS handshake(s) failed"), std::string::npos);
}

TEST_F(TlsTest, TheHandshakeIsHeldToTheRequestTimeout) {
  ASSERT_EQ(
      Start({"--tls-cert-file=" + cert_file_, "--tls-key-file=" + key_file_,
             "--request-timeout-ms=300", "--idle-timeout-ms=60000"}),
      "");
  HttpClient::Raw silent =
      HttpClient(daemon_->port(), std::chrono::seconds(20)).SendRaw("");
  EXPECT_TRUE(silent.closed);
  EXPECT_LT(silent.elapsed, std::chrono::seconds(10));
  CurlResult health = Get("/healthz");
  EXPECT_EQ(health.status(), 200) << health.out;
}

TEST_F(TlsTest, OverMaxConnectionsTheClientGetsA503OverTls) {
  ASSERT_EQ(Start({"--tls-cert-file=" + cert_file_,
                   "--tls-key-file=" + key_file_, "--max-connections=1"}),
            "");
  auto held = std::make_unique<SilentConnection>(daemon_->port());
  ASSERT_TRUE(held->connected());
  // Once the daemon has accepted the silent connection, the next is over.
  const auto deadline = Clock::now() + std::chrono::seconds(20);
  CurlResult over;
  do {
    over = Get("/healthz");
  } while (over.status() != 503 && Clock::now() < deadline);
  EXPECT_EQ(over.status(), 503) << over.out;
  EXPECT_NE(over.out.find("max_connections"), std::string::npos) << over.out;

  held.reset();  // its slot comes back
  CurlResult health;
  do {
    health = Get("/healthz");
  } while (health.status() != 200 && Clock::now() < deadline);
  EXPECT_EQ(health.status(), 200) << health.out;
}

TEST_F(TlsTest, TheTlsTableOfTheConfigFileServesHttps) {
  const std::string config = Path("helpdeskd.toml");
  std::ofstream(config) << "[tls]\ncert_file = \"" << cert_file_
                        << "\"\nkey_file = \"" << key_file_ << "\"\n";
  ASSERT_EQ(Start({"--config=" + config}), "");
  CurlResult health = Get("/healthz");
  EXPECT_EQ(health.exit_code, 0) << health.out;
  EXPECT_EQ(health.status(), 200) << health.out;
}

// The start fails (exit status non-zero) and what it says names `named`.
#define EXPECT_START_FAILS(flags, named)                         \
  do {                                                           \
    const std::string error = Start(flags);                      \
    EXPECT_NE(error.find("exited during start-up (exit status"), \
              std::string::npos)                                 \
        << error;                                                \
    EXPECT_NE(error.find(named), std::string::npos) << error;    \
    EXPECT_FALSE(daemon_->running());                            \
  } while (false)

TEST_F(TlsTest, OneFileAloneIsAStartUpError) {
  EXPECT_START_FAILS(std::vector<std::string>{"--tls-cert-file=" + cert_file_},
                     "tls_key_file is not");
  EXPECT_START_FAILS(std::vector<std::string>{"--tls-key-file=" + key_file_},
                     "tls_cert_file is not");
}

TEST_F(TlsTest, AKeyOfAnotherCertificateIsAStartUpError) {
  Key other = NewEcKey();
  ASSERT_EQ(WriteKey(other.get(), Path("other-key.pem")), "");
  EXPECT_START_FAILS(
      (std::vector<std::string>{"--tls-cert-file=" + cert_file_,
                                "--tls-key-file=" + Path("other-key.pem")}),
      "does not match the certificate");
  // A key of another type sits beside the certificate in OpenSSL: found
  // all the same.
  Key rsa = NewRsaKey();
  ASSERT_EQ(WriteKey(rsa.get(), Path("rsa-key.pem")), "");
  EXPECT_START_FAILS(
      (std::vector<std::string>{"--tls-cert-file=" + cert_file_,
                                "--tls-key-file=" + Path("rsa-key.pem")}),
      "does not match the certificate");
}

TEST_F(TlsTest, MissingOrBadFilesAreStartUpErrors) {
  EXPECT_START_FAILS(
      (std::vector<std::string>{"--tls-cert-file=" + Path("missing.pem"),
                                "--tls-key-file=" + key_file_}),
      "cannot read tls_cert_file '" + Path("missing.pem") +
          "': No such file or directory");
  std::ofstream(Path("junk.pem")) << "not a certificate\n";
  EXPECT_START_FAILS(
      (std::vector<std::string>{"--tls-cert-file=" + Path("junk.pem"),
                                "--tls-key-file=" + key_file_}),
      "tls_cert_file '" + Path("junk.pem") + "' is not a PEM certificate");
  // The certificate given as the key.
  EXPECT_START_FAILS(
      (std::vector<std::string>{"--tls-cert-file=" + cert_file_,
                                "--tls-key-file=" + cert_file_}),
      "tls_key_file '" + cert_file_ + "' is not an unencrypted PEM private");
}

}  // namespace
}  // namespace helpdesk::testing
