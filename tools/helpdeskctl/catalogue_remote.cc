#include "tools/helpdeskctl/catalogue_remote.h"

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include "daemon/http/json.h"

namespace helpdesk::ctl {
namespace {

constexpr std::string_view kCatalogue = "/api/v1/catalogue";

std::string Field(const google::protobuf::Struct& s, const std::string& name) {
  auto it = s.fields().find(name);
  return it != s.fields().end() && it->second.has_string_value()
             ? it->second.string_value()
             : "";
}

// An answer we did not expect, with enough of it to see what went wrong.
Status Unexpected(const std::string& what, const HttpReply& reply) {
  std::string body = reply.body.substr(0, 500);
  return Status::Internal(what + ": unexpected answer " +
                          std::to_string(reply.status) +
                          (body.empty() ? "" : ": " + body));
}

// A problem+json answer as an outcome. The problem's own fields come
// through google.protobuf.Struct: the shape has no message of its own.
ImportOutcome FromProblem(const HttpReply& reply) {
  ImportOutcome out;
  out.kind = ImportOutcome::Kind::kRefused;
  google::protobuf::Struct problem;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  if (!google::protobuf::util::JsonStringToMessage(reply.body, &problem,
                                                   options)
           .ok()) {
    out.message = "HTTP " + std::to_string(reply.status) + ": " +
                  reply.body.substr(0, 500);
    return out;
  }
  const std::string type = Field(problem, "type");
  out.message = Field(problem, "detail");
  if (out.message.empty()) out.message = "HTTP " + std::to_string(reply.status);
  if (type == "/problems/version-conflict") {
    out.kind = ImportOutcome::Kind::kConflict;
    auto it = problem.fields().find("currentVersion");
    if (it != problem.fields().end() && it->second.has_number_value())
      out.version = static_cast<uint32_t>(it->second.number_value());
  } else if (type == "/problems/invalid-field") {
    out.kind = ImportOutcome::Kind::kInvalid;
    auto it = problem.fields().find("errors");
    if (it != problem.fields().end() && it->second.has_list_value()) {
      for (const auto& v : it->second.list_value().values()) {
        if (!v.has_struct_value()) continue;
        out.errors.push_back({Field(v.struct_value(), "pointer"),
                              Field(v.struct_value(), "detail")});
      }
    }
    // One wrong field of the body itself comes without the errors list.
    if (out.errors.empty())
      out.errors.push_back({Field(problem, "field"), out.message});
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

Headers CatalogueApi::CommonHeaders() const {
  return {{"Accept", "application/json"},
          {"X-Actor", actor_},
          {"X-Request-Id", request_id_}};
}

StatusOr<v1::Catalogue> CatalogueApi::GetFlat() {
  const std::string target = std::string(kCatalogue) + "?view=flat";
  auto reply = Exchange(url_, "GET", target, "", CommonHeaders(), timeout_);
  if (!reply.ok()) return reply.status();
  if (reply->status != 200) return Unexpected("GET " + target, *reply);
  v1::Catalogue c;
  if (Status s = http::ParseJson(reply->body, c); !s.ok())
    return Status::Internal("GET " + target +
                            ": not a catalogue: " + s.message());
  return c;
}

StatusOr<ImportOutcome> CatalogueApi::Put(const v1::Catalogue& incoming) {
  Headers headers = CommonHeaders();
  headers.emplace_back("Content-Type", "application/json");
  auto reply = Exchange(url_, "PUT", kCatalogue, http::ToJson(incoming),
                        headers, timeout_);
  if (!reply.ok()) return reply.status();
  if (reply->status == 200) {
    v1::ImportCatalogueResponse answer;
    if (Status s = http::ParseJson(reply->body, answer); !s.ok())
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
