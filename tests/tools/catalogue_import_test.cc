// `helpdeskctl catalogue export|import` against the real daemon: through
// its API and offline on its data directory. Each test has its own daemon
// (port 0, temporary data directory) and runs the real helpdeskctl binary.
// "Nothing changed" is checked against CatalogueSnapshot(): the event log's
// length, every ticket and the whole flat catalogue.

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/integration/fixture.h"
#include "tests/tools/ctl_runner.h"

namespace helpdesk::testing {
namespace {

class CtlImport : public DaemonTest {
 protected:
  void SetUp() override {
    DaemonTest::SetUp();
    // helpdeskctl's children act as the test desk's account.
    ::setenv("HELPDESK_TOKEN", ids_->Token(kDesk).c_str(), 1);
  }
  std::string Url() const {
    return "http://127.0.0.1:" + std::to_string(daemon_->port());
  }
  std::string Path(const std::string& name) const {
    return dir_.path() + "/" + name;
  }
  std::string Write(const std::string& name, const std::string& text) {
    std::ofstream(Path(name)) << text;
    return Path(name);
  }
  static std::string Read(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

  // Exports through the API into `name`; returns the file's text.
  std::string Export(const std::string& name) {
    CtlResult r =
        RunCtl({"catalogue", "export", "--url", Url(), "-o", Path(name)});
    EXPECT_EQ(r.exit_code, 0) << r.Describe();
    return Read(Path(name));
  }

  int CatalogueVersion() {
    return GetJson("/api/v1/catalogue?view=flat").value("version", -1);
  }

  // The first [[service]] of an exported file: its id, and the file with
  // that service's name changed to `name`.
  struct Edited {
    std::string id;
    std::string text;
  };
  static Edited RenameFirstService(const std::string& text,
                                   const std::string& name) {
    Edited out;
    const std::string head = "\n[[service]]\nid = \"";
    size_t at = text.find(head);
    EXPECT_NE(at, std::string::npos) << "no [[service]] in the export";
    if (at == std::string::npos) return out;
    size_t id_start = at + head.size();
    out.id = text.substr(id_start, text.find('"', id_start) - id_start);
    size_t name_at = text.find("\nname = \"", id_start) + 9;
    size_t name_end = text.find("\"\n", name_at);
    out.text = text.substr(0, name_at) + name + text.substr(name_end);
    return out;
  }

  // The file without its first [[service]] entry.
  static Edited DropFirstService(const std::string& text) {
    Edited out = RenameFirstService(text, "x");
    size_t at = text.find("\n[[service]]\n");
    size_t next = text.find("\n[[", at + 1);
    out.text = text.substr(0, at) +
               (next == std::string::npos ? "\n" : text.substr(next));
    return out;
  }
};

TEST_F(CtlImport, BrokenFileIsRefusedLocallyAndChangesNothing) {
  const std::string exported = Export("orig.toml");
  Edited first = RenameFirstService(exported, "Ny");
  // A second entry with the first one's id, an empty name and an unknown
  // SLA class, appended after the last line of the export.
  const int line =
      static_cast<int>(std::count(exported.begin(), exported.end(), '\n'));
  const std::string file =
      Write("broken.toml", exported + "\n[[service]]\nid = \"" + first.id +
                               "\"\nname = \"\"\nsla_class = \"gull\"\n");
  const std::string before = CatalogueSnapshot();
  CtlResult r = RunCtl({"catalogue", "import", file, "--url", Url()});
  EXPECT_EQ(r.exit_code, 1) << r.Describe();
  EXPECT_EQ(r.out, "") << r.Describe();
  const std::string at = file + ":" + std::to_string(line + 3) + ": ";
  EXPECT_NE(r.err.find(at + "duplicate service '" + first.id + "'"),
            std::string::npos)
      << "expected at " << at << "\n"
      << r.Describe();
  EXPECT_NE(r.err.find(file + ":" + std::to_string(line + 4) + ": service '" +
                       first.id + "' has an empty name"),
            std::string::npos)
      << r.Describe();
  EXPECT_NE(r.err.find(file + ":" + std::to_string(line + 5) + ": service '" +
                       first.id + "': unknown SLA class 'gull'"),
            std::string::npos)
      << r.Describe();
  EXPECT_NE(r.err.find("nothing was sent, nothing was changed"),
            std::string::npos)
      << r.Describe();
  EXPECT_EQ(CatalogueSnapshot(), before);
}

TEST_F(CtlImport, FileTheDaemonRefusesChangesNothing) {
  // Valid on its own, but services are never deleted: the daemon refuses.
  Edited dropped = DropFirstService(Export("orig.toml"));
  const std::string file = Write("dropped.toml", dropped.text);
  CtlResult local = RunCtl({"catalogue", "validate", file});
  ASSERT_EQ(local.exit_code, 0) << local.Describe();
  const std::string before = CatalogueSnapshot();
  CtlResult r = RunCtl({"catalogue", "import", file, "--url", Url()});
  EXPECT_EQ(r.exit_code, 1) << r.Describe();
  EXPECT_EQ(r.out, "") << r.Describe();
  // The daemon's error has no place in the file: it is reported at line 1.
  EXPECT_TRUE(r.err.starts_with(file + ":1: service '" + dropped.id +
                                "' is in the catalogue but not in the import"))
      << r.Describe();
  EXPECT_NE(r.err.find(file + " was refused (1 problem); nothing was changed"),
            std::string::npos)
      << r.Describe();
  EXPECT_EQ(CatalogueSnapshot(), before);
}

TEST_F(CtlImport, EditedExportIsImportedAsOneEvent) {
  const int version = CatalogueVersion();
  const size_t events = EventCount();
  const std::string exported = Export("orig.toml");
  ASSERT_NE(exported.find("\nversion = " + std::to_string(version) + "\n"),
            std::string::npos)
      << exported.substr(0, 800);
  Edited edited = RenameFirstService(exported, "Nytt navn på tjenesten");
  const std::string file = Write("edited.toml", edited.text);

  CtlResult r = RunCtl(
      {"catalogue", "import", file, "--url", Url(), "--actor", "kari.admin"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_EQ(r.out, "imported " + file + ": catalogue version " +
                       std::to_string(version) + " -> " +
                       std::to_string(version + 1) +
                       "\n  services changed (1): " + edited.id + "\n")
      << r.Describe();
  EXPECT_EQ(
      GetJson("/api/v1/catalogue/services/" + edited.id).value("name", ""),
      "Nytt navn på tjenesten");
  EXPECT_EQ(CatalogueVersion(), version + 1);
  std::vector<json> log = AllEvents();
  ASSERT_EQ(log.size(), events + 1);
  const json& e = log.back();
  // Through the API the actor is the token's account, whatever --actor
  // says (it names the offline importer only).
  EXPECT_EQ(e.value("actor", ""), kDesk) << e.dump();
  EXPECT_TRUE(e.value("requestId", "").starts_with("helpdeskctl-")) << e.dump();
  ASSERT_TRUE(e.contains("catalogueChanged")) << e.dump();
  EXPECT_EQ(e["catalogueChanged"].value("change", ""), "imported") << e.dump();
  EXPECT_EQ(e["catalogueChanged"].value("catalogueVersion", 0), version + 1);
  EXPECT_EQ(e["catalogueChanged"]["diff"]["servicesChanged"],
            json::array({edited.id}))
      << e.dump();

  // The same file again: already there, so nothing to do (and no conflict:
  // the version is checked only for an import that would change anything).
  const std::string after = CatalogueSnapshot();
  CtlResult again = RunCtl({"catalogue", "import", file, "--url", Url()});
  EXPECT_EQ(again.exit_code, 0) << again.Describe();
  EXPECT_EQ(again.out, "no changes: the catalogue already matches " + file +
                           " (version " + std::to_string(version + 1) + ")\n")
      << again.Describe();
  EXPECT_EQ(CatalogueSnapshot(), after);

  // The original export would undo the edit from a stale version: refused.
  CtlResult stale =
      RunCtl({"catalogue", "import", Path("orig.toml"), "--url", Url()});
  EXPECT_EQ(stale.exit_code, 1) << stale.Describe();
  EXPECT_EQ(stale.out, "") << stale.Describe();
  EXPECT_NE(stale.err.find("exported from catalogue version " +
                           std::to_string(version) +
                           ", and the catalogue has changed since (it is at "
                           "version " +
                           std::to_string(version + 1) + " now)"),
            std::string::npos)
      << stale.Describe();
  EXPECT_NE(stale.err.find("Export again and re-apply your edits"),
            std::string::npos)
      << stale.Describe();
  EXPECT_EQ(CatalogueSnapshot(), after);
}

TEST_F(CtlImport, UnchangedExportImportsAsNoChange) {
  const std::string file = Path("same.toml");
  const std::string exported = Export("same.toml");
  // Reading the data directory directly, while the daemon runs, gives the
  // same file as the API.
  CtlResult offline =
      RunCtl({"catalogue", "export", "--data-dir", daemon_->data_dir()});
  EXPECT_EQ(offline.exit_code, 0) << offline.Describe();
  EXPECT_EQ(offline.out, exported);

  const int version = CatalogueVersion();
  const std::string before = CatalogueSnapshot();
  CtlResult r = RunCtl({"catalogue", "import", file, "--url", Url()});
  EXPECT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_EQ(r.out, "no changes: the catalogue already matches " + file +
                       " (version " + std::to_string(version) + ")\n")
      << r.Describe();
  EXPECT_EQ(CatalogueSnapshot(), before);
}

TEST_F(CtlImport, OfflineImportOnlyWhileTheDaemonIsStopped) {
  const int version = CatalogueVersion();
  const size_t events = EventCount();
  // The log's last seq, whatever kind its events are.
  const json page = GetJson("/api/v1/events?limit=1000");
  const std::string last_seq = page.value("events", json::array()).empty()
                                   ? "0"
                                   : page["events"].back().value("seq", "0");
  Edited edited = RenameFirstService(Export("orig.toml"), "Endret offline");
  const std::string file = Write("edited.toml", edited.text);
  const std::string data = daemon_->data_dir();

  const std::string before = CatalogueSnapshot();
  CtlResult busy = RunCtl({"catalogue", "import", file, "--data-dir", data});
  EXPECT_EQ(busy.exit_code, 1) << busy.Describe();
  EXPECT_NE(busy.err.find("is in use by another process (pid " +
                          std::to_string(daemon_->pid()) + ")"),
            std::string::npos)
      << busy.Describe();
  EXPECT_EQ(CatalogueSnapshot(), before);

  ASSERT_EQ(daemon_->Terminate(), 0);
  CtlResult r = RunCtl(
      {"catalogue", "import", file, "--data-dir", data, "--actor", "ola"});
  EXPECT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_EQ(r.out, "imported " + file + ": catalogue version " +
                       std::to_string(version) + " -> " +
                       std::to_string(version + 1) +
                       "\n  services changed (1): " + edited.id + "\n")
      << r.Describe();

  ASSERT_EQ(daemon_->Start(), "");
  ids_->set_port(daemon_->port());
  client_ = NewClient();
  EXPECT_EQ(
      GetJson("/api/v1/catalogue/services/" + edited.id).value("name", ""),
      "Endret offline");
  EXPECT_EQ(CatalogueVersion(), version + 1);
  std::vector<json> log = AllEvents();
  ASSERT_EQ(log.size(), events + 1);
  EXPECT_EQ(log.back().value("actor", ""), "ola") << log.back().dump();
  EXPECT_EQ(log.back().value("seq", ""),
            std::to_string(std::stoull(last_seq) + 1));
  EXPECT_TRUE(log.back().value("requestId", "").starts_with("helpdeskctl-"));
  EXPECT_EQ(log.back()["catalogueChanged"].value("catalogueVersion", 0),
            version + 1);
}

TEST_F(CtlImport, DryRunAppliesNothing) {
  Edited edited = RenameFirstService(Export("orig.toml"), "Bare prøve");
  const std::string file = Write("edited.toml", edited.text);
  const int version = CatalogueVersion();
  const std::string expected =
      "dry run: importing " + file + " would change the catalogue (version " +
      std::to_string(version) + " -> " + std::to_string(version + 1) +
      "); nothing was changed:\n  services changed (1): " + edited.id + "\n";
  const std::string before = CatalogueSnapshot();
  CtlResult api =
      RunCtl({"catalogue", "import", file, "--url", Url(), "--dry-run"});
  EXPECT_EQ(api.exit_code, 0) << api.Describe();
  EXPECT_EQ(api.out, expected) << api.Describe();
  // Offline, a dry run only reads: it works while the daemon runs.
  CtlResult offline = RunCtl({"catalogue", "import", file, "--data-dir",
                              daemon_->data_dir(), "--dry-run"});
  EXPECT_EQ(offline.exit_code, 0) << offline.Describe();
  EXPECT_EQ(offline.out, expected) << offline.Describe();
  EXPECT_EQ(CatalogueSnapshot(), before);
}

}  // namespace
}  // namespace helpdesk::testing
