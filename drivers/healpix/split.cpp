// tessera healpix split: QSO catalog -> zafter files per HEALPix pixel.
#include "command.hpp"
#include "tessera/core/log.hpp"
#include "tessera/healpix/steps.hpp"

namespace tessera::driver {
namespace {

void run(StepContext& ctx) {
  healpix::SplitOptions o;
  o.catalog = ctx.vm["catalog"].as<std::string>();
  o.altzdir = ctx.vm["out"].as<std::string>();
  o.sp = {ctx.vm["survey"].as<std::string>(), ctx.vm["program"].as<std::string>()};
  o.nside = ctx.vm["nside"].as<std::int64_t>();
  o.scheme = healpix::parse_scheme(ctx.vm["scheme"].as<std::string>());
  o.ra_column = ctx.vm["ra-column"].as<std::string>();
  o.dec_column = ctx.vm["dec-column"].as<std::string>();
  o.clobber = ctx.common.clobber;
  o.dry_run = ctx.common.dry_run;
  ctx.info.options["catalog"] = o.catalog.string();
  ctx.info.options["nside"] = std::to_string(o.nside);
  std::error_code ec;
  const auto size = std::filesystem::file_size(o.catalog, ec);
  if (!ec)
    ctx.info.input_bytes["catalog"] = static_cast<std::int64_t>(size);
  ctx.result = healpix::to_result(healpix::run_split(ctx.comm, o, ctx.failures), o.dry_run);
}

const CommandRegistrar kSplit{Command{
    "healpix",
    "split",
    "split a QSO catalog into zafter files per HEALPix pixel",
    [](po::options_description& d, po::positional_options_description&) {
      d.add_options()("catalog", po::value<std::string>()->required(), "QSO catalog (FITS)")(
          "out", po::value<std::string>()->required(), "ALTZDIR (output root)")(
          "survey", po::value<std::string>()->default_value("main"), "survey")(
          "program", po::value<std::string>()->default_value("dark"), "program")(
          "nside", po::value<std::int64_t>()->default_value(64), "HEALPix NSIDE (mocks: 16)")(
          "scheme", po::value<std::string>()->default_value("nest"), "nest | ring")(
          "ra-column", po::value<std::string>()->default_value("TARGET_RA"),
          "RA column (mocks: RA)")("dec-column",
                                   po::value<std::string>()->default_value("TARGET_DEC"),
                                   "DEC column (mocks: DEC)");
    },
    run,
    {}}};

}  // namespace
}  // namespace tessera::driver
