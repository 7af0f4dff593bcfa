#include "daemon/config/config.h"

#include <toml++/toml.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <functional>
#include <limits>
#include <optional>
#include <set>
#include <string_view>

#include "daemon/config/sla_toml.h"

namespace helpdesk::config {
namespace {

// One setting: its name (the TOML key, inside `section` if that is not
// empty; the flag is --name with dashes), its help text, what a good value
// looks like, and how to read it from TOML and to bind it to CLI11.
struct Setting {
  const char* name;
  const char* help;
  const char* section = "";
  std::string expected;
  std::function<bool(const toml::node&)> from_toml;
  std::function<CLI::Option*(CLI::App&, const std::string&, const char*)> flag;
  // Put before the name in the flag: "sla_" gives --sla-warn-percent.
  const char* flag_prefix = "";
  // Read by a section's own reader (ReadSla), not by from_toml; here for
  // the flag and the hints of UnknownSetting.
  bool read_elsewhere = false;

  std::string Key() const {
    return *section ? std::string(section) + "." + name : std::string(name);
  }
};

template <typename T>
Setting Make(const char* name, const char* help, T& field, T lo = T{},
             T hi = std::numeric_limits<T>::max()) {
  Setting s{name, help, "", "", nullptr, nullptr};
  if constexpr (std::is_same_v<T, std::string>) {
    s.expected = "a string in quotes";
  } else if constexpr (std::is_same_v<T, bool>) {
    s.expected = "true or false";
  } else {
    s.expected =
        "a whole number from " + std::to_string(lo) +
        (hi == std::numeric_limits<T>::max() ? " up"
                                             : " to " + std::to_string(hi));
  }
  s.from_toml = [&field, lo, hi](const toml::node& n) {
    if constexpr (std::is_same_v<T, std::string>) {
      if (auto v = n.value<std::string>()) return field = *v, true;
      return false;
    } else if constexpr (std::is_same_v<T, bool>) {
      if (auto v = n.value_exact<bool>()) return field = *v, true;
      return false;
    } else {
      // Only an integer: value<int64_t>() would also convert a float
      // (747e20), casting it out of range.
      auto v = n.value_exact<int64_t>();
      if (!v || *v < static_cast<int64_t>(lo) ||
          static_cast<uint64_t>(*v) > static_cast<uint64_t>(hi))
        return false;
      field = static_cast<T>(*v);
      return true;
    }
  };
  s.flag = [&field, lo, hi](CLI::App& app, const std::string& flag,
                            const char* help) {
    if constexpr (std::is_same_v<T, bool>) {
      // --travel-fallback, --no-travel-fallback or --travel-fallback=false.
      std::string names = flag + ",!--no-" + flag.substr(2);
      return app.add_flag(names, field, help)
          ->default_str(field ? "true" : "false");
    } else {
      auto* o = app.add_option(flag, field, help)->capture_default_str();
      if constexpr (!std::is_same_v<T, std::string>)
        o->check(CLI::Range(lo, hi));
      return o;
    }
  };
  return s;
}

Setting InSection(const char* section, Setting s) {
  s.section = section;
  return s;
}

// "tls_" gives [tls] cert_file the flag --tls-cert-file.
Setting WithPrefix(const char* flag_prefix, Setting s) {
  s.flag_prefix = flag_prefix;
  return s;
}

constexpr const char* kSla = "sla";

// A setting of the [sla] table, kept unset (the policy's built-in value)
// unless the file or a flag gives it; its flag is --sla-<name>.
template <typename T>
Setting MakeSla(const char* name, const char* help, std::optional<T>& field,
                const std::string& built_in, T lo = T{}, T hi = T{}) {
  Setting s{name, help, kSla, "", nullptr, nullptr};
  s.flag_prefix = "sla_";
  s.read_elsewhere = true;
  s.flag = [&field, lo, hi, built_in](CLI::App& app, const std::string& flag,
                                      const char* help) {
    if constexpr (std::is_same_v<T, bool>) {
      // Negative counts come from --no-<flag> and --<flag>=false.
      return app
          .add_flag_function(
              flag + ",!--no-" + flag.substr(2),
              [&field](int64_t count) { field = count > 0; }, help)
          ->default_str(built_in);
    } else {
      return app
          .add_option_function<T>(
              flag, [&field](const T& v) { field = v; }, help)
          ->check(CLI::Range(lo, hi))
          ->default_str(built_in);
    }
  };
  return s;
}

constexpr const char* kDispatch = "dispatch";
constexpr const char* kAuth = "auth";
constexpr const char* kTls = "tls";
constexpr const char* kPrivacy = "privacy";
constexpr const char* kLive = "live";
constexpr const char* kPaging = "paging";

std::vector<Setting> Settings(Config& c) {
  return {
      Make<std::string>("listen", "IP address to listen on", c.listen),
      Make<uint16_t>("port", "TCP port; 0 picks a free one", c.port),
      Make<std::string>("data_dir", "directory of the LMDB database",
                        c.data_dir),
      Make<std::string>("port_file",
                        "write the bound port to this file once listening",
                        c.port_file),
      Make<std::string>("log_level", "trace, debug, info, warn or error",
                        c.log_level),
      Make<unsigned>("io_threads", "threads serving HTTP", c.io_threads, 1u,
                     64u),
      Make<unsigned>("report_threads",
                     "threads making reports and deciding catalogue "
                     "imports and rotas, off the HTTP threads",
                     c.report_threads, 1u, 64u),
      Make<unsigned>("report_queue",
                     "reports and bulk writes that may wait for a report "
                     "thread; more get 503",
                     c.report_queue, 0u, 10000u),
      Make<uint32_t>("idle_timeout_ms",
                     "close a keep-alive connection idle this long",
                     c.idle_timeout_ms, 1u),
      Make<uint32_t>("request_timeout_ms",
                     "a whole request must arrive within this",
                     c.request_timeout_ms, 1u),
      Make<uint64_t>("max_body_bytes", "larger bodies get 413",
                     c.max_body_bytes, uint64_t{1}, uint64_t{1} << 30),
      Make<uint64_t>(
          "max_import_bytes",
          "larger catalogue imports and vakt rotas (PUT /api/v1/catalogue, "
          "/api/v1/vakt) get 413",
          c.max_import_bytes, uint64_t{1}, uint64_t{1} << 30),
      Make<uint64_t>("max_header_bytes", "larger headers get 431",
                     c.max_header_bytes, uint64_t{256}, uint64_t{1} << 20),
      Make<uint64_t>("max_connections",
                     "more open connections get 503; held below the file "
                     "descriptor limit (the limit less 64, or half a limit "
                     "of 128 or less), which the daemon raises to its hard "
                     "limit at start",
                     c.max_connections, uint64_t{1}),
      Make<uint64_t>("map_size_mb", "initial LMDB map size in MiB",
                     c.map_size_mb, uint64_t{1}, uint64_t{1} << 24),
      Make<uint64_t>("max_map_size_mb",
                     "the map grows up to this; then writes get 507",
                     c.max_map_size_mb, uint64_t{1}, uint64_t{1} << 24),
      Make<uint64_t>("writer_queue", "queued writes beyond this get 503",
                     c.writer_queue, uint64_t{1}),
      Make<uint64_t>("writer_max_batch",
                     "most writes committed in one transaction",
                     c.writer_max_batch, uint64_t{1}, uint64_t{1} << 20),
      Make<std::string>("clock_start",
                        "start the daemon's clock at this RFC 3339 instant "
                        "(e.g. 2026-04-15T08:00:00Z) and let it run on from "
                        "there, for tests and drills; empty: the system "
                        "clock",
                        c.clock_start),
      Make<bool>("clock_frozen",
                 "for tests only: with clock_start, the clock stands still "
                 "there and moves only by POST /test/clock?at=<RFC 3339>, "
                 "which answers once the SLA alerts due by then are "
                 "recorded; a route that exists only with this flag (never "
                 "set it in production)",
                 c.clock_frozen),
      InSection(kDispatch,
                Make<bool>("travel_fallback",
                           "on-site work with no one local goes to someone "
                           "from the nearest neighbouring municipality by the "
                           "travel-time table",
                           c.travel_fallback)),
      InSection(kDispatch,
                Make<uint32_t>("max_travel_minutes",
                               "the longest drive the travel fallback may ask "
                               "for, in minutes",
                               c.max_travel_minutes, 1u, kMaxTravelMinutes)),
      InSection(kDispatch,
                Make<uint32_t>("sweep_seconds",
                               "how often the open tickets of absent or "
                               "inactive people and the dispatcher queue are "
                               "dispatched again; 0: only on staff changes",
                               c.sweep_seconds, 0u, 86400u)),
      InSection(kDispatch,
                Make<bool>("vakt_critical",
                           "critical tickets that no one qualified can take "
                           "now (out of hours, all absent, no one on site) go "
                           "to the vakt primary (then the backup) whatever "
                           "their skills",
                           c.vakt_critical)),
      InSection(kDispatch,
                Make<std::string>(
                    "vakt_high",
                    "which high-priority tickets go the same way: "
                    "business-critical (those on business-critical "
                    "services, the default), all, or none (they go to a "
                    "qualified vakt, else wait for the next working day)",
                    c.vakt_high)),
      InSection(kDispatch,
                Make<uint32_t>(
                    "familiar_margin",
                    "people the reporter knows (their municipality's own IT "
                    "staff, the person who last helped them) are chosen for "
                    "remote work while their load is at most this much above "
                    "the lowest (weighted open tickets per full post; a "
                    "normal ticket weighs 2)",
                    c.familiar_margin, 0u, 1000u)),
      InSection(kDispatch,
                Make<uint32_t>("familiar_margin_on_site",
                               "the same for work where local presence is "
                               "necessary or desirable, where the users' "
                               "wish weighs more",
                               c.familiar_margin_on_site, 0u, 1000u)),
      InSection(kAuth,
                Make<std::string>(
                    "password_cost",
                    "how hard password hashes (argon2id) are to compute: "
                    "interactive (64 MiB, the default), moderate (256 MiB), "
                    "or minimum (tests only: it protects nothing)",
                    c.password_cost)),
      InSection(kAuth, Make<uint32_t>("session_hours",
                                      "a login's session lasts this long",
                                      c.session_hours, 1u, 24u * 30u)),
      InSection(kAuth,
                Make<uint32_t>("max_sessions",
                               "open sessions per account; a new login ends "
                               "the oldest beyond this",
                               c.max_sessions, 1u, 1000u)),
      InSection(kAuth,
                Make<uint32_t>("rate_limit",
                               "requests a second one account may send, on "
                               "average over ten seconds; more get 429; 0: "
                               "no limit",
                               c.rate_limit, 0u, 1000000u)),
      InSection(kAuth,
                Make<uint32_t>("address_rate_limit",
                               "requests a second one client address may "
                               "send (a town hall may share one); more get "
                               "429; 0: no limit",
                               c.address_rate_limit, 0u, 1000000u)),
      InSection(kTls, WithPrefix("tls_", Make<std::string>(
                                             "cert_file",
                                             "serve HTTPS with this PEM "
                                             "certificate (then the chain "
                                             "of intermediates, if any); "
                                             "needs key_file",
                                             c.tls_cert_file))),
      InSection(kTls, WithPrefix("tls_",
                                 Make<std::string>("key_file",
                                                   "the PEM private key of "
                                                   "cert_file (not encrypted); "
                                                   "needs cert_file",
                                                   c.tls_key_file))),
      InSection(kPrivacy,
                Make<uint32_t>("retention_months",
                               "erase the personal text (titles, descriptions, "
                               "comments, reporter) of tickets closed at least "
                               "this many calendar months ago; 0: keep it",
                               c.retention_months, 0u, 1200u)),
      InSection(
          kLive,
          WithPrefix("live_", Make<uint32_t>("idle_seconds",
                                             "a websocket silent this long is "
                                             "closed (half-open); it is pinged "
                                             "after half of it",
                                             c.live_idle_seconds, 2u, 3600u))),
      InSection(kLive,
                WithPrefix("live_",
                           Make<uint32_t>("recheck_seconds",
                                          "how often a stream's session or "
                                          "token is checked again; one that "
                                          "ended is closed with 4001",
                                          c.live_recheck_seconds, 1u, 3600u))),
      InSection(
          kLive,
          WithPrefix("live_", Make<uint64_t>("max_subscribers",
                                             "websocket subscribers at "
                                             "most; more get 503",
                                             c.live_max_subscribers,
                                             uint64_t{0}, uint64_t{1000000}))),
      InSection(kLive,
                WithPrefix("live_",
                           Make<uint64_t>("queue_events",
                                          "events waiting for one subscriber "
                                          "beyond which it is closed as too "
                                          "slow (code 4000; it resumes with "
                                          "since)",
                                          c.live_queue_events, uint64_t{16},
                                          uint64_t{1000000}))),
      InSection(
          kLive,
          WithPrefix("live_", Make<uint64_t>("replay_limit",
                                             "how many events behind the log a "
                                             "resuming client's since may be; "
                                             "further behind, it gets a "
                                             "snapshot (resync)",
                                             c.live_replay_limit, uint64_t{1},
                                             uint64_t{100000000}))),
      InSection(kLive,
                WithPrefix("live_", Make<std::string>(
                                        "allowed_origins",
                                        "comma-separated origins besides the "
                                        "daemon's own whose pages may open the "
                                        "stream (https://tavle.example.no)",
                                        c.live_allowed_origins))),
      InSection(kPaging, WithPrefix("paging_",
                                    Make<uint32_t>(
                                        "escalate_minutes",
                                        "a page for a critical ticket not "
                                        "acknowledged this long goes on to "
                                        "the next person of its chain (the "
                                        "other vakt, then the dispatcher)",
                                        c.paging_escalate_minutes, 1u, 1440u))),
      InSection(kPaging,
                WithPrefix("paging_",
                           Make<uint32_t>("give_up_hours",
                                          "a channel that keeps failing is "
                                          "retried (5 s doubling to 5 min "
                                          "apart) for this long per step",
                                          c.paging_give_up_hours, 1u, 168u))),
      InSection(kPaging,
                WithPrefix("paging_",
                           Make<std::string>(
                               "dispatchers",
                               "comma-separated staff ids of the dispatchers "
                               "to page for tickets no one can take, those at "
                               "work first; empty: everyone whose account has "
                               "the dispatcher role",
                               c.paging_dispatchers))),
      InSection(kPaging,
                WithPrefix("paging_",
                           Make<std::string>("public_url",
                                             "where people reach the daemon "
                                             "(https://helpdesk.example.no), "
                                             "for the links in pages; empty: "
                                             "no links",
                                             c.paging_public_url))),
      InSection(kPaging,
                WithPrefix("paging_",
                           Make<std::string>(
                               "smtp_url",
                               "page by e-mail through this server: "
                               "smtp://host:587 (STARTTLS per smtp_tls) or "
                               "smtps://host:465; empty: no e-mail",
                               c.paging_smtp_url))),
      InSection(kPaging,
                WithPrefix("paging_", Make<std::string>("smtp_from",
                                                        "the sender address of "
                                                        "pages by e-mail",
                                                        c.paging_smtp_from))),
      InSection(kPaging,
                WithPrefix("paging_",
                           Make<std::string>(
                               "smtp_to",
                               "where a person's page goes: {email} (their "
                               "staff record's) or, for an SMS gateway fed "
                               "by e-mail, e.g. {phone}@sms.example.no",
                               c.paging_smtp_to))),
      InSection(
          kPaging,
          WithPrefix("paging_", Make<std::string>(
                                    "smtp_tls",
                                    "try (STARTTLS when the server offers it), "
                                    "require (refuse to send in the clear), or "
                                    "none",
                                    c.paging_smtp_tls))),
      InSection(kPaging, WithPrefix("paging_",
                                    Make<std::string>("smtp_username",
                                                      "log in to the server "
                                                      "as this; empty: no "
                                                      "login",
                                                      c.paging_smtp_username))),
      InSection(kPaging,
                WithPrefix("paging_",
                           Make<std::string>("smtp_password_file",
                                             "a file holding the password "
                                             "of smtp_username",
                                             c.paging_smtp_password_file))),
      InSection(kPaging,
                WithPrefix("paging_",
                           Make<std::string>("smtp_ca_file",
                                             "PEM of a private CA that signed "
                                             "the server's certificate; "
                                             "empty: the system's",
                                             c.paging_smtp_ca_file))),
      InSection(
          kPaging,
          WithPrefix("paging_", Make<std::string>(
                                    "webhook_url",
                                    "page by an HTTP(S) POST of a JSON body to "
                                    "this URL (an SMS gateway, a chat), signed "
                                    "per Standard Webhooks; empty: no webhook",
                                    c.paging_webhook_url))),
      InSection(kPaging,
                WithPrefix("paging_",
                           Make<std::string>(
                               "webhook_secrets_file",
                               "a file of signing secrets (whsec_...), one a "
                               "line; more than one while keys rotate: each "
                               "signs",
                               c.paging_webhook_secrets_file))),
      InSection(kPaging,
                WithPrefix("paging_",
                           Make<std::string>("webhook_ca_file",
                                             "PEM of a private CA that signed "
                                             "the receiver's certificate; "
                                             "empty: the system's",
                                             c.paging_webhook_ca_file))),
      MakeSla<uint32_t>("warn_percent",
                        "a warning is due at this share of each SLA target, "
                        "in percent",
                        c.sla.warn_percent, "75", 1u, 99u),
      MakeSla<uint32_t>("sweep_seconds",
                        "how often SLA warnings and breaches that fell due "
                        "are recorded, in seconds",
                        c.sla.sweep_seconds,
                        std::to_string(kDefaultSlaSweepSeconds), 1u,
                        kMaxSlaSweepSeconds),
      MakeSla<bool>("pause_on_supplier",
                    "waiting_on_supplier pauses the SLA clocks too (as "
                    "waiting_on_user always does)",
                    c.sla.pause_on_supplier, "false"),
  };
}

std::string FlagName(const char* name) {
  std::string f = std::string("--") + name;
  for (char& ch : f) ch = ch == '_' ? '-' : ch;
  return f;
}

std::string Where(const std::string& path, const toml::node& node) {
  return path + ":" + std::to_string(node.source().begin.line) + ": ";
}

Setting* FindSetting(std::vector<Setting>& settings, std::string_view section,
                     std::string_view name) {
  for (auto& s : settings)
    if (!s.read_elsewhere && section == s.section && name == s.name) return &s;
  return nullptr;
}

Status UnknownSetting(const std::string& at, std::vector<Setting>& settings,
                      std::string_view section, std::string_view name) {
  std::string key = section.empty()
                        ? std::string(name)
                        : std::string(section) + "." + std::string(name);
  std::string hint;
  for (auto& s : settings)  // the right key in the wrong table
    if (name == s.name && section != s.section)
      hint = *s.section ? "; did you mean '" + s.Key() + "' in a [" +
                              s.section + "] table?"
                        : "; did you mean '" + s.Key() +
                              "' at the top of the file, before any table?";
  return Status::InvalidField("config",
                              at + "unknown setting '" + key + "'" + hint);
}

Status BadValue(const std::string& at, const Setting& s) {
  return Status::InvalidField("config", at + "bad value for '" + s.Key() +
                                            "' (" + s.help + "): expected " +
                                            s.expected);
}

// [[dispatch.travel]]: an array of tables with from, to and minutes. The
// ids are checked against the region later (CheckTravelTable); here only
// the form of each entry.
Status ReadTravel(const std::string& path, const toml::node& node,
                  std::vector<TravelTime>& out) {
  const std::string usage =
      "expected [[dispatch.travel]] tables, each with from = \"<municipality "
      "id>\", to = \"<municipality id>\" and minutes = <1 to " +
      std::to_string(kMaxTravelMinutes) + ">";
  const toml::array* entries = node.as_array();
  if (entries == nullptr || entries->empty())
    return Status::InvalidField(
        "config", Where(path, node) +
                      "bad value for 'dispatch.travel': " + usage +
                      " (leave it out to use the built-in table; set "
                      "dispatch.travel_fallback = false to turn travel off)");
  std::vector<TravelTime> travel;
  for (size_t i = 0; i < entries->size(); ++i) {
    const toml::node& entry = *entries->get(i);
    const std::string at = Where(path, entry) + "dispatch.travel entry " +
                           std::to_string(i + 1) + ": ";
    const toml::table* t = entry.as_table();
    if (t == nullptr)
      return Status::InvalidField("config", at + "not a table; " + usage);
    TravelTime tt;
    bool has_minutes = false;
    for (auto&& [key, value] : *t) {
      const std::string k(key.str());
      const std::string at_key = Where(path, value) + "dispatch.travel entry " +
                                 std::to_string(i + 1) + ": ";
      if (k == "from" || k == "to") {
        auto v = value.value_exact<std::string>();
        if (!v || v->empty())
          return Status::InvalidField(
              "config", at_key + "'" + k +
                            "' must be a municipality id in quotes, such as "
                            "\"kongsberg\"");
        (k == "from" ? tt.from : tt.to) = *v;
      } else if (k == "minutes") {
        auto v = value.value_exact<int64_t>();
        if (!v || *v < 1 || *v > kMaxTravelMinutes)
          return Status::InvalidField(
              "config", at_key + "'minutes' must be a whole number from 1 to " +
                            std::to_string(kMaxTravelMinutes));
        tt.minutes = static_cast<uint32_t>(*v);
        has_minutes = true;
      } else {
        return Status::InvalidField("config",
                                    at_key + "unknown key '" + k +
                                        "'; an entry has from, to and minutes");
      }
    }
    const char* missing = tt.from.empty() ? "from"
                          : tt.to.empty() ? "to"
                          : !has_minutes  ? "minutes"
                                          : nullptr;
    if (missing != nullptr)
      return Status::InvalidField(
          "config", at + "'" + missing + "' is missing; " + usage);
    if (tt.from == tt.to)
      return Status::InvalidField(
          "config", at + "from and to are both '" + tt.from +
                        "'; an entry is between two municipalities");
    for (const auto& earlier : travel)
      if ((earlier.from == tt.from && earlier.to == tt.to) ||
          (earlier.from == tt.to && earlier.to == tt.from))
        return Status::InvalidField(
            "config", at + "the pair " + tt.from + " - " + tt.to +
                          " is listed twice; one entry holds both ways");
    travel.push_back(std::move(tt));
  }
  out = std::move(travel);
  return Status::Ok();
}

// Reads the file `path`, or `text` as if it were that file's.
Status ReadToml(const std::string& path, std::vector<Setting>& settings,
                Config& c, std::optional<std::string_view> text = {}) {
  toml::table table;
  try {  // toml++ reports parse errors by exception; it stops here
    table = text ? toml::parse(*text, path) : toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    const auto& where = e.source().begin;
    return Status::InvalidField("config",
                                path + ":" + std::to_string(where.line) + ":" +
                                    std::to_string(where.column) + ": " +
                                    std::string(e.description()));
  }
  for (auto&& [key, node] : table) {
    const std::string_view k = key.str();
    if (k == kDispatch) {
      const toml::table* section = node.as_table();
      if (section == nullptr)
        return Status::InvalidField(
            "config",
            Where(path, node) +
                "bad value for 'dispatch': expected a [dispatch] "
                "table with travel_fallback, max_travel_minutes, "
                "vakt_critical, "
                "vakt_high, familiar_margin, familiar_margin_on_site, "
                "sweep_seconds and [[dispatch.travel]] entries");
      for (auto&& [sub_key, sub_node] : *section) {
        const std::string_view sk = sub_key.str();
        if (sk == "travel") {
          if (Status s = ReadTravel(path, sub_node, c.travel); !s.ok())
            return s;
          continue;
        }
        Setting* s = FindSetting(settings, kDispatch, sk);
        if (s == nullptr)
          return UnknownSetting(Where(path, sub_node), settings, kDispatch, sk);
        if (!s->from_toml(sub_node)) return BadValue(Where(path, sub_node), *s);
      }
      continue;
    }
    if (k == kSla) {
      if (Status s = ReadSla(path, node, c.sla); !s.ok()) return s;
      continue;
    }
    if (k == kAuth || k == kTls || k == kPrivacy || k == kLive ||
        k == kPaging) {
      const char* name = k == kAuth      ? kAuth
                         : k == kTls     ? kTls
                         : k == kPrivacy ? kPrivacy
                         : k == kLive    ? kLive
                                         : kPaging;  // plain settings
      const toml::table* section = node.as_table();
      if (section == nullptr)
        return Status::InvalidField(
            "config", Where(path, node) + "bad value for '" + std::string(k) +
                          "': expected a [" + std::string(k) + "] table");
      for (auto&& [sub_key, sub_node] : *section) {
        const std::string_view sk = sub_key.str();
        Setting* s = FindSetting(settings, name, sk);
        if (s == nullptr)
          return UnknownSetting(Where(path, sub_node), settings, name, sk);
        if (!s->from_toml(sub_node)) return BadValue(Where(path, sub_node), *s);
      }
      continue;
    }
    Setting* s = FindSetting(settings, "", k);
    if (s == nullptr) return UnknownSetting(Where(path, node), settings, "", k);
    if (!s->from_toml(node)) return BadValue(Where(path, node), *s);
  }
  return Status::Ok();
}

constexpr const char* kFooter =
    "Config file example (every key optional):\n"
    "  port = 8080\n"
    "  data_dir = \"/var/lib/helpdeskd\"\n"
    "  [dispatch]\n"
    "  travel_fallback = true\n"
    "  max_travel_minutes = 90\n"
    "  sweep_seconds = 60\n"
    "  vakt_critical = true         # critical, no one qualified now: vakt\n"
    "  vakt_high = \"business-critical\" # or \"all\", \"none\"\n"
    "  familiar_margin = 2          # known people within this load margin\n"
    "  familiar_margin_on_site = 8  # ... for on-site and desirable work\n"
    "  # Driving minutes between municipal centres, one entry per pair (it\n"
    "  # holds both ways). When given, the entries replace the built-in table\n"
    "  # of the demo region.\n"
    "  [[dispatch.travel]]\n"
    "  from = \"kongsberg\"\n"
    "  to = \"notodden\"\n"
    "  minutes = 35\n"
    "  [sla]\n"
    "  warn_percent = 75            # a warning at this share of each target\n"
    "  pause_on_supplier = false    # waiting_on_supplier pauses the clocks\n"
    "  sweep_seconds = 5            # how often due warnings are recorded\n"
    "  desk_hours = \"08:00-15:30\"   # the desk calendar, Monday to Friday\n"
    "  closed_days = [\"2026-12-31\"] # extra closed days (YYYY-MM-DD)\n"
    "  half_days = [\"2026-06-19\"]   # extra half days, open to 12:00\n"
    "  # Overrides of the built-in targets, one table per class and priority:\n"
    "  [[sla.target]]\n"
    "  class = \"standard\"           # an SLA class of the policy\n"
    "  priority = \"high\"            # critical, high, normal, low\n"
    "  response_minutes = 60        # business minutes to the first response\n"
    "  resolution_minutes = 240\n"
    "  calendar = \"desk\"            # \"desk\" or \"24x7\"\n"
    "  [tls]                        # HTTPS only on the port; both or neither\n"
    "  cert_file = \"/etc/helpdeskd/cert.pem\"\n"
    "  key_file = \"/etc/helpdeskd/key.pem\"\n"
    "  [paging]                     # pages always reach the live stream\n"
    "  escalate_minutes = 15        # critical: then the next of the chain\n"
    "  dispatchers = \"ole.kristiansen\" # default: the dispatcher role\n"
    "  smtp_url = \"smtp://smtp.example.no:587\"\n"
    "  smtp_from = \"helpdesk@example.no\"\n"
    "  smtp_to = \"{email}\"          # or \"{phone}@sms.example.no\"\n"
    "  webhook_url = \"https://sms.example.no/hook\"\n"
    "  webhook_secrets_file = \"/etc/helpdeskd/webhook-secrets\"\n";

}  // namespace

StatusOr<Parsed> Load(int argc, const char* const* argv) {
  Config c;
  std::vector<Setting> settings = Settings(c);

  // First pass: only find --config, so the file sits under the flags.
  std::string config_file;
  {
    CLI::App pre;
    pre.allow_extras();
    pre.set_help_flag();
    pre.add_option("--config", config_file);
    try {
      pre.parse(argc, argv);
    } catch (const CLI::ParseError&) {
    }
  }
  if (!config_file.empty()) {
    if (Status s = ReadToml(config_file, settings, c); !s.ok()) return s;
  }

  CLI::App app(
      "helpdeskd: the IT service desk daemon for municipalities that share "
      "one IT operations unit.\nWith no arguments it listens on "
      "127.0.0.1:8080 and keeps its data in ./helpdeskd-data.\nSettings: "
      "built-in defaults < --config FILE (TOML, keys as the flags with "
      "underscores; the Dispatch settings in a [dispatch] table, which may "
      "also hold the travel-time table; the SLA settings in an [sla] table, "
      "which may also hold the desk calendar and target overrides; the Auth, "
      "TLS, Privacy and Live settings in [auth], [tls], [privacy] and [live] "
      "tables; the Paging settings in a [paging] table) < flags.",
      "helpdeskd");
  app.footer(kFooter);
  app.add_option("--config", config_file, "TOML config file");
  app.set_version_flag("--version", "helpdeskd 0.1.0");
  for (auto& s : settings) {
    CLI::Option* o = s.flag(
        app, FlagName((std::string(s.flag_prefix) + s.name).c_str()), s.help);
    if (*s.section == '\0') continue;
    std::string group = s.section;
    if (group == kSla || group == kTls)
      for (char& ch : group) ch = static_cast<char>(std::toupper(ch));
    else
      group[0] = static_cast<char>(std::toupper(group[0]));
    o->group(group + " ([" + s.section + "] in the config file)");
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    return Parsed(PrintAndExit{app.help()});
  } catch (const CLI::CallForVersion&) {
    return Parsed(PrintAndExit{"helpdeskd 0.1.0\n"});
  } catch (const CLI::ParseError& e) {
    return Status::InvalidField("flags", e.what());
  }
  static const char* kLevels[] = {"trace", "debug", "info", "warn", "error"};
  bool known_level = false;
  for (const char* l : kLevels) known_level = known_level || c.log_level == l;
  if (!known_level) {
    return Status::InvalidField(
        "log_level", "log_level '" + c.log_level +
                         "' is not one of trace, debug, info, warn, error");
  }
  if (!dispatch::VaktHighNamed(c.vakt_high)) {
    return Status::InvalidField(
        "vakt_high", "vakt_high '" + c.vakt_high +
                         "' is not one of business-critical, all, none");
  }
  if (c.paging_smtp_tls != "try" && c.paging_smtp_tls != "require" &&
      c.paging_smtp_tls != "none") {
    return Status::InvalidField("paging_smtp_tls",
                                "smtp_tls '" + c.paging_smtp_tls +
                                    "' is not one of try, require, none");
  }
  if (!c.paging_smtp_url.empty() && c.paging_smtp_from.empty()) {
    return Status::InvalidField(
        "paging_smtp_from",
        "smtp_url is set but smtp_from is not (--paging-smtp-from, or "
        "smtp_from in [paging]): pages by e-mail need a sender address");
  }
  if (!c.paging_smtp_username.empty() && c.paging_smtp_tls != "require" &&
      !c.paging_smtp_url.starts_with("smtps://")) {
    return Status::InvalidField(
        "paging_smtp_tls",
        "smtp_username is set but smtp_tls is '" + c.paging_smtp_tls +
            "': a login would go in the clear if STARTTLS were stripped; set "
            "smtp_tls = \"require\" or use an smtps:// url");
  }
  if (!c.paging_webhook_url.empty() && c.paging_webhook_secrets_file.empty()) {
    return Status::InvalidField(
        "paging_webhook_secrets_file",
        "webhook_url is set but webhook_secrets_file is not: a webhook is "
        "always signed, so its receiver can tell it is ours; give a file of "
        "whsec_ secrets, one a line");
  }
  if (c.clock_frozen && c.clock_start.empty()) {
    return Status::InvalidField(
        "clock_frozen",
        "clock_frozen needs clock_start: the instant where "
        "the clock stands");
  }
  // HTTPS needs both files: one alone is a mistake, not plain HTTP.
  if (c.tls_cert_file.empty() != c.tls_key_file.empty()) {
    const bool no_key = c.tls_key_file.empty();
    return Status::InvalidField(
        no_key ? "tls_key_file" : "tls_cert_file",
        std::string(no_key ? "tls_cert_file" : "tls_key_file") +
            " is set but " + (no_key ? "tls_key_file" : "tls_cert_file") +
            " is not (" + (no_key ? "--tls-key-file" : "--tls-cert-file") +
            ", or " + (no_key ? "key_file" : "cert_file") +
            " in [tls]): HTTPS needs both the certificate and its private "
            "key; give neither for plain HTTP");
  }
  if (c.max_map_size_mb < c.map_size_mb) c.max_map_size_mb = c.map_size_mb;
  return Parsed(c);
}

StatusOr<Config> ReadConfigText(std::string_view text,
                                const std::string& path) {
  Config c;
  std::vector<Setting> settings = Settings(c);
  if (Status s = ReadToml(path, settings, c, text); !s.ok()) return s;
  return c;
}

Status CheckTravelTable(const std::vector<TravelTime>& travel,
                        const std::vector<std::string>& municipality_ids) {
  std::string known;
  for (const auto& id : municipality_ids)
    known += (known.empty() ? "" : ", ") + id;
  auto is_known = [&](const std::string& id) {
    return std::find(municipality_ids.begin(), municipality_ids.end(), id) !=
           municipality_ids.end();
  };
  std::vector<FieldError> errors;
  std::set<std::pair<std::string, std::string>> pairs;
  for (size_t i = 0; i < travel.size(); ++i) {
    const TravelTime& t = travel[i];
    const std::string at = "/dispatch/travel/" + std::to_string(i);
    const std::string entry = "travel entry " + std::to_string(i + 1) + " (" +
                              t.from + " - " + t.to + "): ";
    if (!is_known(t.from))
      errors.push_back({at + "/from", entry + "unknown municipality '" +
                                          t.from + "'; known: " + known});
    if (!is_known(t.to))
      errors.push_back({at + "/to", entry + "unknown municipality '" + t.to +
                                        "'; known: " + known});
    if (t.from == t.to)
      errors.push_back({at, entry + "from and to are the same"});
    if (t.minutes < 1 || t.minutes > kMaxTravelMinutes)
      errors.push_back({at + "/minutes", entry + "minutes must be 1 to " +
                                             std::to_string(kMaxTravelMinutes) +
                                             ", got " +
                                             std::to_string(t.minutes)});
    if (!pairs.insert(std::minmax(t.from, t.to)).second)
      errors.push_back({at, entry + "the pair is listed twice"});
  }
  if (errors.empty()) return Status::Ok();
  std::string detail =
      std::to_string(errors.size()) + " problem" +
      (errors.size() == 1 ? "" : "s") +
      " in the travel-time table. The first: " + errors.front().detail;
  return Status::Invalid(std::move(detail), std::move(errors));
}

uint64_t EffectiveMaxConnections(uint64_t configured, uint64_t fd_limit) {
  const uint64_t allowed = fd_limit > 2 * kReservedFds
                               ? fd_limit - kReservedFds
                               : std::max<uint64_t>(1, fd_limit / 2);
  return std::min(configured, allowed);
}

}  // namespace helpdesk::config
