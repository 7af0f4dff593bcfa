// The built-in travel-time table of the demo region.

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "daemon/config/config.h"
#include "daemon/seed/seed.h"

namespace helpdesk::seed {
namespace {

std::vector<std::string> RegionIds() {
  auto region = DemoRegion();
  EXPECT_TRUE(region.ok());
  std::vector<std::string> ids;
  for (const auto& m : region->municipalities()) ids.push_back(m.id());
  return ids;
}

TEST(DemoTravelTimes, EachPairOnceBetweenKnownMunicipalities) {
  const std::vector<std::string> ids = RegionIds();
  std::set<std::pair<std::string, std::string>> pairs;
  for (const auto& t : DemoTravelTimes()) {
    EXPECT_NE(std::find(ids.begin(), ids.end(), t.from), ids.end()) << t.from;
    EXPECT_NE(std::find(ids.begin(), ids.end(), t.to), ids.end()) << t.to;
    EXPECT_NE(t.from, t.to);
    EXPECT_TRUE(pairs.insert(std::minmax(t.from, t.to)).second)
        << t.from << " - " << t.to << " twice";
    EXPECT_GT(t.minutes, 0u) << t.from << " - " << t.to;
    EXPECT_LT(t.minutes, 300u) << t.from << " - " << t.to;
  }
  EXPECT_TRUE(config::CheckTravelTable(DemoTravelTimes(), ids).ok());
}

// Within the dispatcher's default 90 minutes every municipality has a
// neighbour, and the nearest ones are what a local would say.
TEST(DemoTravelTimes, EveryMunicipalityHasANearNeighbour) {
  std::map<std::string, std::pair<uint32_t, std::string>> nearest;
  for (const auto& t : DemoTravelTimes()) {
    for (auto [a, b] : {std::pair{t.from, t.to}, std::pair{t.to, t.from}}) {
      auto it = nearest.find(a);
      if (it == nearest.end() || t.minutes < it->second.first)
        nearest[a] = {t.minutes, b};
    }
  }
  for (const auto& id : RegionIds()) {
    ASSERT_TRUE(nearest.count(id)) << id << " has no neighbour";
    EXPECT_LE(nearest[id].first, 90u) << id;
  }
  EXPECT_EQ(nearest["hjartdal"].second, "notodden");
  EXPECT_EQ(nearest["flesberg"].second, "kongsberg");
  EXPECT_EQ(nearest["notodden"].second, "hjartdal");
}

TEST(DemoTravelTimes, NumedalGetsFartherUpTheValleyFromKongsberg) {
  std::map<std::string, uint32_t> from_kongsberg;
  for (const auto& t : DemoTravelTimes())
    if (t.from == "kongsberg") from_kongsberg[t.to] = t.minutes;
  EXPECT_LT(from_kongsberg["flesberg"], from_kongsberg["rollag"]);
  EXPECT_LT(from_kongsberg["rollag"], from_kongsberg["nore-og-uvdal"]);
}

}  // namespace
}  // namespace helpdesk::seed
