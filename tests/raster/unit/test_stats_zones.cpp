// The zones of `raster stats` (make_zones): duplicate ids refused or merged
// into their union, groups as the union of their members, orders kept.
#include <string>
#include <vector>

#include "support/catch.hpp"
#include "tessera/core/error.hpp"
#include "tessera/raster/coverage.hpp"
#include "tessera/raster/stats_zones.hpp"

using namespace tessera;
using namespace tessera::raster;

namespace {

io::MultiPolygon square(double x0, double y0, double side) {
  return {
      io::Polygon{{io::Ring{{x0, y0}, {x0 + side, y0}, {x0 + side, y0 + side}, {x0, y0 + side}}}}};
}

io::PolygonFeature feature(std::int64_t fid, std::string id, std::string group,
                           io::MultiPolygon shape) {
  return {fid, std::move(id), std::move(group), std::move(shape)};
}

}  // namespace

TEST_CASE("duplicate ids are refused by default, naming both features") {
  const std::vector<io::PolygonFeature> f{feature(10, "A", "", square(0, 0, 2)),
                                          feature(11, "B", "", square(5, 5, 1)),
                                          feature(12, "A", "", square(1, 1, 2))};
  try {
    (void)make_zones(f, DuplicateIds::kError, false, "b.shp", "CODE");
    FAIL("no error");
  } catch (const FormatError& e) {
    const std::string m = e.what();
    CHECK(m.find("b.shp") != std::string::npos);
    CHECK(m.find("'A'") != std::string::npos);
    CHECK(m.find("features 1 and 3") != std::string::npos);
    CHECK(m.find("FID 10 and 12") != std::string::npos);
  }
}

TEST_CASE("merged duplicates are one zone: the union, overlap counted once") {
  const std::vector<io::PolygonFeature> f{feature(0, "A", "N", square(0, 0, 2)),
                                          feature(1, "B", "S", square(5, 5, 1)),
                                          feature(2, "A", "N", square(1, 1, 2))};
  const auto zones = make_zones(f, DuplicateIds::kMerge, true, "b.shp", "CODE");
  REQUIRE(zones.size() == 4);
  CHECK(zones[0].name == "A");
  CHECK_FALSE(zones[0].group);
  CHECK(area(zones[0].shape) == Approx(4 + 4 - 1).epsilon(1e-12));
  CHECK(zones[1].name == "B");
  CHECK(area(zones[1].shape) == Approx(1));
  CHECK((zones[2].name == "N" && zones[2].group && zones[3].name == "S" && zones[3].group));
  CHECK(area(zones[2].shape) == Approx(7).epsilon(1e-12));
}

TEST_CASE("merging features of different groups is refused") {
  const std::vector<io::PolygonFeature> f{feature(0, "A", "N", square(0, 0, 1)),
                                          feature(1, "A", "S", square(3, 3, 1))};
  CHECK_THROWS_AS(make_zones(f, DuplicateIds::kMerge, true, "b.shp", "CODE"), FormatError);
  CHECK(make_zones(f, DuplicateIds::kMerge, false, "b.shp", "CODE").size() == 1);
}
