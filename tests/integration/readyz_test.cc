// /healthz says the process lives; /readyz says whether writes can go
// through: 503 with why while the store cannot write (a full disk, a map
// full at its limit), 200 again once a write commits. A full disk is its
// own 507, naming the disk and what to do.

#include <memory>
#include <string>
#include <vector>

#include "tests/integration/fixture.h"
#include "tests/support/filler.h"
#include "tests/support/small_disk.h"

namespace helpdesk::testing {
namespace {

// Creates tickets with a large description until one is refused; returns
// that answer (or the last 201 after `most`).
HttpResponse FillUntilRefused(HttpClient& client, const json& ticket,
                              int most = 2000) {
  HttpResponse last;
  for (int i = 0; i < most; ++i) {
    json body = ticket;
    body["title"] = "Full " + std::to_string(i);
    body["description"] = testing::Incompressible(15000, i + 1);
    last = client.Post("/api/v1/tickets", body.dump());
    if (last.status != 201) break;
  }
  return last;
}

std::string Detail(const HttpResponse& r) {
  json p = json::parse(r.body, nullptr, false);
  return p.is_object() ? p.value("detail", "") : "";
}

TEST_F(DaemonTest, ReadyzIsReadyWhenWritesGoThrough) {
  HttpResponse r = client_->Get("/readyz");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Parse(r)["status"], "ready");
  EXPECT_EQ(GetJson("/healthz")["status"], "ok");
}

// The data directory on a small disk of its own (a tmpfs the daemon sees:
// it is forked from the thread that mounted it).
class DiskFull : public DaemonTest {
 protected:
  void SetUp() override {
    disk_ =
        std::make_unique<SmallDisk>(dir_.path() + "/disk", size_t{32} << 20);
    if (!disk_->ok()) GTEST_SKIP() << disk_->error();
    daemon_ = std::make_unique<DaemonProcess>(disk_->path() + "/data", Flags());
    ASSERT_EQ(daemon_->Start(), "");
    ids_ = std::make_unique<Identities>(daemon_->data_dir(), daemon_->port());
    Reconnect();
  }
  void TearDown() override {
    DaemonTest::TearDown();
    if (daemon_) daemon_->Kill9();
  }
  std::unique_ptr<SmallDisk> disk_;
};

TEST_F(DiskFull, IsItsOwn507AndReadyzSaysSoUntilAWriteCommits) {
  ASSERT_EQ(client_->Get("/readyz").status, 200);
  disk_->Fill();
  HttpResponse refused = FillUntilRefused(*client_, GoodTicket());
  ExpectProblem(refused, 507, "/problems/disk-full");
  const std::string detail = Detail(refused);
  EXPECT_NE(detail.find("the disk holding " + disk_->path() + "/data is full"),
            std::string::npos)
      << detail;
  EXPECT_NE(detail.find("bytes free"), std::string::npos) << detail;
  EXPECT_NE(detail.find("nothing was written"), std::string::npos) << detail;

  HttpResponse ready = client_->Get("/readyz");
  ExpectProblem(ready, 503, "/problems/not-ready");
  EXPECT_NE(Detail(ready).find("the disk holding"), std::string::npos)
      << ready.body;
  EXPECT_EQ(GetJson("/healthz")["status"], "ok") << "alive all the same";

  // The operator frees space: the next write commits, and it is ready.
  disk_->Free();
  Create();
  EXPECT_EQ(client_->Get("/readyz").status, 200);
}

class MapFull : public DaemonTest {
 protected:
  std::vector<std::string> Flags() override {
    std::vector<std::string> flags = DaemonTest::Flags();
    for (const char* f : {"--map-size-mb", "1", "--max-map-size-mb", "1"})
      flags.push_back(f);
    return flags;
  }
};

TEST_F(MapFull, AtTheLimitTheAnswerNamesTheSettingAndReadyzSaysNotReady) {
  HttpResponse refused = FillUntilRefused(*client_, GoodTicket());
  ExpectProblem(refused, 507, "/problems/storage-full");
  EXPECT_NE(Detail(refused).find("max_map_size_mb"), std::string::npos)
      << refused.body;
  HttpResponse ready = client_->Get("/readyz");
  ExpectProblem(ready, 503, "/problems/not-ready");
  EXPECT_NE(Detail(ready).find("max_map_size_mb"), std::string::npos)
      << ready.body;
  EXPECT_EQ(GetJson("/healthz")["status"], "ok");
  // Restarted with room to grow, it is ready and writes again.
  client_.reset();
  ASSERT_EQ(daemon_->Terminate(), 0);
  DaemonProcess roomier(
      daemon_->data_dir(),
      {std::string("--clock-start=") + kClockStart, "--max-map-size-mb", "8"});
  ASSERT_EQ(roomier.Start(), "");
  ids_->set_port(roomier.port());
  auto c = NewClient(roomier.port());
  EXPECT_EQ(c->Get("/readyz").status, 200);
  EXPECT_EQ(FillUntilRefused(*c, GoodTicket(), 1).status, 201);
}

}  // namespace
}  // namespace helpdesk::testing
