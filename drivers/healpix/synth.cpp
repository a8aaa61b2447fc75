// tessera synth healpix: synthetic catalog, coadds and truth table.

#include "tessera/healpix/synth.hpp"
#include "command.hpp"
#include "default_templates.hpp"

namespace tessera::driver {
namespace {

void run(StepContext& ctx) {
  healpix::SynthOptions o;
  o.out = ctx.vm["out"].as<std::string>();
  o.scale = ctx.vm["scale"].as<std::string>();
  o.seed = ctx.vm["seed"].as<std::uint64_t>();
  o.templates = ctx.vm["templates"].as<std::string>();
  require_templates(o.templates);
  o.sp = {ctx.vm["survey"].as<std::string>(), ctx.vm["program"].as<std::string>()};
  o.bal_fraction = ctx.vm["bal-fraction"].as<double>();
  o.snr_min = ctx.vm["snr-min"].as<double>();
  o.snr_max = ctx.vm["snr-max"].as<double>();
  o.write_resolution = !ctx.vm["no-resolution"].as<bool>();
  ctx.info.options["scale"] = o.scale;
  healpix::synth_scale(o.scale);  // usage error before any work
  healpix::run_synth(ctx.comm, o);
}

const CommandRegistrar kSynth{Command{
    "synth",
    "healpix",
    "synthetic DESI catalog + coadds + truth for the healpix pipeline",
    [](po::options_description& d, po::positional_options_description&) {
      d.add_options()("out", po::value<std::string>()->required(), "output directory")(
          "scale", po::value<std::string>()->default_value("tiny"), "tiny|small|medium|large")(
          "seed", po::value<std::uint64_t>()->default_value(1), "random seed")(
          "templates", po::value<std::string>()->default_value(default_templates()),
          "PCA template FITS used for the continua")(
          "survey", po::value<std::string>()->default_value("main"), "survey")(
          "program", po::value<std::string>()->default_value("dark"), "program")(
          "bal-fraction", po::value<double>()->default_value(0.4), "fraction of QSOs with troughs")(
          "snr-min", po::value<double>()->default_value(4.0), "lowest per-pixel SNR")(
          "snr-max", po::value<double>()->default_value(40.0), "highest per-pixel SNR")(
          "no-resolution", po::bool_switch()->default_value(false),
          "write 1-diagonal RESOLUTION images (smaller files)");
    },
    run,
    {}}};

}  // namespace
}  // namespace tessera::driver
