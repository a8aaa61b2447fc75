// tessera raster stats: per-basin, per-day statistics of gridded variables
// (Tessera's grids or any raster GDAL opens).
#include <string>
#include <vector>

#include "command.hpp"
#include "tessera/core/error.hpp"
#include "tessera/core/log.hpp"
#include "tessera/raster/stats_step.hpp"

namespace tessera::driver {
namespace {

void run(StepContext& ctx) {
  raster::StatsStepOptions opt;
  opt.grids_dir = ctx.vm["grids"].as<std::string>();
  if (ctx.vm.count("raster"))
    opt.rasters = ctx.vm["raster"].as<std::vector<std::string>>();
  if (opt.rasters.empty() == opt.grids_dir.empty())
    throw UsageError(
        "give either --grids DIR (Tessera's grids) or --raster FILE... (rasters "
        "GDAL opens)");
  opt.variable = ctx.vm["variable"].as<std::string>();
  if (!opt.variable.empty() && opt.rasters.empty())
    throw UsageError("--variable goes with --raster");
  opt.basins = ctx.vm["basins"].as<std::string>();
  opt.basins_crs = ctx.vm["basins-crs"].as<std::string>();
  const std::string dup = ctx.vm["duplicate-ids"].as<std::string>();
  if (dup == "merge")
    opt.duplicate_ids = raster::DuplicateIds::kMerge;
  else if (dup != "error")
    throw UsageError("--duplicate-ids must be error or merge, not '" + dup + "'");
  opt.id_field = ctx.vm["id-field"].as<std::string>();
  opt.group_field = ctx.vm["group-field"].as<std::string>();
  opt.layer = ctx.vm["layer"].as<std::string>();
  opt.out_dir = ctx.vm["out"].as<std::string>();
  opt.snow_threshold_mm = ctx.vm["snow-threshold"].as<double>();
  opt.clobber = ctx.common.clobber;
  opt.block_bytes = ctx.vm["block-mb"].as<std::int64_t>() << 20;
  if (opt.block_bytes <= 0)
    throw UsageError("--block-mb must be positive");
  if (ctx.common.dry_run) {
    if (ctx.comm.is_root())
      log::info("dry run: would compute statistics of {}",
                opt.rasters.empty() ? opt.grids_dir.string() : opt.rasters.front());
    return;
  }
  ctx.result = raster::to_result(raster::run_stats_step(ctx.comm, opt));
}

const CommandRegistrar kStats{Command{
    "raster",
    "stats",
    "coverage-weighted basin statistics per day and variable (CSV tables)",
    [](po::options_description& d, po::positional_options_description&) {
      d.add_options()("grids", po::value<std::string>()->default_value(""),
                      "directory of gridded NetCDF files (raster grid --out)")(
          "raster", po::value<std::vector<std::string>>()->multitoken(),
          "instead of --grids: rasters GDAL opens (GeoTIFF, NetCDF, VRT, NETCDF:\"f.nc\":var), "
          "in day order; their bands are the days")(
          "variable", po::value<std::string>()->default_value(""),
          "with --raster: the variable of a NetCDF/HDF5 file; also the name in the tables")(
          "basins", po::value<std::string>()->required(),
          "polygon layer (shapefile, GeoJSON, GeoPackage), any CRS")(
          "basins-crs", po::value<std::string>()->default_value(""),
          "the polygon layer's CRS (EPSG:XXXX, WKT, PROJ), replacing what its file says")(
          "duplicate-ids", po::value<std::string>()->default_value("error"),
          "several features with one id: error, or merge (one zone, their union)")(
          "id-field", po::value<std::string>()->default_value("CODE"), "basin id field")(
          "group-field", po::value<std::string>()->default_value(""),
          "grouping field (e.g. REGION) for group tables")(
          "layer", po::value<std::string>()->default_value(""), "layer name (default: first)")(
          "out", po::value<std::string>()->required(), "output directory for the tables")(
          "snow-threshold", po::value<double>()->default_value(1.0),
          "swe (mm) above which a cell counts as snow-covered")(
          "block-mb", po::value<std::int64_t>()->default_value(8),
          "per-rank read buffer (MiB); small blocks stay in the CPU cache while they are used");
    },
    run,
    {}}};

}  // namespace
}  // namespace tessera::driver
