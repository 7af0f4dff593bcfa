// helpdeskd: wiring only. Reads the settings, opens the store, starts the
// writer, the desk's sweeper and the HTTP server, and stops them in order
// on SIGINT/SIGTERM.

#include <fcntl.h>
#include <google/protobuf/util/time_util.h>
#include <gperftools/malloc_extension.h>
#include <pthread.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <cstdio>
#include <fstream>
#include <future>
#include <memory>
#include <thread>
#include <vector>

#include "daemon/auth/secrets.h"
#include "daemon/config/config.h"
#include "daemon/desk/desk.h"
#include "daemon/desk/sweeper.h"
#include "daemon/dispatch/roster.h"
#include "daemon/http/api.h"
#include "daemon/http/metrics.h"
#include "daemon/http/server.h"
#include "daemon/live/filter.h"
#include "daemon/live/hub.h"
#include "daemon/live/stream.h"
#include "daemon/pager/channels.h"
#include "daemon/pager/sender.h"
#include "daemon/seed/seed.h"
#include "daemon/service/notify.h"
#include "daemon/store/dir_lock.h"
#include "daemon/store/lmdb.h"
#include "daemon/store/tables.h"
#include "daemon/store/writer.h"
#include "proto/wire_names.h"
#include "sla/oslo_time.h"

namespace {

using helpdesk::Status;

int Fail(const Status& s, const char* what) {
  spdlog::critical("{}: {}", what, s.message());
  return 1;
}

// Written via a temporary file and rename, so a reader never sees half.
Status WritePortFile(const std::string& path, uint16_t port) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << port << "\n";
    if (!out.flush()) return Status::Internal("cannot write " + tmp);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0)
    return Status::Internal("cannot rename " + tmp + " to " + path);
  return Status::Ok();
}

// Raises the soft file descriptor limit to the hard one, as far as the
// kernel lets an unprivileged process, and returns the soft limit then in
// force (RLIM_INFINITY: none).
rlim_t RaiseFdLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return RLIM_INFINITY;
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  return limit.rlim_cur;
}

// The file holding the first start's passwords, in the data directory.
constexpr char kCredentialsFile[] = "first-start-credentials.txt";

// On the first start (no account yet): the first admin and the demo
// accounts, their passwords written to an owner-only file (mode 0600)
// before the accounts are committed, so a password is never stored
// without the file that tells it.
// The lines of `path` (a file of secrets), trimmed, but for empty ones and
// comments ('#').
helpdesk::StatusOr<std::vector<std::string>> ReadLines(const std::string& path,
                                                       const char* setting) {
  std::ifstream in(path);
  if (!in)
    return helpdesk::Status::InvalidField(
        setting, std::string(setting) + ": cannot read '" + path + "'");
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' '))
      line.pop_back();
    while (!line.empty() && line.front() == ' ') line.erase(0, 1);
    if (!line.empty() && line.front() != '#') lines.push_back(line);
  }
  return lines;
}

// [paging] as the desk and the sender take it; files read, secrets checked.
helpdesk::Status BuildPaging(const helpdesk::config::Config& c,
                             helpdesk::paging::Setup& setup,
                             helpdesk::paging::SenderOptions& sender) {
  using helpdesk::Status;
  namespace paging = helpdesk::paging;
  setup.options.escalate_after =
      std::chrono::minutes(c.paging_escalate_minutes);
  setup.options.give_up_after = std::chrono::hours(c.paging_give_up_hours);
  setup.options.public_url = c.paging_public_url;
  while (!setup.options.public_url.empty() &&
         setup.options.public_url.back() == '/')
    setup.options.public_url.pop_back();
  setup.dispatchers = helpdesk::live::SplitList(c.paging_dispatchers);
  sender.public_url = setup.options.public_url;
  sender.wall_seconds = [] {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  };
  if (!c.paging_smtp_url.empty()) {
    paging::SmtpOptions o;
    o.url = c.paging_smtp_url;
    o.from = c.paging_smtp_from;
    o.username = c.paging_smtp_username;
    if (!c.paging_smtp_password_file.empty()) {
      auto lines =
          ReadLines(c.paging_smtp_password_file, "paging_smtp_password_file");
      if (!lines.ok()) return lines.status();
      if (lines->empty())
        return Status::InvalidField("paging_smtp_password_file",
                                    "paging_smtp_password_file '" +
                                        c.paging_smtp_password_file +
                                        "' holds no password");
      o.password = lines->front();
    }
    o.tls = c.paging_smtp_tls == "require" ? paging::SmtpOptions::Tls::kRequire
            : c.paging_smtp_tls == "none"  ? paging::SmtpOptions::Tls::kNone
                                           : paging::SmtpOptions::Tls::kTry;
    o.ca_file = c.paging_smtp_ca_file;
    if (Status s = paging::CheckSmtpOptions(o); !s.ok()) return s;
    sender.email = std::move(o);
    sender.email_to = c.paging_smtp_to;
    setup.channels.email = true;
  }
  if (!c.paging_webhook_url.empty()) {
    paging::WebhookOptions o;
    o.url = c.paging_webhook_url;
    auto lines =
        ReadLines(c.paging_webhook_secrets_file, "paging_webhook_secrets_file");
    if (!lines.ok()) return lines.status();
    o.secrets = std::move(*lines);
    o.ca_file = c.paging_webhook_ca_file;
    if (Status s = paging::CheckWebhookOptions(o); !s.ok()) return s;
    sender.webhook = std::move(o);
    setup.channels.webhook = true;
  }
  return Status::Ok();
}

Status MakeFirstAccounts(helpdesk::desk::Desk& desk, const std::string& dir) {
  auto plan = desk.PlanFirstAccounts();
  if (!plan.ok()) return plan.status();
  if (plan->empty()) return Status::Ok();
  const std::string path = dir + "/" + kCredentialsFile;
  const std::string tmp = path + ".tmp";
  std::string text =
      "# helpdeskd: the accounts made on the first start, with their\n"
      "# passwords. Log in (POST /api/v1/session), then change them\n"
      "# (helpdeskctl user reset-password) and delete this file.\n"
      "# account\troles\tpassword\n";
  for (const auto& f : *plan) {
    std::string roles;
    for (int r : f.account.roles())
      roles += (roles.empty() ? "" : ",") +
               helpdesk::proto::WireName(static_cast<helpdesk::v1::Role>(r));
    text += f.account.id() + "\t" + roles + "\t" + f.password + "\n";
  }
  {
    // A fresh file of our own: not one someone placed there (a link).
    ::unlink(tmp.c_str());
    const int fd =
        ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0600);
    if (fd < 0) return Status::Internal("cannot create " + tmp);
    ::fchmod(fd, 0600);  // whatever the umask
    const bool written = ::write(fd, text.data(), text.size()) ==
                             static_cast<ssize_t>(text.size()) &&
                         ::fsync(fd) == 0;
    ::close(fd);
    if (!written) return Status::Internal("cannot write " + tmp);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0)
    return Status::Internal("cannot rename " + tmp + " to " + path);
  std::promise<helpdesk::StatusOr<size_t>> made;
  desk.MakeFirstAccounts(
      std::move(*plan),
      [&made](helpdesk::StatusOr<size_t> n) { made.set_value(std::move(n)); });
  auto n = made.get_future().get();
  if (!n.ok()) return n.status();
  if (*n > 0)
    spdlog::warn(
        "first start: made the admin account 'admin' and {} demo accounts; "
        "their passwords are in {} (readable only by this user): log in, "
        "change them, and delete the file",
        *n - 1, path);
  return Status::Ok();
}

}  // namespace

int main(int argc, char** argv) {
  namespace asio = boost::asio;
  using namespace helpdesk;

  auto parsed = config::Load(argc, argv);
  if (!parsed.ok()) {
    std::fprintf(stderr, "helpdeskd: %s\nTry 'helpdeskd --help'.\n",
                 parsed.status().message().c_str());
    return 2;
  }
  if (auto* print = std::get_if<config::PrintAndExit>(&*parsed)) {
    std::fputs(print->text.c_str(), stdout);
    return 0;
  }
  const config::Config c = std::get<config::Config>(*parsed);
  auto password_cost = auth::ParsePasswordCost(c.password_cost);
  if (!password_cost.ok()) {
    std::fprintf(stderr, "helpdeskd: %s\nTry 'helpdeskd --help'.\n",
                 password_cost.status().message().c_str());
    return 2;
  }

  spdlog::set_default_logger(service::MakeLogger("helpdeskd"));
  spdlog::set_level(spdlog::level::from_str(c.log_level));
  // Every connection holds a file descriptor: past the limit accept() fails
  // and the client would wait instead of getting its 503.
  const rlim_t fd_limit = RaiseFdLimit();
  const uint64_t max_connections =
      fd_limit == RLIM_INFINITY
          ? c.max_connections
          : config::EffectiveMaxConnections(c.max_connections, fd_limit);
  spdlog::info(
      "file descriptor limit {}, max_connections {}",
      fd_limit == RLIM_INFINITY ? "unlimited" : std::to_string(fd_limit),
      max_connections);
  if (max_connections < c.max_connections) {
    spdlog::warn(
        "max_connections {} is more than the file descriptor limit of {} "
        "allows; using {} (raise the limit, e.g. LimitNOFILE= or ulimit -n, "
        "for more)",
        c.max_connections, fd_limit, max_connections);
  }

  if (Status s = auth::Init(); !s.ok()) return Fail(s, "starting libsodium");
  auto demo_region = seed::DemoRegion();
  if (!demo_region.ok()) return Fail(demo_region.status(), "demo region");
  auto default_catalogue = seed::DefaultCatalogue(*demo_region);
  if (!default_catalogue.ok())
    return Fail(default_catalogue.status(), "built-in catalogue");
  if (Status tz = sla::CheckOsloZone(); !tz.ok()) return Fail(tz, "time zone");
  std::vector<std::string> municipality_ids;
  for (const auto& m : demo_region->municipalities())
    municipality_ids.push_back(m.id());
  dispatch::Options dispatch_options{
      .travel_fallback = c.travel_fallback,
      .max_travel_minutes = c.max_travel_minutes,
      .travel = c.travel.empty() ? seed::DemoTravelTimes() : c.travel,
      .vakt_critical = c.vakt_critical,
      // Checked by config::Load.
      .vakt_high = dispatch::VaktHighNamed(c.vakt_high)
                       .value_or(dispatch::VaktHigh::kBusinessCritical),
      .familiar_margin = c.familiar_margin,
      .familiar_margin_on_site = c.familiar_margin_on_site};
  if (Status s =
          config::CheckTravelTable(dispatch_options.travel, municipality_ids);
      !s.ok())
    return Fail(s, "the [[dispatch.travel]] table");
  auto sla_policy = config::BuildPolicy(c.sla);
  if (!sla_policy.ok()) return Fail(sla_policy.status(), "the [sla] policy");

  // The clock of every write (one reading per batch) and of reads.
  // With --clock-start it begins at the given instant and runs on at the
  // steady clock's pace (tests and drills of a Monday morning or a night).
  std::chrono::microseconds offset{0};
  int64_t start_us = 0;
  if (!c.clock_start.empty()) {
    google::protobuf::Timestamp start;
    if (!google::protobuf::util::TimeUtil::FromString(c.clock_start, &start)) {
      std::fprintf(stderr,
                   "helpdeskd: --clock-start '%s' is not an RFC 3339 time "
                   "such as 2026-04-15T08:00:00Z\n",
                   c.clock_start.c_str());
      return 2;
    }
    start_us = google::protobuf::util::TimeUtil::TimestampToMicroseconds(start);
    offset =
        std::chrono::microseconds(
            google::protobuf::util::TimeUtil::TimestampToMicroseconds(start)) -
        std::chrono::duration_cast<std::chrono::microseconds>(
            std::chrono::system_clock::now().time_since_epoch());
  }
  store::NowFn now = [offset] {
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                  std::chrono::system_clock::now().time_since_epoch()) +
              offset;
    return google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(
        us.count());
  };
  // --clock-frozen (tests): the clock stands at --clock-start until POST
  // /test/clock moves it, forwards only (the log's instants never go back).
  http::Api::MoveClock move_clock;
  // POST /test/clock moves the clock for anyone who can reach the port:
  // a test's, never a listener others can reach.
  if (c.clock_frozen && c.listen != "127.0.0.1" && c.listen != "::1" &&
      c.listen != "localhost") {
    std::fprintf(stderr,
                 "helpdeskd: --clock-frozen is for tests on the loopback "
                 "address only (--listen is '%s')\n",
                 c.listen.c_str());
    return 2;
  }
  if (c.clock_frozen) {
    auto frozen = std::make_shared<std::atomic<int64_t>>(start_us);
    now = [frozen] {
      return google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(
          frozen->load());
    };
    move_clock = [frozen](const google::protobuf::Timestamp& to) {
      const int64_t us =
          google::protobuf::util::TimeUtil::TimestampToMicroseconds(to);
      int64_t at = frozen->load();
      while (at <= us && !frozen->compare_exchange_weak(at, us)) {
      }
      if (at > us) {
        return Status::InvalidField(
            "at",
            "the clock stands at " +
                google::protobuf::util::TimeUtil::ToString(
                    google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(
                        at)) +
                " and only moves forwards");
      }
      return Status::Ok();
    };
  }
  // A new database starts with the demo staff and two years of weekly
  // vakt shifts from last week's Monday: shifts hand over on Mondays at
  // 08:00, so one started this Monday would leave the early hours of a
  // Monday start without a vakt.
  auto demo_staff = seed::DemoStaff(*demo_region, *default_catalogue);
  if (!demo_staff.ok()) return Fail(demo_staff.status(), "demo staff");
  const auto today = sla::ToOslo(std::chrono::sys_seconds(
                                     std::chrono::seconds(now().seconds())))
                         .day;
  const auto monday =
      today - (date::weekday(today) - date::Monday) - date::weeks(1);
  auto demo_rota = seed::DemoRota(*demo_staff, monday, 105);
  if (!demo_rota.ok()) return Fail(demo_rota.status(), "demo vakt rota");

  auto lock = store::DirLock::Acquire(c.data_dir);
  if (!lock.ok()) return Fail(lock.status(), "locking the data directory");
  auto env = store::Env::Open(
      {.dir = c.data_dir, .map_size = c.map_size_mb << 20, .max_dbs = 32});
  if (!env.ok()) return Fail(env.status(), "opening the database");
  auto tables = store::OpenTables(*env,
                                  {.region = *demo_region,
                                   .catalogue = *default_catalogue,
                                   .staff = *demo_staff,
                                   .rota = *demo_rota},
                                  c.max_map_size_mb << 20);
  if (!tables.ok()) return Fail(tables.status(), "opening the tables");
  StatusOr<v1::Region> region = [&]() -> StatusOr<v1::Region> {
    auto txn = store::Txn::BeginRead(*env);
    if (!txn.ok()) return txn.status();
    return store::LoadRegion(*txn, *tables);
  }();
  if (!region.ok()) return Fail(region.status(), "loading the region");

  store::Writer writer(*env, *tables,
                       {.queue_capacity = c.writer_queue,
                        .max_batch = c.writer_max_batch,
                        .max_map_size = c.max_map_size_mb << 20},
                       now);
  paging::Setup paging_setup;
  paging::SenderOptions sender_options;
  if (Status s = BuildPaging(c, paging_setup, sender_options); !s.ok())
    return Fail(s, "the [paging] settings");
  if (Status s = paging::InitChannels(); !s.ok())
    return Fail(s, "setting up the paging channels");
  // The live hub and the pager are told of each commit once they run.
  std::atomic<live::Hub*> live_hub{nullptr};
  std::atomic<paging::Sender*> pager{nullptr};
  writer.OnCommitted([&live_hub, &pager](uint64_t seq) {
    if (live::Hub* hub = live_hub.load(std::memory_order_acquire))
      hub->Committed(seq);
    if (paging::Sender* p = pager.load(std::memory_order_acquire)) p->Wake();
  });
  if (Status s = writer.Start(); !s.ok()) return Fail(s, "starting the writer");

  desk::Desk desk(*env, *tables, writer,
                  {.region = *region,
                   .dispatch = std::move(dispatch_options),
                   .sla_policy = std::move(*sla_policy),
                   .now = now,
                   .password_cost = *password_cost,
                   .session_lifetime = std::chrono::hours(c.session_hours),
                   .max_sessions = c.max_sessions,
                   .retention_months = c.retention_months,
                   .paging = std::move(paging_setup),
                   .release_memory = [] {
                     MallocExtension::instance()->ReleaseFreeMemory();
                   }});
  if (Status s = MakeFirstAccounts(desk, c.data_dir); !s.ok())
    return Fail(s, "making the first accounts");
  live::Hub hub(desk, {.max_subscribers = c.live_max_subscribers,
                       .queue_events = c.live_queue_events,
                       .replay_limit = c.live_replay_limit});
  // On every way out (an early failure too) the writer, which tells the
  // hub of its commits, stops before the hub is destroyed.
  paging::Sender sender(desk, std::move(sender_options));
  struct UnhookFirst {
    std::atomic<live::Hub*>& hook;
    std::atomic<paging::Sender*>& pager;
    store::Writer& writer;
    ~UnhookFirst() {
      writer.Stop();
      hook.store(nullptr);
      pager.store(nullptr);
    }
  } unhook_first{live_hub, pager, writer};
  {
    auto head = desk.LastSeq();
    if (!head.ok()) return Fail(head.status(), "reading the event log");
    hub.Start(*head);
    live_hub.store(&hub, std::memory_order_release);
    // What committed between the read and the store is told now.
    auto now_head = desk.LastSeq();
    if (now_head.ok()) hub.Committed(*now_head);
  }
  http::Metrics metrics;
  http::Api api(
      desk, metrics, std::move(move_clock),
      {.account_per_second = static_cast<double>(c.rate_limit),
       .address_per_second = static_cast<double>(c.address_rate_limit)},
      {.hub = &hub,
       .allowed_origins = live::SplitList(c.live_allowed_origins)});
  asio::io_context ioc(static_cast<int>(c.io_threads));
  // A client's answer is read and rendered on an I/O thread, not the
  // writer's (the first accounts were answered above, on the writer).
  desk.AnswerOn(
      [&ioc](std::function<void()> f) { asio::post(ioc, std::move(f)); });
  http::Server server(
      ioc, api, metrics,
      {.address = c.listen,
       .port = c.port,
       .max_body_bytes = c.max_body_bytes,
       .max_import_bytes = c.max_import_bytes,
       .max_header_bytes = c.max_header_bytes,
       .idle_timeout = std::chrono::milliseconds(c.idle_timeout_ms),
       .request_timeout = std::chrono::milliseconds(c.request_timeout_ms),
       .max_connections = max_connections,
       .report_threads = c.report_threads,
       .report_queue = c.report_queue});
  // Config::Load has checked that both files are given, or neither.
  if (!c.tls_cert_file.empty()) {
    if (Status s = server.UseTls(c.tls_cert_file, c.tls_key_file); !s.ok())
      return Fail(s, "setting up HTTPS");
  }
  live::StreamOptions stream_options;
  stream_options.idle_timeout = std::chrono::seconds(c.live_idle_seconds);
  stream_options.recheck_every = std::chrono::seconds(c.live_recheck_seconds);
  server.UseLive(hub, stream_options);
  auto port = server.Listen();
  if (!port.ok()) return Fail(port.status(), "starting the HTTP server");
  server.Start();

  // What fell due while the daemon was down (absences that began, SLA
  // alerts) is written before it announces its port or runs its I/O
  // threads, so what a client reads or writes comes after; then the
  // rounds go on.
  desk::Sweeper sweeper(
      desk, {.dispatch_every = std::chrono::seconds(c.sweep_seconds),
             .sla_every = std::chrono::seconds(c.sla.sweep_seconds.value_or(
                 config::kDefaultSlaSweepSeconds))});
  sweeper.Start();
  // Pages that were due while the daemon was down go out now, once each.
  sender.Start();
  pager.store(&sender, std::memory_order_release);

  std::promise<int> stop;
  asio::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&stop](const boost::system::error_code& ec, int sig) {
    if (!ec) stop.set_value(sig);
  });
  std::vector<std::thread> threads;
  for (unsigned i = 0; i < c.io_threads; ++i)
    threads.emplace_back([&ioc, i] {
      pthread_setname_np(pthread_self(),
                         ("hd-io-" + std::to_string(i)).c_str());
      ioc.run();
    });

  if (!c.port_file.empty()) {
    if (Status s = WritePortFile(c.port_file, *port); !s.ok())
      spdlog::error("{}", s.message());
  }
  const char* scheme = c.tls_cert_file.empty() ? "http" : "https";
  spdlog::info(
      "helpdeskd listening on {}://{}:{} with data in {} ({} "
      "municipalities); try: curl {}://{}:{}/api/v1/municipalities",
      scheme, c.listen, *port, c.data_dir, region->municipalities_size(),
      scheme, c.listen, *port);
  service::NotifyReady(fmt::format("serving {}://{}:{} with data in {}", scheme,
                                   c.listen, *port, c.data_dir));

  int sig = stop.get_future().get();
  spdlog::info("signal {}: finishing the writes in flight, then stopping", sig);
  service::NotifyStopping("finishing the writes in flight");
  server.StopAccepting();
  hub.GoingAway();  // every stream closes with 1001, saying where to resume
  sweeper.Stop();
  pager.store(nullptr);
  sender.Stop();  // the round under way is recorded first
  writer.Stop();  // every queued write is committed and answered
  if (!server.WaitIdle(std::chrono::steady_clock::now() +
                       std::chrono::seconds(5))) {
    spdlog::warn("some responses were still being sent after 5 s");
  }
  ioc.stop();
  for (auto& t : threads) t.join();
  live_hub.store(nullptr);
  hub.Stop();
  spdlog::info("stopped cleanly");
  return 0;
}
