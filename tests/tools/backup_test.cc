// `helpdeskctl backup` and `helpdeskctl restore`: a backup taken while
// clients write, restored into another directory, holds every ticket
// acknowledged before the backup began; the real binaries throughout, and
// the real daemon on the restored directory.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/daemon_process.h"
#include "tests/support/http_client.h"
#include "tests/support/identities.h"
#include "tests/support/scratch_dir.h"
#include "tests/tools/ctl_runner.h"

namespace helpdesk::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::string EpochIn(const std::string& out) {
  std::smatch m;
  return std::regex_search(out, m, std::regex("epoch ([0-9a-f]{32})"))
             ? m[1].str()
             : "";
}

// What a writer thread had acknowledged: ticket id -> title.
struct Acked {
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<std::pair<std::string, std::string>> tickets;  // guarded
  std::string failure;                                       // guarded
};

void Write(uint16_t port, const std::string& token, int writer,
           std::atomic<bool>& stop, Acked& acked) {
  HttpClient client(port, std::chrono::seconds(30));
  client.ActAs([token](const std::string&) { return token; }, "test.desk");
  static const char* kTowns[] = {"tinn", "rollag", "kongsberg", "notodden"};
  for (int n = 0; !stop.load(); ++n) {
    const std::string title =
        "Skriveren stopper " + std::to_string(writer) + "-" + std::to_string(n);
    HttpResponse r = client.Post("/api/v1/tickets",
                                 json{{"title", title},
                                      {"description", "Papirstopp i skuff 2."},
                                      {"municipality", kTowns[n % 4]},
                                      {"serviceId", "skrivere-og-utskrift"},
                                      {"reporter", "kari.nordmann"}}
                                     .dump());
    std::lock_guard lock(acked.mutex);
    if (r.status != 201) {
      acked.failure = "create answered " + std::to_string(r.status) + " " +
                      r.body + r.error;
      acked.changed.notify_all();
      return;
    }
    acked.tickets.emplace_back(json::parse(r.body).at("id").get<std::string>(),
                               title);
    acked.changed.notify_all();
  }
}

// Waits until `n` tickets are acknowledged (or a writer failed); false
// after 60 s.
bool WaitFor(Acked& acked, size_t n) {
  std::unique_lock lock(acked.mutex);
  return acked.changed.wait_for(lock, std::chrono::seconds(60), [&] {
    return acked.tickets.size() >= n || !acked.failure.empty();
  }) && acked.failure.empty();
}

TEST(CtlBackup, ABackupTakenUnderWriteLoadHoldsEveryAcknowledgedTicket) {
  ScratchDir dir;
  const std::string data = dir.path() + "/data";
  DaemonProcess daemon(data);
  ASSERT_EQ(daemon.Start(), "");
  const std::string token =
      Identities(daemon.data_dir(), daemon.port()).Token("test.desk");

  Acked acked;
  std::atomic<bool> stop{false};
  std::vector<std::thread> writers;
  for (int w = 0; w < 4; ++w)
    writers.emplace_back(Write, daemon.port(), token, w, std::ref(stop),
                         std::ref(acked));
  // Writes before, during and after the backup.
  ASSERT_TRUE(WaitFor(acked, 200)) << acked.failure;
  std::vector<std::pair<std::string, std::string>> before;
  {
    std::lock_guard lock(acked.mutex);
    before = acked.tickets;  // acknowledged before the backup began
  }
  const std::string file = dir.path() + "/nightly.mdb";
  CtlResult backup = RunCtl({"backup", "--data-dir", data, "--to", file},
                            std::chrono::seconds(60));
  size_t after_backup;
  {
    std::lock_guard lock(acked.mutex);
    after_backup = acked.tickets.size();
  }
  const bool more = WaitFor(acked, after_backup + 50);
  stop = true;
  for (auto& t : writers) t.join();
  ASSERT_TRUE(more) << acked.failure;
  ASSERT_EQ(backup.exit_code, 0) << backup.Describe();
  EXPECT_TRUE(Has(backup.out, "backup " + file + ": ")) << backup.Describe();
  // Writes went on while it was taken: it did not hold the writer.
  EXPECT_GT(after_backup, before.size()) << "no write was answered during "
                                            "the backup";
  EXPECT_EQ(fs::status(file).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_FALSE(fs::exists(file + ".partial"));
  const std::string original_epoch = EpochIn(backup.out);
  ASSERT_NE(original_epoch, "") << backup.Describe();

  // Restored into a directory of its own, checked, and served.
  const std::string restored = dir.path() + "/restored";
  CtlResult restore =
      RunCtl({"restore", "--from", file, "--data-dir", restored},
             std::chrono::seconds(60));
  ASSERT_EQ(restore.exit_code, 0) << restore.Describe();
  const std::string new_epoch = EpochIn(restore.out);
  EXPECT_NE(new_epoch, "") << restore.Describe();
  EXPECT_NE(new_epoch, original_epoch)
      << "a restored log must not pass for the original's";
  CtlResult check =
      RunCtl({"check", "--data-dir", restored}, std::chrono::seconds(60));
  EXPECT_EQ(check.exit_code, 0) << check.Describe();

  EXPECT_EQ(daemon.Terminate(), 0);
  DaemonProcess second(restored);
  ASSERT_EQ(second.Start(), "");
  HttpClient client(second.port());
  client.ActAs([token](const std::string&) { return token; }, "test.desk");
  size_t missing = 0;
  for (const auto& [id, title] : before) {
    HttpResponse r = client.Get("/api/v1/tickets/" + id);
    if (r.status != 200 || json::parse(r.body).value("title", "") != title) {
      if (++missing <= 5)
        ADD_FAILURE() << "acknowledged ticket " << id
                      << " not restored: " << r.status << " " << r.body;
    }
  }
  EXPECT_EQ(missing, 0u) << "of " << before.size();
  // A new ticket continues after the restored ones.
  HttpResponse created =
      client.Post("/api/v1/tickets", json{{"title", "Etter gjenoppretting"},
                                          {"description", "Ny sak."},
                                          {"municipality", "tinn"},
                                          {"serviceId", "skrivere-og-utskrift"},
                                          {"reporter", "kari.nordmann"}}
                                         .dump());
  EXPECT_EQ(created.status, 201) << created.body;
}

TEST(CtlBackup, RefusesWhatWouldLoseDataAndChangesNothing) {
  ScratchDir dir;
  const std::string data = dir.path() + "/data";
  DaemonProcess daemon(data);
  ASSERT_EQ(daemon.Start(), "");
  const std::string file = dir.path() + "/b.mdb";
  // What an interrupted backup left is cleared, never taken for a backup.
  fs::create_directories(file + ".partial");
  std::ofstream(file + ".partial/data.mdb") << "half a copy";
  CtlResult r = RunCtl({"backup", "--data-dir", data, "--to", file});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_FALSE(fs::exists(file + ".partial"));
  const auto size = fs::file_size(file);

  // Never over a backup.
  r = RunCtl({"backup", "--data-dir", data, "--to", file});
  EXPECT_EQ(r.exit_code, 1) << r.Describe();
  EXPECT_TRUE(Has(r.err, "never overwrites")) << r.Describe();
  EXPECT_EQ(fs::file_size(file), size);
  // No database there.
  r = RunCtl({"backup", "--data-dir", dir.path() + "/nothing", "--to",
              dir.path() + "/x.mdb"});
  EXPECT_EQ(r.exit_code, 2) << r.Describe();
  EXPECT_FALSE(fs::exists(dir.path() + "/x.mdb"));

  // Not under a running daemon.
  r = RunCtl({"restore", "--from", file, "--data-dir", data, "--replace"});
  EXPECT_EQ(r.exit_code, 1) << r.Describe();
  EXPECT_TRUE(Has(r.err, "stop the daemon first")) << r.Describe();
  EXPECT_FALSE(fs::exists(data + "/restore.partial"));
  EXPECT_EQ(daemon.Terminate(), 0);

  // Not over a database without --replace; with it, the old one is kept.
  r = RunCtl({"restore", "--from", file, "--data-dir", data});
  EXPECT_EQ(r.exit_code, 1) << r.Describe();
  EXPECT_TRUE(Has(r.err, "already holds a database")) << r.Describe();
  r = RunCtl({"restore", "--from", file, "--data-dir", data, "--replace"});
  EXPECT_EQ(r.exit_code, 0) << r.Describe();
  size_t kept = 0;
  for (const auto& e : fs::directory_iterator(data))
    kept += e.path().filename().string().starts_with("data.mdb.replaced-");
  EXPECT_EQ(kept, 1u);

  // Not what is no backup: nothing of it lands in the directory.
  const std::string junk = dir.path() + "/junk.mdb";
  std::ofstream(junk) << std::string(8192, 'x');
  const std::string empty = dir.path() + "/empty";
  r = RunCtl({"restore", "--from", junk, "--data-dir", empty});
  EXPECT_EQ(r.exit_code, 1) << r.Describe();
  EXPECT_TRUE(Has(r.err, "is not a helpdeskd backup")) << r.Describe();
  EXPECT_FALSE(fs::exists(empty + "/data.mdb"));
  EXPECT_FALSE(fs::exists(empty + "/restore.partial"));
}

}  // namespace
}  // namespace helpdesk::testing
