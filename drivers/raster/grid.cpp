// tessera raster grid: FSM cluster outputs -> one CF NetCDF per variable.
#include "command.hpp"
#include "nc_layout_options.hpp"
#include "tessera/core/error.hpp"
#include "tessera/core/log.hpp"
#include "tessera/raster/grid_step.hpp"

namespace tessera::driver {
namespace {

void run(StepContext& ctx) {
  raster::GridStepOptions opt;
  opt.fsm_dir = ctx.vm["fsm-dir"].as<std::string>();
  opt.landform = ctx.vm["landform"].as<std::string>();
  opt.out_dir = ctx.vm["out"].as<std::string>();
  opt.variables = raster::parse_variable_list(ctx.vm["vars"].as<std::string>());
  opt.values.original_compat = ctx.vm["original-compat"].as<bool>();
  opt.clobber = ctx.common.clobber;
  opt.collective_writes = ctx.vm["collective-writes"].as<bool>();
  opt.layout = nc_layout_from(ctx);
  opt.block_bytes = ctx.vm["block-mb"].as<std::int64_t>() << 20;
  if (opt.block_bytes <= 0)
    throw UsageError("--block-mb must be positive");
  ctx.info.options["vars"] = ctx.vm["vars"].as<std::string>();
  if (ctx.common.dry_run) {
    if (ctx.comm.is_root())
      log::info("dry run: would grid {} into {}", opt.fsm_dir.string(), opt.out_dir.string());
    return;
  }
  ctx.result = raster::to_result(raster::run_grid_step(ctx.comm, opt));
}

const CommandRegistrar kGrid{Command{
    "raster",
    "grid",
    "grid FSM cluster outputs onto the landform: one CF NetCDF per variable",
    [](po::options_description& d, po::positional_options_description&) {
      d.add_options()("fsm-dir", po::value<std::string>()->required(),
                      "directory of sim_FSM_pt_XXXX.txt files")(
          "landform", po::value<std::string>()->required(), "cluster map GeoTIFF (int, nodata -1)")(
          "out", po::value<std::string>()->required(), "output directory")(
          "vars", po::value<std::string>()->default_value("swe,snd,rof,gst"),
          "variables to grid (swe,snd,rof,gst)")(
          "original-compat", po::bool_switch()->default_value(false),
          "reproduce the original's 0 nodata fill and 0.1 rounding")(
          "block-mb", po::value<std::int64_t>()->default_value(2),
          "per-rank gridding buffer (MiB); memory does not grow with the number of days")(
          "collective-writes", po::bool_switch()->default_value(false),
          "write one variable at a time with collective waits instead of independent writes "
          "staggered over the files (same bytes; CDF-5 only, NetCDF-4 is always collective)");
      add_nc_layout_options(d);
    },
    run,
    {}}};

}  // namespace
}  // namespace tessera::driver
