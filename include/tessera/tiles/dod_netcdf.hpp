// The DoD's NetCDF output, written collectively from every rank's band
// (used by the dod step; public for the tests).
//
// Through Tessera's own NetCDF layer (io::NcFile): NetCDF-4 (parallel HDF5
// through netcdf-c; the default: every netCDF4/xarray and GDAL reads it) or
// CDF-5 (PnetCDF; fastest, but GDAL 3.6 cannot read it). Each rank writes
// its band of whole tile rows as hyperslabs of at most a quarter of
// kDodPiece cells (1 GiB of float32; MPI-IO and HDF5 take int counts), so no
// rank holds more than its band and nothing is gathered. Layout (CF-1.8):
//   dod(y, x)  float32, _FillValue NaN, units (the CRS's linear unit),
//              long_name, grid_mapping "crs" when there is a CRS; NetCDF-4:
//              256 x 256 chunks, zlib level 1 (as the GeoTIFF's DEFLATE)
//   x(x), y(y) cell centres (projection_x/y_coordinate), y decreasing: row 0
//              is north, as in the GeoTIFF (CF asks only for monotonic axes)
//   crs        grid mapping: CF name and parameters (io::cf_grid_mapping),
//              crs_wkt, spatial_ref and GDAL's GeoTransform
// No history or date attributes: the bytes depend only on the inputs.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "tessera/core/mpi.hpp"
#include "tessera/io/nc_file.hpp"
#include "tessera/tiles/dod.hpp"
#include "tessera/tiles/dod_bands.hpp"

namespace tessera::tiles::detail {

struct DodNetcdf {
  io::NcFormat format = io::NcFormat::kNetcdf4;
  std::string crs_wkt;      ///< "" = no CRS (no grid mapping)
  std::string units = "m";  ///< UDUNITS of x, y and dod ("m", "ft", "US_survey_foot")
  /// Most cells in one write (tests lower it to exercise the pieces).
  std::int64_t max_piece = kDodPiece / 4;
};

/// Collective. Writes the DoD to `path`; this rank holds rows [first_row,
/// first_row + band.size() / grid.nx). Returns false on a rank whose part
/// failed (logged; every rank still joins every collective), and sets
/// `min_bytes` to the length the file must reach (CDF-5; 0 otherwise), both
/// for CollectiveAtomicFile::commit. Throws CollectiveError on every rank
/// when the file system has no room for a NetCDF-4 file.
bool write_dod_netcdf(const Comm& comm, const std::filesystem::path& path, const CellGrid& grid,
                      std::int64_t first_row, const std::vector<double>& band, const DodNetcdf& how,
                      std::int64_t& min_bytes);

}  // namespace tessera::tiles::detail
