// The Desk's writes and sweeps. Checks that need no transaction run on the
// caller's thread, so bad input never queues behind good; the use case
// itself runs on the writer (use_cases.h).

#include "daemon/desk/desk.h"

#include <malloc.h>
#include <spdlog/spdlog.h>

#include <concepts>
#include <cstdlib>

#include "daemon/auth/policy.h"
#include "daemon/desk/context.h"
#include "daemon/desk/internal.h"
#include "daemon/desk/scope.h"
#include "daemon/desk/staff_view.h"
#include "daemon/desk/use_cases.h"
#include "daemon/store/catalogue_tables.h"
#include "daemon/store/idempotency.h"
#include "daemon/store/lmdb.h"
#include "daemon/store/record_check.h"
#include "daemon/store/sla_index.h"
#include "daemon/store/tables.h"
#include "daemon/store/ticket_words.h"
#include "daemon/store/writer.h"
#include "daemon/tickets/commands.h"
#include "daemon/tickets/sla_clocks.h"
#include "proto/timestamps.h"

namespace helpdesk::desk {

namespace {

// A body with more entries than this (a rota, a catalogue; a hostile one
// parses into millions of small messages) leaves its memory, once freed,
// in the allocator's arenas, where glibc keeps it (measured: 437 MB still
// held after an 8 MiB rota of empty shifts was refused). Such a body is
// freed as soon as it is answered and the free memory handed back
// (Options::release_memory).
constexpr int kLargeBody = 10000;

// ------------------------------------------------ Idempotency-Key answers
// What a keyed write answered, as its row keeps it. A message is kept
// whole (the ticket, person or rota as saved); a catalogue change only as
// its answer shows it: the entry after the change and the new version (in
// the event body), or an import's diff. Every string in it was stored, and
// checked, by the same write; it is checked again as a record of its own.

std::string EncodeAnswer(const google::protobuf::Message& m) {
  return m.SerializeAsString();
}
bool DecodeAnswer(std::string_view bytes, google::protobuf::Message& m) {
  return store::ParseRecord(bytes, m);
}
Status CheckAnswer(const google::protobuf::Message& m) {
  return store::CheckStrings(m, "answer kept for an Idempotency-Key");
}

std::string EncodeAnswer(const catalogue::EditResult& e) {
  return EncodeAnswer(e.change);
}
bool DecodeAnswer(std::string_view bytes, catalogue::EditResult& e) {
  if (!DecodeAnswer(bytes, e.change)) return false;
  e.changed = true;  // only a change keeps its answer
  e.after.set_version(e.change.catalogue_version());
  if (e.change.has_service()) *e.after.add_services() = e.change.service();
  if (e.change.has_category()) *e.after.add_categories() = e.change.category();
  return true;
}
Status CheckAnswer(const catalogue::EditResult& e) {
  return CheckAnswer(e.change);
}

// Gives `done` the outcome of a write, off the writer: what the writer
// does for the answers it makes itself (writer.h), a throw is logged and
// the daemon goes on; the client is told, when it can be, that the change
// was saved (or not) but its answer failed.
void AnswerGuarded(const std::function<void(Status)>& done, Status status) {
  const bool saved = status.ok();
  std::string what;
  try {
    return done(std::move(status));
  } catch (const std::exception& e) {
    what = e.what();
  } catch (...) {
    what = "not a std::exception";
  }
  spdlog::error("the answer to a write failed: {}", what);
  try {
    done(Status::Internal(
        saved ? "the change was made and saved, but its answer failed: do "
                "not send it again; read it back instead"
              : "the change was refused, and its answer failed"));
  } catch (...) {
    spdlog::error("the answer to a write failed again; its client is not told");
  }
}

// The answers a key can keep (not a sweep's count).
template <typename T>
concept Keyable = requires(const T& t, T& out) {
  { EncodeAnswer(t) } -> std::same_as<std::string>;
  { DecodeAnswer(std::string_view(), out) } -> std::same_as<bool>;
};

// What `o`'s key has answered by `now` as `txn` sees it: nothing (nullopt),
// the first answer, or KeyReused when it answered another request.
template <Keyable T>
StatusOr<std::optional<T>> Recall(const store::Txn& txn,
                                  const store::Tables& tables, const Origin& o,
                                  int64_t now) {
  const IdempotencyKey& k = o.idempotency;
  auto row = store::FindKeyedAnswer(txn, tables, o.actor, k.key, now);
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<T>();
  if ((*row)->fingerprint != k.fingerprint)
    return Status::KeyReused(
        "Idempotency-Key",
        "this Idempotency-Key was used in the last 24 hours for a different "
        "request (another method, path, query or body); nothing was "
        "changed. Send a new key with every new request, and the same key "
        "only to retry the very same request");
  T answer;
  if (!DecodeAnswer((*row)->answer, answer)) {
    // Treated as absent: the write goes ahead and replaces the row.
    store::NoteDamaged("the answer kept for an Idempotency-Key of " + o.actor);
    return std::optional<T>();
  }
  return std::optional<T>(std::move(answer));
}

// Run's write for a keyed request (Desk::Run says what it does). Sets
// `out` to the answer and `replayed` when it is the first one's.
template <Keyable T>
Status RunKeyed(Scope& s, const std::function<StatusOr<T>(Scope&)>& use_case,
                std::optional<T>& out, bool& replayed) {
  const Origin& o = s.origin();
  const int64_t now = s.now().seconds();
  auto before = Recall<T>(s.txn(), s.tables(), o, now);
  if (!before.ok()) return before.status();
  if (*before) {
    out = std::move(**before);
    replayed = true;
    return Status::Ok();
  }
  const size_t events = s.store().events().size();
  StatusOr<T> r = use_case(s);
  if (!r.ok()) return r.status();
  if (s.store().events().size() > events) {
    if (Status st = CheckAnswer(*r); !st.ok()) return st;
    const store::KeyedAnswer row{o.idempotency.fingerprint, now,
                                 EncodeAnswer(*r)};
    if (Status st = s.store().Write([&](store::Txn& txn,
                                        const store::Tables& t) {
          return store::PutKeyedAnswer(txn, t, o.actor, o.idempotency.key, row);
        });
        !st.ok())
      return st;
  }
  out = std::move(*r);
  return Status::Ok();
}

}  // namespace

std::string RequestFingerprint(std::string_view method, std::string_view target,
                               std::string_view body) {
  return store::Sha256({store::Be64(method.size()), method,
                        store::Be64(target.size()), target, body});
}

Desk::Desk(const store::Env& env, const store::Tables& tables,
           store::Writer& writer, Options options)
    : env_(env),
      tables_(tables),
      writer_(writer),
      now_(std::move(options.now)),
      release_memory_(options.release_memory ? std::move(options.release_memory)
                                             : [] { malloc_trim(0); }),
      context_(std::make_unique<Context>(
          tables, std::move(options.region), std::move(options.dispatch),
          std::move(options.sla_policy), std::move(options.paging))),
      password_cost_(options.password_cost),
      session_lifetime_(options.session_lifetime),
      max_sessions_(std::max<size_t>(options.max_sessions, 1)),
      retention_months_(options.retention_months) {
  // A broken start-up aborts loudly: the desk has no clock of its own.
  if (!now_) {
    spdlog::critical("desk::Desk needs a clock (Options::now)");
    std::abort();
  }
}

Desk::~Desk() = default;

const v1::Region& Desk::region() const { return context_->region(); }

void Desk::Submit(Origin origin, std::function<Status(Scope&)> write,
                  std::function<void(Status)> done, bool large) {
  // `done` answers once: after the commit (on the writer, or where
  // AnswerOn posts a client's answer), or here when the queue refuses the
  // write.
  auto shared = std::make_shared<std::function<void(Status)>>(std::move(done));
  const bool off_writer = origin.answer_off_writer && answer_on_;
  Status queued = writer_.Submit(
      [this, origin = std::move(origin),
       write = std::move(write)](store::WriteContext& w) {
        Scope scope(w, *context_, origin);
        const size_t first = w.events().size();
        Status st = write(scope);
        // The pages its events call for, in the same transaction.
        if (st.ok() && w.events().size() > first)
          if (Status paged = PageAfter(scope, first); !paged.ok()) return paged;
        return st;
      },
      [this, shared, off_writer](store::WriteResult result) {
        // A roster cached from a transaction that did not commit must not
        // outlive it (roster_cache.h): before the next batch, here.
        if (result.batch_failed) context_->rosters().Invalidate();
        if (!off_writer) return (*shared)(std::move(result.status));
        // The events go too, to be freed there.
        answer_on_([shared, result = std::move(result)]() mutable {
          AnswerGuarded(*shared, std::move(result.status));
        });
      },
      large ? store::Writer::Freed::kByJanitor
            : store::Writer::Freed::kByWriter);
  if (!queued.ok()) (*shared)(std::move(queued));
}

template <typename T>
bool Desk::AnsweredBefore(const Origin& origin, Done<T>& done) const {
  if constexpr (!Keyable<T>) {
    return false;
  } else {
    if (origin.idempotency.key.empty()) return false;
    StatusOr<std::optional<T>> before = std::optional<T>();
    {
      auto txn = store::Txn::BeginRead(env_);
      if (!txn.ok()) return false;  // the writer will tell
      before = Recall<T>(*txn, tables_, origin, Now().seconds());
    }
    if (!before.ok() && before.status().code() != Code::kKeyReused)
      return false;
    if (before.ok() && !*before) return false;
    if (!before.ok()) {
      done(before.status());
      return true;
    }
    if (origin.idempotency.replayed) origin.idempotency.replayed();
    done(std::move(**before));
    return true;
  }
}

template <typename T>
void Desk::Run(Origin origin, std::function<StatusOr<T>(Scope&)> use_case,
               Done<T> done, bool large) {
  if (AnsweredBefore(origin, done)) return;
  // Filled on the writer thread by the write, read there by the completion
  // after the commit; a batch run again after growing the map fills them
  // again.
  auto out = std::make_shared<std::optional<T>>();
  auto replayed = std::make_shared<bool>(false);
  auto on_replay = origin.idempotency.replayed;
  Submit(
      std::move(origin),
      [use_case = std::move(use_case), out, replayed](Scope& s) {
        *replayed = false;
        if constexpr (Keyable<T>) {
          // The authoritative look: two requests with one key in a batch,
          // or racing past AnsweredBefore, meet here; the second replays.
          if (!s.origin().idempotency.key.empty())
            return RunKeyed<T>(s, use_case, *out, *replayed);
        }
        StatusOr<T> r = use_case(s);
        if (!r.ok()) return r.status();
        *out = std::move(*r);
        return Status::Ok();
      },
      [out, replayed, on_replay = std::move(on_replay),
       done = std::move(done)](Status status) {
        if (!status.ok()) return done(std::move(status));
        if (*replayed && on_replay) on_replay();
        done(std::move(**out));
      },
      large);
}

v1::Ticket Desk::WithClocks(v1::Ticket t) const {
  if (!t.has_sla()) return t;
  const auto at = proto::ToSys(Now());
  auto* sla = t.mutable_sla();
  *sla->mutable_first_response() =
      tickets::ReadAt(sla->first_response(), context_->sla(), at);
  *sla->mutable_resolution() =
      tickets::ReadAt(sla->resolution(), context_->sla(), at);
  return t;
}

Desk::Done<v1::Ticket> Desk::ReadingClocks(const auth::Principal& who,
                                           Done<v1::Ticket> done) const {
  return [this, who, done = std::move(done)](StatusOr<v1::Ticket> t) {
    if (!t.ok()) return done(std::move(t));
    v1::Ticket ticket = WithClocks(std::move(*t));
    auth::Redact(who, ticket);
    done(std::move(ticket));
  };
}

// ------------------------------------------------------------ tickets

void Desk::CreateTicket(Origin origin, v1::CreateTicketRequest request,
                        Done<v1::Ticket> done) {
  if (Status s = auth::CheckCreate(origin.who, request); !s.ok())
    return done(std::move(s));
  if (Status s = tickets::ValidateCreate(request, context_->region()); !s.ok())
    return done(std::move(s));
  // Its words for search are worked out here, not on the writer.
  auto words = store::WordsOfText(request.title(), request.description());
  auto answer = ReadingClocks(origin.who, std::move(done));
  Run<v1::Ticket>(
      std::move(origin),
      [request = std::move(request), words = std::move(words)](Scope& s) {
        return desk::CreateTicket(s, request, &words);
      },
      std::move(answer));
}

void Desk::RunOnTicket(
    Origin origin, std::string_view id,
    std::function<StatusOr<v1::Ticket>(Scope&, uint64_t)> use_case,
    Done<v1::Ticket> done) {
  const auto ticket = tickets::ParseTicketId(id);
  if (!ticket) return done(NoSuchTicket(id));
  auto answer = ReadingClocks(origin.who, std::move(done));
  Run<v1::Ticket>(
      std::move(origin),
      [ticket = *ticket, use_case = std::move(use_case)](Scope& s) {
        return use_case(s, ticket);
      },
      std::move(answer));
}

void Desk::ChangeStatus(Origin origin, std::string_view id,
                        v1::ChangeStatusRequest request,
                        std::optional<uint32_t> if_match,
                        Done<v1::Ticket> done) {
  if (Status s = auth::CheckActor(origin.who, "actor", request.actor());
      !s.ok())
    return done(std::move(s));
  request.set_actor(origin.actor);
  RunOnTicket(
      std::move(origin), id,
      [request = std::move(request), if_match](Scope& s, uint64_t t) {
        return desk::ChangeStatus(s, t, request, if_match);
      },
      std::move(done));
}

void Desk::ChangePriority(Origin origin, std::string_view id,
                          v1::ChangePriorityRequest request,
                          std::optional<uint32_t> if_match,
                          Done<v1::Ticket> done) {
  RunOnTicket(
      std::move(origin), id,
      [request = std::move(request), if_match](Scope& s, uint64_t t) {
        return desk::ChangePriority(s, t, request, if_match);
      },
      std::move(done));
}

void Desk::Comment(Origin origin, std::string_view id,
                   v1::AddCommentRequest request, Done<v1::Ticket> done) {
  if (Status s = auth::CheckActor(origin.who, "author", request.author());
      !s.ok())
    return done(std::move(s));
  if (Status s = auth::CheckComment(origin.who, request); !s.ok())
    return done(std::move(s));
  request.set_author(origin.actor);
  RunOnTicket(
      std::move(origin), id,
      [request = std::move(request)](Scope& s, uint64_t t) {
        return desk::Comment(s, t, request);
      },
      std::move(done));
}

void Desk::Follow(Origin origin, std::string_view id, std::string account,
                  bool add, Done<v1::Ticket> done) {
  RunOnTicket(
      std::move(origin), id,
      [account = std::move(account), add](Scope& s, uint64_t t) {
        return desk::Follow(s, t, account, add);
      },
      std::move(done));
}

void Desk::Assign(Origin origin, std::string_view id, AssignCommand command,
                  Done<v1::Ticket> done) {
  if (Status s = CheckAssignment(command); !s.ok()) return done(std::move(s));
  RunOnTicket(
      std::move(origin), id,
      [command = std::move(command)](Scope& s, uint64_t t) {
        return desk::Assign(s, t, command);
      },
      std::move(done));
}

// ------------------------------------------------------------ catalogue

void Desk::EditCatalogue(Origin origin, CatalogueEdit edit,
                         CatalogueDone done) {
  // Decided here, against the catalogue as last committed, so that the
  // writer (which every write waits for) only saves: a change decided
  // against a version that still holds when it is written is the same
  // decision the writer would make. A refusal is answered at once.
  if (AnsweredBefore(origin, done)) return;
  auto before = Catalogue();
  if (!before.ok()) return done(before.status());
  catalogue::EditResult decided = edit(*before, context_->municipality_ids());
  if (!decided.ok()) return done(std::move(decided.status));
  if (!decided.changed) return done(std::move(decided));
  // What it writes is worked out here too (and its entries checked), so
  // the writer only puts the entries that change.
  auto writes = store::PlanCatalogue(*before, decided.after);
  if (!writes.ok()) return done(writes.status());
  auto decision = std::make_shared<const CatalogueDecision>(
      CatalogueDecision{before->version(), std::move(*writes),
                        std::move(decided), std::move(edit)});
  Run<catalogue::EditResult>(
      std::move(origin),
      [decision](Scope& s) { return desk::ApplyCatalogueEdit(s, *decision); },
      std::move(done), /*large=*/true);  // whole catalogues, freed elsewhere
}

void Desk::ImportCatalogue(Origin origin, v1::Catalogue incoming,
                           CatalogueDone done) {
  const bool large = incoming.categories_size() + incoming.services_size() +
                         incoming.skills_size() + incoming.sla_classes_size() >
                     kLargeBody;
  EditCatalogue(
      std::move(origin),
      [incoming = std::move(incoming)](const v1::Catalogue& current,
                                       const std::vector<std::string>& munis) {
        return catalogue::Import(current, incoming, munis);
      },
      std::move(done));
  // More entries than the limits allow: refused, and `incoming` freed
  // with the edit that held it.
  if (large) release_memory_();
}

void Desk::CreateService(Origin origin, v1::Service service,
                         CatalogueDone done) {
  EditCatalogue(
      std::move(origin),
      [service = std::move(service)](const v1::Catalogue& current,
                                     const std::vector<std::string>& munis) {
        return catalogue::CreateService(current, service, munis);
      },
      std::move(done));
}

void Desk::UpdateService(Origin origin, std::string id, v1::Service service,
                         std::optional<uint32_t> if_match, CatalogueDone done) {
  // A PUT is what an operator tries first on a service that cannot be
  // read; it has no version to match, so the PUT replaces it whole, as a
  // new service (version 1, recorded as added), checked like any other.
  if (store::IsDamaged(GetService(id).status())) {
    service.set_id(id);
    service.set_version(0);
    return CreateService(std::move(origin), std::move(service),
                         std::move(done));
  }
  EditCatalogue(
      std::move(origin),
      [id = std::move(id), service = std::move(service), if_match](
          const v1::Catalogue& current, const std::vector<std::string>& munis) {
        return catalogue::UpdateService(current, id, service, if_match, munis);
      },
      std::move(done));
}

void Desk::SetServiceState(Origin origin, std::string id, v1::ServiceState to,
                           std::optional<uint32_t> version, std::string reason,
                           CatalogueDone done) {
  if (Status damaged = GetService(id).status(); store::IsDamaged(damaged))
    return done(Status::Internal(damaged.message() +
                                 ", or replace it with PUT "
                                 "/api/v1/catalogue/services/" +
                                 id));
  EditCatalogue(
      std::move(origin),
      [id = std::move(id), to, version, reason = std::move(reason)](
          const v1::Catalogue& current, const std::vector<std::string>&) {
        return catalogue::SetServiceState(current, id, to, version, reason);
      },
      std::move(done));
}

void Desk::CreateCategory(Origin origin, v1::Category category,
                          CatalogueDone done) {
  EditCatalogue(
      std::move(origin),
      [category = std::move(category)](const v1::Catalogue& current,
                                       const std::vector<std::string>& munis) {
        return catalogue::CreateCategory(current, category, munis);
      },
      std::move(done));
}

void Desk::UpdateCategory(Origin origin, std::string id, v1::Category category,
                          std::optional<uint32_t> if_match,
                          CatalogueDone done) {
  EditCatalogue(
      std::move(origin),
      [id = std::move(id), category = std::move(category), if_match](
          const v1::Catalogue& current, const std::vector<std::string>& munis) {
        return catalogue::UpdateCategory(current, id, category, if_match,
                                         munis);
      },
      std::move(done));
}

// ------------------------------------------------------------ staff

void Desk::CreateStaff(Origin origin, v1::StaffMember body,
                       Done<v1::StaffMember> done) {
  Run<v1::StaffMember>(
      std::move(origin),
      [body = std::move(body)](Scope& s) { return desk::CreateStaff(s, body); },
      std::move(done));
}

void Desk::UpdateStaff(Origin origin, std::string id, v1::StaffMember body,
                       std::optional<uint32_t> if_match,
                       Done<v1::StaffMember> done) {
  // Ids that cannot exist are not looked up (an empty or oversized LMDB
  // key is an error, not a miss).
  if (!staff::IsStaffId(id)) return done(NoStaff(id));
  Run<v1::StaffMember>(
      std::move(origin),
      [id = std::move(id), body = std::move(body), if_match](Scope& s) {
        return desk::UpdateStaff(s, id, body, if_match);
      },
      std::move(done));
}

void Desk::PutRota(Origin origin, v1::VaktRota body,
                   std::optional<uint32_t> if_match, Done<v1::VaktRota> done) {
  // Decided here against the last commit, as catalogue changes are; the
  // writer saves it unless staff or rota changed meanwhile.
  if (AnsweredBefore(origin, done)) return;
  auto decided = [&]() -> StatusOr<RotaDecision> {
    auto txn = store::Txn::BeginRead(env_);
    if (!txn.ok()) return txn.status();
    return DecideRotaIn(*txn, tables_, body, if_match);
  }();
  if (!decided.ok()) {
    done(decided.status());
    if (body.shifts_size() > kLargeBody) {
      { v1::VaktRota gone = std::move(body); }
      release_memory_();
    }
    return;
  }
  if (decided->unchanged) return done(std::move(decided->rota));
  struct Decision {
    RotaDecision decided;
    v1::VaktRota body;
  };
  auto decision = std::make_shared<const Decision>(
      Decision{std::move(*decided), std::move(body)});
  Run<v1::VaktRota>(
      std::move(origin),
      [decision, if_match](Scope& s) {
        return desk::ApplyRota(s, decision->decided, decision->body, if_match);
      },
      std::move(done), /*large=*/true);  // a whole rota, freed elsewhere
}

// ------------------------------------------------------------ sweeps

void Desk::SweepDispatch(std::function<void()> then) {
  Run<size_t>(
      SystemOrigin("dispatch", "sweep"),
      [](Scope& s) { return desk::Redispatch(s); },
      [then = std::move(then)](StatusOr<size_t> recorded) {
        if (!recorded.ok())
          spdlog::warn("dispatch sweep failed: {}",
                       recorded.status().message());
        else if (*recorded > 0)
          spdlog::info("dispatch sweep: {} decisions recorded", *recorded);
        if (then) then();
      });
}

void Desk::SweepSla(std::function<void()> then) {
  // Nothing due: no write at all (an idle daemon writes nothing).
  {
    auto txn = store::Txn::BeginRead(env_);
    auto due = txn.ok() ? AlertsDue(*txn, tables_, Now().seconds())
                        : StatusOr<bool>(txn.status());
    if (!due.ok() || !*due) {
      if (then) then();
      return;
    }
  }
  Run<size_t>(
      SystemOrigin("sla", "sla"),
      [](Scope& s) { return desk::RecordSlaAlerts(s); },
      [then = std::move(then)](StatusOr<size_t> recorded) {
        if (!recorded.ok())
          spdlog::warn("recording SLA alerts failed: {}",
                       recorded.status().message());
        else if (*recorded > 0)
          spdlog::info("{} SLA alerts recorded", *recorded);
        if (then) then();
      });
}

void Desk::SweepKeys(std::function<void()> then) {
  // None expired: no write at all.
  {
    auto txn = store::Txn::BeginRead(env_);
    auto due = txn.ok()
                   ? store::KeyedAnswersExpired(*txn, tables_, Now().seconds())
                   : StatusOr<bool>(txn.status());
    if (!due.ok() || !*due) {
      if (then) then();
      return;
    }
  }
  Run<size_t>(
      SystemOrigin("idempotency", "sweep"),
      [](Scope& s) -> StatusOr<size_t> {
        size_t swept = 0;
        Status st =
            s.store().Write([&](store::Txn& txn, const store::Tables& t) {
              auto n = store::SweepKeyedAnswers(txn, t, s.now().seconds(),
                                                kKeysSweptPerWrite);
              if (!n.ok()) return n.status();
              swept = *n;
              return Status::Ok();
            });
        if (!st.ok()) return st;
        return swept;
      },
      [then = std::move(then)](StatusOr<size_t> swept) {
        if (!swept.ok())
          spdlog::warn("sweeping expired Idempotency-Keys failed: {}",
                       swept.status().message());
        else
          spdlog::debug("{} expired Idempotency-Keys swept", *swept);
        if (then) then();
      });
}

// ------------------------------------------------------------ stats

Stats Desk::GetStats() const {
  Stats out;
  store::Writer::Stats w = writer_.GetStats();
  out.batches = w.batches;
  out.writes = w.writes;
  out.queued = w.queued;
  out.batch_size_buckets = std::move(w.batch_size_buckets);
  out.batch_buckets.assign(std::begin(store::Writer::kBatchBuckets),
                           std::end(store::Writer::kBatchBuckets));
  out.map_size = w.map_size;
  out.last_seq = w.last_seq;
  out.writer_exceptions = w.exceptions;
  const auto times = [](store::Writer::Stats::Times& t) {
    return Stats::Times{std::move(t.buckets),
                        static_cast<double>(t.total_ns) / 1e9, t.count};
  };
  out.writer_apply = times(w.apply);
  out.writer_commit = times(w.commit);
  out.seconds_buckets.assign(std::begin(store::Writer::kSecondsBuckets),
                             std::end(store::Writer::kSecondsBuckets));
  auto txn = store::Txn::BeginRead(env_);
  if (txn.ok()) {
    auto counts = store::CountByStatus(*txn, tables_);
    if (counts.ok()) out.tickets_by_status = std::move(*counts);
    if (auto keys = store::CountKeyedAnswers(*txn, tables_); keys.ok())
      out.idempotency_keys = *keys;
  }
  return out;
}

Desk::Readiness Desk::GetReadiness() const {
  const store::Writer::Health h = writer_.GetHealth();
  const auto seconds = [](auto d) {
    return std::to_string(
        std::chrono::duration_cast<std::chrono::seconds>(d).count());
  };
  if (!h.storage.ok()) {
    return {
        false,
        "the store cannot write (for " + seconds(h.storage_failed_for) +
            " s; ready again once a write commits): " + h.storage.message()};
  }
  if (h.stalled_for > kStalledAfter) {
    return {false, "the writer is stalled: a write has waited " +
                       seconds(h.stalled_for) +
                       " s with no write batch finishing"};
  }
  return {};
}

// The identity use cases (identity.cc) run through the same Run.
template void Desk::Run<v1::Session>(
    Origin, std::function<StatusOr<v1::Session>(Scope&)>, Done<v1::Session>,
    bool);
template void Desk::Run<v1::Account>(
    Origin, std::function<StatusOr<v1::Account>(Scope&)>, Done<v1::Account>,
    bool);
template void Desk::Run<v1::CreatedToken>(
    Origin, std::function<StatusOr<v1::CreatedToken>(Scope&)>,
    Done<v1::CreatedToken>, bool);
template void Desk::Run<v1::Credential>(
    Origin, std::function<StatusOr<v1::Credential>(Scope&)>,
    Done<v1::Credential>, bool);
template void Desk::Run<size_t>(Origin, std::function<StatusOr<size_t>(Scope&)>,
                                Done<size_t>, bool);
template void Desk::Run<v1::Page>(Origin,
                                  std::function<StatusOr<v1::Page>(Scope&)>,
                                  Done<v1::Page>, bool);

const paging::Setup& Desk::paging() const { return context_->paging(); }

}  // namespace helpdesk::desk
