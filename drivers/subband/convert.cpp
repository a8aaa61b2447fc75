// tessera subband convert --in DIR --out OUTDIR: one UVH5 1.1 file per group.
#include <fmt/format.h>

#include <cmath>
#include <numbers>

#include "command.hpp"
#include "eop_option.hpp"
#include "format_option.hpp"
#include "tessera/core/collective.hpp"
#include "tessera/core/error.hpp"
#include "tessera/core/log.hpp"
#include "tessera/subband/convert.hpp"

namespace tessera::driver {
namespace {

std::optional<subband::SkyPosition> parse_center(const std::string& text) {
  if (text == "meridian")
    return std::nullopt;
  const auto parts = cli::split_list(text);
  try {
    if (parts.size() == 2) {
      constexpr double kDeg = std::numbers::pi / 180.0;
      const double ra = std::stod(parts[0]), dec = std::stod(parts[1]);
      if (std::abs(dec) <= 90.0)
        return subband::SkyPosition{ra * kDeg, dec * kDeg};
    }
  } catch (const std::exception&) {
  }
  throw UsageError(
      "--phase-center must be 'meridian' or 'RA,DEC' in ICRS degrees, not '" + text + "'", "",
      "--phase-center");
}

void run(StepContext& ctx) {
  const std::string in = ctx.vm["in"].as<std::string>();
  const std::string out = ctx.vm["out"].as<std::string>();
  if (!std::filesystem::is_directory(in))
    throw UsageError("not a directory: " + in, in, "--in");
  subband::ConvertOptions o;
  o.phase_center = parse_center(ctx.vm["phase-center"].as<std::string>());
  load_eop_options(ctx, o);
  o.format = read_format_option(ctx);
  o.allow_partial = ctx.vm["allow-partial"].as<bool>();
  o.clobber = ctx.common.clobber;
  o.ranks_per_group = ctx.vm["ranks-per-group"].as<int>();
  if (o.ranks_per_group < 1)
    throw UsageError("--ranks-per-group must be >= 1", "", "--ranks-per-group");
  const double tol = ctx.vm["tolerance"].as<double>();
  // A negative (or NaN) tolerance would make every file a group of its own.
  if (!(tol >= 0) || !std::isfinite(tol))
    throw UsageError("--tolerance must be a number of seconds >= 0", "", "--tolerance");
  // Rank 0 lists the directory and shares the names: at 256 ranks, a
  // listing per rank would be 256 readdirs of a directory that can hold days
  // of files (docs/performance.md#scaling-model).
  std::string listing;
  run_phase(ctx.comm, "subband convert: list " + in, [&] {
    if (!ctx.comm.is_root())
      return;
    for (const auto& entry : std::filesystem::directory_iterator(in)) {
      if (entry.is_regular_file())
        listing += entry.path().filename().string() + '\n';
    }
  });
  ctx.comm.bcast(listing);
  std::vector<subband::SubbandFile> found;
  for (std::size_t at = 0, end; at < listing.size(); at = end + 1) {
    end = listing.find('\n', at);
    if (auto f =
            subband::parse_subband_name(std::filesystem::path(in) / listing.substr(at, end - at)))
      found.push_back(std::move(*f));
  }
  auto groups = subband::group_subbands(std::move(found), tol);
  if (ctx.vm.count("group")) {
    const std::string want = ctx.vm["group"].as<std::string>();
    const auto t = subband::parse_stamp(want);
    if (!t)
      throw UsageError("--group must be YYYY-MM-DDTHH:MM:SS, not '" + want + "'", "", "--group");
    std::vector<subband::SubbandGroup> chosen;
    for (auto& g : groups) {
      if (std::abs(g.unix_seconds - *t) <= tol)
        chosen.push_back(std::move(g));
    }
    if (chosen.empty())
      throw UsageError("no group at " + want + " in " + in, in, "--group");
    groups = std::move(chosen);
  }
  ctx.result = StepResult{};
  ctx.result->unit = "groups";
  if (groups.empty()) {
    log::warn("no subband files in {}", in);
    return;
  }
  std::filesystem::create_directories(out);
  // Input sizes for the perf report, which rank 0 writes: only it stats.
  if (ctx.comm.is_root()) {
    for (const auto& g : groups) {
      for (const auto& f : g.files) {
        std::error_code ec;
        const auto size = std::filesystem::file_size(f.path, ec);
        if (!ec)  // an unreadable file fails its group later, with its name
          ctx.info.input_bytes[f.path.filename().string()] = static_cast<std::int64_t>(size);
      }
    }
  }
  ctx.result = subband::convert_groups(ctx.comm, groups, out, o, ctx.failures);
}

const CommandRegistrar kConvert{Command{
    "subband",
    "convert",
    "merge each group's 16 subbands, recompute uvw, phase, write UVH5 1.1",
    [](po::options_description& d, po::positional_options_description&) {
      d.add_options()("in", po::value<std::string>()->required(), "directory of subband files")(
          "out", po::value<std::string>()->required(), "output directory")(
          "group", po::value<std::string>(), "convert only the group at this timestamp")(
          "phase-center", po::value<std::string>()->default_value("meridian"),
          "meridian (at the group's mid time, pointing dec) or RA,DEC (ICRS degrees)")(
          "tolerance", po::value<double>()->default_value(60.0),
          "seconds within which timestamps belong to one group")(
          "allow-partial", po::bool_switch()->default_value(false),
          "convert groups with fewer than 16 subbands (frequency gaps)")(
          "ranks-per-group", po::value<int>()->default_value(16),
          "ranks that share one group (the world is split into sub-communicators)");
      add_eop_options(d);
      add_format_option(d);
    },
    run,
    {}}};

}  // namespace
}  // namespace tessera::driver
