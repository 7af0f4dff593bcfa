// Fuzz target: bytes from a client socket, read as the server reads them
// (daemon/http/server.cc, Session): Beast's request_parser with the header
// limit and the header first, the route's access and body limit from
// Api::AccessOf, then the body. A read is then answered by Api::Handle
// against a real seeded store (tests/support/desk_on_disk.h); a write is
// taken through the checks its handler makes before the desk queues it
// (bodies have their own target, json_body_fuzz.cc). Pipelined requests
// are read one after another, as on a kept-alive connection.

#include <algorithm>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http.hpp>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <future>
#include <string>
#include <string_view>

#include "daemon/desk/commands.h"
#include "daemon/desk/desk.h"
#include "daemon/desk/origin.h"
#include "daemon/http/api.h"
#include "daemon/http/metrics.h"
#include "daemon/http/query.h"
#include "tests/support/desk_on_disk.h"

namespace {

namespace bhttp = boost::beast::http;
using helpdesk::http::Access;

// The daemon's defaults (daemon/config/config.h).
constexpr size_t kMaxHeaderBytes = 8 * 1024;
constexpr size_t kMaxBodyBytes = 64 * 1024;
constexpr size_t kMaxImportBytes = 8 * 1024 * 1024;
constexpr int kMaxRequestsPerInput = 4;

struct World {
  helpdesk::testing::DeskOnDisk desk;
  helpdesk::http::Metrics metrics;
  helpdesk::http::Api* api = nullptr;
  // An API token of an account with every role but employee: the requests
  // that bring no credential of their own are sent with it, so they reach
  // the routes' handlers rather than stop at the login.
  std::string token;
};

// The first start's accounts, the admin given every staff role, and a
// token of it.
std::string MakeToken(helpdesk::desk::Desk& desk) {
  auto plan = desk.PlanFirstAccounts();
  if (!plan.ok() || plan->empty()) return "";
  for (auto r : {helpdesk::v1::ROLE_DISPATCHER, helpdesk::v1::ROLE_DASHBOARD})
    (*plan)[0].account.add_roles(r);
  std::promise<helpdesk::StatusOr<size_t>> made;
  desk.MakeFirstAccounts(std::move(*plan), [&](helpdesk::StatusOr<size_t> n) {
    made.set_value(std::move(n));
  });
  if (!made.get_future().get().ok()) return "";
  helpdesk::v1::CreateTokenRequest req;
  req.set_account("admin");
  req.set_name("fuzz");
  std::promise<helpdesk::StatusOr<helpdesk::v1::CreatedToken>> created;
  desk.CreateToken(helpdesk::desk::SystemOrigin("fuzz", "fuzz"), req,
                   [&](helpdesk::StatusOr<helpdesk::v1::CreatedToken> t) {
                     created.set_value(std::move(t));
                   });
  auto token = created.get_future().get();
  return token.ok() ? token->token() : "";
}

World& TheWorld() {
  // Never destroyed: the writer thread runs until the process ends.
  static World* world = [] {
    auto* w = new World;
    if (helpdesk::Status s = w->desk.Open(); !s.ok()) {
      std::fprintf(stderr, "cannot open the seeded store: %s\n",
                   s.message().c_str());
      std::abort();
    }
    // No rate limits: the fuzzer is one account sending millions.
    w->api = new helpdesk::http::Api(
        w->desk.desk(), w->metrics, {},
        {.account_per_second = 0, .address_per_second = 0});
    w->token = MakeToken(w->desk.desk());
    if (w->token.empty()) {
      std::fprintf(stderr, "cannot make the fuzz target's token\n");
      std::abort();
    }
    return w;
  }();
  return *world;
}

// What a write's handler checks before its body and the desk.
void CheckWrite(const helpdesk::http::Request& r) {
  auto target = helpdesk::http::ParseTarget(r.target);
  if (!target.ok()) return;
  (void)helpdesk::http::CheckParams(*target, {});
  (void)helpdesk::http::IsJsonContentType(r.content_type);
  (void)helpdesk::http::ParseIfMatch(r.if_match);
  const std::string& path = target->path;
  const size_t last = path.rfind('/');
  if (last != std::string::npos) {
    const std::string_view segment = std::string_view(path).substr(last + 1);
    (void)helpdesk::desk::CheckTicketId(segment);
    (void)helpdesk::desk::CheckStaffId(segment);
  }
}

// One request from the front of `in`; how many bytes it took (0: none
// could be read, the connection would close).
size_t ReadOne(std::string_view in, World& w) {
  bhttp::request_parser<bhttp::string_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(kMaxHeaderBytes));
  parser.body_limit(std::max(kMaxBodyBytes, kMaxImportBytes));
  parser.eager(false);
  boost::beast::error_code ec;
  size_t used = parser.put(boost::asio::buffer(in.data(), in.size()), ec);
  if (ec || !parser.is_header_done()) return 0;
  const auto& h = parser.get();
  const Access access = w.api->AccessOf(h.method_string(), h.target());
  const size_t body_limit =
      access == Access::kBulkWrite ? kMaxImportBytes : kMaxBodyBytes;
  auto length = parser.content_length();
  if (length && *length > body_limit) return 0;  // 413
  parser.body_limit(body_limit);
  parser.eager(true);
  // As async_read does: put until done, an error, or no progress.
  while (!parser.is_done()) {
    const size_t n =
        parser.put(boost::asio::buffer(in.data() + used, in.size() - used), ec);
    used += n;
    if (ec == bhttp::error::need_more && used == in.size()) {
      parser.put_eof(ec);  // the client closed: maybe a body to EOF
      break;
    }
    if (ec || n == 0) break;
  }
  if (ec || !parser.is_done()) return 0;  // 400 or 413
  auto& req = parser.get();
  helpdesk::http::Request r;
  r.method = std::string(req.method_string());
  r.target = std::string(req.target());
  r.content_type = std::string(req[bhttp::field::content_type]);
  r.if_match = std::string(req[bhttp::field::if_match]);
  r.request_id = "fuzz";
  r.actor = std::string(req["X-Actor"]);
  r.authorization = std::string(req[bhttp::field::authorization]);
  r.cookie = std::string(req[bhttp::field::cookie]);
  r.csrf_token = std::string(req["X-CSRF-Token"]);
  r.client_address = "127.0.0.1";
  if (r.authorization.empty() && r.cookie.empty())
    r.authorization = "Bearer " + w.token;
  r.body = std::move(req.body());
  if (helpdesk::http::IsWrite(access)) {
    CheckWrite(r);
  } else {
    bool answered = false;
    w.api->Handle(r,
                  [&answered](helpdesk::http::Response) { answered = true; });
    if (!answered) {
      std::fprintf(stderr, "a read was not answered before Handle returned\n");
      std::abort();
    }
  }
  return req.keep_alive() ? used : 0;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  World& w = TheWorld();
  std::string_view in(reinterpret_cast<const char*>(data), size);
  for (int i = 0; i < kMaxRequestsPerInput && !in.empty(); ++i) {
    const size_t used = ReadOne(in, w);
    if (used == 0) break;
    in.remove_prefix(used);
  }
  return 0;
}
