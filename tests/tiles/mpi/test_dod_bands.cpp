// DoD bands at 1, 2 and 4 ranks with the piece limits lowered: rows move
// between bandings in many small pieces, and the NetCDF is written in many
// small hyperslabs (rows and parts of rows), and both give back exactly the
// raster the bands held. The real limits (2^30 elements) would need rasters
// of billions of cells; the code paths are the same.
#include <cmath>
#include <filesystem>
#include <limits>
#include <vector>

#include "support/catch.hpp"
#include "support/test_paths.hpp"
#include "tessera/core/atomic_file.hpp"
#include "tessera/core/mpi.hpp"
#include "tessera/io/nc_file.hpp"
#include "tessera/tiles/dod_bands.hpp"
#include "tessera/tiles/dod_netcdf.hpp"

using namespace tessera;
using namespace tessera::tiles;

namespace {

/// A recognisable value for cell `c`, NaN for every 7th.
double value_of(std::int64_t c) {
  return c % 7 == 3 ? std::numeric_limits<double>::quiet_NaN() : 0.25 * static_cast<double>(c) - 9;
}

std::vector<double> band_values(const CellGrid& g, const DodBands& b, int r) {
  std::vector<double> v;
  for (std::int64_t c = b.first_cell(g, r); c < b.first_cell(g, r) + b.cells(g, r); ++c)
    v.push_back(value_of(c));
  return v;
}

bool same(double x, double y) {
  return std::isnan(x) ? std::isnan(y) : x == y;
}

}  // namespace

TEST_CASE("DoD bands move between bandings in pieces", "[tiles][mpi][dod]") {
  const Comm comm = Comm::world();
  const int n = comm.size(), me = comm.rank();
  CellGrid g;
  g.nx = 13;
  g.ny = 601;  // three tile rows
  // From uneven bands (rank 0 holds most rows) to the write's tile-row bands.
  std::vector<std::int64_t> start(static_cast<std::size_t>(n) + 1, g.ny);
  start[0] = 0;
  for (int r = 1; r < n; ++r)
    start[static_cast<std::size_t>(r)] = g.ny - (n - r) * 11;
  const DodBands from = dod_bands_from_starts(start);
  const DodBands to = dod_bands_of(g, identity_blocks(n), dod_tile_row_block);
  for (std::int64_t piece : {std::int64_t{5}, std::int64_t{13}, kDodPiece}) {
    const std::vector<double> got = reband(comm, g, from, to, band_values(g, from, me), piece);
    const std::vector<double> want = band_values(g, to, me);
    REQUIRE(got.size() == want.size());
    std::size_t bad = 0;
    for (std::size_t i = 0; i < got.size(); ++i)
      bad += !same(got[i], want[i]);
    INFO("piece " << piece);
    CHECK(bad == 0);
  }
}

TEST_CASE("The DoD NetCDF written in pieces reads back value for value", "[tiles][mpi][dod]") {
  const Comm comm = Comm::world();
  const int n = comm.size(), me = comm.rank();
  const auto dir = test::scratch_dir("tiles_dod_bands_np" + std::to_string(n));
  CellGrid g;
  g.x0 = 500000.5;
  g.y0 = 4100000.25;
  g.cell = 0.5;
  g.nx = 37;
  g.ny = 530;  // three tile rows: bands of whole tile rows on up to 3 ranks
  const DodBands bands = dod_bands_of(g, identity_blocks(n), dod_tile_row_block);
  const std::vector<double> mine = band_values(g, bands, me);
  // 300 cells: 8 rows a piece; 20 cells: a row in two pieces; the default.
  for (std::int64_t piece : {std::int64_t{300}, std::int64_t{20}, kDodPiece / 4}) {
    for (io::NcFormat format : {io::NcFormat::kNetcdf4, io::NcFormat::kCdf5}) {
      const auto path =
          dir / ("dod_" + std::to_string(piece) + "_" + io::nc_format_name(format) + ".nc");
      tiles::detail::DodNetcdf how;
      how.format = format;
      how.units = "m";
      how.max_piece = piece;
      std::int64_t min_bytes = -1;
      CollectiveAtomicFile file(comm, path, true);
      const bool ok = tiles::detail::write_dod_netcdf(comm, file.temp_path(), g,
                                                      bands.first_row[static_cast<std::size_t>(me)],
                                                      mine, how, min_bytes);
      CHECK(ok);
      file.commit(ok, min_bytes);
      io::NcFile f = io::NcFile::open(comm.handle(), path);
      CHECK(f.format() == format);
      CHECK(f.dim_length("y") == g.ny);
      CHECK(f.dim_length("x") == g.nx);
      std::vector<float> all(static_cast<std::size_t>(g.size()));
      f.get_all(f.varid("dod"), {0, 0}, {g.ny, g.nx}, all.data());
      std::vector<double> xs(static_cast<std::size_t>(g.nx)), ys(static_cast<std::size_t>(g.ny));
      f.get_all(f.varid("x"), {0}, {g.nx}, xs.data());
      f.get_all(f.varid("y"), {0}, {g.ny}, ys.data());
      CHECK(f.att_text(f.varid("dod"), "units") == "m");
      CHECK_FALSE(f.has_att(f.varid("dod"), "grid_mapping"));  // no CRS given
      f.close();
      std::size_t bad = 0;
      for (std::int64_t c = 0; c < g.size(); ++c)
        bad += !same(all[static_cast<std::size_t>(c)], static_cast<float>(value_of(c)));
      INFO(io::nc_format_name(format) << ", piece " << piece);
      CHECK(bad == 0);
      CHECK(xs[0] == g.x0 + 0.25);
      CHECK(ys[0] == g.north() - 0.25);
      CHECK(ys[static_cast<std::size_t>(g.ny - 1)] == g.y0 + 0.25);
    }
  }
}
