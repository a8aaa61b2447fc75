// tessera tiles dod: DEM of difference to a north-up GeoTIFF or NetCDF + volume summary.
#include "pair_options.hpp"

namespace tessera::driver {
namespace {

void run(StepContext& ctx) {
  tiles::DodStepOptions o;
  o.pair = tiles_cli::pair_options(ctx);
  o.cell = ctx.vm["cell"].as<double>();
  o.aggregate = tiles::parse_aggregate(ctx.vm["aggregate"].as<std::string>());
  o.threshold = ctx.vm["threshold"].as<double>();
  if (ctx.common.dry_run)
    return;
  tiles::run_dod(ctx.comm, o);
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
                  "|change| (m) above which a cell counts as changed");
            },
            run,
            {}}};

}  // namespace
}  // namespace tessera::driver
