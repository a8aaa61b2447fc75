// tessera subband validate FILE...: quick structural check, one line per file.
#include <fmt/format.h>

#include <iostream>

#include "command.hpp"
#include "tessera/core/error.hpp"
#include "tessera/io/uvh5_reader.hpp"

namespace tessera::driver {
namespace {

constexpr double kDegPerRad = 57.29577951308232;

// What the file is, from its own header: telescope, UVH5 version and how its
// visibilities are phased.
std::string describe(const io::Uvh5Header& h) {
  std::string telescope = h.telescope_name;
  if (!h.instrument.empty() && h.instrument != h.telescope_name)
    telescope += " (instrument " + h.instrument + ")";
  const std::string version =
      h.version.empty() ? "no version (pre-1.0 or DSA-110 writer header)" : "version " + h.version;
  std::string phase;
  if (h.phase_kind == "sidereal") {
    phase = fmt::format("phased (sidereal) to {} ({} RA {:.4f} Dec {:.4f} deg)",
                        h.cat_name.empty() ? "an unnamed centre" : h.cat_name,
                        h.cat_frame.empty() ? "frame unknown" : h.cat_frame, h.cat_lon * kDegPerRad,
                        h.cat_lat * kDegPerRad);
  } else if (h.phase_kind != "drift") {
    phase = "phased '" + h.phase_kind + "' (not convertible)";
  } else if (h.pointing_dec_is_latitude) {
    phase = fmt::format("zenith drift (no pointing dec: latitude {:.4f} deg)", h.latitude_deg);
  } else {
    phase = fmt::format("meridian drift, pointing dec {:.4f} deg", *h.pointing_dec * kDegPerRad);
  }
  return fmt::format("telescope {}, {}, {}", telescope, version, phase);
}

void run(StepContext& ctx) {
  if (!ctx.comm.is_root())
    return;  // a few headers: one rank is plenty
  if (!ctx.vm.count("file"))
    throw UsageError("no files given", "", "FILE");
  for (const auto& path : ctx.vm["file"].as<std::vector<std::string>>()) {
    try {
      const auto h = io::read_uvh5_header(path);
      const bool desc = h.freq_array.size() > 1 && h.freq_array.front() > h.freq_array.back();
      std::cout << fmt::format(
          "OK   {}: Nblts {} Nbls {} Ntimes {} Nfreqs {} ({}, {:.6f}-{:.6f} MHz) Npols {} "
          "visdata rank {}; {}\n",
          path, h.nblts, h.nbls, h.ntimes, h.nfreqs, desc ? "descending" : "ascending",
          std::min(h.freq_array.front(), h.freq_array.back()) / 1e6,
          std::max(h.freq_array.front(), h.freq_array.back()) / 1e6, h.npols, h.visdata_rank,
          describe(h));
    } catch (const std::exception& e) {
      std::cout << fmt::format("BAD  {}: {}\n", path, e.what());
      ctx.failures.record(path, e.what());
    }
  }
  std::cout.flush();
}

const CommandRegistrar kValidate{
    Command{"subband",
            "validate",
            "quick structural check of UVH5 subband files, one line per file",
            [](po::options_description& d, po::positional_options_description& p) {
              d.add_options()("file", po::value<std::vector<std::string>>()->multitoken(),
                              "UVH5 files (positional)");
              p.add("file", -1);
            },
            run,
            {}}};

}  // namespace
}  // namespace tessera::driver
