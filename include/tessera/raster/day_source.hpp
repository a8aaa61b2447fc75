// Where `raster stats` reads its daily grids from: one interface, two kinds.
//
// A DaySource is a stack of days on one grid, with one or more variables:
//   - Tessera's own grids (`raster grid --out`): {YYYYMM}_{SWE|HS|ROF|GST}.nc,
//     read through io::NcFile (NetCDF-4 or CDF-5), every variable of the directory;
//   - any raster GDAL opens (GeoTIFF, a NetCDF variable, VRT, ...): one
//     variable, its days the bands of the files in the order given, so one
//     file of N bands (one band per day) and N files of one band (one file
//     per day) both work.
// Readers return floats with nodata as NaN, which is what the statistics
// (zonal_stats.hpp) leave out.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "tessera/core/mpi.hpp"
#include "tessera/raster/coverage.hpp"
#include "tessera/raster/zonal_stats.hpp"

namespace tessera::raster {

class DaySource {
 public:
  virtual ~DaySource() = default;
  DaySource() = default;
  DaySource(const DaySource&) = delete;
  DaySource& operator=(const DaySource&) = delete;

  const RasterGrid& grid() const noexcept { return grid_; }
  /// WKT of the grid's CRS ("" if the raster has none: polygons are then
  /// taken to be in the raster's coordinates).
  const std::string& crs_wkt() const noexcept { return crs_wkt_; }
  /// Variable names, as used in the table names ("swe", "snd", ...).
  const std::vector<std::string>& variables() const noexcept { return variables_; }
  std::int64_t days() const noexcept { return static_cast<std::int64_t>(labels_.size()); }
  /// One label per day for the tables' Date column (an ISO date where the
  /// source has a time axis).
  const std::vector<std::string>& day_labels() const noexcept { return labels_; }
  /// The files read, for the output's fingerprint.
  const std::vector<std::filesystem::path>& files() const noexcept { return files_; }

  /// Called once on every rank before its reads.
  virtual void begin_reads() {}
  /// Reads days [t0, t0 + nt), rows [window.first, window.last), every
  /// column, of variable `var` into `out` (nt x rows x width floats, day-major);
  /// nodata becomes NaN. Not collective: each rank reads its own days.
  virtual void read(std::size_t var, std::int64_t t0, std::int64_t nt, const RowWindow& window,
                    float* out) = 0;
  /// Releases the files (collective for the Tessera grids).
  virtual void close() {}

 protected:
  RasterGrid grid_;
  std::string crs_wkt_;
  std::vector<std::string> variables_;
  std::vector<std::string> labels_;
  std::vector<std::filesystem::path> files_;
};

/// Collective over `comm`: the variables of a `raster grid` output directory
/// (every *_{SWE,HS,ROF,GST}.nc present; all on one grid and time axis).
std::unique_ptr<DaySource> open_tessera_grids(const Comm& comm, const std::filesystem::path& dir);

/// Not collective: rasters GDAL opens, `names` in day order (file names or
/// GDAL dataset names such as NETCDF:"f.nc":swe). `variable` picks the
/// variable of a multi-variable container (NetCDF, HDF5); it is also the
/// name in the tables ("" : the file's variable name, else "value").
/// Every file must be on one grid (size, transform, CRS).
std::unique_ptr<DaySource> open_gdal_rasters(const std::vector<std::string>& names,
                                             const std::string& variable);

}  // namespace tessera::raster
