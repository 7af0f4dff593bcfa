// Paging (README, "Paging"): the pages sent and their delivery, an
// acknowledgement, and a test page through the configured channels.

#include "daemon/desk/desk.h"
#include "daemon/http/api.h"
#include "daemon/http/query.h"
#include "daemon/http/responses.h"
#include "proto/json.h"
#include "proto/wire_names.h"

namespace helpdesk::http {
namespace {

constexpr uint64_t kMaxPages = 200;
constexpr uint64_t kDefaultPages = 50;

}  // namespace

void Api::ListPaging(const Call& c, Respond respond) {
  const Target& t = c.target;
  desk::PageQuery query;
  auto state =
      EnumParam<v1::PageState>(t, "status", v1::PageState_descriptor());
  if (!state.ok()) return respond(Fail(c, state.status()));
  if (*state) query.state = **state;
  if (auto it = t.params.find("to"); it != t.params.end())
    query.to = it->second;
  auto limit = UintParam(t, "limit", 1, kMaxPages, kDefaultPages);
  if (!limit.ok()) return respond(Fail(c, limit.status()));
  query.limit = *limit;
  auto before = CursorParam(t);
  if (!before.ok()) return respond(Fail(c, before.status()));
  query.before = *before;
  auto list = desk_.ListPages(query);
  if (!list.ok()) return respond(Fail(c, list.status()));
  v1::ListPagesResponse out;
  for (auto& p : list->pages) *out.add_pages() = std::move(p);
  if (list->next_before) out.set_next_cursor(EncodeCursor(*list->next_before));
  respond(Json(200, out));
}

void Api::GetPaging(const Call& c, Respond respond) {
  auto page = desk_.GetPage(c.id);
  if (!page.ok()) return respond(Fail(c, page.status()));
  respond(WithETag(Json(200, *page), page->version()));
}

void Api::AckPaging(const Call& c, Respond respond) {
  desk_.AckPage(OriginOf(c), c.id,
                Answer<v1::Page>(c, std::move(respond), [](const v1::Page& p) {
                  return WithETag(Json(200, p), p.version());
                }));
}

void Api::TestPaging(const Call& c, Respond respond) {
  v1::TestPageRequest req;
  if (Status s = proto::ParseJson(c.request.body, req); !s.ok())
    return respond(Fail(c, s));
  if (req.to().empty())
    return respond(
        Fail(c, Status::InvalidField("to",
                                     "'to' is required: the staff id of the "
                                     "person to send the test page to")));
  desk_.TestPage(OriginOf(c), req.to(),
                 Answer<v1::Page>(c, std::move(respond), [](const v1::Page& p) {
                   Response r = WithETag(Json(201, p), p.version());
                   r.headers.emplace_back("Location",
                                          "/api/v1/pages/" + p.id());
                   return r;
                 }));
}

}  // namespace helpdesk::http
