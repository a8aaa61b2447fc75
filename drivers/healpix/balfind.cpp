// tessera healpix balfind: the BAL finder over every pixel's QSOs.

#include "command.hpp"
#include "default_templates.hpp"
#include "tessera/core/error.hpp"
#include "tessera/healpix/steps.hpp"

namespace tessera::driver {
namespace {

void run(StepContext& ctx) {
  healpix::BalfindOptions o;
  o.altzdir = ctx.vm["altzdir"].as<std::string>();
  o.redux = ctx.vm["redux"].as<std::string>();
  o.templates = ctx.vm["templates"].as<std::string>();
  require_templates(o.templates);
  o.sp = {ctx.vm["survey"].as<std::string>(), ctx.vm["program"].as<std::string>()};
  o.masked_pixels =
      healpix::parse_masked_pixels(ctx.vm["masked-pixels"].as<std::string>(), "--masked-pixels");
  o.only_with_coadd = ctx.vm["only-with-coadd"].as<bool>();
  for (const auto& p : cli::split_list(ctx.vm["pixels"].as<std::string>())) {
    std::size_t used = 0;
    try {
      o.pixels.push_back(std::stoll(p, &used));
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != p.size())  // "12x" is not pixel 12
      throw UsageError("--pixels: '" + p + "' is not a pixel number");
  }
  o.clobber = ctx.common.clobber;
  o.dry_run = ctx.common.dry_run;
  ctx.info.options["templates"] = o.templates.string();
  ctx.info.options["altzdir"] = o.altzdir.string();
  ctx.info.options["masked-pixels"] = healpix::to_string(o.masked_pixels);
  ctx.result = healpix::to_result(healpix::run_balfind(ctx.comm, o, ctx.failures), o.dry_run);
}

const CommandRegistrar kBalfind{Command{
    "healpix",
    "balfind",
    "find BAL troughs (BI, AI) in every QSO of every pixel",
    [](po::options_description& d, po::positional_options_description&) {
      d.add_options()("altzdir", po::value<std::string>()->required(),
                      "ALTZDIR holding zafter files (baltables are written beside them)")(
          "redux", po::value<std::string>()->required(), "spectro redux root with healpix/ coadds")(
          "templates", po::value<std::string>()->default_value(default_templates()),
          "PCA template FITS (WAVE, PCA0..PCAn; the component count follows the file)")(
          "survey", po::value<std::string>()->default_value("main"), "survey")(
          "program", po::value<std::string>()->default_value("dark"), "program")(
          "masked-pixels", po::value<std::string>()->default_value("skip"),
          "ivar = 0 pixels: skip (left out of the trough search) | baltools (infinite sigma, "
          "as DESI baltools: reproduces its catalogue)")(
          "only-with-coadd", po::bool_switch()->default_value(false),
          "skip pixels without a coadd instead of recording them as failures")(
          "pixels", po::value<std::string>()->default_value(""), "comma list: only these pixels");
    },
    run,
    {}}};

}  // namespace
}  // namespace tessera::driver
