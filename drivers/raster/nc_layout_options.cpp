// See nc_layout_options.hpp.
#include "nc_layout_options.hpp"

#include <string>

#include "tessera/core/error.hpp"

namespace tessera::driver {

void add_nc_layout_options(po::options_description& d) {
  d.add_options()("format", po::value<std::string>()->default_value("netcdf4"),
                  "netcdf4 (HDF5, zlib-compressed, chunked by day x tile) or cdf5 (PnetCDF, "
                  "uncompressed, fastest)");
  d.add_options()("deflate", po::value<int>()->default_value(1),
                  "NetCDF-4 deflate level, 0 (none) to 9: 1 compresses with ISA-L's igzip "
                  "(fastest), 2-9 with libdeflate (smaller, slower); any inflate reads them");
  d.add_options()("shuffle", po::bool_switch()->default_value(false),
                  "NetCDF-4: byte-shuffle filter before deflate (larger files for gridded "
                  "cluster values)");
  d.add_options()("chunk-tile", po::value<int>()->default_value(512),
                  "NetCDF-4 chunk: 1 day x N x N cells (clipped to the grid)");
}

raster::NcLayout nc_layout_from(StepContext& ctx) {
  raster::NcLayout layout;
  layout.file.format = io::parse_nc_format(ctx.vm["format"].as<std::string>());
  layout.file.deflate_level = ctx.vm["deflate"].as<int>();
  if (layout.file.deflate_level < 0 || layout.file.deflate_level > 9)
    throw UsageError("--deflate must be 0..9, not " + std::to_string(layout.file.deflate_level));
  layout.file.shuffle = ctx.vm["shuffle"].as<bool>();
  layout.chunk_tile = ctx.vm["chunk-tile"].as<int>();
  if (layout.chunk_tile < 1)
    throw UsageError("--chunk-tile must be positive");
  ctx.info.options["format"] = io::nc_format_name(layout.file.format);
  if (layout.file.format == io::NcFormat::kNetcdf4) {
    ctx.info.options["deflate"] = std::to_string(layout.file.deflate_level);
    ctx.info.options["shuffle"] = layout.file.shuffle ? "yes" : "no";
    ctx.info.options["chunk_tile"] = std::to_string(layout.chunk_tile);
  }
  return layout;
}

}  // namespace tessera::driver
