// The DoD's collective NetCDF writer; see dod_netcdf.hpp.
#include "tessera/tiles/dod_netcdf.hpp"

#include <algorithm>
#include <limits>

#include "dod_raster.hpp"
#include "tessera/core/free_space.hpp"
#include "tessera/core/log.hpp"
#include "tessera/io/gdal_crs.hpp"
#include "tessera/io/nc_grid_mapping.hpp"

namespace tessera::tiles::detail {

namespace {

/// Defines the file's dimensions, variables and attributes; returns dod's id.
int define(io::NcFile& f, const CellGrid& grid, const DodNetcdf& how) {
  const int dy = f.def_dim("y", grid.ny);
  const int dx = f.def_dim("x", grid.nx);
  const int vy = f.def_var("y", io::NcType::kDouble, {dy});
  const int vx = f.def_var("x", io::NcType::kDouble, {dx});
  const bool has_crs = !how.crs_wkt.empty();
  const int vc = has_crs ? f.def_var("crs", io::NcType::kInt, {}) : -2;
  io::NcStorage storage;
  storage.chunk = {std::min<std::int64_t>(kDodTileRows, grid.ny),
                   std::min<std::int64_t>(kDodTileRows, grid.nx)};
  storage.compress = true;
  const int vd = f.def_var("dod", io::NcType::kFloat, {dy, dx}, storage);

  f.put_att(io::kNcGlobal, "Conventions", std::string("CF-1.8"));
  f.put_att(io::kNcGlobal, "title", std::string("DEM of difference, epoch B - epoch A"));
  f.put_att(io::kNcGlobal, "source", std::string("tessera tiles dod"));

  f.put_att(vx, "standard_name", std::string("projection_x_coordinate"));
  f.put_att(vx, "long_name", std::string("x coordinate of cell centre"));
  f.put_att(vx, "units", how.units);
  f.put_att(vx, "axis", std::string("X"));
  f.put_att(vy, "standard_name", std::string("projection_y_coordinate"));
  f.put_att(vy, "long_name", std::string("y coordinate of cell centre"));
  f.put_att(vy, "units", how.units);
  f.put_att(vy, "axis", std::string("Y"));

  const io::GeoTransform t = dod_transform(grid);
  if (has_crs) {
    // GDAL reads the CRS and the exact transform from the variable.
    io::put_cf_grid_mapping(f, vc, io::cf_grid_mapping(how.crs_wkt), how.crs_wkt, t);
  }
  f.put_att(vd, "long_name", std::string("DEM of difference, epoch B - epoch A"));
  f.put_att(vd, "units", how.units);
  if (has_crs)
    f.put_att(vd, "grid_mapping", std::string("crs"));
  f.put_att(vd, "_FillValue", std::numeric_limits<float>::quiet_NaN());
  f.enddef();
  return vd;
}

}  // namespace

bool write_dod_netcdf(const Comm& comm, const std::filesystem::path& path, const CellGrid& grid,
                      std::int64_t first_row, const std::vector<double>& band, const DodNetcdf& how,
                      std::int64_t& min_bytes) {
  min_bytes = 0;
  const bool nc4 = how.format == io::NcFormat::kNetcdf4;
  // Parallel HDF5 does not fail collectively on a full file system (ranks
  // end up in different collectives for ever; raster/grid_writer.cpp), so a
  // NetCDF-4 file starts only when its raw size and HDF5's metadata fit.
  if (nc4) {
    const std::int64_t chunks = ((grid.ny + kDodTileRows - 1) / kDodTileRows) *
                                ((grid.nx + kDodTileRows - 1) / kDodTileRows);
    require_free_space(comm, path,
                       grid.size() * 4 + (grid.nx + grid.ny) * 8 + hdf5_metadata_margin(chunks));
  }
  bool ok = true;
  io::NcFile f;
  int vd = -1;
  try {
    io::NcCreateOptions options;
    options.format = how.format;
    options.deflate_level = 1;
    // The raw communicator, handed to the library: netcdf-c / PnetCDF open
    // the file collectively on it (the one MPI handle the DoD passes on).
    f = io::NcFile::create(comm.handle(), path, options);
    vd = define(f, grid, how);
  } catch (const std::exception& e) {
    log::error("dod: {}: {}", path.string(), e.what());
    ok = false;
  }
  if (!f.is_open())
    return false;  // creation fails on every rank alike
  const std::int64_t nx = grid.nx;
  const std::vector<DodRect> rects = dod_rects(
      static_cast<std::int64_t>(band.size()) / std::max<std::int64_t>(1, nx), nx, how.max_piece);
  // Every rank joins every round's collective wait_all, with nothing queued
  // when it has no piece left (or failed), so none is left waiting.
  const std::int64_t rounds = comm.allreduce_max(static_cast<std::int64_t>(rects.size())) + 1;
  std::vector<double> xs, ys;
  std::vector<float> piece;
  for (std::int64_t round = 0; round < rounds; ++round) {
    try {
      if (ok && round == 0 && comm.is_root()) {
        // The axes first: cell centres of the north-up grid.
        const io::GeoTransform t = dod_transform(grid);
        for (int i = 0; i < grid.nx; ++i)
          xs.push_back(t.x0 + (i + 0.5) * t.dx);
        for (int j = 0; j < grid.ny; ++j)
          ys.push_back(t.y0 + (j + 0.5) * t.dy);
        f.iput(f.varid("x"), {0}, {static_cast<MPI_Offset>(grid.nx)}, xs.data());
        f.iput(f.varid("y"), {0}, {static_cast<MPI_Offset>(grid.ny)}, ys.data());
      }
      if (ok && round >= 1 && static_cast<std::size_t>(round - 1) < rects.size()) {
        const DodRect& r = rects[static_cast<std::size_t>(round - 1)];
        piece.resize(static_cast<std::size_t>(r.rows * r.cols));
        for (std::int64_t i = 0; i < r.rows; ++i) {
          const double* src = band.data() + (r.row + i) * nx + r.col;
          std::transform(src, src + r.cols, piece.begin() + i * r.cols,
                         [](double v) { return static_cast<float>(v); });
        }
        f.iput(vd, {static_cast<MPI_Offset>(first_row + r.row), static_cast<MPI_Offset>(r.col)},
               {static_cast<MPI_Offset>(r.rows), static_cast<MPI_Offset>(r.cols)}, piece.data());
      }
    } catch (const std::exception& e) {
      log::error("dod: {}: {}", path.string(), e.what());
      ok = false;
    }
    try {
      f.wait_all();
    } catch (const std::exception& e) {
      log::error("dod: {}: {}", path.string(), e.what());
      ok = false;
    }
  }
  try {
    if (ok)
      min_bytes = f.data_end();
    f.close();
  } catch (const std::exception& e) {
    log::error("dod: {}: {}", path.string(), e.what());
    ok = false;
  }
  return ok;
}

}  // namespace tessera::tiles::detail
