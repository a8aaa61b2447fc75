// The CF-1.8 NetCDF layout of a gridded daily variable, in NetCDF-4 (zlib,
// chunked by day x tile; netcdf-c parallel) or CDF-5 (PnetCDF): io/nc_file.hpp.
//
//   dimensions: time = T, y = H, x = W
//   double time(time)  units "days since YYYY-MM-DD 00:00:00", calendar standard
//   double y(y), x(x)  cell centres: x0 + (i + 1/2) dx (the original used
//                      edge-to-edge linspace, half a cell off)
//   int crs            grid mapping: grid_mapping_name + parameters, crs_wkt,
//                      spatial_ref and GeoTransform (GDAL's names, so GDAL
//                      georeferences the file), epsg_code
//   float <var>(time, y, x)  units, long_name, grid_mapping = "crs",
//                      _FillValue = NaN (nodata)
// Row 0 is the first row of the landform (north): y decreases along the axis.
// No timestamps or host names go into the file: 1, 2 or 4 ranks write
// byte-identical CDF-5 files and NetCDF-4 files with identical values (HDF5
// places chunks in the order ranks allocate them, so those bytes may differ).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "tessera/core/fingerprint.hpp"
#include "tessera/io/nc_file.hpp"
#include "tessera/raster/civil_date.hpp"
#include "tessera/raster/coverage.hpp"
#include "tessera/raster/fsm_output.hpp"

namespace tessera::raster {

/// Space and time axes of a grid file.
struct GridAxes {
  RasterGrid grid;
  std::string crs_wkt;
  CivilDate start;
  std::int64_t days = 0;
};

/// How grid files are stored: format, compression, chunk tile.
struct NcLayout {
  io::NcCreateOptions file;  ///< NetCDF-4 (deflate 4, shuffle) by default
  int chunk_tile = 512;      ///< NetCDF-4 chunks: 1 day x tile x tile cells (clipped to the grid)
};

/// Adds the layout to an output's fingerprint (another format is another output).
void add_layout(Fingerprint& fp, const NcLayout& layout);

/// Attributes of the data variable.
struct CfVariable {
  std::string name, units, long_name, standard_name, cell_methods;
};
CfVariable cf_variable(FsmVariable v);

/// File name of a variable's grid, as the original: "{YYYYMM}_{TAG}.nc".
std::string grid_file_name(FsmVariable v, const CivilDate& start);

/// Collective. Creates `path`, defines the layout, writes the coordinate
/// variables and returns the file in data mode; `*data_varid` receives the
/// id of the data variable. `fill` is the _FillValue (NaN, or 0 in compat mode).
io::NcFile create_cf_grid(MPI_Comm comm, const std::filesystem::path& path, const GridAxes& axes,
                          const CfVariable& var, float fill, const NcLayout& layout,
                          int* data_varid);

/// The data variable's storage: chunks of 1 day x tile x tile, compressed.
io::NcStorage grid_chunking(const GridAxes& axes, const NcLayout& layout);
/// How many chunks grid_chunking gives the data variable (NetCDF-4).
std::int64_t grid_chunk_count(const GridAxes& axes, const NcLayout& layout);

/// Reads the axes of a grid file written by create_cf_grid (GeoTransform and
/// crs_wkt from the crs variable, start date from time's units and values).
/// Throws FormatError naming the file if the layout is not this one.
GridAxes read_cf_axes(const io::NcFile& file, const std::string& var);

/// Finds "<anything>_{TAG}.nc" for a variable in a directory; "" if absent,
/// FormatError if there are several.
std::filesystem::path find_grid_file(const std::filesystem::path& dir, FsmVariable v);

}  // namespace tessera::raster
