// tessera synth tiles: two synthetic lidar epochs with known changes.
#include "command.hpp"
#include "tessera/tiles/steps.hpp"

namespace tessera::driver {
namespace {

void run(StepContext& ctx) {
  tiles::SynthOptions o;
  o.out = ctx.vm["out"].as<std::string>();
  o.scale = ctx.vm["scale"].as<std::string>();
  o.changes = !ctx.vm["no-changes"].as<bool>();
  o.misalign = ctx.vm["misalign"].as<bool>();
  o.clobber = true;  // synthetic data is always regenerated
  if (ctx.common.dry_run)
    return;
  tiles::run_synth(ctx.comm, o);
}

const CommandRegistrar kSynth{
    Command{"synth",
            "tiles",
            "two lidar epochs (A.las, B.las) with known changes + truth.json",
            [](po::options_description& d, po::positional_options_description&) {
              d.add_options()("out", po::value<std::string>()->required(), "output directory")(
                  "scale", po::value<std::string>()->default_value("tiny"),
                  "tiny (48k points/epoch), small (1.2M), medium (7.5M), large (50M)")(
                  "no-changes", po::bool_switch()->default_value(false), "B = A + noise only")(
                  "misalign", po::bool_switch()->default_value(false),
                  "apply a small rigid motion to B (see truth.json)");
            },
            run,
            {}}};

}  // namespace
}  // namespace tessera::driver
