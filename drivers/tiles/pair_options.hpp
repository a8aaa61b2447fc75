// Options shared by the two-epoch tiles steps (--a --b --out --tile-size
// --halo --classes) and their translation into tiles::PairOptions.
#pragma once

#include <cctype>
#include <cmath>
#include <string>
#include <utility>

#include "command.hpp"
#include "step_result.hpp"
#include "tessera/core/error.hpp"
#include "tessera/tiles/epoch.hpp"
#include "tessera/tiles/steps.hpp"

namespace tessera::driver::tiles_cli {

inline void add_pair_options(po::options_description& d, bool need_out = true) {
  d.add_options()("a", po::value<std::string>()->required(), "epoch A (earlier) LAS file")(
      "b", po::value<std::string>()->required(), "epoch B (later) LAS file");
  if (need_out)
    d.add_options()("out", po::value<std::string>()->required(), "output file");
  d.add_options()("tile-size", po::value<double>()->default_value(500.0), "tile edge (m)")(
      "halo", po::value<std::string>()->default_value("auto"),
      "halo width (m); auto = the method's minimum (a smaller value is raised to it)")(
      "classes", po::value<std::string>()->default_value("2"),
      "LAS classes used, e.g. 2 or 2,9 or all")(
      "assume-metric", po::bool_switch()->default_value(false),
      "take the coordinates as metres even when the input's CRS is geographic (degrees), "
      "which is otherwise refused");
}

/// --memory-mb, for the steps that move points to tile owners (c2c, m3c2).
inline void add_round_options(po::options_description& d) {
  d.add_options()("memory-mb", po::value<double>()->default_value(0.0),
                  "MiB of tile points (core + halo, both epochs; 48 bytes each) a rank holds at "
                  "once: tiles are processed in rounds to fit; 0 = unlimited (one round)");
}

inline void round_options(const StepContext& ctx, tiles::PairOptions& p) {
  p.memory_mb = ctx.vm["memory-mb"].as<double>();
  if (!(p.memory_mb >= 0) || !std::isfinite(p.memory_mb))
    throw UsageError("--memory-mb must be a number of MiB >= 0 (0 = unlimited)");
}

/// The number of tile rounds, from a step's summary (rank 0), into the perf report.
inline void report_rounds(StepContext& ctx, const nlohmann::json& summary) {
  if (summary.contains("rounds"))
    ctx.info.options["tile_rounds"] = std::to_string(summary["rounds"].get<int>());
}

inline tiles::PairOptions pair_options(const StepContext& ctx) {
  tiles::PairOptions p;
  p.a = ctx.vm["a"].as<std::string>();
  p.b = ctx.vm["b"].as<std::string>();
  if (ctx.vm.count("out"))
    p.out = ctx.vm["out"].as<std::string>();
  p.tile_size = ctx.vm["tile-size"].as<double>();
  if (!(p.tile_size > 0))
    throw UsageError("--tile-size must be > 0");
  const std::string halo = ctx.vm["halo"].as<std::string>();
  if (halo != "auto") {
    try {
      p.halo = std::stod(halo);
    } catch (const std::exception&) {
      throw UsageError("--halo must be a number of metres or \"auto\", not \"" + halo + "\"");
    }
  }
  p.classes = tiles::parse_classes(ctx.vm["classes"].as<std::string>());
  p.clobber = ctx.common.clobber;
  p.assume_metric = ctx.vm["assume-metric"].as<bool>();
  // A missing or unreadable epoch is the reader's error (naming it), not
  // std::filesystem's.
  for (const auto& [key, path] : {std::pair{"a", p.a}, std::pair{"b", p.b}}) {
    std::error_code ec;
    const auto bytes = std::filesystem::file_size(path, ec);
    if (!ec)
      ctx.info.input_bytes[key] = static_cast<std::int64_t>(bytes);
  }
  return p;
}

}  // namespace tessera::driver::tiles_cli
