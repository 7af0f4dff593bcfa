#pragma once
// The catalogue tests' fixture: a daemon per test plus helpers to read the
// tree, search, and check that a refused change changed nothing.

#include <set>
#include <string>
#include <vector>

#include "tests/integration/fixture.h"

namespace helpdesk::testing {

inline constexpr char kCatalogue[] = "/api/v1/catalogue";
inline constexpr char kServices[] = "/api/v1/catalogue/services";
inline constexpr char kCategories[] = "/api/v1/catalogue/categories";

// Every service of a tree node and of the nodes below it.
inline void CollectServices(const json& node, std::vector<json>& out) {
  for (const auto& s : node.value("services", json::array())) out.push_back(s);
  for (const auto& c : node.value("categories", json::array()))
    CollectServices(c, out);
}

inline std::vector<std::string> IdsOf(const std::vector<json>& entries) {
  std::vector<std::string> ids;
  for (const auto& e : entries) ids.push_back(e.value("id", "?"));
  return ids;
}

inline bool Contains(const std::vector<std::string>& ids,
                     const std::string& id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

inline std::set<std::string> Pointers(const HttpResponse& r) {
  std::set<std::string> out;
  json p = json::parse(r.body, nullptr, false);
  if (!p.is_object()) return out;
  for (const auto& e : p.value("errors", json::array()))
    out.insert(e.value("pointer", "?"));
  return out;
}

inline std::set<std::string> AllowSet(const HttpResponse& r) {
  std::set<std::string> methods;
  std::stringstream ss(r.header("allow"));
  for (std::string m; std::getline(ss, m, ',');) {
    m.erase(0, m.find_first_not_of(' '));
    m.erase(m.find_last_not_of(' ') + 1);
    if (!m.empty()) methods.insert(m);
  }
  return methods;
}

class Catalogue : public DaemonTest {
 protected:
  // The services of the tree (GET /api/v1/catalogue`query`), all levels.
  std::vector<json> TreeServices(const std::string& query = "") {
    std::vector<json> out;
    json tree = GetJson(kCatalogue + query);
    for (const auto& c : tree.value("categories", json::array()))
      CollectServices(c, out);
    return out;
  }

  std::vector<std::string> Search(const std::string& query) {
    json p = GetJson(std::string(kServices) + "?" + query);
    EXPECT_TRUE(p.contains("services")) << query << ": " << p.dump();
    std::vector<json> services;
    for (const auto& s : p.value("services", json::array()))
      services.push_back(s);
    return IdsOf(services);
  }

  // The best hit of a search, or "" when nothing matched.
  std::string First(const std::string& query) {
    std::vector<std::string> ids = Search(query);
    return ids.empty() ? "" : ids[0];
  }

  // A valid new service in category "drift".
  static json NewService(const std::string& id = "overvaking") {
    return {{"id", id},
            {"name", "Overvåking av kjølesystem"},
            {"description", "Alarmer fra kjøleanlegget i datarommene."},
            {"category", "drift"},
            {"presence", "desirable"},
            {"delivery", "internal"},
            {"skills", {"servers"}},
            {"slaClass", "standard"},
            {"keywords", {"kjøling", "alarm"}}};
  }

  // A 422 invalid-field problem whose errors[] has exactly `pointers`, and
  // nothing written.
  void ExpectInvalid(const HttpResponse& r,
                     const std::set<std::string>& pointers,
                     const std::string& before, const std::string& what) {
    SCOPED_TRACE(what);
    ExpectProblem(r, 422, "/problems/invalid-field");
    EXPECT_EQ(Pointers(r), pointers) << r.body;
    EXPECT_EQ(CatalogueSnapshot(), before)
        << "a refused change wrote something";
  }
};

// ------------------------------------------------------------ browsing
}  // namespace helpdesk::testing
