#pragma once
// The HTTP API, free of Beast so it compiles fast and is tested without
// sockets: a Request in, exactly one Response out through `respond`. It
// translates and nothing more: it finds the route (routes.h), parses the
// query and the JSON body, calls the desk (daemon/desk/desk.h), and
// renders what the desk answers, or its Status as problem+json.
//
// Thread-safety: Handle and AccessOf are safe from any number of threads at
// once. A read answers before Handle returns, on the calling thread; a
// write answers later, from another thread (an I/O thread the desk posts
// it to, or the writer), so the caller must hand the response back to its
// own executor.

#include <google/protobuf/timestamp.pb.h>

#include <functional>
#include <string_view>
#include <vector>

#include "daemon/http/abuse.h"
#include "daemon/http/message.h"
#include "daemon/http/metrics.h"
#include "daemon/http/routes.h"
#include "daemon/http/service.h"

namespace helpdesk::desk {
class Desk;
}
namespace helpdesk::live {
class Hub;
}

namespace helpdesk::http {

// The live stream (README, "Live"): the hub its subscribers join (none:
// the stream answers 503), and the origins besides the daemon's own from
// which a browser may open it ("https://tavle.example.no").
struct LiveOptions {
  live::Hub* hub = nullptr;
  std::vector<std::string> allowed_origins;
};

class Api final : public Service {
 public:
  // Moves a standing test clock forwards to an instant (--clock-frozen).
  using MoveClock =
      std::function<Status(const google::protobuf::Timestamp& to)>;
  // With `move_clock` (tests only) POST /test/clock?at=<RFC 3339> moves
  // the daemon's clock and answers once the SLA alerts due by then are
  // recorded; without it there is no such path.
  Api(desk::Desk& desk, const Metrics& metrics, MoveClock move_clock = {},
      AbuseLimits::Options limits = {}, LiveOptions live = {});
  Api(const Api&) = delete;
  Api& operator=(const Api&) = delete;

  // How a request with this method and target will be answered, known
  // from its head alone: the server chooses the body limit and the thread
  // by it. kRead for anything no route takes (it is answered at once).
  Access AccessOf(std::string_view method,
                  std::string_view target) const override;

  void Handle(const Request& request, Respond respond) override;

 private:
  friend std::span<const Route> Routes();

  void Health(const Call& c, Respond respond);
  void Ready(const Call& c, Respond respond);
  void RenderMetrics(const Call& c, Respond respond);

  // Tickets and the event log (ticket_routes.cc).
  void ListTickets(const Call& c, Respond respond);
  void CreateTicket(const Call& c, Respond respond);
  void GetTicket(const Call& c, Respond respond);
  void ChangeStatus(const Call& c, Respond respond);
  void AssignTicket(const Call& c, Respond respond);
  void TakeTicket(const Call& c, Respond respond);
  void ChangePriority(const Call& c, Respond respond);
  void AddComment(const Call& c, Respond respond);
  void AddFollower(const Call& c, Respond respond);
  void RemoveFollower(const Call& c, Respond respond);
  // A page of one ticket's comments, from the newest back.
  void ListComments(const Call& c, Respond respond);
  // The global log, or one ticket's when the route has a {ticket}.
  void ListEvents(const Call& c, Respond respond);
  void ListMunicipalities(const Call& c, Respond respond);

  // The tjenestekatalog (catalogue_routes.cc).
  void GetCatalogue(const Call& c, Respond respond);
  void ImportCatalogue(const Call& c, Respond respond);
  void SearchServices(const Call& c, Respond respond);
  void CreateService(const Call& c, Respond respond);
  void GetService(const Call& c, Respond respond);
  void UpdateService(const Call& c, Respond respond);
  void RetireService(const Call& c, Respond respond);
  void ReactivateService(const Call& c, Respond respond);
  void SetServiceState(const Call& c, bool retire, Respond respond);
  void ListCategories(const Call& c, Respond respond);
  void CreateCategory(const Call& c, Respond respond);
  void GetCategory(const Call& c, Respond respond);
  void UpdateCategory(const Call& c, Respond respond);

  // Staff and the vakt rota (staff_routes.cc).
  void ListStaff(const Call& c, Respond respond);
  void CreateStaff(const Call& c, Respond respond);
  void GetStaffMember(const Call& c, Respond respond);
  void UpdateStaff(const Call& c, Respond respond);
  void GetRota(const Call& c, Respond respond);
  void PutRota(const Call& c, Respond respond);
  void VaktNow(const Call& c, Respond respond);

  // Paging (page_routes.cc).
  void ListPaging(const Call& c, Respond respond);
  void GetPaging(const Call& c, Respond respond);
  void AckPaging(const Call& c, Respond respond);
  void TestPaging(const Call& c, Respond respond);

  // Reports (report_routes.cc).
  void CoverageReport(const Call& c, Respond respond);
  void SlaReport(const Call& c, Respond respond);

  // Sessions, accounts and API tokens (identity_routes.cc).
  void Login(const Call& c, Respond respond);
  void WhoAmI(const Call& c, Respond respond);
  void Logout(const Call& c, Respond respond);
  void ListAccounts(const Call& c, Respond respond);
  void CreateAccount(const Call& c, Respond respond);
  void GetAccount(const Call& c, Respond respond);
  void UpdateAccount(const Call& c, Respond respond);
  void SetPassword(const Call& c, Respond respond);
  void ListTokens(const Call& c, Respond respond);
  void CreateToken(const Call& c, Respond respond);
  void RevokeToken(const Call& c, Respond respond);
  // Who changed and who read what (identity_routes.cc).
  void ListAudit(const Call& c, Respond respond);

  // Live (live_routes.cc): the websocket stream's upgrade, the wall
  // dashboard's board, and the pages embedded in the binary.
  void Stream(const Call& c, Respond respond);
  void Dashboard(const Call& c, Respond respond);
  void Page(const Call& c, Respond respond);
  void RenderLiveMetrics(std::string& out) const;

  // The API's own description (openapi.cc).
  void OpenApi(const Call& c, Respond respond);

  // Who sent `r`: the principal of its bearer token or session cookie, or
  // of the `access_token` query parameter of a GET of the stream or the
  // board, which only an account whose only role is dashboard may use (a
  // screen given a URL). kUnauthenticated when it carries none, or one
  // the desk does not know.
  StatusOr<auth::Principal> Authenticate(const Request& r,
                                         const Target& target) const;
  // The secret Authenticate used ("" when none).
  static std::string_view SecretOf(const Request& r, const Target& target);

  void MoveTestClock(const Request& r, const Target& target, Respond respond);

  desk::Desk& desk_;
  const Metrics& metrics_;
  const MoveClock move_clock_;
  AbuseLimits limits_;
  const LiveOptions live_;
};

}  // namespace helpdesk::http
