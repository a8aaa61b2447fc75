// tessera tiles m3c2: M3C2 distances with level of detection (Lague 2013).
#include "pair_options.hpp"
#include "tessera/core/cli.hpp"

namespace tessera::driver {
namespace {

void run(StepContext& ctx) {
  tiles::M3c2StepOptions o;
  o.pair = tiles_cli::pair_options(ctx);
  tiles_cli::round_options(ctx, o.pair);
  o.m3c2.normal_radii.clear();
  for (const std::string& r : cli::split_list(ctx.vm["normal-radius"].as<std::string>())) {
    try {
      o.m3c2.normal_radii.push_back(std::stod(r));
    } catch (const std::exception&) {
      throw UsageError("--normal-radius: \"" + r + "\" is not a number");
    }
  }
  o.m3c2.cyl_radius = ctx.vm["cyl-radius"].as<double>();
  o.m3c2.max_depth = ctx.vm["max-depth"].as<double>();
  o.m3c2.robust = ctx.vm["robust"].as<bool>();
  o.m3c2.registration_error = ctx.vm["registration-error"].as<double>();
  o.core_step = ctx.vm["core-step"].as<std::int64_t>();
  if (ctx.common.dry_run)
    return;
  const nlohmann::json summary = tiles::run_m3c2(ctx.comm, o);
  tiles_cli::report_rounds(ctx, summary);
  ctx.result = tiles_cli::file_result(summary);
}

const CommandRegistrar kM3c2{Command{
    "tiles",
    "m3c2",
    "M3C2 distances, LoD95 and significance at A core points",
    [](po::options_description& d, po::positional_options_description&) {
      tiles_cli::add_pair_options(d);
      tiles_cli::add_round_options(d);
      d.add_options()("normal-radius", po::value<std::string>()->default_value("1.0"),
                      "normal scale(s) as radii (m), e.g. 0.5,1,2: the most planar is kept")(
          "cyl-radius", po::value<double>()->default_value(1.0), "cylinder radius (m)")(
          "max-depth", po::value<double>()->default_value(5.0),
          "cylinder half-length (m; at least the radius)")(
          "robust", po::bool_switch()->default_value(false), "medians instead of means")(
          "registration-error", po::value<double>()->default_value(0.0),
          "registration error added to the LoD (m)")(
          "core-step", po::value<std::int64_t>()->default_value(1),
          "core points: every k-th A point (by record index)");
    },
    run,
    {}}};

}  // namespace
}  // namespace tessera::driver
