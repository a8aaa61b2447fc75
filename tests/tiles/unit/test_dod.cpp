// DoD gridding: half-open cells, north-up rows, exact integer means, volumes.
#include <algorithm>
#include <climits>
#include <cmath>
#include <stdexcept>

#include "support/catch.hpp"
#include "tessera/core/error.hpp"
#include "tessera/tiles/dod.hpp"
#include "tessera/tiles/dod_bands.hpp"

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
  CHECK(parse_aggregate("median") == CellAggregate::kMedian);
  CHECK_THROWS_AS(parse_aggregate("mode"), tessera::UsageError);
  CHECK_THROWS_AS(a.surface(CellAggregate::kMedian, 0.001, 0), std::logic_error);
}

TEST_CASE("Cell medians are exact for odd and even counts and any sample order", "[tiles][dod]") {
  // Cells 10..13: odd count, even count (mean of the two middle values),
  // empty, one value. Samples shuffled and interleaved.
  std::vector<CellSample> s = {{11, 7},   {10, 5}, {13, -4}, {11, 1}, {10, -9},
                               {11, 100}, {10, 6}, {11, 2},  {10, 5}, {10, 40}};
  const auto z = cell_medians(s, 10, 4, 0.01, 50.0);
  REQUIRE(z.size() == 4);
  CHECK(z[0] == 5 * 0.01 + 50.0);    // sorted -9 5 5 6 40: middle 5
  CHECK(z[1] == 4.5 * 0.01 + 50.0);  // sorted 1 2 7 100: (2 + 7) / 2
  CHECK(std::isnan(z[2]));
  CHECK(z[3] == -4 * 0.01 + 50.0);
  // Extreme int32 values: the even-count mean does not overflow.
  std::vector<CellSample> big = {{0, INT32_MAX}, {0, INT32_MAX - 2}};
  CHECK(cell_medians(big, 0, 1, 1.0, 0.0)[0] == static_cast<double>(INT32_MAX) - 1);
  std::vector<CellSample> outside = {{9, 1}};
  CHECK_THROWS_AS(cell_medians(outside, 10, 4, 1.0, 0.0), std::logic_error);
}

TEST_CASE("DoD volumes in parts of whole rows merge to the volumes of the whole", "[tiles][dod]") {
  // 7 rows of 5 cells, parts of 3 rows: 3 + 3 + 1. Values with exact
  // binary sums, so any order gives the same doubles.
  std::vector<double> d(35);
  for (std::size_t i = 0; i < d.size(); ++i)
    d[i] = i % 4 == 0 ? std::nan("") : (static_cast<double>(i % 9) - 4.0) * 0.25;
  const std::vector<VolumeSummary> parts = summarise_dod_parts(d, 5, 3, 2.0, 0.3);
  REQUIRE(parts.size() == 3);
  CHECK(parts[0].cells == 15);
  CHECK(parts[2].cells == 5);
  VolumeSummary merged;
  for (const VolumeSummary& p : parts)
    merged.merge(p);
  const VolumeSummary whole = summarise_dod(d, 2.0, 0.3);
  CHECK(merged.net == whole.net);
  CHECK(merged.gain == whole.gain);
  CHECK(merged.loss == whole.loss);
  CHECK(merged.area_changed == whole.area_changed);
  CHECK(merged.area_compared == whole.area_compared);
  CHECK(merged.cells == 35);
  CHECK(merged.cells_empty == whole.cells_empty);
  CHECK(whole.cells_empty == 9);
  // The last part's own volume: rows 6 (cells 30..34).
  double last = 0;
  for (std::size_t i = 30; i < 35; ++i)
    last += std::isnan(d[i]) ? 0.0 : d[i] * 4.0;
  CHECK(parts[2].net == last);
  CHECK_THROWS_AS(summarise_dod_parts(std::vector<double>(7), 5, 3, 1.0, 0.1), std::logic_error);
}

TEST_CASE("DoD bands: pieces under the MPI limit, band-relative cells", "[tiles][dod]") {
  // Pieces tile [0, n) in order, none over the limit.
  for (std::int64_t n : {0, 1, 6, 7, 8, 50}) {
    const std::vector<DodPiece> p = dod_pieces(n, 7);
    std::int64_t at = 0;
    for (const DodPiece& q : p) {
      CHECK(q.offset == at);
      CHECK(q.count >= 1);
      CHECK(q.count <= 7);
      at += q.count;
    }
    CHECK(at == n);
    CHECK(p.size() == static_cast<std::size_t>((n + 6) / 7));
  }
  // The real limit: a band of 5e9 cells moves in 5 pieces of <= 2^30 (each an int count).
  const std::vector<DodPiece> big = dod_pieces(5'000'000'000, kDodPiece);
  CHECK(big.size() == 5);
  CHECK(big.back().offset + big.back().count == 5'000'000'000);
  for (const DodPiece& q : big)
    CHECK(q.count <= INT_MAX);
  CHECK_THROWS(dod_pieces(5, 0));

  // Write rectangles: whole rows in multiples of the chunk rows when they fit,
  // else pieces of one row; every cell once, row-major.
  auto covers = [](const std::vector<DodRect>& r, std::int64_t rows, std::int64_t nx,
                   std::int64_t max) {
    std::vector<int> seen(static_cast<std::size_t>(rows * nx), 0);
    for (const DodRect& q : r) {
      CHECK(q.rows * q.cols <= max);
      for (std::int64_t i = 0; i < q.rows; ++i)
        for (std::int64_t j = 0; j < q.cols; ++j)
          ++seen[static_cast<std::size_t>((q.row + i) * nx + q.col + j)];
    }
    return std::all_of(seen.begin(), seen.end(), [](int s) { return s == 1; });
  };
  {
    const auto r = dod_rects(10, 4, 12, 2);  // 3 rows fit: rounded down to 2 (align)
    CHECK(covers(r, 10, 4, 12));
    REQUIRE(r.size() == 5);
    CHECK(r[0].rows == 2);
    CHECK(r[0].cols == 4);
  }
  {
    const auto r = dod_rects(3, 10, 4, 256);  // a row does not fit: 3 pieces a row
    CHECK(covers(r, 3, 10, 4));
    CHECK(r.size() == 9);
  }
  {
    const auto r = dod_rects(700, 1000, kDodPiece / 4);  // the default: one piece
    CHECK(r.size() == 1);
    const auto s = dod_rects(700, 1000, 300'000);  // 300 rows fit: 256
    CHECK(s.size() == 3);
    CHECK(s[0].rows == 256);
    CHECK(covers(s, 700, 1000, 300'000));
  }
  CHECK(dod_rects(0, 5, 10).empty());

  // Bands balanced by points: each starts where the points before it pass
  // r/P of the total.
  const std::vector<std::int64_t> rows = {0, 10, 0, 0, 10, 10, 0, 10};
  const std::vector<std::int64_t> s2 = point_balanced_starts(rows, 2);
  CHECK(s2 == std::vector<std::int64_t>{0, 5, 8});
  const std::vector<std::int64_t> s4 = point_balanced_starts(rows, 4);
  CHECK(s4 == std::vector<std::int64_t>{0, 4, 5, 7, 8});
  const DodBands b4 = dod_bands_from_starts(s4);
  CellGrid g;
  g.nx = 3;
  g.ny = 8;
  CHECK(dod_row_owners(g, b4) == std::vector<int>{0, 0, 0, 0, 1, 2, 2, 3});
  CHECK(b4.first_cell(g, 2) == 15);
  CHECK(b4.cells(g, 1) == 3);

  // A band over the band-relative index limit is refused by name (lowered
  // here: at the real 2^32 it would take a raster of billions of cells);
  // the whole raster may exceed it.
  require_band_cells(g, b4, 12);
  CHECK_THROWS_AS(require_band_cells(g, b4, 11), tessera::UsageError);
  CellGrid huge;
  huge.nx = 100'000;
  huge.ny = 60'000;  // 6e9 cells: over 2^32, fine in 4 bands
  CHECK(huge.size() > kDodBandCells);
  const DodBands even = dod_bands_of(huge, identity_blocks(4), dod_row_block);
  require_band_cells(huge, even);
  CHECK_THROWS_AS(require_band_cells(huge, dod_bands_of(huge, identity_blocks(1), dod_row_block)),
                  tessera::UsageError);
  // Tile-row bands end on 256-row boundaries, the last at the raster's edge.
  const DodBands tiles = dod_bands_of(huge, identity_blocks(4), dod_tile_row_block);
  for (int r = 0; r < 4; ++r)
    CHECK(tiles.first_row[static_cast<std::size_t>(r)] % kDodTileRows == 0);
  CHECK(tiles.first_row[3] + tiles.rows[3] == huge.ny);
}
