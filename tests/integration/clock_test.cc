// The standing test clock: with --clock-frozen the daemon's clock stays at
// --clock-start until POST /test/clock moves it, so tests that compare
// instants do not depend on how fast the machine is. Without the flag the
// path does not exist.

#include <string>
#include <vector>

#include "tests/integration/fixture.h"

namespace helpdesk::testing {
namespace {

class FrozenClock : public DaemonTest {
 protected:
  std::vector<std::string> Flags() override {
    std::vector<std::string> flags = DaemonTest::Flags();
    flags.push_back("--clock-frozen");
    return flags;
  }
};

TEST_F(FrozenClock, StandsStillUntilMovedAndOnlyForwards) {
  json first = Create();
  json second = Create();
  EXPECT_EQ(first["createdAt"], "2026-04-15T08:00:00Z");
  EXPECT_EQ(second["createdAt"], "2026-04-15T08:00:00Z");
  HttpResponse moved = client_->Post("/test/clock?at=2026-04-15T09:30:00Z", "");
  ASSERT_EQ(moved.status, 200) << moved.body;
  EXPECT_EQ(Parse(moved)["now"], "2026-04-15T09:30:00Z");
  EXPECT_EQ(Create()["createdAt"], "2026-04-15T09:30:00Z");
  // Never backwards: the log's instants only grow.
  ExpectProblem(client_->Post("/test/clock?at=2026-04-15T09:00:00Z", ""), 422,
                "/problems/invalid-field");
  ExpectProblem(client_->Post("/test/clock", ""), 400,
                "/problems/invalid-parameter");
  ExpectProblem(client_->Get("/test/clock"), 405,
                "/problems/method-not-allowed");
  EXPECT_EQ(Create()["createdAt"], "2026-04-15T09:30:00Z");
}

TEST_F(DaemonTest, WithoutTheFlagThereIsNoTestClock) {
  ExpectProblem(client_->Post("/test/clock?at=2026-04-15T09:30:00Z", ""), 404,
                "/problems/not-found");
}

TEST(ClockFlags, AFrozenClockNeedsAStart) {
  ScratchDir dir;
  DaemonProcess daemon(dir.path() + "/data", {"--clock-frozen"});
  const std::string why = daemon.Start();
  EXPECT_NE(why.find("clock_frozen needs clock_start"), std::string::npos)
      << why;
}

}  // namespace
}  // namespace helpdesk::testing
