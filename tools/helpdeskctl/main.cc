// helpdeskctl: the admin CLI of helpdeskd. Wiring only: the command line
// (CLI11) and the exit code; the commands live in catalogue_commands.cc,
// coverage_command.cc, report_command.cc, sla_command.cc,
// check_command.cc and identity_commands.cc.
// Nothing throws past main: CLI11's parse errors and anything unexpected
// end here as exit code 2.

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <vector>

#include "sla/policy.h"
#include "tools/helpdeskctl/backup_command.h"
#include "tools/helpdeskctl/catalogue_commands.h"
#include "tools/helpdeskctl/check_command.h"
#include "tools/helpdeskctl/coverage_command.h"
#include "tools/helpdeskctl/identity_commands.h"
#include "tools/helpdeskctl/page_command.h"
#include "tools/helpdeskctl/report_command.h"
#include "tools/helpdeskctl/sla_command.h"

namespace {

using namespace helpdesk::ctl;

constexpr const char* kExitCodes =
    "Exit codes: 0 done; 1 problems found or the change refused (nothing was "
    "changed), for coverage: standing gaps; 2 usage, I/O or connection "
    "error.";

// The priorities a client may name, from the schema: "critical" ... "low".
std::vector<std::string> PriorityNames() {
  std::vector<std::string> out;
  for (int p = helpdesk::sla::kCritical; p <= helpdesk::sla::kLow; ++p)
    out.push_back(helpdesk::sla::PriorityName(p));
  return out;
}

void AddTimeout(CLI::App& cmd, std::chrono::milliseconds& timeout) {
  cmd.add_option_function<double>(
         "--timeout",
         [&timeout](double seconds) {
           timeout = std::chrono::milliseconds(
               static_cast<long long>(seconds * 1000));
         },
         "Seconds one HTTP exchange with the daemon may take (default 30)")
      ->check(CLI::Range(0.1, 3600.0));
}

// The daemon --url names when it is not given: $HELPDESK_URL if set, so a
// shell (or a test) points every command at one daemon once. Read here
// rather than through CLI11's envname, which would count it as a given
// --url and so refuse --data-dir whenever the variable is set.
std::string DefaultUrl() {
  const char* env = std::getenv("HELPDESK_URL");
  return env != nullptr && *env != '\0' ? env : kDefaultUrl;
}

std::string UrlHelp(const std::string& what) {
  return "The running daemon to " + what +
         " through its HTTP API: http://HOST:PORT (plain HTTP only; https is "
         "refused). Default: $HELPDESK_URL when set, else " +
         kDefaultUrl +
         ". The credential is the API token (or session token) in "
         "$HELPDESK_TOKEN";
}

void AddTarget(CLI::App& cmd, Target& target, const char* what) {
  target.url = DefaultUrl();
  auto* url = cmd.add_option("--url", target.url, UrlHelp(what));
  url->default_str(target.url);
  auto* dir = cmd.add_option(
      "--data-dir", target.data_dir,
      std::string("Instead of --url: ") + what +
          " directly in a daemon's data directory (its LMDB database). "
          "Never creates a database: refused if DIR holds none.");
  dir->excludes(url);
  url->excludes(dir);
  AddTimeout(cmd, target.timeout);
}

int Run(int argc, char** argv) {
  CLI::App app{"helpdeskctl: administer a helpdeskd service desk.\n" +
               std::string(kExitCodes)};
  app.require_subcommand(1);
  app.set_version_flag("--version", "helpdeskctl 0.1.0");

  CLI::App* cat = app.add_subcommand(
      "catalogue",
      "The tjenestekatalog as a TOML file: validate, export, import");
  cat->require_subcommand(1);

  std::string validate_file;
  CLI::App* validate = cat->add_subcommand(
      "validate",
      "Check FILE without any daemon: TOML syntax, unknown keys, wrong "
      "types, duplicate ids, empty names, unknown categories, skills, SLA "
      "classes and municipalities (those of the built-in demo region), "
      "category cycles. Every problem is printed to standard error as "
      "FILE:LINE: message, in line order; exit 1 if there is any. A valid "
      "file prints one summary line to standard output ('ok: 53 services "
      "(1 retired) in 14 categories, ...') and exits 0. An unreadable file "
      "exits 2.");
  validate->add_option("FILE", validate_file, "The catalogue file")->required();

  ExportOptions export_options;
  CLI::App* exp = cat->add_subcommand(
      "export",
      "Write the whole catalogue as a TOML file, to standard output or -o "
      "FILE. The file names the catalogue version it came from, so an "
      "import of an edited copy is refused if the catalogue changed in the "
      "meantime. With --data-dir it reads the database directly, which is "
      "safe while the daemon runs.");
  AddTarget(*exp, export_options.target, "read the catalogue");
  exp->add_option("-o,--output", export_options.output,
                  "Write to FILE (replaced whole, via a temporary file) "
                  "instead of standard output");

  ImportOptions import_options;
  CLI::App* imp = cat->add_subcommand(
      "import",
      "Replace the whole catalogue with FILE, all or nothing. FILE is first "
      "checked here as validate does (problems as FILE:LINE, nothing sent); "
      "then the daemon (--url) or this command (--data-dir, daemon stopped) "
      "checks it against the stored catalogue: services are never deleted "
      "(set state = \"retired\"), and if the file names a version the "
      "catalogue must not have changed since (otherwise: export again and "
      "re-apply your edits). Refusals are printed as FILE:LINE where "
      "possible. On success prints the new version and the ids added, "
      "changed, retired ... per kind; an import that changes nothing says "
      "'no changes' and records no event.");
  imp->add_option("FILE", import_options.file, "The catalogue file")
      ->required();
  AddTarget(*imp, import_options.target, "import");
  imp->add_flag("--dry-run", import_options.dry_run,
                "Compute and print what would change, change nothing (reads "
                "the current catalogue: GET with --url, a read with "
                "--data-dir that is safe while the daemon runs)");
  imp->add_option("--actor", import_options.actor,
                  "With --data-dir: who makes the change, recorded in the "
                  "CatalogueChanged event (default: $USER, else "
                  "'helpdeskctl'); through --url it is the account of "
                  "$HELPDESK_TOKEN");

  CoverageOptions coverage_options;
  coverage_options.url = DefaultUrl();
  CLI::App* cov = app.add_subcommand(
      "coverage",
      "Print the daemon's coverage report (at least two operators at all "
      "times in every competence area and service, and on site in every "
      "municipality where a service needs local presence): per area and "
      "per service how many are qualified (a service: of its thinnest "
      "skill, as people cover its skills together), how many of them work "
      "office hours (weekdays 08:00-15:30, not absent) and how many are at "
      "work or on vakt now; cells below the minimum are marked GAP (office "
      "hours: a standing gap) or 'thin now'. Then the standing gaps in "
      "words (services fewer than two people cover in office hours, skills "
      "a service needs that no active person has, and every stretch of the "
      "coming four weeks with no one on vakt), the on-site cells below the "
      "minimum (which the travel fallback covers, so they are not standing "
      "gaps) and the services thin right now. Exit codes: 0 no standing "
      "gaps; 1 there are standing gaps (for a cron job to alert on; thin "
      "on-site cells and services thin only right now do not count); 2 "
      "usage error, the daemon cannot be reached, or it answered with a "
      "problem (its detail is printed).");
  cov->add_option("--url", coverage_options.url, UrlHelp("ask,"))
      ->default_str(coverage_options.url);
  AddTimeout(*cov, coverage_options.timeout);
  cov->add_option(
      "--at", coverage_options.at,
      "The moment to report on, RFC 3339 (2026-04-15T10:00:00+02:00 "
      "or 2026-04-15T08:00:00Z); default: the daemon's now");
  cov->add_option("--format", coverage_options.format,
                  "text: tables and lists (default); json: the daemon's "
                  "CoverageReport JSON as received")
      ->check(CLI::IsMember({"text", "json"}))
      ->default_str("text");
  cov->add_flag("--gaps-only", coverage_options.gaps_only,
                "Print only the header and the gap lists (with --format "
                "json: the report without its skills and services)");

  ReportOptions report_options;
  report_options.url = DefaultUrl();
  CLI::App* rep = app.add_subcommand(
      "report",
      "Print the daemon's SLA report for the tickets created in a range: "
      "per group how many first-response and resolution clocks met, "
      "breached (or running past their target now) and are still open, "
      "with the median business time of the stopped clocks (view groups); "
      "each service's municipalities side by side (view equal-service); or "
      "the tickets and cost share per municipality by the fordelingsnøkkel "
      "(view volume). --format json or csv writes the daemon's JSON or CSV "
      "as received. Exit codes: 0 printed; 2 usage error, the daemon "
      "cannot be reached, or it answered with a problem (its detail is "
      "printed).");
  rep->add_option("--url", report_options.url, UrlHelp("ask,"))
      ->default_str(report_options.url);
  AddTimeout(*rep, report_options.timeout);
  rep->add_option("--from", report_options.from,
                  "Tickets created at or after this instant, RFC 3339 "
                  "(2026-04-01T00:00:00+02:00); default: 30 days before --to");
  rep->add_option("--to", report_options.to,
                  "Tickets created before this instant, RFC 3339; default: "
                  "the daemon's now");
  rep->add_option("--group-by", report_options.group_by,
                  "The groups of the groups view: municipality (default), "
                  "service, priority, assignee or month")
      ->check(CLI::IsMember(
          {"municipality", "service", "priority", "assignee", "month"}))
      ->default_str("municipality");
  rep->add_option("--view", report_options.view,
                  "groups (default), equal-service or volume")
      ->check(CLI::IsMember({"groups", "equal-service", "volume"}))
      ->default_str("groups");
  rep->add_option("--format", report_options.format,
                  "text: an aligned table of the view (default); json: the "
                  "daemon's SlaReport JSON (all views) as received; csv: the "
                  "daemon's CSV of the view as received")
      ->check(CLI::IsMember({"text", "json", "csv"}))
      ->default_str("text");
  rep->add_option_function<double>(
         "--fixed-share",
         [&report_options](double x) { report_options.fixed_share = x; },
         "The part of the cost split equally among the municipalities, 0 to "
         "1 (the daemon's default 0.4)")
      ->check(CLI::Range(0.0, 1.0));
  rep->add_option("--variable", report_options.variable,
                  "The rest of the cost split by volume (tickets in the "
                  "range, default) or population")
      ->check(CLI::IsMember({"volume", "population"}));
  rep->add_option_function<double>(
         "--amount", [&report_options](double x) { report_options.amount = x; },
         "Kroner to split: adds each municipality's share in kroner")
      ->check(CLI::Range(0.0, 1e12));
  rep->add_option("-o,--output", report_options.output,
                  "Write to FILE (replaced whole, via a temporary file) "
                  "instead of standard output");

  CLI::App* sla = app.add_subcommand(
      "sla", "SLA targets of the built-in policy, offline (no daemon)");
  sla->require_subcommand(1);
  SlaDueOptions due_options;
  CLI::App* due = sla->add_subcommand(
      "due",
      "Print when the first-response and resolution targets of an SLA class "
      "and priority fall due, with their warnings (at 75 % of a target), "
      "from a start instant, so a person can check the calendar maths by "
      "hand; then, per business calendar, the closed and half days between "
      "the start and the due time, with the names of public holidays. Uses "
      "the built-in policy (the SLA classes of the built-in catalogue: " +
          BuiltInSlaClasses() +
          ") and needs no daemon. Exit codes: 0 printed; 2 usage error (a "
          "bad --start, an unknown class or priority).");
  due->add_option(
         "--start", due_options.start,
         "When the clock starts: RFC 3339 with Z or an offset "
         "(2026-04-01T12:00:00Z, 2026-04-01T14:00:00+02:00), or a local "
         "time YYYY-MM-DDTHH:MM without offset (2026-04-01T14:00), read as "
         "Europe/Oslo wall time, daylight saving included (a time the "
         "spring change skips counts from the change; one the autumn change "
         "repeats is its first occurrence)")
      ->required();
  due->add_option("--class", due_options.sla_class,
                  "The SLA class, one of: " + BuiltInSlaClasses())
      ->required();
  due->add_option("--priority", due_options.priority,
                  "One of: " + helpdesk::sla::PriorityChoices())
      ->required()
      ->check(CLI::IsMember(PriorityNames()));
  due->add_option("--config", due_options.config,
                  "A helpdeskd config file: compute with the policy its [sla] "
                  "table makes (targets, desk hours, closed and half days, "
                  "warning share), as the daemon does");
  due->add_option("--format", due_options.format,
                  "text: for a person (default); json: the same as a JSON "
                  "object, instants in UTC and in Oslo local time")
      ->check(CLI::IsMember({"text", "json"}))
      ->default_str("text");

  std::string check_dir;
  CLI::App* check = app.add_subcommand(
      "check",
      "Check a data directory offline (safe while the daemon runs): list "
      "every record that cannot be read (table, key, why), and every place "
      "where the list indexes, status counts, open loads, SLA due-time "
      "index or report cells disagree with the stored tickets, or the event "
      "log has a gap. "
      "Exit codes: 0 clean; 1 problems found (one a line on standard "
      "output); 2 no database there, or an I/O error.");
  check->add_option("--data-dir", check_dir, "The daemon's data directory")
      ->required();

  std::string backup_dir, backup_to;
  CLI::App* backup = app.add_subcommand(
      "backup",
      "Back up a data directory into one file, safe while the daemon runs: "
      "a consistent, compacted copy of the database (one committed state; "
      "every write answered before it began is in it), checked by opening "
      "it, then named FILE (mode 0600: it holds personal data). Never "
      "overwrites FILE. Prints the tickets, the last event and the size. "
      "Exit codes: 0 done; 1 FILE exists; 2 no database there, or an I/O "
      "error.");
  backup->add_option("--data-dir", backup_dir, "The daemon's data directory")
      ->required();
  backup->add_option("--to", backup_to, "The backup file to write")->required();

  std::string restore_from, restore_dir;
  bool restore_replace = false;
  CLI::App* restore = app.add_subcommand(
      "restore",
      "Restore a backup into a stopped daemon's data directory (refused "
      "while it runs). The backup is copied in and checked first, and gets "
      "a new epoch, so live clients start over rather than resume across "
      "the events lost since it was taken. A backup of an older schema is "
      "upgraded when the daemon starts. Exit codes: 0 done; 1 refused, "
      "nothing changed (the daemon runs, a database is there without "
      "--replace, or FILE is no helpdeskd backup this version restores); "
      "2 an I/O error.");
  restore->add_option("--from", restore_from, "The backup file")->required();
  restore
      ->add_option("--data-dir", restore_dir,
                   "The stopped daemon's data directory (created if "
                   "missing)")
      ->required();
  restore->add_flag("--replace", restore_replace,
                    "Replace the database there, which is kept beside as "
                    "data.mdb.replaced-<UTC time>");

  RepairOptions repair_options;
  CLI::App* repair = app.add_subcommand(
      "repair",
      "Repair a stopped daemon's data directory (refused while the daemon "
      "runs): move each record that cannot be read, raw bytes and all, "
      "into the quarantine table, out of its table and indexes, with a "
      "recordQuarantined event in the log (a damaged event is replaced by "
      "that event, keeping its number); then rebuild the list indexes, "
      "status counts, open loads, SLA due-time index and report cells from "
      "the tickets "
      "if they disagree. All in one transaction. Exit codes: 0 repaired "
      "and clean; 1 problems remain; 2 the daemon runs, no database, or "
      "an I/O error (nothing was changed).");
  repair
      ->add_option("--data-dir", repair_options.data_dir,
                   "The stopped daemon's data directory")
      ->required();
  repair->add_option("--actor", repair_options.actor,
                     "Who repairs, recorded in the events (default: $USER, "
                     "else 'helpdeskctl')");

  // ------------------------------------------------------ accounts, tokens
  const std::string online_offline =
      " Through the running daemon's admin API (--url, as the admin account "
      "of $HELPDESK_TOKEN), or with --data-dir directly in a stopped "
      "daemon's data directory (refused while it runs).";
  const std::string identity_exit =
      " Exit codes: 0 done; 1 refused, nothing was changed (a value the "
      "desk refuses, no such account or token, a token that is no admin's, "
      "no database there or the daemon running on it); 2 usage, I/O or "
      "connection error.";
  const std::string secret_out =
      " The secret alone goes to standard output (for PW=$(...)), what was "
      "done to standard error.";
  auto add_actor = [](CLI::App& cmd, std::string& actor) {
    cmd.add_option("--actor", actor,
                   "With --data-dir: who makes the change, recorded in its "
                   "event (default: $USER, else 'helpdeskctl'); through --url "
                   "it is the account of $HELPDESK_TOKEN");
  };
  auto add_roles = [](CLI::App& cmd, std::vector<std::string>& roles,
                      const std::string& what) {
    cmd.add_option("--role", roles,
                   what + ": one or more of " + RoleChoices() +
                       " (repeat --role, or list them after one)")
        ->required()
        ->check(CLI::IsMember(RoleNames()));
  };
  auto add_password_stdin = [](CLI::App& cmd, bool& flag) {
    cmd.add_flag("--password-stdin", flag,
                 "Read the password from the first line of standard input "
                 "(12 to 1024 bytes) instead of making a random one; a "
                 "password is never taken as an argument");
  };

  CLI::App* user = app.add_subcommand(
      "user", "Accounts: add, list, disable, reset-password, roles");
  user->require_subcommand(1);

  UserOptions user_add_options;
  CLI::App* user_add = user->add_subcommand(
      "add",
      "Make account ID with a password: a new random one (20 characters), "
      "printed once, or one read with --password-stdin. An employee needs "
      "--municipality; an agent may be linked to a staff record with "
      "--staff-id. On a data directory without any account yet it also "
      "makes the key sessions and tokens are hashed with, so the daemon "
      "then starts with this account instead of the demo accounts." +
          online_offline + secret_out + identity_exit);
  user_add->add_option("ID", user_add_options.id, "The new account's id")
      ->required();
  user_add
      ->add_option("--name", user_add_options.name,
                   "The person's (or screen's) name, such as 'Kari Haugen'")
      ->required();
  add_roles(*user_add, user_add_options.roles, "Its roles");
  user_add->add_option("--municipality", user_add_options.municipality,
                       "An employee's municipality (a region id such as "
                       "'rollag'); only with --role employee");
  user_add->add_option(
      "--location", user_add_options.location,
      "An employee's usual place, one of their municipality's locations "
      "(GET /api/v1/municipalities): the portal proposes it for a new "
      "ticket");
  user_add->add_option("--staff-id", user_add_options.staff_id,
                       "An agent's staff record (GET /api/v1/staff); only "
                       "with --role agent or dispatcher");
  add_password_stdin(*user_add, user_add_options.password_stdin);
  AddTarget(*user_add, user_add_options.target, "make the account");
  add_actor(*user_add, user_add_options.actor);

  UserOptions user_list_options;
  CLI::App* user_list = user->add_subcommand(
      "list",
      "Print every account as a table: id, name, roles, municipality, staff "
      "id, whether it is disabled and whether a password is set (never a "
      "password or its hash). With --data-dir it reads the database "
      "directly, which is safe while the daemon runs. Exit codes: 0 "
      "printed; 1 refused (no database there, a token that is no admin's); "
      "2 usage, I/O or connection error.");
  AddTarget(*user_list, user_list_options.target, "read the accounts");

  UserOptions user_disable_options;
  CLI::App* user_disable = user->add_subcommand(
      "disable",
      "Disable account ID: it can no longer log in, and its sessions and API "
      "tokens end at once. The account and its history stay; an account "
      "already disabled is left as it is." +
          online_offline + identity_exit);
  user_disable->add_option("ID", user_disable_options.id, "The account")
      ->required();
  AddTarget(*user_disable, user_disable_options.target, "disable it");
  add_actor(*user_disable, user_disable_options.actor);

  UserOptions user_reset_options;
  CLI::App* user_reset = user->add_subcommand(
      "reset-password",
      "Give account ID a new password: a new random one, printed once, or "
      "one read with --password-stdin. Its sessions end (its API tokens "
      "stay). With --data-dir on the stopped daemon this is how an admin "
      "who lost every password gets back in: helpdeskctl user "
      "reset-password admin --data-dir DIR." +
          online_offline + secret_out + identity_exit);
  user_reset->add_option("ID", user_reset_options.id, "The account")
      ->required();
  add_password_stdin(*user_reset, user_reset_options.password_stdin);
  AddTarget(*user_reset, user_reset_options.target, "set the password");
  add_actor(*user_reset, user_reset_options.actor);

  UserOptions user_roles_options;
  CLI::App* user_roles = user->add_subcommand(
      "roles",
      "Replace the roles of account ID with those given. A municipality or "
      "staff link the new roles do not take is dropped; give "
      "--municipality when it becomes an employee. Its sessions end, so "
      "none holds more than the account now does." +
          online_offline + identity_exit);
  user_roles->add_option("ID", user_roles_options.id, "The account")
      ->required();
  add_roles(*user_roles, user_roles_options.roles, "Its roles from now on");
  user_roles->add_option("--municipality", user_roles_options.municipality,
                         "The municipality, when the account becomes an "
                         "employee");
  user_roles->add_option("--staff-id", user_roles_options.staff_id,
                         "The staff record, when it becomes an agent");
  AddTarget(*user_roles, user_roles_options.target, "change the roles");
  add_actor(*user_roles, user_roles_options.actor);

  CLI::App* token = app.add_subcommand(
      "token",
      "API tokens (for integrations and screens): create, list, "
      "revoke");
  token->require_subcommand(1);

  TokenOptions token_create_options;
  CLI::App* token_create = token->add_subcommand(
      "create",
      "Make an API token acting as account --account, with the roles that "
      "account has while it has them, and print it once: it is stored only "
      "as a keyed hash. Send it as 'Authorization: Bearer <token>' (or put "
      "it in $HELPDESK_TOKEN for helpdeskctl)." +
          online_offline + secret_out + identity_exit);
  token_create
      ->add_option("--account", token_create_options.account,
                   "The account the token acts as (enabled)")
      ->required();
  token_create
      ->add_option("--name", token_create_options.name,
                   "What it is for, such as 'Veggskjerm driftsrommet'")
      ->required();
  token_create
      ->add_option("--days", token_create_options.days,
                   "Days until it expires, 1 to 3650 (default: never)")
      ->check(CLI::Range(1, 3650));
  AddTarget(*token_create, token_create_options.target, "make the token");
  add_actor(*token_create, token_create_options.actor);

  TokenOptions token_list_options;
  CLI::App* token_list = token->add_subcommand(
      "list",
      "Print the API tokens and login sessions as a table: id (what revoke "
      "takes), account, kind, name, when made, when they expire and were "
      "last used. Never a secret: a token is shown only when it is made. "
      "With --data-dir it reads the database directly, which is safe while "
      "the daemon runs. Exit codes: 0 printed; 1 refused; 2 usage, I/O or "
      "connection error.");
  token_list->add_option("--account", token_list_options.account,
                         "Only those of this account");
  AddTarget(*token_list, token_list_options.target, "read the tokens");

  TokenOptions token_revoke_options;
  CLI::App* token_revoke = token->add_subcommand(
      "revoke",
      "Revoke the API token (or end the session) TOKEN_ID at once: the id "
      "token list shows, never the secret." +
          online_offline + identity_exit);
  token_revoke
      ->add_option("TOKEN_ID", token_revoke_options.id,
                   "The id, such as c-3f9a0c1d2e4b5a6f")
      ->required();
  AddTarget(*token_revoke, token_revoke_options.target, "revoke it");
  add_actor(*token_revoke, token_revoke_options.actor);

  PageOptions page_options;
  page_options.url = DefaultUrl();
  CLI::App* page = app.add_subcommand(
      "page",
      "Paging over the daemon's API (README, \"Paging\"), with the API token "
      "in $HELPDESK_TOKEN.");
  page->require_subcommand(1);
  CLI::App* page_test = page->add_subcommand(
      "test",
      "Send a test page to a staff member through every configured channel "
      "(the live stream, e-mail, the webhook; an admin's token) and wait "
      "until each has delivered or failed once. Exit codes: 0 every channel "
      "delivered; 1 a channel failed (its error printed; the daemon goes on "
      "retrying it); 2 usage error, the daemon not reachable, or a problem "
      "answer.");
  page_test
      ->add_option("--to", page_options.to,
                   "The staff id of the person to page, such as kari.haugen")
      ->required();
  CLI::App* page_list = page->add_subcommand(
      "list", "List the pages sent, newest first, with their delivery.");
  page_list
      ->add_option("--status", page_options.status,
                   "open or acknowledged; default: both")
      ->check(CLI::IsMember({"open", "acknowledged"}));
  CLI::App* page_ack = page->add_subcommand(
      "ack",
      "Acknowledge a page (a staff member's token): its steps not yet sent "
      "are cancelled.");
  page_ack->add_option("PAGE_ID", page_options.id, "The page's id")->required();
  for (CLI::App* sub : {page_test, page_list, page_ack}) {
    sub->add_option("--url", page_options.url, UrlHelp("ask,"))
        ->default_str(page_options.url);
    AddTimeout(*sub, page_options.timeout);
    sub->add_option("--format", page_options.format,
                    "text (default) or json (the daemon's answer)")
        ->check(CLI::IsMember({"text", "json"}))
        ->default_str("text");
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);  // prints help, version or the usage error
    return code == 0 ? kExitOk : kExitError;
  }
  if (validate->parsed()) return ValidateCommand(validate_file);
  if (exp->parsed()) return ExportCommand(export_options);
  if (imp->parsed()) return ImportCommand(import_options);
  if (cov->parsed()) return CoverageCommand(coverage_options);
  if (rep->parsed()) return ReportCommand(report_options);
  if (due->parsed()) return SlaDueCommand(due_options);
  if (check->parsed()) return CheckCommand(check_dir);
  if (backup->parsed()) return BackupCommand(backup_dir, backup_to);
  if (restore->parsed())
    return RestoreCommand(restore_from, restore_dir, restore_replace);
  if (repair->parsed()) return RepairCommand(repair_options);
  if (user_add->parsed()) return UserAddCommand(user_add_options);
  if (user_list->parsed()) return UserListCommand(user_list_options);
  if (user_disable->parsed()) return UserDisableCommand(user_disable_options);
  if (user_reset->parsed()) return UserResetPasswordCommand(user_reset_options);
  if (user_roles->parsed()) return UserRolesCommand(user_roles_options);
  if (token_create->parsed()) return TokenCreateCommand(token_create_options);
  if (token_list->parsed()) return TokenListCommand(token_list_options);
  if (token_revoke->parsed()) return TokenRevokeCommand(token_revoke_options);
  if (page_test->parsed()) return PageTestCommand(page_options);
  if (page_list->parsed()) return PageListCommand(page_options);
  if (page_ack->parsed()) return PageAckCommand(page_options);
  return kExitError;  // unreachable: require_subcommand
}

}  // namespace

int main(int argc, char** argv) {
  try {
    // The store logs through spdlog; its words belong with our messages on
    // standard error, never in an export written to standard output.
    spdlog::set_default_logger(spdlog::stderr_color_mt("helpdeskctl"));
    spdlog::set_level(spdlog::level::warn);
    return Run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "helpdeskctl: internal error: %s\n", e.what());
  } catch (...) {
    std::fprintf(stderr, "helpdeskctl: internal error\n");
  }
  return kExitError;
}
