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
#include "daemon/http/message.h"
#include "daemon/http/metrics.h"
#include "daemon/http/query.h"
#include "daemon/store/lmdb.h"
#include "daemon/store/tables.h"
#include "daemon/store/writer.h"
#include "proto/helpdesk.pb.h"

namespace helpdesk::http {

class Api {
 public:
  using Respond = std::function<void(Response)>;

  Api(const store::Env& env, const store::Tables& tables,
      store::Writer& writer, const Metrics& metrics, v1::Region region);
  Api(const Api&) = delete;
  Api& operator=(const Api&) = delete;

  void Handle(const Request& request, Respond respond);

  // True when `request` is a write: Handle then answers later, from the
  // writer thread. For every other request Handle answers before it
  // returns, so the caller may skip handing the response across threads.
  static bool IsWrite(const Request& request);

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
  void SubmitWrite(const Request& r, store::WriteFn fn, int ok_status,
                   Respond respond);

  // The tjenestekatalog (catalogue_api.cc).
  void HandleCatalogue(const Request& r, const Target& t, Respond respond);
  Response GetCatalogue(const Request& r, const Target& t);
  Response ListServices(const Request& r, const Target& t);
  Response GetCatalogueEntry(const Request& r, const Target& t,
                             bool service, const std::string& id);
  // A catalogue change: `edit` decides it against the catalogue as the
  // writer sees it; the answer is `answer` of the result (200 if the edit
  // changed nothing).
  using CatalogueEdit = std::function<catalogue::EditResult(
      const v1::Catalogue& current, const std::vector<std::string>& munis)>;
  using CatalogueAnswer = std::function<Response(const catalogue::EditResult&)>;
  void SubmitCatalogueEdit(const Request& r, CatalogueEdit edit,
                           CatalogueAnswer answer, Respond respond);

  const store::Env& env_;
  const store::Tables& tables_;
  store::Writer& writer_;
  const Metrics& metrics_;
  const v1::Region region_;  // immutable after start
  const std::vector<std::string> municipality_ids_;  // of region_
};

}  // namespace helpdesk::http
