// `helpdeskctl user` and `helpdeskctl token` against the real daemon
// (through its admin API, as the admin's session in $HELPDESK_TOKEN) and
// offline on its stopped data directory: what they make is checked by
// logging in over HTTP, as a person or a screen would.

#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "tests/integration/fixture.h"
#include "tests/tools/ctl_runner.h"

namespace helpdesk::testing {
namespace {

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// The first line of `text`, without its newline.
std::string FirstLine(const std::string& text) {
  return text.substr(0, text.find('\n'));
}

class CtlIdentity : public DaemonTest {
 protected:
  void SetUp() override {
    DaemonTest::SetUp();
    ::setenv("HELPDESK_TOKEN", ids_->Token("admin").c_str(), 1);
  }
  void TearDown() override {
    ::unsetenv("HELPDESK_TOKEN");
    DaemonTest::TearDown();
  }
  std::string Url() const {
    return "http://127.0.0.1:" + std::to_string(daemon_->port());
  }

  CtlResult Ctl(std::vector<std::string> args, const std::string& input = "") {
    args.push_back("--url");
    args.push_back(Url());
    return RunCtl(args, std::chrono::seconds(20), input);
  }
  CtlResult Offline(std::vector<std::string> args) {
    args.push_back("--data-dir");
    args.push_back(daemon_->data_dir());
    return RunCtl(args);
  }

  // POST /api/v1/session with no credential: the status, and the token.
  int Login(const std::string& account, const std::string& password,
            std::string* token = nullptr) {
    HttpClient c(daemon_->port());
    HttpResponse r =
        c.Post("/api/v1/session",
               json{{"account", account}, {"password", password}}.dump());
    if (token != nullptr && r.status == 201)
      *token = Parse(r).value("token", "");
    return r.status;
  }

  // GET /api/v1/session with `token` as the bearer.
  int WhoAmI(const std::string& token) {
    HttpClient c(daemon_->port());
    return c.Get("/api/v1/session", {{"Authorization", "Bearer " + token}})
        .status;
  }

  // Adds `id` as an agent; its printed password.
  std::string AddAgent(const std::string& id) {
    CtlResult r =
        Ctl({"user", "add", id, "--name", "Test Testesen", "--role", "agent"});
    EXPECT_EQ(r.exit_code, 0) << r.Describe();
    return FirstLine(r.out);
  }

  void Restart() {
    daemon_ = std::make_unique<DaemonProcess>(daemon_->data_dir(), Flags());
    ASSERT_EQ(daemon_->Start(), "");
  }

  std::string WriteFile(const std::string& name, const std::string& text) {
    const std::string path = dir_.path() + "/" + name;
    std::ofstream(path) << text;
    return path;
  }
};

TEST_F(CtlIdentity, AddedUserLogsInWithThePrintedPassword) {
  const std::string password = AddAgent("tove.test");
  EXPECT_EQ(password.size(), 20u) << password;
  EXPECT_EQ(Login("tove.test", password), 201);
  EXPECT_EQ(Login("tove.test", password + "x"), 401);

  CtlResult list = Ctl({"user", "list"});
  ASSERT_EQ(list.exit_code, 0) << list.Describe();
  EXPECT_TRUE(Contains(list.out, "ROLES")) << list.out;
  std::string row;
  std::istringstream in(list.out);
  for (std::string line; std::getline(in, line);)
    if (line.starts_with("tove.test ")) row = line;
  EXPECT_TRUE(Contains(row, "Test Testesen") && Contains(row, "agent") &&
              Contains(row, "set"))
      << list.out;
  EXPECT_FALSE(Contains(list.out, password));

  // Again: refused, naming the account.
  CtlResult again =
      Ctl({"user", "add", "tove.test", "--name", "X", "--role", "agent"});
  EXPECT_EQ(again.exit_code, 1) << again.Describe();
  EXPECT_TRUE(Contains(again.err, "tove.test")) << again.err;
}

TEST_F(CtlIdentity, PasswordFromStandardInput) {
  const std::string file = WriteFile("pw", "et langt nok passord\n");
  CtlResult r =
      Ctl({"user", "add", "per.test", "--name", "Per", "--role", "employee",
           "--municipality", "rollag", "--password-stdin"},
          file);
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_FALSE(Contains(r.out, "et langt nok passord")) << r.out;
  EXPECT_EQ(Login("per.test", "et langt nok passord"), 201);

  CtlResult shortpw = Ctl({"user", "add", "ola.test", "--name", "Ola", "--role",
                           "agent", "--password-stdin"},
                          WriteFile("short", "kort\n"));
  EXPECT_EQ(shortpw.exit_code, 2) << shortpw.Describe();
  EXPECT_TRUE(Contains(shortpw.err, "12 to 1024")) << shortpw.err;
}

TEST_F(CtlIdentity, EmployeeWithoutMunicipalityIsRefused) {
  CtlResult r =
      Ctl({"user", "add", "eva.test", "--name", "Eva", "--role", "employee"});
  EXPECT_EQ(r.exit_code, 1) << r.Describe();
  EXPECT_TRUE(Contains(r.err, "--municipality")) << r.err;
  EXPECT_TRUE(Contains(r.err, "nothing was changed")) << r.err;
}

TEST_F(CtlIdentity, DisabledUserCannotLogIn) {
  const std::string password = AddAgent("dina.test");
  std::string session;
  ASSERT_EQ(Login("dina.test", password, &session), 201);
  CtlResult r = Ctl({"user", "disable", "dina.test"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_EQ(Login("dina.test", password), 401);
  EXPECT_EQ(WhoAmI(session), 401);
  CtlResult again = Ctl({"user", "disable", "dina.test"});
  EXPECT_EQ(again.exit_code, 0) << again.Describe();
  EXPECT_TRUE(Contains(again.out, "already disabled")) << again.out;

  CtlResult nobody = Ctl({"user", "disable", "ingen.test"});
  EXPECT_EQ(nobody.exit_code, 1) << nobody.Describe();
  EXPECT_TRUE(Contains(nobody.err, "ingen.test")) << nobody.err;
}

TEST_F(CtlIdentity, ResetPasswordReplacesTheOldOne) {
  const std::string old_password = AddAgent("rolf.test");
  std::string session;
  ASSERT_EQ(Login("rolf.test", old_password, &session), 201);
  CtlResult r = Ctl({"user", "reset-password", "rolf.test"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  const std::string new_password = FirstLine(r.out);
  EXPECT_NE(new_password, old_password);
  EXPECT_EQ(Login("rolf.test", old_password), 401);
  EXPECT_EQ(Login("rolf.test", new_password), 201);
  EXPECT_EQ(WhoAmI(session), 401) << "the old session ended";
}

TEST_F(CtlIdentity, RolesAreReplaced) {
  AddAgent("rita.test");
  CtlResult r = Ctl({"user", "roles", "rita.test", "--role", "dispatcher",
                     "--role", "admin"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  json a = GetJson("/api/v1/accounts/rita.test");
  EXPECT_EQ(a.value("roles", json::array()), (json{"dispatcher", "admin"}))
      << a.dump();

  CtlResult employee = Ctl({"user", "roles", "rita.test", "--role", "employee",
                            "--municipality", "kongsberg"});
  ASSERT_EQ(employee.exit_code, 0) << employee.Describe();
  a = GetJson("/api/v1/accounts/rita.test");
  EXPECT_EQ(a.value("roles", json::array()), (json{"employee"})) << a.dump();
  EXPECT_EQ(a.value("municipality", ""), "kongsberg") << a.dump();
}

TEST_F(CtlIdentity, TokenWorksUntilRevoked) {
  AddAgent("skjerm.test");
  CtlResult made = Ctl({"token", "create", "--account", "skjerm.test", "--name",
                        "Veggskjerm driftsrommet", "--days", "30"});
  ASSERT_EQ(made.exit_code, 0) << made.Describe();
  const std::string token = FirstLine(made.out);
  ASSERT_TRUE(token.starts_with("hdt_")) << made.out;
  EXPECT_EQ(WhoAmI(token), 200);

  CtlResult list = Ctl({"token", "list", "--account", "skjerm.test"});
  ASSERT_EQ(list.exit_code, 0) << list.Describe();
  EXPECT_TRUE(Contains(list.out, "Veggskjerm driftsrommet")) << list.out;
  EXPECT_FALSE(Contains(list.out, token)) << list.out;
  EXPECT_FALSE(Contains(list.out, "hdt_")) << list.out;
  std::string id;
  std::istringstream in(list.out);
  for (std::string line; std::getline(in, line);)
    if (Contains(line, "Veggskjerm")) id = line.substr(0, line.find(' '));
  ASSERT_TRUE(id.starts_with("c-")) << list.out;

  CtlResult revoked = Ctl({"token", "revoke", id});
  ASSERT_EQ(revoked.exit_code, 0) << revoked.Describe();
  EXPECT_EQ(WhoAmI(token), 401);
  CtlResult again = Ctl({"token", "revoke", id});
  EXPECT_EQ(again.exit_code, 1) << again.Describe();
}

TEST_F(CtlIdentity, WithoutAnAdminTokenTheDaemonRefuses) {
  ::unsetenv("HELPDESK_TOKEN");
  CtlResult r = Ctl({"user", "list"});
  EXPECT_EQ(r.exit_code, 1) << r.Describe();
  EXPECT_TRUE(Contains(r.err, "HELPDESK_TOKEN")) << r.err;
}

TEST_F(CtlIdentity, OfflineResetPasswordOfTheAdminWhileStopped) {
  // Refused while the daemon holds the directory.
  CtlResult running = Offline({"user", "reset-password", "admin"});
  EXPECT_EQ(running.exit_code, 1) << running.Describe();
  EXPECT_TRUE(Contains(running.err, "stop the daemon")) << running.err;

  ASSERT_EQ(daemon_->Terminate(), 0);
  CtlResult r = Offline({"user", "reset-password", "admin"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  const std::string password = FirstLine(r.out);
  CtlResult added = Offline(
      {"user", "add", "ny.admin", "--name", "Ny Admin", "--role", "admin"});
  ASSERT_EQ(added.exit_code, 0) << added.Describe();
  CtlResult token = Offline(
      {"token", "create", "--account", "ny.admin", "--name", "Integrasjon"});
  ASSERT_EQ(token.exit_code, 0) << token.Describe();
  CtlResult list = Offline({"user", "list"});
  ASSERT_EQ(list.exit_code, 0) << list.Describe();
  EXPECT_TRUE(Contains(list.out, "ny.admin")) << list.out;

  Restart();
  EXPECT_EQ(Login("admin", password), 201);
  EXPECT_EQ(Login("ny.admin", FirstLine(added.out)), 201);
  EXPECT_EQ(WhoAmI(FirstLine(token.out)), 200);
}

}  // namespace
}  // namespace helpdesk::testing
