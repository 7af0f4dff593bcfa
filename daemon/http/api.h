#pragma once
// The HTTP API's routes and handlers, free of Beast so they compile fast:
// a Request in, exactly one Response out through `respond`.
//
// Reads run synchronously on the calling (I/O) thread in a short LMDB read
// transaction. Writes are validated on the calling thread, then queued to
// the single Writer; `respond` is then called on the writer thread after the
// commit, so the caller must hand the response back to its own executor.
//
// Thread-safety: Handle is safe from any number of threads at once.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "catalogue/edit.h"
#include "daemon/dispatch/roster.h"
#include "daemon/http/message.h"
#include "daemon/http/metrics.h"
#include "daemon/http/query.h"
#include "daemon/http/roster_cache.h"
#include "daemon/store/lmdb.h"
#include "daemon/store/tables.h"
#include "daemon/store/writer.h"
#include "proto/helpdesk.pb.h"
#include "sla/policy.h"

namespace helpdesk::http {

class Api {
 public:
  using Respond = std::function<void(Response)>;

  // `now` is the clock of reads (the writer has its own; main passes the
  // same one to both); empty: the system clock.
  Api(const store::Env& env, const store::Tables& tables, store::Writer& writer,
      const Metrics& metrics, v1::Region region,
      dispatch::Options dispatch_options = {}, store::NowFn now = nullptr,
      sla::Policy sla_policy = sla::DefaultPolicy());
  Api(const Api&) = delete;
  Api& operator=(const Api&) = delete;

  void Handle(const Request& request, Respond respond);

  // True when `request` is a write: Handle then answers later, from the
  // writer thread. For every other request Handle answers before it
  // returns, so the caller may skip handing the response across threads.
  static bool IsWrite(const Request& request);

  // Queues Redispatch as a write of its own: main calls it every
  // `dispatch.sweep_seconds`, so an absence that begins today or a shift
  // that starts moves work without anyone touching the staff registry.
  void SweepDispatch();

  // Records the SLA warnings and breaches that have fallen due (sla_api.cc);
  // submits a write only when the due-time index says something is due.
  // main calls it at start and every few seconds.
  void SweepSla();

 private:
  Response GetTicket(const Request& r, uint64_t number);
  Response ListTickets(const Request& r, const Target& t);
  Response ListEvents(const Request& r, const Target& t,
                      std::optional<uint64_t> ticket);
  Response ListMunicipalities(const Request& r, const Target& t);
  Response RenderMetrics();
  void CreateTicket(const Request& r, const Target& t, Respond respond);
  void ChangeStatus(const Request& r, uint64_t number, Respond respond);
  void AddComment(const Request& r, uint64_t number, Respond respond);
  void ChangePriority(const Request& r, uint64_t number, Respond respond);
  void SubmitWrite(const Request& r, store::WriteFn fn, int ok_status,
                   Respond respond);

  // The tjenestekatalog (catalogue_api.cc).
  void HandleCatalogue(const Request& r, const Target& t, Respond respond);
  Response GetCatalogue(const Request& r, const Target& t);
  Response ListServices(const Request& r, const Target& t);
  Response GetCatalogueEntry(const Request& r, const Target& t, bool service,
                             const std::string& id);
  // A catalogue change: `edit` decides it against the catalogue as the
  // writer sees it; the answer is `answer` of the result (200 if the edit
  // changed nothing).
  using CatalogueEdit = std::function<catalogue::EditResult(
      const v1::Catalogue& current, const std::vector<std::string>& munis)>;
  using CatalogueAnswer = std::function<Response(const catalogue::EditResult&)>;
  void SubmitCatalogueEdit(const Request& r, CatalogueEdit edit,
                           CatalogueAnswer answer, Respond respond);

  // The staff registry and the vakt rota (staff_api.cc).
  void HandleStaff(const Request& r, const Target& t, Respond respond);
  Response ListStaff(const Request& r, const Target& t);
  Response GetStaffMember(const Request& r, const Target& t,
                          const std::string& id);
  Response GetRota(const Request& r, const Target& t);
  Response GetVaktNow(const Request& r, const Target& t);
  void CreateStaff(const Request& r, Respond respond);
  void UpdateStaff(const Request& r, const std::string& id, Respond respond);
  void PutRota(const Request& r, Respond respond);
  // A staff or rota change decided inside the writer's transaction: `write`
  // saves through the context (appending every event to the result) and
  // fills `answer`, which is sent once the batch has committed.
  using RegistryWrite = std::function<store::WriteResult(
      store::WriteContext& w, const std::string& actor, Response& answer)>;
  void SubmitRegistryWrite(const Request& r, RegistryWrite write,
                           Respond respond);

  // Assignment (dispatch_api.cc): automatic on create, a dispatcher's
  // assign, an agent's take, the re-run for an absent or inactive assignee,
  // and the coverage report.
  void AssignTicket(const Request& r, uint64_t number, bool take,
                    Respond respond);
  Response CoverageReport(const Request& r, const Target& t);
  // The SLA report (reports_api.cc): attainment grouped by one key, the
  // equal-service view and the volume with its cost split; JSON or CSV.
  Response ReportSla(const Request& r, const Target& t);
  // Inside the writer's transaction: decides who gets `ticket` (as saved)
  // and saves the decision, appending its event to `result`.
  Status Dispatch(store::WriteContext& w, v1::Ticket& ticket,
                  v1::AssignmentTrigger trigger, std::string_view exclude,
                  const std::string& request_id, store::WriteResult& result);
  // Inside the writer's transaction (after a staff or rota change, and by
  // the periodic sweep): the open tickets of everyone inactive or absent
  // today go to others (or stay, recorded once as kept), and the new
  // tickets waiting in the dispatcher queue are tried again.
  Status Redispatch(store::WriteContext& w, const std::string& request_id,
                    store::WriteResult& result);
  google::protobuf::Timestamp Now() const;
  // Inside the writer's transaction: one SlaWarning or SlaBreached event
  // for each alert of the due-time index that has fallen due.
  Status RecordSlaAlerts(store::WriteContext& w, store::WriteResult& result);
  // Records the alerts that have fallen due, then `change` (a ticket
  // write): a change that stops a clock never skips its alert. The alert
  // events come first in the result.
  store::WriteResult WithDueAlerts(
      store::WriteContext& w,
      const std::function<store::WriteResult()>& change);
  // The SLA clocks as they read now (elapsed up to `now`), for an answer.
  void ReadClocks(v1::Ticket& ticket,
                  const google::protobuf::Timestamp& now) const;

  const store::Env& env_;
  const store::Tables& tables_;
  store::Writer& writer_;
  const Metrics& metrics_;
  const v1::Region region_;                          // immutable after start
  const std::vector<std::string> municipality_ids_;  // of region_
  const store::NowFn now_;
  RosterCache rosters_;
  const sla::PolicyBook sla_book_;  // the SLA policy (validated by main)
};

}  // namespace helpdesk::http
