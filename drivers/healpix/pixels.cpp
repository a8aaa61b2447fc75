// tessera healpix pixels: the HEALPix pixel of every catalog row (a checking
// tool: the cross test compares it with healpy on >= 1M positions).
#include <fmt/format.h>

#include "command.hpp"
#include "tessera/core/atomic_file.hpp"
#include "tessera/core/collective.hpp"
#include "tessera/core/error.hpp"
#include "tessera/core/perf.hpp"
#include "tessera/healpix/sky_pixel.hpp"
#include "tessera/io/fits_file.hpp"

namespace tessera::driver {
namespace {

void run(StepContext& ctx) {
  const std::string catalog = ctx.vm["catalog"].as<std::string>();
  const std::string out = ctx.vm["out"].as<std::string>();
  const std::string ra_col = ctx.vm["ra-column"].as<std::string>();
  const std::string dec_col = ctx.vm["dec-column"].as<std::string>();
  const healpix::SkyPixelizer px(ctx.vm["nside"].as<std::int64_t>(),
                                 healpix::parse_scheme(ctx.vm["scheme"].as<std::string>()));
  run_phase(ctx.comm, "healpix pixels", [&] {
    if (!ctx.comm.is_root())
      return;
    perf::Region r("pixels");
    io::FitsFile in(catalog, io::FitsFile::Mode::kRead);
    in.move_to_table_with(ra_col);
    const auto ra = in.read_column<double>(ra_col);
    const auto dec = in.read_column<double>(dec_col);
    std::vector<std::int64_t> pixel(ra.size());
    for (std::size_t i = 0; i < ra.size(); ++i) {
      if (!healpix::valid_position(ra[i], dec[i])) {
        throw FormatError(fmt::format("row {}: ({}, {}) is not a sky position", i, ra[i], dec[i]),
                          catalog, fmt::format("columns '{}', '{}'", ra_col, dec_col));
      }
      pixel[i] = px.pixel(ra[i], dec[i]);
    }
    AtomicFile file(out, true);
    io::FitsFile f(file.temp_path(), io::FitsFile::Mode::kCreate);
    f.create_table("PIXELS", {{"PIXEL", "K", ""}}, static_cast<std::int64_t>(pixel.size()));
    f.write_key("HPXNSIDE", px.nside());
    f.write_column("PIXEL", pixel);
    f.close();
    file.commit();
    perf::add_items(static_cast<std::int64_t>(pixel.size()));
  });
}

const CommandRegistrar kPixels{Command{
    "healpix",
    "pixels",
    "HEALPix pixel of every catalog row (checking tool)",
    [](po::options_description& d, po::positional_options_description&) {
      d.add_options()("catalog", po::value<std::string>()->required(), "catalog (FITS)")(
          "out", po::value<std::string>()->required(), "output FITS with a PIXEL column")(
          "nside", po::value<std::int64_t>()->default_value(64), "HEALPix NSIDE")(
          "scheme", po::value<std::string>()->default_value("nest"), "nest | ring")(
          "ra-column", po::value<std::string>()->default_value("TARGET_RA"), "RA column")(
          "dec-column", po::value<std::string>()->default_value("TARGET_DEC"), "DEC column");
    },
    run,
    {}}};

}  // namespace
}  // namespace tessera::driver
