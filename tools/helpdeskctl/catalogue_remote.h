#pragma once
// The catalogue through a running daemon's API: GET /api/v1/catalogue?
// view=flat (what export writes and a dry run compares with) and PUT
// /api/v1/catalogue (the import, all or nothing, decided by the daemon's
// writer). Every call is bounded by the timeout given. Not thread-safe: one
// object per command.

#include <chrono>
#include <string>

#include "proto/helpdesk.pb.h"
#include "proto/status.h"
#include "tools/helpdeskctl/http_client.h"
#include "tools/helpdeskctl/import_outcome.h"

namespace helpdesk::ctl {

class CatalogueApi {
 public:
  // `actor` goes into X-Actor (recorded in the event), `request_id` into
  // X-Request-Id, so that the event log says the change came from here.
  CatalogueApi(Url url, std::chrono::milliseconds timeout, std::string actor,
               std::string request_id);

  // The whole catalogue, with its version. kUnavailable when the daemon
  // cannot be reached; kInternal for an answer that is not the catalogue.
  StatusOr<v1::Catalogue> GetFlat();

  // Imports `incoming` (its version, if set, is the one the file came
  // from). Refusals by the daemon (422, 409 ...) are an outcome, not an
  // error; errors are what kept the question from being answered.
  StatusOr<ImportOutcome> Put(const v1::Catalogue& incoming);

 private:
  Headers CommonHeaders() const;

  Url url_;
  std::chrono::milliseconds timeout_;
  std::string actor_;
  std::string request_id_;
};

}  // namespace helpdesk::ctl
