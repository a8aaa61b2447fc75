// DoD gridding: half-open cells, north-up rows, exact integer means, volumes.
#include <cmath>

#include "support/catch.hpp"
#include "tessera/core/error.hpp"
#include "tessera/tiles/dod.hpp"

using namespace tessera::tiles;

TEST_CASE("DoD cells are half-open and stored north-up", "[tiles][dod]") {
  const CellGrid g = CellGrid::covering(100, 200, 104, 203, 1.0);
  CHECK(g.nx == 5);
  CHECK(g.ny == 4);
  CHECK(g.north() == 204);
  CHECK(g.index_of(100, 200) == 3 * 5 + 0);  // south-west cell is in the last row
  CHECK(g.index_of(101, 200) == 3 * 5 + 1);  // an x edge belongs to the next cell
  CHECK(g.index_of(100, 203.5) == 0);        // north row first
  CHECK(g.index_of(99.999, 200) == -1);
  CHECK(g.index_of(105, 200) == -1);
}

TEST_CASE("Cell means from integer sums and the DoD volume are exact", "[tiles][dod]") {
  CellAccumulator a(4), b(4);
  a.add(0, 1000), a.add(0, 1003), a.add(1, 2000);
  b.add(0, 1500), b.add(1, 1000), b.add(2, 7);
  // Merging two partial accumulators (as MPI_Reduce does) equals one pass.
  const auto za = a.surface(CellAggregate::kMean, 0.001, 100.0);
  const auto zb = b.surface(CellAggregate::kMean, 0.001, 100.0);
  CHECK(za[0] == Approx(101.0015));
  CHECK(std::isnan(za[2]));
  const auto d = difference(za, zb);
  CHECK(d[0] == Approx(0.4985));
  CHECK(d[1] == Approx(-1.0));
  CHECK(std::isnan(d[2]));
  CHECK(std::isnan(d[3]));
  const VolumeSummary v = summarise_dod(d, 2.0, 0.6);
  CHECK(v.net == Approx((0.4985 - 1.0) * 4));
  CHECK(v.gain == Approx(0.4985 * 4));
  CHECK(v.loss == Approx(-4.0));
  CHECK(v.area_changed == Approx(4.0));
  CHECK(v.cells_empty == 2);
  CHECK(b.surface(CellAggregate::kMax, 0.001, 0)[2] == Approx(0.007));
  CHECK_THROWS_AS(parse_aggregate("median"), tessera::UsageError);
}
