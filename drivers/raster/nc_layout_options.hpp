// The NetCDF layout options shared by `raster grid` and `raster reproject`.
#pragma once

#include "command.hpp"
#include "tessera/raster/cf_grid.hpp"

namespace tessera::driver {

/// --format, --deflate, --shuffle, --chunk-tile.
void add_nc_layout_options(po::options_description& d);
/// Reads them back (UsageError on a bad value) and records them in the report.
raster::NcLayout nc_layout_from(StepContext& ctx);

}  // namespace tessera::driver
