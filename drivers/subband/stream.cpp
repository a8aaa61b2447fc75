// tessera subband stream --watch DIR --out OUTDIR --state STATE.sqlite
#include <fmt/format.h>

#include <cmath>
#include <numbers>

#include "command.hpp"
#include "eop_option.hpp"
#include "format_option.hpp"
#include "tessera/core/error.hpp"
#include "tessera/core/log.hpp"
#include "tessera/subband/stream.hpp"

namespace tessera::driver {
namespace {

void run(StepContext& ctx) {
  subband::StreamOptions o;
  o.watch = ctx.vm["watch"].as<std::string>();
  o.out = ctx.vm["out"].as<std::string>();
  o.state = ctx.vm["state"].as<std::string>();
  if (!std::filesystem::is_directory(o.watch)) {
    throw UsageError("not a directory: " + o.watch.string(), o.watch.string(), "--watch");
  }
  o.interval = ctx.vm["interval"].as<double>();
  o.tolerance = ctx.vm["tolerance"].as<double>();
  o.partial_timeout = ctx.vm["partial-timeout"].as<double>();
  o.partial_policy = ctx.vm["partial-policy"].as<std::string>();
  if (o.partial_policy != "fail" && o.partial_policy != "convert") {
    throw UsageError("--partial-policy must be 'fail' or 'convert'", "", "--partial-policy");
  }
  o.max_retries = ctx.vm["max-retries"].as<int>();
  o.backoff = ctx.vm["backoff"].as<double>();
  o.min_free_bytes = ctx.vm["min-free-gb"].as<double>() * 1e9;
  o.exit_when_idle = ctx.vm["exit-when-idle"].as<double>();
  load_eop_options(ctx, o.convert);
  o.convert.format = read_format_option(ctx);
  o.convert.ranks_per_group = ctx.vm["ranks-per-group"].as<int>();
  if (o.convert.ranks_per_group < 1)
    throw UsageError("--ranks-per-group must be >= 1", "", "--ranks-per-group");
  if (o.interval <= 0)
    throw UsageError("--interval must be positive", "", "--interval");
  StepResult r;
  r.unit = "groups";
  r.done = subband::run_stream(ctx.comm, o);  // converted in this run
  r.outputs = r.done;
  ctx.result = std::move(r);
}

const CommandRegistrar kStream{Command{
    "subband",
    "stream",
    "watch a directory and convert groups as they complete (SQLite queue)",
    [](po::options_description& d, po::positional_options_description&) {
      d.add_options()("watch", po::value<std::string>()->required(), "directory to watch")(
          "out", po::value<std::string>()->required(), "output directory")(
          "state", po::value<std::string>()->required(), "queue database (SQLite, WAL)")(
          "interval", po::value<double>()->default_value(2.0), "polling interval (s)")(
          "tolerance", po::value<double>()->default_value(60.0), "grouping tolerance (s)")(
          "partial-timeout", po::value<double>()->default_value(600.0),
          "seconds without new files before a short group is settled")(
          "partial-policy", po::value<std::string>()->default_value("fail"),
          "fail|convert: what happens to a group still short at the timeout")(
          "max-retries", po::value<int>()->default_value(3), "retries of a failed conversion")(
          "backoff", po::value<double>()->default_value(30.0), "first retry delay (s), doubling")(
          "min-free-gb", po::value<double>()->default_value(1.0),
          "pause while the output file system has less free space")(
          "exit-when-idle", po::value<double>()->default_value(0.0),
          "exit after this many idle seconds with no open group (0: run forever)")(
          "ranks-per-group", po::value<int>()->default_value(16),
          "ranks that convert one group; groups run concurrently on sub-communicators");
      add_eop_options(d);
      add_format_option(d);
    },
    run,
    {}}};

}  // namespace
}  // namespace tessera::driver
