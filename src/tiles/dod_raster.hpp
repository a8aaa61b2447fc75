// The DoD raster's formats (private to src/tiles; the GeoTIFF is written by
// every rank, banded_geotiff.hpp, and the NetCDF collectively, dod_netcdf.hpp).
//
// Both formats are north-up (row 0 = north), pixel size exactly the cell,
// origin the grid's north-west corner, NaN nodata, float32, CRS from the LAS.
#pragma once

#include <filesystem>

#include "tessera/io/gdal_raster.hpp"
#include "tessera/tiles/dod.hpp"

namespace tessera::tiles::detail {

enum class DodFormat { kGeoTiff, kNetCdf };

/// The format for an output name (.tif/.tiff or .nc); throws UsageError
/// naming --out otherwise.
DodFormat dod_format_of(const std::filesystem::path& out);

/// The raster's north-up geotransform: origin the grid's north-west corner,
/// pixels exactly the cell.
io::GeoTransform dod_transform(const CellGrid& grid);

}  // namespace tessera::tiles::detail
