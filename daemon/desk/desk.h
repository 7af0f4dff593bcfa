#pragma once
// The application layer as the daemon's adapters (http, and later live)
// call it: one method per use case. Writes are checked here, then decided
// and saved by the single writer (use_cases.h) and answered after the
// commit; reads run on the calling thread in a short LMDB read
// transaction. The store stays behind this class: its headers are not
// needed to call it.
//
// Thread-safety: every method is safe from any number of threads at once.
// A write's `done` is called exactly once: after the commit, on the thread
// AnswerOn posts to when the origin allows it (a client's write) and on
// the writer thread otherwise, or on the calling thread when the write is
// refused before it is queued; it must only hand the result on, never
// block.

#include <google/protobuf/timestamp.pb.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "catalogue/edit.h"
#include "daemon/auth/principal.h"
#include "daemon/auth/secrets.h"
#include "daemon/desk/commands.h"
#include "daemon/desk/origin.h"
#include "daemon/desk/queries.h"
#include "daemon/dispatch/roster.h"
#include "daemon/paging/plan.h"
#include "proto/helpdesk.pb.h"
#include "proto/status.h"
#include "sla/policy.h"

namespace helpdesk::store {
class Env;
class Writer;
struct Tables;
}  // namespace helpdesk::store

namespace helpdesk::desk {

class Context;
class Scope;

class Desk {
 public:
  using Clock = std::function<google::protobuf::Timestamp()>;
  template <typename T>
  using Done = std::function<void(StatusOr<T>)>;

  struct Options {
    v1::Region region;
    dispatch::Options dispatch;
    sla::Policy sla_policy = sla::DefaultPolicy();  // validated by main
    // The clock of reads and of the answers' SLA clocks; main passes the
    // writer's own. Required.
    Clock now;
    // Identity (README, "Accounts and roles").
    auth::PasswordCost password_cost = auth::PasswordCost::kInteractive;
    std::chrono::seconds session_lifetime{12 * 3600};
    size_t max_sessions = 10;  // per account; a new login ends the oldest
    // Months after which a closed ticket's personal text is erased
    // (SweepRetention); 0: kept forever.
    uint32_t retention_months = 0;
    // Who is paged, when, and over what ([paging]; README, "Paging").
    paging::Setup paging{};
    // Hands the memory freed after a large body back to the system: main
    // gives its allocator's own; without one, glibc's malloc_trim.
    std::function<void()> release_memory{};
  };

  Desk(const store::Env& env, const store::Tables& tables,
       store::Writer& writer, Options options);
  ~Desk();
  Desk(const Desk&) = delete;
  Desk& operator=(const Desk&) = delete;

  // Where the answers to clients' writes (Origin::answer_off_writer) are
  // made: `post` runs its function soon on another thread (main gives the
  // I/O threads), so the writer goes on to its next batch while the
  // answer is read and rendered. Set once, before the first such write
  // is submitted; until then, and for every other write, the answer is
  // made on the writer thread.
  using Post = std::function<void(std::function<void()>)>;
  void AnswerOn(Post post) { answer_on_ = std::move(post); }

  // ---------------------------------------------------------- tickets
  // Each answers the ticket as saved, with its comments and its SLA
  // clocks as they read now. `ticket` is its id as a client gives it
  // ("1042"); kNotFound when it is not one.
  void CreateTicket(Origin origin, v1::CreateTicketRequest request,
                    Done<v1::Ticket> done);
  void ChangeStatus(Origin origin, std::string_view ticket,
                    v1::ChangeStatusRequest request,
                    std::optional<uint32_t> if_match, Done<v1::Ticket> done);
  void ChangePriority(Origin origin, std::string_view ticket,
                      v1::ChangePriorityRequest request,
                      std::optional<uint32_t> if_match, Done<v1::Ticket> done);
  void Comment(Origin origin, std::string_view ticket,
               v1::AddCommentRequest request, Done<v1::Ticket> done);
  // A colleague to follow the ticket (`add`), or one no longer to.
  void Follow(Origin origin, std::string_view ticket, std::string account,
              bool add, Done<v1::Ticket> done);
  void Assign(Origin origin, std::string_view ticket, AssignCommand command,
              Done<v1::Ticket> done);

  // ---------------------------------------------------------- catalogue
  // Each is decided on the calling thread against the catalogue as last
  // committed (linear in its size); the writer only saves the decision,
  // checking the catalogue is still at that version (else it decides
  // again). A refusal or a change that changes nothing is answered at once.
  using CatalogueDone = Done<catalogue::EditResult>;
  void ImportCatalogue(Origin origin, v1::Catalogue incoming,
                       CatalogueDone done);
  void CreateService(Origin origin, v1::Service service, CatalogueDone done);
  void UpdateService(Origin origin, std::string id, v1::Service service,
                     std::optional<uint32_t> if_match, CatalogueDone done);
  void SetServiceState(Origin origin, std::string id, v1::ServiceState to,
                       std::optional<uint32_t> version, std::string reason,
                       CatalogueDone done);
  void CreateCategory(Origin origin, v1::Category category, CatalogueDone done);
  void UpdateCategory(Origin origin, std::string id, v1::Category category,
                      std::optional<uint32_t> if_match, CatalogueDone done);

  // ---------------------------------------------------------- staff
  void CreateStaff(Origin origin, v1::StaffMember body,
                   Done<v1::StaffMember> done);
  void UpdateStaff(Origin origin, std::string id, v1::StaffMember body,
                   std::optional<uint32_t> if_match,
                   Done<v1::StaffMember> done);
  // Decided on the calling thread against the last commit, like the
  // catalogue's changes; the writer saves it unless staff or rota changed.
  void PutRota(Origin origin, v1::VaktRota body,
               std::optional<uint32_t> if_match, Done<v1::VaktRota> done);

  // ---------------------------------------------------------- sweeps
  // Each calls `then`, if given, once the sweep is written (or failed, or
  // found nothing to do): on the writer thread or this one.
  // Queue Redispatch (the absent and the queue) as a write of its own.
  void SweepDispatch(std::function<void()> then = nullptr);
  // Queues RecordSlaAlerts, only when the due-time index says an alert
  // has fallen due (an idle daemon writes nothing).
  void SweepSla(std::function<void()> then = nullptr);
  // Queues the deletion of Idempotency-Key rows older than 24 hours (at
  // most kKeysSweptPerWrite a write), only when there are any.
  static constexpr size_t kKeysSweptPerWrite = 1000;
  void SweepKeys(std::function<void()> then = nullptr);
  // Queues a write that records when sessions and tokens were last used
  // (noted by Authenticate, at most once a minute each) and deletes the
  // expired ones (at most kKeysSweptPerWrite), only when there is either.
  void SweepCredentials(std::function<void()> then = nullptr);
  // (retention.cc) Queues the erasure of the personal text of tickets
  // closed at least retention_months calendar months ago (README,
  // "Retention of personal data"), at most kTicketsErasedPerWrite a
  // write, only when there is any: the closed tickets are read only when
  // one may have fallen due since the last look.
  static constexpr size_t kTicketsErasedPerWrite = 1000;
  void SweepRetention(std::function<void()> then = nullptr);

  // ---------------------------------------------------------- identity
  // (identity.cc) Sessions and tokens are found by the keyed hash of the
  // secret a client sends; the secret is kept nowhere.

  // The account a secret belongs to, as a principal; kUnauthenticated for
  // a secret that is unknown, expired, revoked, or of a disabled account.
  // One short read transaction.
  StatusOr<auth::Principal> Authenticate(std::string_view secret) const;
  // The CSRF token a cookie session's secret goes with.
  std::string CsrfTokenOf(std::string_view secret) const;
  // Checks the password (argon2id: tens of ms of CPU, so call it off the
  // I/O threads), then writes a new session, ending the account's oldest
  // beyond max_sessions. A wrong account or password is one answer
  // (kUnauthenticated), whichever it was.
  void Login(Origin origin, v1::LoginRequest request, Done<v1::Session> done);
  // Revokes the credential `origin.who` used.
  void Logout(Origin origin, Done<v1::Credential> done);
  // The caller's account and credential (its secret left out).
  StatusOr<v1::Session> WhoAmI(const auth::Principal& who) const;

  StatusOr<v1::ListAccountsResponse> ListAccounts() const;
  StatusOr<v1::Account> GetAccount(std::string_view id) const;
  // With `password` non-empty, it is set too (hashed off the writer).
  void CreateAccount(Origin origin, v1::Account account, std::string password,
                     Done<v1::Account> done);
  // Name, roles, municipality, staff link and disabled; a disabled
  // account's sessions and tokens end in the same write.
  void UpdateAccount(Origin origin, std::string id, v1::Account account,
                     std::optional<uint32_t> if_match, Done<v1::Account> done);
  // Sets the password and ends every session of the account.
  void SetPassword(Origin origin, std::string id, std::string password,
                   Done<v1::Account> done);
  void CreateToken(Origin origin, v1::CreateTokenRequest request,
                   Done<v1::CreatedToken> done);
  // The sessions and tokens of `account` (all accounts' when empty).
  StatusOr<v1::ListCredentialsResponse> ListCredentials(
      std::string_view account) const;
  void RevokeCredential(Origin origin, std::string id,
                        Done<v1::Credential> done);

  // What the first start makes when no account exists: the admin, and on
  // the demo staff an agent account for each person and a demo employee
  // per municipality. The passwords are the caller's to keep (main writes
  // them to an owner-only file before this commits).
  struct FirstAccount {
    v1::Account account;
    std::string password;
  };
  StatusOr<std::vector<FirstAccount>> PlanFirstAccounts() const;
  // Writes them (and the keyed hash's key) unless an account exists by
  // then; `done` is told how many were made.
  void MakeFirstAccounts(std::vector<FirstAccount> accounts, Done<size_t> done);

  // ---------------------------------------------------------- audit
  // (audit.cc) Changes are the event log's; reads of personal text by IT
  // staff (a ticket, its comments or history, a list) are noted here and
  // written by the writer in writes of their own, 256 together, or fewer
  // when FlushReads asks (the sweeper, every second): a read never waits
  // for it, and a crash loses at most the last second of them.
  // Call FlushReads first, and wait for it, to see every read noted so far
  // (it may wait for the writer: not from an I/O thread).
  StatusOr<v1::ListAuditResponse> ListAudit(const AuditQuery& query) const;
  // Queues a write of the reads noted so far, if any; `then`, if given,
  // once it is written (or failed), on the writer thread or this one.
  void FlushReads(std::function<void()> then = nullptr) const;

  // ---------------------------------------------------------- reads
  // kNotFound for a ticket, service, category or person that is not there
  // (and for a ticket `who` may not see: an employee's view of another's);
  // kInvalidParameter naming a filter that names nothing. Tickets, comments
  // and events are as `who` may read them (auth/policy.h).
  StatusOr<v1::Ticket> GetTicket(const auth::Principal& who,
                                 std::string_view ticket) const;
  StatusOr<TicketPage> ListTickets(const auth::Principal& who,
                                   const TicketQuery& query) const;
  StatusOr<v1::ListEventsResponse> ListEvents(const auth::Principal& who,
                                              const EventQuery& query) const;
  StatusOr<v1::ListCommentsResponse> ListComments(
      const auth::Principal& who, const CommentQuery& query) const;
  const v1::Region& region() const;
  // kInvalidParameter for an id that is not a municipality of the region;
  // ok for one that is, and for "" (no filter).
  Status CheckMunicipality(std::string_view id) const;

  StatusOr<v1::Catalogue> Catalogue() const;  // flat: what an import takes
  StatusOr<v1::CatalogueTree> CatalogueTree(std::string_view municipality,
                                            bool include_retired) const;
  StatusOr<v1::ListServicesResponse> SearchServices(
      const ServiceQuery& query) const;
  StatusOr<v1::Service> GetService(std::string_view id) const;
  StatusOr<v1::Category> GetCategory(std::string_view id) const;

  // People with `now` at the desk's clock.
  StatusOr<v1::ListStaffResponse> ListStaff(const StaffQuery& query) const;
  StatusOr<v1::StaffMember> GetStaffMember(std::string_view id) const;
  // The shifts overlapping [from, to) (a shift running over midnight into
  // the range is part of it); all of them without a range.
  StatusOr<v1::VaktRota> GetRota(
      std::optional<std::chrono::sys_seconds> from,
      std::optional<std::chrono::sys_seconds> to) const;
  // Who is on vakt at `at` (default now), as people with `now` at `at`.
  StatusOr<VaktNowAnswer> VaktNow(
      std::optional<std::chrono::sys_seconds> at) const;

  StatusOr<v1::CoverageReport> Coverage(
      std::optional<std::chrono::sys_seconds> at) const;
  StatusOr<v1::SlaReport> SlaReport(const SlaReportQuery& query) const;

  Stats GetStats() const;

  // ---------------------------------------------------------- paging
  // (paging.cc) Pages are made by the writes whose events call for them
  // (use_cases.h); these are what people and the sender do with them.
  // `id` is a page number as a client gives it ("17").
  void AckPage(Origin origin, std::string_view id, Done<v1::Page> done);
  // kInvalidField when `to` is no staff member.
  void TestPage(Origin origin, std::string to, Done<v1::Page> done);
  StatusOr<PageList> ListPages(const PageQuery& query) const;
  StatusOr<v1::Page> GetPage(std::string_view id) const;
  // For the sender: pages with something due at the desk's clock now
  // (at most `limit`), and the earliest next action of any (ms since the
  // epoch; nullopt when none).
  StatusOr<std::vector<v1::Page>> DuePages(size_t limit) const;
  StatusOr<std::optional<int64_t>> NextPageAction() const;
  // Queues the recording of a round; `then` once written, or failed (with
  // why: nothing of the round was recorded).
  void RecordPages(std::vector<PageRound> round,
                   std::function<void(Status)> then);
  const paging::Setup& paging() const;

  // ---------------------------------------------------------- live
  // (live.cc) The log as it is (no view, no audit: the live hub renders
  // each event per view), its last seq, and the database's epoch
  // (store::ReadEpoch).
  StatusOr<std::vector<v1::Event>> ReadLog(uint64_t after, size_t limit) const;
  StatusOr<uint64_t> LastSeq() const;
  StatusOr<std::string> Epoch() const;
  // The wall dashboard's picture (README, "Live"): open tickets, today's
  // figures per municipality from today's events, today's SLA alerts, the
  // vakt now and next. No personal text. Reads today's events: call it off
  // the I/O threads.
  static constexpr size_t kBoardTickets = 2000;
  // Notes (audit.cc) that `who`, if staff, opened the live stream with
  // `query` (its filter and since): what it then receives is theirs to
  // read as the log is.
  void NoteStream(const auth::Principal& who, std::string_view query) const;
  StatusOr<v1::Board> Board() const;

  // Whether writes can go through now (for /readyz): not while the last
  // write batch failed for the store's sake (a full map or disk, an LMDB
  // error) until a later one commits, nor while writes have waited longer
  // than kStalledAfter with no batch finishing. Cheap: reads no table.
  struct Readiness {
    bool ready = true;
    std::string reason;  // why not, for an operator
  };
  static constexpr std::chrono::seconds kStalledAfter{5};
  Readiness GetReadiness() const;

  google::protobuf::Timestamp Now() const { return now_(); }

 private:
  // Submits `write` to the writer; `done` gets its status after the commit.
  // `large`: the write holds a large decision, freed off the writer's
  // thread once done (store::Writer::Freed).
  void Submit(Origin origin, std::function<Status(Scope&)> write,
              std::function<void(Status)> done, bool large = false);
  // Runs `use_case` on the writer and answers what it returns. With an
  // Idempotency-Key (origin.h) the writer first looks for the key's row:
  // a live one is answered again (its answer, or KeyReused for another
  // request) and nothing runs; else the answer of a use case that wrote
  // (appended an event) is kept in the key's row in the same write. A
  // refusal, or a change that changed nothing, keeps no row: its retry is
  // decided again.
  template <typename T>
  void Run(Origin origin, std::function<StatusOr<T>(Scope&)> use_case,
           Done<T> done, bool large = false);
  // When `origin`'s Idempotency-Key answered before, as a read sees it:
  // answers `done` so (see Run) and returns true. Run asks first, so a
  // retry never queues; so do the changes decided before the writer,
  // which must not decide a retry again (its first change would make the
  // retry a conflict).
  template <typename T>
  bool AnsweredBefore(const Origin& origin, Done<T>& done) const;
  // Decides `edit` here, then has the writer save it (desk.cc).
  void EditCatalogue(Origin origin,
                     std::function<catalogue::EditResult(
                         const v1::Catalogue&, const std::vector<std::string>&)>
                         edit,
                     CatalogueDone done);
  // Runs `use_case` on the ticket a client names by `id`, answering the
  // ticket with its clocks; kNotFound at once when `id` is no ticket id.
  void RunOnTicket(
      Origin origin, std::string_view id,
      std::function<StatusOr<v1::Ticket>(Scope&, uint64_t)> use_case,
      Done<v1::Ticket> done);
  // `done`, given the ticket with its SLA clocks as they read now, as
  // `who` may read it.
  Done<v1::Ticket> ReadingClocks(const auth::Principal& who,
                                 Done<v1::Ticket> done) const;
  // Notes that `who` read `what` ("ticket", "comments", "events", "list")
  // of `ticket` ("" for a list, with its `query`), when `who` is staff.
  void NoteRead(const auth::Principal& who, std::string_view ticket,
                std::string_view what, std::string_view query = {}) const;
  void QueueReadsWrite(std::function<void()> then) const;
  // Notes a credential's use at `now` when its last noted use is a minute
  // old.
  void NoteUse(const std::string& credential, int64_t last_used,
               int64_t now) const;
  // Run, for the writes of identity (an account, a session or a token
  // changed): `done` after every cached principal is made stale.
  template <typename T>
  void ChangeIdentity(Origin origin,
                      std::function<StatusOr<T>(Scope&)> use_case,
                      Done<T> done);
  // The keyed hash's key (read once, then kept: it never changes).
  StatusOr<std::string> AuthKey() const;
  v1::Ticket WithClocks(v1::Ticket ticket) const;

  const store::Env& env_;
  const store::Tables& tables_;
  store::Writer& writer_;
  const Clock now_;
  Post answer_on_;  // set before the first client's write (AnswerOn)
  const std::function<void()> release_memory_;
  const std::unique_ptr<Context> context_;
  const auth::PasswordCost password_cost_;
  const std::chrono::seconds session_lifetime_;
  const size_t max_sessions_;
  const uint32_t retention_months_ = 0;
  // SweepRetention reads the closed tickets only once the cutoff (seconds
  // since the epoch) reaches this: the closing of the earliest not yet
  // due, as its last look found it; 0: look at the next sweep.
  mutable std::atomic<int64_t> retention_due_from_{0};
  mutable std::mutex key_mu_;
  mutable std::string auth_key_;  // guarded by key_mu_; empty until read
  // Credential id -> when it was used, seconds since the epoch, noted
  // since the last SweepCredentials; guarded by used_mu_.
  mutable std::mutex used_mu_;
  mutable std::unordered_map<std::string, int64_t> used_;
  // Who a secret's keyed hash is, as Authenticate last read it from the
  // tables, while identity_generation_ is what it was then: every write
  // of identity moves it on once committed, so a revoked session or a
  // disabled account is never served from here. Guarded by principals_mu_.
  struct CachedPrincipal {
    auth::Principal principal;
    uint64_t generation = 0;
    int64_t expires_at = 0;  // seconds; 0: never
    int64_t last_used = 0;   // as noted (NoteUse)
  };
  static constexpr size_t kCachedPrincipals = 100000;
  mutable std::shared_mutex principals_mu_;
  mutable std::unordered_map<std::string, CachedPrincipal> principals_;
  mutable std::atomic<uint64_t> identity_generation_{0};
  // Reads noted and not yet handed to the writer, and whether a write of
  // them is queued; guarded by reads_mu_.
  mutable std::mutex reads_mu_;
  mutable std::vector<v1::AccessRecord> reads_;
  mutable bool reads_queued_ = false;
  // The catalogue prepared for search (every service's words stemmed
  // once), rebuilt when the catalogue's version moves on. Guarded by
  // search_mu_; a search holds its own reference, not the lock.
  struct SearchCache;
  mutable std::mutex search_mu_;
  mutable std::shared_ptr<const SearchCache> search_;
  StatusOr<std::shared_ptr<const SearchCache>> Searchable() const;
};

}  // namespace helpdesk::desk
