// tessera tiles dod: DEM of difference to a north-up GeoTIFF or NetCDF + volume summary.
#include "pair_options.hpp"
#include "tessera/core/error.hpp"
#include "tessera/io/nc_file.hpp"

namespace tessera::driver {
namespace {

void run(StepContext& ctx) {
  tiles::DodStepOptions o;
  o.pair = tiles_cli::pair_options(ctx);
  o.cell = ctx.vm["cell"].as<double>();
  o.aggregate = tiles::parse_aggregate(ctx.vm["aggregate"].as<std::string>());
  o.threshold = ctx.vm["threshold"].as<double>();
  const std::string nc_format = ctx.vm["nc-format"].as<std::string>();
  if (nc_format != "netcdf4" && nc_format != "cdf5")
    throw UsageError("--nc-format must be netcdf4 or cdf5, not '" + nc_format + "'");
  o.nc_format = io::parse_nc_format(nc_format);
  if (ctx.common.dry_run)
    return;
  ctx.result = tiles_cli::file_result(tiles::run_dod(ctx.comm, o));
}

const CommandRegistrar kDod{
    Command{"tiles",
            "dod",
            "DEM of difference B - A as a north-up GeoTIFF (.tif) or NetCDF (.nc)",
            [](po::options_description& d, po::positional_options_description&) {
              tiles_cli::add_pair_options(d);
              d.add_options()("cell", po::value<double>()->default_value(1.0), "cell size (m)")(
                  "aggregate", po::value<std::string>()->default_value("mean"),
                  "mean, median (even counts: mean of the two middle values), min or max")(
                  "threshold", po::value<double>()->default_value(0.1),
                  "|change| (m) above which a cell counts as changed")(
                  "nc-format", po::value<std::string>()->default_value("netcdf4"),
                  "layout of a .nc output: netcdf4 (HDF5, zlib; read by GDAL, netCDF4, xarray) "
                  "or cdf5 (PnetCDF, uncompressed; GDAL 3.6 cannot read it)");
            },
            run,
            {}}};

}  // namespace
}  // namespace tessera::driver
