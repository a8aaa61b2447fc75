// tessera tiles align: ICP of B onto A; writes the aligned B and the transform.
#include "pair_options.hpp"

namespace tessera::driver {
namespace {

void run(StepContext& ctx) {
  tiles::AlignStepOptions o;
  o.pair = tiles_cli::pair_options(ctx);
  o.icp.max_correspondence = ctx.vm["max-correspondence"].as<double>();
  o.icp.max_iterations = ctx.vm["max-iterations"].as<int>();
  o.icp.tolerance = ctx.vm["tolerance"].as<double>();
  o.sample = ctx.vm["sample"].as<std::int64_t>();
  if (ctx.common.dry_run)
    return;
  ctx.result = tiles_cli::file_result(tiles::run_align(ctx.comm, o));
}

const CommandRegistrar kAlign{Command{
    "tiles",
    "align",
    "point-to-point ICP of B onto A (transform in <out>.summary.json)",
    [](po::options_description& d, po::positional_options_description&) {
      tiles_cli::add_pair_options(d);
      d.add_options()("max-correspondence", po::value<double>()->default_value(1.0),
                      "pairs farther apart are ignored (m)")(
          "max-iterations", po::value<int>()->default_value(100), "iteration limit")(
          "tolerance", po::value<double>()->default_value(1e-6), "stop when |dMSE| < this (m2)")(
          "sample", po::value<std::int64_t>()->default_value(200000),
          "points per epoch used by ICP (every k-th record)");
    },
    run,
    {}}};

}  // namespace
}  // namespace tessera::driver
