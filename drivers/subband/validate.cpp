// tessera subband validate FILE...: quick structural check, one line per file.
#include <fmt/format.h>

#include <iostream>

#include "command.hpp"
#include "tessera/core/error.hpp"
#include "tessera/io/uvh5_reader.hpp"

namespace tessera::driver {
namespace {

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
          "visdata rank {} {}{}\n",
          path, h.nblts, h.nbls, h.ntimes, h.nfreqs, desc ? "descending" : "ascending",
          std::min(h.freq_array.front(), h.freq_array.back()) / 1e6,
          std::max(h.freq_array.front(), h.freq_array.back()) / 1e6, h.npols, h.visdata_rank,
          h.version.empty() ? "(no version: DSA-110 drift header)" : "version " + h.version,
          h.pointing_dec
              ? fmt::format(", pointing dec {:.4f} deg", *h.pointing_dec * 57.29577951308232)
              : "");
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
