// tessera healpix append: the catalog plus the BAL columns of every baltable.
#include "command.hpp"
#include "tessera/healpix/steps.hpp"

namespace tessera::driver {
namespace {

void run(StepContext& ctx) {
  healpix::AppendOptions o;
  o.catalog = ctx.vm["catalog"].as<std::string>();
  o.altzdir = ctx.vm["altzdir"].as<std::string>();
  o.out = ctx.vm["out"].as<std::string>();
  o.sp = {ctx.vm["survey"].as<std::string>(), ctx.vm["program"].as<std::string>()};
  o.clobber = ctx.common.clobber;
  o.dry_run = ctx.common.dry_run;
  ctx.info.options["catalog"] = o.catalog.string();
  ctx.result = healpix::to_result(healpix::run_append(ctx.comm, o, ctx.failures), o.dry_run);
}

const CommandRegistrar kAppend{Command{
    "healpix",
    "append",
    "append the BAL columns to the QSO catalog (EXTNAME=ZCATALOG)",
    [](po::options_description& d, po::positional_options_description&) {
      d.add_options()("catalog", po::value<std::string>()->required(), "QSO catalog (FITS)")(
          "altzdir", po::value<std::string>()->required(), "ALTZDIR holding baltables")(
          "out", po::value<std::string>()->required(), "output catalog (FITS)")(
          "survey", po::value<std::string>()->default_value("main"), "survey")(
          "program", po::value<std::string>()->default_value("dark"), "program");
    },
    run,
    {}}};

}  // namespace
}  // namespace tessera::driver
