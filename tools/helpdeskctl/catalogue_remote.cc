#include "tools/helpdeskctl/catalogue_remote.h"

#include "proto/json.h"

namespace helpdesk::ctl {
namespace {

constexpr std::string_view kCatalogue = "/api/v1/catalogue";

// An answer we did not expect, with enough of it to see what went wrong.
Status Unexpected(const std::string& what, const HttpReply& reply) {
  std::string body = reply.body.substr(0, 500);
  return Status::Internal(what + ": unexpected answer " +
                          std::to_string(reply.status) +
                          (body.empty() ? "" : ": " + body));
}

// A problem+json answer as an outcome.
ImportOutcome FromProblem(const HttpReply& reply) {
  ImportOutcome out;
  out.kind = ImportOutcome::Kind::kRefused;
  v1::Problem problem;
  if (!proto::ParseJson(reply.body, problem, {.ignore_unknown_fields = true})
           .ok()) {
    out.message = "HTTP " + std::to_string(reply.status) + ": " +
                  reply.body.substr(0, 500);
    return out;
  }
  out.message = problem.detail();
  if (out.message.empty()) out.message = "HTTP " + std::to_string(reply.status);
  if (problem.type() == "/problems/version-conflict") {
    out.kind = ImportOutcome::Kind::kConflict;
    out.version = static_cast<uint32_t>(problem.current_version());
  } else if (problem.type() == "/problems/invalid-field") {
    out.kind = ImportOutcome::Kind::kInvalid;
    for (const auto& e : problem.errors())
      out.errors.push_back({e.pointer(), e.detail()});
    // One wrong field of the body itself comes without the errors list.
    if (out.errors.empty())
      out.errors.push_back({problem.field(), out.message});
  }
  return out;
}

}  // namespace

CatalogueApi::CatalogueApi(Url url, std::chrono::milliseconds timeout,
                           std::string actor, std::string request_id)
    : url_(std::move(url)),
      timeout_(timeout),
      actor_(std::move(actor)),
      request_id_(std::move(request_id)) {}

// Who imports is the account of the token (Exchange sends it); --actor
// names the offline importer only.
Headers CatalogueApi::CommonHeaders() const {
  return {{"Accept", "application/json"}, {"X-Request-Id", request_id_}};
}

StatusOr<v1::Catalogue> CatalogueApi::GetFlat() {
  const std::string target = std::string(kCatalogue) + "?view=flat";
  auto reply = Exchange(url_, "GET", target, "", CommonHeaders(), timeout_);
  if (!reply.ok()) return reply.status();
  if (reply->status != 200) return Unexpected("GET " + target, *reply);
  v1::Catalogue c;
  if (Status s = proto::ParseJson(reply->body, c); !s.ok())
    return Status::Internal("GET " + target +
                            ": not a catalogue: " + s.message());
  return c;
}

StatusOr<ImportOutcome> CatalogueApi::Put(const v1::Catalogue& incoming) {
  Headers headers = CommonHeaders();
  headers.emplace_back("Content-Type", "application/json");
  auto reply = Exchange(url_, "PUT", kCatalogue, proto::ToJson(incoming),
                        headers, timeout_);
  if (!reply.ok()) return reply.status();
  if (reply->status == 200) {
    v1::ImportCatalogueResponse answer;
    if (Status s = proto::ParseJson(reply->body, answer); !s.ok())
      return Unexpected("PUT " + std::string(kCatalogue), *reply);
    ImportOutcome out;
    out.kind = answer.changed() ? ImportOutcome::Kind::kApplied
                                : ImportOutcome::Kind::kUnchanged;
    out.version = answer.version();
    out.diff = answer.diff();
    return out;
  }
  // 5xx: the daemon could not decide (full, overloaded, broken); that is an
  // error to retry, not a verdict on the file.
  if (reply->status >= 500 || reply->content_type != "application/problem+json")
    return Unexpected("PUT " + std::string(kCatalogue), *reply);
  return FromProblem(*reply);
}

}  // namespace helpdesk::ctl
