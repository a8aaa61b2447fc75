// tessera raster reproject: warp every day's grid to another CRS.
#include "command.hpp"
#include "nc_layout_options.hpp"
#include "tessera/core/error.hpp"
#include "tessera/core/log.hpp"
#include "tessera/raster/reproject_step.hpp"

namespace tessera::driver {
namespace {

void run(StepContext& ctx) {
  raster::ReprojectStepOptions opt;
  opt.grids_dir = ctx.vm["grids"].as<std::string>();
  opt.to = ctx.vm["to"].as<std::string>();
  opt.resampling = ctx.vm["resampling"].as<std::string>();
  opt.out_dir = ctx.vm["out"].as<std::string>();
  opt.clobber = ctx.common.clobber;
  opt.layout = nc_layout_from(ctx);
  opt.failures = &ctx.failures;
  opt.block_bytes = ctx.vm["block-mb"].as<std::int64_t>() << 20;
  if (opt.block_bytes <= 0)
    throw UsageError("--block-mb must be positive");
  if (ctx.common.dry_run) {
    if (ctx.comm.is_root())
      log::info("dry run: would warp {} to {}", opt.grids_dir.string(), opt.to);
    return;
  }
  ctx.result = raster::to_result(raster::run_reproject_step(ctx.comm, opt));
}

const CommandRegistrar kReproject{Command{
    "raster",
    "reproject",
    "warp gridded variables to another CRS (GDAL warper, days over ranks)",
    [](po::options_description& d, po::positional_options_description&) {
      d.add_options()("grids", po::value<std::string>()->required(),
                      "directory of gridded NetCDF files")(
          "to", po::value<std::string>()->default_value("EPSG:4326"), "target CRS")(
          "resampling", po::value<std::string>()->default_value("near"),
          "near, bilinear, cubic, average, mode")("out", po::value<std::string>()->required(),
                                                  "output directory")(
          "block-mb", po::value<std::int64_t>()->default_value(64), "per-rank buffer (MiB)");
      add_nc_layout_options(d);
    },
    run,
    {}}};

}  // namespace
}  // namespace tessera::driver
