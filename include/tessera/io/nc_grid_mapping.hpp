// The CF grid-mapping variable of a north-up grid, written alike by every
// NetCDF output (raster's grids, the tiles DoD).
#pragma once

#include <string>

#include "tessera/io/gdal_crs.hpp"
#include "tessera/io/gdal_raster.hpp"
#include "tessera/io/nc_file.hpp"

namespace tessera::io {

/// In define mode: on `var` (the grid-mapping variable, conventionally
/// "crs"), CF-1.8's grid_mapping_name and projection parameters (`gm`, from
/// cf_grid_mapping(crs_wkt); the name left out when CF has none) and
/// crs_wkt (CF-1.8 section 5.6), then GDAL's own spatial_ref and
/// GeoTransform: GDAL takes the CRS and the exact transform from those
/// instead of deriving both from the coordinates.
void put_cf_grid_mapping(NcFile& f, int var, const CfGridMapping& gm, const std::string& crs_wkt,
                         const GeoTransform& transform);

}  // namespace tessera::io
