// tessera synth raster: synthetic landform, FSM outputs and basins.
#include "tessera/raster/synth.hpp"
#include "command.hpp"
#include "tessera/core/collective.hpp"
#include "tessera/core/error.hpp"
#include "tessera/core/log.hpp"

namespace tessera::driver {
namespace {

void run(StepContext& ctx) {
  const auto scale = raster::synth_scale(ctx.vm["scale"].as<std::string>());
  const std::filesystem::path out = ctx.vm["out"].as<std::string>();
  if (ctx.common.dry_run)
    return;
  // Rank 0 writes; a failure there (an unwritable --out) fails every rank
  // instead of leaving them at a barrier.
  run_phase(ctx.comm, "synth raster: write inputs", [&] {
    if (!ctx.comm.is_root())
      return;
    const auto o = raster::write_synthetic_inputs(out, scale);
    log::info("synth raster ({}): {} x {} landform, {} clusters x {} days, basins {}", scale.name,
              scale.width, scale.height, scale.clusters(), scale.days, o.basins.string());
  });
}

const CommandRegistrar kSynth{Command{
    "synth",
    "raster",
    "synthetic SnowMapper inputs: landform, FSM outputs, basins",
    [](po::options_description& d, po::positional_options_description&) {
      d.add_options()("out", po::value<std::string>()->required(), "output directory")(
          "scale", po::value<std::string>()->default_value("tiny"), "tiny, small, medium, large");
    },
    run,
    {}}};

}  // namespace
}  // namespace tessera::driver
