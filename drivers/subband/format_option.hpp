// --format uvh5|ms|both for `subband convert` and `subband stream`.
#pragma once

#include <string>

#include "command.hpp"
#include "tessera/core/error.hpp"
#include "tessera/subband/convert.hpp"

namespace tessera::driver {

inline void add_format_option(po::options_description& d) {
  d.add_options()("format", po::value<std::string>()->default_value("uvh5"),
                  "uvh5 (OUTDIR/STAMP.uvh5), ms (a CASA Measurement Set OUTDIR/STAMP.ms) or both");
}

inline subband::OutputFormat read_format_option(const StepContext& ctx) {
  const std::string f = ctx.vm["format"].as<std::string>();
  if (f == "uvh5")
    return subband::OutputFormat::kUvh5;
  if (f == "ms")
    return subband::OutputFormat::kMs;
  if (f == "both")
    return subband::OutputFormat::kBoth;
  throw UsageError("--format must be uvh5, ms or both, not '" + f + "'", "", "--format");
}

}  // namespace tessera::driver
