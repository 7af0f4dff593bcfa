#pragma once
// The daemon's settings: built-in defaults < TOML config file < flags.
// Plain value; any thread.

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "daemon/config/sla_config.h"
#include "daemon/dispatch/roster.h"
#include "proto/status.h"

namespace helpdesk::config {

using dispatch::TravelTime;

inline constexpr uint32_t kMaxTravelMinutes = 24 * 60;

struct Config {
  std::string listen = "127.0.0.1";
  uint16_t port = 8080;
  std::string data_dir = "helpdeskd-data";
  std::string port_file;  // if set, the bound port is written here
  std::string log_level = "info";
  unsigned io_threads = 2;
  // The pool for reports and bulk writes: threads, and requests that may
  // wait for one (more get 503).
  unsigned report_threads = 2;
  unsigned report_queue = 8;
  uint32_t idle_timeout_ms = 30000;
  uint32_t request_timeout_ms = 10000;
  uint64_t max_body_bytes = 64 * 1024;
  uint64_t max_import_bytes = 8 * 1024 * 1024;  // a whole catalogue
  uint64_t max_header_bytes = 8 * 1024;
  uint64_t max_connections = 10000;
  uint64_t map_size_mb = 64;
  uint64_t max_map_size_mb = 65536;
  uint64_t writer_queue = 65536;
  uint64_t writer_max_batch = 1024;
  // RFC 3339; the clock starts there and runs on. Empty: the system clock.
  std::string clock_start;
  // Tests only: with clock_start, the clock stands still there and moves
  // only by POST /test/clock, a route that exists only then.
  bool clock_frozen = false;
  // [dispatch]: on-site ("necessary") work with no one local goes to the
  // nearest neighbouring municipality within max_travel_minutes.
  bool travel_fallback = true;
  uint32_t max_travel_minutes = 90;
  // How often dispatch looks again at absent assignees and the queue.
  uint32_t sweep_seconds = 60;
  // Critical tickets (vakt_critical) and high ones ("business-critical": on
  // business-critical services; "all"; "none") that no one qualified can
  // take now go to the vakt whatever their skills.
  bool vakt_critical = true;
  std::string vakt_high = "business-critical";
  // How far above the lowest load the people a reporter knows may be and
  // still be chosen (weighted open tickets per full post; a normal ticket
  // weighs 2): remote work, and work where presence is necessary or
  // desirable.
  uint32_t familiar_margin = 2;
  uint32_t familiar_margin_on_site = 8;
  // [[dispatch.travel]] entries of the config file. Empty: none were given,
  // use the built-in table of the demo region (seed::DemoTravelTimes()).
  std::vector<TravelTime> travel;
  // [sla]: the SLA policy's settings; BuildPolicy() makes the policy.
  SlaSettings sla;
  // [auth]: how hard password hashes are ("interactive", "moderate", or
  // "minimum" for tests), how long a login lasts, how many sessions an
  // account may hold (a new login ends the oldest).
  std::string password_cost = "interactive";
  uint32_t session_hours = 12;
  uint32_t max_sessions = 10;
  // Requests a second one account, and one client address, may send (a
  // bucket holds ten seconds' worth); more get 429. 0: no limit.
  uint32_t rate_limit = 20;
  uint32_t address_rate_limit = 200;
  // [privacy]: months after which a closed ticket's personal text is
  // erased (README, "Retention of personal data"); 0: kept forever.
  uint32_t retention_months = 0;
  // [tls]: PEM files of the certificate (with any intermediates) and its
  // private key; both or neither. Set: the port serves HTTPS only. Empty:
  // plain HTTP (e.g. behind a proxy that terminates TLS).
  std::string tls_cert_file;
  std::string tls_key_file;
  // [live] (README, "Live"): the websocket stream's limits.
  uint32_t live_idle_seconds = 60;
  uint32_t live_recheck_seconds = 30;
  uint64_t live_max_subscribers = 10000;
  uint64_t live_queue_events = 4096;
  uint64_t live_replay_limit = 100000;
  std::string live_allowed_origins;  // comma-separated
  // [paging] (README, "Paging"): escalation, who dispatches, channels.
  uint32_t paging_escalate_minutes = 15;
  uint32_t paging_give_up_hours = 24;
  std::string paging_dispatchers;  // comma-separated staff ids; "": by role
  std::string paging_public_url;
  std::string paging_smtp_url;  // "": no e-mail
  std::string paging_smtp_from;
  std::string paging_smtp_to = "{email}";
  std::string paging_smtp_tls = "try";  // "try", "require", "none"
  std::string paging_smtp_username;
  std::string paging_smtp_password_file;
  std::string paging_smtp_ca_file;
  std::string paging_webhook_url;  // "": no webhook
  std::string paging_webhook_secrets_file;
  std::string paging_webhook_ca_file;
};

// What the command line asked for: run with a config, or print text (help,
// version) and exit 0.
struct PrintAndExit {
  std::string text;
};
using Parsed = std::variant<Config, PrintAndExit>;

// Reads defaults, then the file named by --config, then the flags.
// An unknown key, a bad value or an unreadable file is an error that says
// which and where.
StatusOr<Parsed> Load(int argc, const char* const* argv);

// File descriptors kept back from connections: the database, the lock and
// log files, the listener, the event loop's own, and headroom for the 503s
// sent to connections over the limit.
inline constexpr uint64_t kReservedFds = 64;

// max_connections as the file descriptor limit (RLIMIT_NOFILE) allows: a
// connection past it would fail in accept() rather than get its 503. The
// limit less kReservedFds; a limit of 2 * kReservedFds or less, half of it.
uint64_t EffectiveMaxConnections(uint64_t configured, uint64_t fd_limit);

// The settings of a config file's `text` over the defaults, as --config
// reads the file `path` (named in errors); flags and the log level check
// aside. For reading configs that are not files (the fuzz target).
StatusOr<Config> ReadConfigText(std::string_view text, const std::string& path);

// Checks a travel table against the region's municipality ids (which the
// config file cannot know): every id known, no pair twice, no municipality
// paired with itself, minutes 1..kMaxTravelMinutes. The error names the
// entry and what is wrong.
Status CheckTravelTable(const std::vector<TravelTime>& travel,
                        const std::vector<std::string>& municipality_ids);

}  // namespace helpdesk::config
