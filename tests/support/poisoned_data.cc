#include "tests/support/poisoned_data.h"

#include <nlohmann/json.hpp>

#include "tests/support/daemon_process.h"
#include "tests/support/http_client.h"
#include "tests/support/identities.h"
#include "tests/support/plant.h"

namespace helpdesk::testing {
namespace {

using nlohmann::json;

// In a title, a name: its last byte becomes 0xff.
constexpr char kMarker[] = "GIFTIG#";

json Ticket(const std::string& title) {
  return {{"title", title},
          {"description", "Skjermen er svart."},
          {"municipality", "rollag"},
          {"location", "rollag-kommunehus"},
          {"serviceId", "skrivere-og-utskrift"},
          {"priority", "high"},
          {"reporter", "kari.nordmann"}};
}

json Person(const std::string& id, const std::string& name) {
  return {{"id", id},
          {"name", name},
          {"title", "IKT-rådgiver"},
          {"phone", "+47 32 00 00 00"},
          {"homeMunicipality", "rollag"},
          {"covers", {"flesberg"}},
          {"skills", {"user-support", "network"}},
          {"ftePercent", 100},
          {"workingHours",
           {{{"days", {"monday", "tuesday", "wednesday", "thursday", "friday"}},
             {"start", "08:00"},
             {"end", "15:30"}}}}};
}

}  // namespace

std::string MakePoisonedData(const std::string& data_dir,
                             const PoisonedData& names) {
  DaemonProcess daemon(data_dir, {std::string("--clock-start=") + kPoisonedAt});
  if (std::string e = daemon.Start(); !e.empty()) return e;
  HttpClient client(daemon.port());
  const std::string token =
      Identities(daemon.data_dir(), daemon.port()).Token("test.desk");
  client.ActAs([token](const std::string&) { return token; }, "test.desk");
  const auto expect = [&](const HttpResponse& r, int status,
                          const std::string& what) -> std::string {
    if (r.status == status) return "";
    return what + ": " + std::to_string(r.status) + " " + r.body + "\n" +
           daemon.Log();
  };
  const std::string titles[] = {"Skriveren virker ikke",
                                std::string("Skriver ") + kMarker + " i 2. etg",
                                "Skriveren er tom for toner"};
  const std::string ids[] = {names.good_ticket, names.damaged_ticket,
                             names.other_ticket};
  for (int i = 0; i < 3; ++i) {
    HttpResponse r = client.Post("/api/v1/tickets", Ticket(titles[i]).dump());
    if (auto e = expect(r, 201, "create"); !e.empty()) return e;
    json t = json::parse(r.body, nullptr, false);
    if (t.is_discarded() || t.value("id", "") != ids[i])
      return "ticket " + ids[i] + " got another id: " + r.body;
  }
  json service = {{"id", names.damaged_service},
                  {"name", std::string("Tjeneste ") + kMarker},
                  {"description", "Blir skadet i testen."},
                  {"category", "drift"},
                  {"presence", "desirable"},
                  {"delivery", "internal"},
                  {"skills", {"servers"}},
                  {"slaClass", "standard"}};
  if (auto e = expect(client.Post("/api/v1/catalogue/services", service.dump()),
                      201, "service");
      !e.empty())
    return e;
  for (const auto& [id, name] :
       {std::pair{names.damaged_staff, std::string("Person ") + kMarker},
        std::pair{names.good_staff, std::string("Test Rådgiver")}}) {
    if (auto e = expect(client.Post("/api/v1/staff", Person(id, name).dump()),
                        201, "staff " + id);
        !e.empty())
      return e;
  }
  if (int rc = daemon.Terminate(); rc != 0)
    return "daemon exit " + std::to_string(rc) + "\n" + daemon.Log();
  auto planted = PlantInvalidUtf8(data_dir, kMarker);
  if (!planted.ok()) return planted.status().message();
  for (const char* table : {"tickets", "events", "catalogue", "staff"})
    if ((*planted)[table] == 0)
      return std::string("nothing planted in ") + table;
  return "";
}

}  // namespace helpdesk::testing
