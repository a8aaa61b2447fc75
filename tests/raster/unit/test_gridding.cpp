// The gather: every pixel gets its cluster's value; nodata NaN or, in
// compatibility mode, 0 with values rounded to 0.1 as the original did.
#include <cmath>

#include "support/catch.hpp"
#include "tessera/core/error.hpp"
#include "tessera/raster/gridding.hpp"

using namespace tessera;
using namespace tessera::raster;

TEST_CASE("Each pixel takes its cluster's value and nodata pixels are NaN", "[grid]") {
  const std::vector<float> row{1.25f, 2.5f, 3.75f};
  const std::vector<std::int32_t> labels{2, -1, 0, 1, 2};
  std::vector<float> out(5);
  grid_day(row.data(), labels.data(), 5, {}, out.data());
  CHECK(out[0] == 3.75f);
  CHECK(std::isnan(out[1]));
  CHECK(out[2] == 1.25f);
  CHECK(out[3] == 2.5f);
  GridValueOptions compat;
  compat.original_compat = true;
  grid_day(row.data(), labels.data(), 5, compat, out.data());
  CHECK(out[1] == 0.0f);
  CHECK(out[0] == Approx(3.8f));
}

TEST_CASE("Labels beyond the number of clusters name the landform pixel", "[grid][bad]") {
  const std::vector<std::int32_t> labels{0, 1, -1, 7};
  try {
    check_labels(labels, 2, 3, "lf.tif", "fsm/");
    FAIL("no error");
  } catch (const FormatError& e) {
    const std::string m = e.what();
    CHECK(m.find("lf.tif") != std::string::npos);
    CHECK(m.find("row 1, column 1") != std::string::npos);
    CHECK(m.find("cluster id 7") != std::string::npos);
  }
}

TEST_CASE("The cluster table transposes series to day rows and checks their dates", "[grid]") {
  FsmSeries a, b;
  a.start = b.start = {2005, 10, 1};
  for (int v = 0; v < kFsmVariableCount; ++v) {
    a.values[v] = {1.0f, 2.0f};
    b.values[v] = {3.0f, 4.0f};
  }
  const auto t = make_cluster_table({a, b}, {"a", "b"});
  CHECK(t.day_row(FsmVariable::kSwe, 1)[0] == 2.0f);
  CHECK(t.day_row(FsmVariable::kSwe, 1)[1] == 4.0f);
  b.start = {2005, 10, 2};
  CHECK_THROWS_AS(make_cluster_table({a, b}, {"a", "b"}), FormatError);
}
