// run_step(): the one way every step runs (options, watchdog, top region,
// collective error check, failure summary, perf report, exit code).
#include <omp.h>

#include <boost/any.hpp>
#include <iostream>
#include <sstream>

#include "command.hpp"
#include "step_runner.hpp"
#include "tessera/core/affinity.hpp"
#include "tessera/core/atomic_file.hpp"
#include "tessera/core/collective.hpp"
#include "tessera/core/log.hpp"
#include "tessera/core/mpiio_hints.hpp"
#include "tessera/core/perf.hpp"
#include "tessera/core/progress.hpp"
#include "tessera/core/timeout.hpp"

namespace tessera::driver {

namespace {
bool g_quiet_reports = false;
std::optional<StepResult> g_last_result;

// Option values as text for the report metadata.
std::string value_text(const boost::any& v) {
  if (v.empty())
    return {};
  if (const auto* s = boost::any_cast<std::string>(&v))
    return *s;
  if (const auto* i = boost::any_cast<int>(&v))
    return std::to_string(*i);
  if (const auto* l = boost::any_cast<long>(&v))
    return std::to_string(*l);
  if (const auto* ll = boost::any_cast<long long>(&v))
    return std::to_string(*ll);
  if (const auto* u = boost::any_cast<unsigned>(&v))
    return std::to_string(*u);
  if (const auto* d = boost::any_cast<double>(&v))
    return fmt::format("{}", *d);
  if (const auto* b = boost::any_cast<bool>(&v))
    return *b ? "true" : "false";
  if (const auto* vs = boost::any_cast<std::vector<std::string>>(&v)) {
    return fmt::format("{}", fmt::join(*vs, ","));
  }
  return "<value>";
}
}  // namespace

void set_quiet_step_reports(bool quiet) {
  g_quiet_reports = quiet;
}

const std::optional<StepResult>& last_step_result() {
  return g_last_result;
}

std::string step_section(const Command& command) {
  return command.pipeline.empty() ? command.step : command.pipeline + "." + command.step;
}

int run_step(const Command& command, const std::vector<std::string>& args) {
  const Comm world = Comm::world();
  const std::string section = step_section(command);
  const std::string words =
      command.pipeline.empty() ? command.step : command.pipeline + " " + command.step;

  cli::CommonOptions common;
  po::options_description own(fmt::format("tessera {}: {}\n\nOptions", words, command.summary));
  po::positional_options_description positional;
  if (command.options)
    command.options(own, positional);
  po::options_description common_desc("Common options");
  cli::add_common_options(common_desc, common);
  po::options_description all;
  all.add(own).add(common_desc);

  po::variables_map vm;
  try {
    vm = cli::parse(section, all, args, &positional);
    log::set_level(log::parse_level(common.log_level));
    // --mpiio-hint and TESSERA_MPIIO_HINTS: a malformed hint is a usage
    // error now, not an I/O error at the first file.
    set_mpiio_hints(vm.count("mpiio-hint") ? vm["mpiio-hint"].as<std::vector<std::string>>()
                                           : std::vector<std::string>{});
    if (const MpiioHints hints = mpiio_hints(); !hints.empty() && world.is_root()) {
      std::string text;
      for (const auto& [key, value] : hints)
        text += (text.empty() ? "" : ", ") + key + "=" + value;
      log::info("MPI-IO hints: {}", text);
    }
  } catch (const Error& e) {
    if (world.is_root()) {
      std::cerr << "tessera " << words << ": " << e.what() << "\n"
                << "run 'tessera " << words << " --help' for the options\n";
    }
    return static_cast<int>(e.exit_code());
  }
  // --help returns before po::notify (required options may be missing), so
  // read the switch from the map rather than the bound variable.
  if (vm.count("help") && vm["help"].as<bool>()) {
    if (world.is_root())
      std::cout << "usage: tessera " << words << " [options]\n\n" << all << "\n";
    return 0;
  }
  if (common.threads > 0)
    omp_set_num_threads(common.threads);
  warn_if_threads_exceed_cpus(world, omp_get_max_threads());
  set_progress_enabled(!vm["no-progress"].as<bool>());

  perf::RunInfo info;
  info.command = words;
  info.threads = omp_get_max_threads();
  for (const auto& [name, value] : vm) {
    if (name == "help")
      continue;
    info.options[name] = value_text(value.value());
  }

  FailureLog failures;
  std::optional<StepResult> result;
  g_last_result.reset();
  int code = 0;
  const double t0 = perf::now();
  {
    Watchdog watchdog(common.timeout);
    try {
      run_phase(world, words, [&] {
        perf::Region region(section);
        StepContext ctx{world, common, vm, info, failures};
        command.run(ctx);
        result = std::move(ctx.result);
      });
    } catch (const std::exception& e) {
      if (world.is_root())
        log::error("{}", e.what());
      code = static_cast<int>(exit_code_of(e));
    }
  }
  const double wall = perf::now() - t0;

  const std::int64_t failed = failures.report(world, words);
  // A result is rank 0's view: its failed count decides on every rank.
  const std::int64_t result_failed =
      world.allreduce_max(world.is_root() && result ? result->failed : std::int64_t{0});
  if (code == 0 && (failed > 0 || result_failed > 0))
    code = static_cast<int>(ExitCode::kItemsFailed);

  // One summary of every step: the same StepResult gives the log line, the
  // report's "result" object and the demo's row.
  auto report = perf::reduce_report(world, info, wall);
  if (world.is_root() && result) {
    log::info("{}", result->summary_line(words));
    report["result"] = result->to_json();
  }
  g_last_result = code == 0 || code == static_cast<int>(ExitCode::kItemsFailed) ? std::move(result)
                                                                                : std::nullopt;
  if (world.is_root()) {
    if (!g_quiet_reports && log::enabled(log::Level::kInfo)) {
      std::cerr << perf::format_table(report);
    }
    if (!common.perf_report.empty()) {
      try {
        write_file_atomically(common.perf_report, report.dump(2) + "\n");
      } catch (const std::exception& e) {
        log::error("cannot write the perf report: {}", e.what());
        if (code == 0)
          code = static_cast<int>(ExitCode::kFatalIo);
      }
    }
  }
  return code;
}

}  // namespace tessera::driver
