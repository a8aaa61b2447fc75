// The DoD raster's formats, and its NetCDF writer (private to src/tiles;
// the GeoTIFF is written by every rank, banded_geotiff.hpp).
//
// Both formats are north-up (row 0 = north), pixel size exactly the cell, origin the
// grid's north-west corner, NaN nodata, float32, CRS from the LAS.
//
// NetCDF goes through GDAL's netCDF driver (GDAL 3.6, CF-1.5 writer): a
// MEM dataset is filled and copied with CreateCopy, because only CreateCopy
// takes the variable name from the band's NETCDF_VARNAME ("dod"; Create
// names it "Band1"). Options: netCDF-3 64-bit offset (FORMAT=NC2: see
// dod_raster.cpp for why not netCDF-4), WRITE_BOTTOMUP=NO so the
// file keeps the GeoTIFF's row order (row 0 north; the y coordinate then
// decreases, which CF allows: coordinates need only be monotonic, CF 1.5
// §5), no GDAL history/version attributes (no timestamps in the output).
// GDAL writes the x/y cell-centre coordinate variables
// (projection_x/y_coordinate, units m) and a grid-mapping variable carrying
// the CF projection parameters plus crs_wkt/spatial_ref.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "tessera/io/gdal_raster.hpp"
#include "tessera/tiles/dod.hpp"

namespace tessera::tiles::detail {

enum class DodFormat { kGeoTiff, kNetCdf };

/// The format for an output name (.tif/.tiff or .nc); throws UsageError
/// naming --out otherwise, or when GDAL lacks the netCDF driver.
DodFormat dod_format_of(const std::filesystem::path& out);

/// The raster's north-up geotransform: origin the grid's north-west corner,
/// pixels exactly the cell.
io::GeoTransform dod_transform(const CellGrid& grid);

/// Writes `dod` (grid.size() values, row 0 north) to `path` as NetCDF;
/// `units` (UDUNITS: "m", "ft", "US_survey_foot") of the dod variable.
/// Throws IoError.
void write_dod_netcdf(const std::filesystem::path& path, const CellGrid& grid,
                      const std::vector<float>& dod, const std::string& crs_wkt,
                      const std::string& units = "m");

}  // namespace tessera::tiles::detail
