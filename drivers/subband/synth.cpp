// tessera synth subband: synthetic DSA-110-like subband groups.
#include "tessera/subband/synth.hpp"
#include "command.hpp"
#include "tessera/core/error.hpp"
#include "tessera/core/log.hpp"

namespace tessera::driver {
namespace {

void run(StepContext& ctx) {
  subband::SynthOptions o;
  o.scale = subband::synth_scale(ctx.vm["scale"].as<std::string>());
  o.groups = ctx.vm["groups"].as<int>();
  o.start = ctx.vm["start"].as<std::string>();
  o.pointing_dec_deg = ctx.vm["dec"].as<double>();
  o.sources = ctx.vm["sources"].as<int>();
  o.noise = ctx.vm["noise"].as<double>();
  o.seed = ctx.vm["seed"].as<std::uint64_t>();
  if (ctx.vm.count("nants"))
    o.scale.nants = ctx.vm["nants"].as<int>();
  if (ctx.vm.count("npols"))
    o.scale.npols = ctx.vm["npols"].as<int>();
  if (o.groups < 1)
    throw UsageError("--groups must be at least 1", "", "--groups");
  if (o.scale.nants < 2)
    throw UsageError("--nants must be at least 2", "", "--nants");
  if (o.scale.npols != 1 && o.scale.npols != 2 && o.scale.npols != 4) {
    throw UsageError("--npols must be 1, 2 or 4", "", "--npols");
  }
  const std::string out = ctx.vm["out"].as<std::string>();
  ctx.info.options["scale"] = ctx.vm["scale"].as<std::string>();
  subband::synthesize(ctx.comm, out, o);
  log::info(
      "synth subband: {} group(s) x 16 subbands ({} antennas, {} channels, {} times, {} "
      "pols) in {}",
      o.groups, o.scale.nants, o.scale.nchan, o.scale.ntimes, o.scale.npols, out);
}

const CommandRegistrar kSynth{Command{
    "synth",
    "subband",
    "synthetic DSA-110 subband groups (UVH5, drift, real layout quirks)",
    [](po::options_description& d, po::positional_options_description&) {
      d.add_options()("out", po::value<std::string>()->required(), "output directory")(
          "scale", po::value<std::string>()->default_value("tiny"), "tiny|small|dsa110")(
          "groups", po::value<int>()->default_value(1), "number of ~5-minute groups")(
          "start", po::value<std::string>()->default_value("2022-06-01T03:00:00"),
          "first group's UTC start (YYYY-MM-DDTHH:MM:SS)")(
          "dec", po::value<double>()->default_value(45.0), "pointing declination (deg)")(
          "sources", po::value<int>()->default_value(3), "point sources (1-4)")(
          "noise", po::value<double>()->default_value(0.05), "noise per real/imag part (Jy)")(
          "nants", po::value<int>(), "antennas (overrides the scale)")(
          "npols", po::value<int>(), "polarizations 1, 2 or 4 (overrides the scale)")(
          "seed", po::value<std::uint64_t>()->default_value(42), "random seed");
    },
    run,
    {}}};

}  // namespace
}  // namespace tessera::driver
