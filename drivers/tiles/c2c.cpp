// tessera tiles c2c: cloud-to-cloud distances from each B point to epoch A.
#include "pair_options.hpp"

namespace tessera::driver {
namespace {

void run(StepContext& ctx) {
  tiles::C2cStepOptions o;
  o.pair = tiles_cli::pair_options(ctx);
  tiles_cli::round_options(ctx, o.pair);
  o.c2c.max_dist = ctx.vm["max-dist"].as<double>();
  o.c2c.vertical = ctx.vm["vertical"].as<bool>();
  o.c2c.k = ctx.vm["k"].as<int>();
  o.bins = ctx.vm["bins"].as<int>();
  o.round_mb = ctx.vm["round-mb"].as<double>();
  if (ctx.common.dry_run)
    return;
  const nlohmann::json summary = tiles::run_c2c(ctx.comm, o);
  tiles_cli::report_rounds(ctx, summary);
  ctx.result = tiles_cli::file_result(summary);
}

const CommandRegistrar kC2c{
    Command{"tiles",
            "c2c",
            "cloud-to-cloud distances of B to A (LAS 1.4 + distance)",
            [](po::options_description& d, po::positional_options_description&) {
              tiles_cli::add_pair_options(d);
              tiles_cli::add_round_options(d);
              d.add_options()("max-dist", po::value<double>()->default_value(10.0),
                              "cap on distances (m); also the halo")(
                  "vertical", po::bool_switch()->default_value(false),
                  "signed distance to a plane fitted to the k nearest A points")(
                  "k", po::value<int>()->default_value(20), "neighbours for --vertical (>= 6)")(
                  "bins", po::value<int>()->default_value(50), "histogram bins in the summary")(
                  "round-mb", po::value<double>()->default_value(64.0),
                  "without --memory-mb, MiB of tile points a rank holds per round (raised to "
                  "the largest tile): later rounds reuse the first one's memory, faster than "
                  "fresh pages; 0 = one round");
            },
            run,
            {}}};

}  // namespace
}  // namespace tessera::driver
