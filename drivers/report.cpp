// `tessera report RUN.json [--baseline BASE.json] [--threshold 1.2] [--min-seconds 0.001]`
//
// Prints the table of a --perf-report JSON file and, given a baseline report,
// a comparison of the regions' max-over-ranks times. Exit codes: 0 no region
// slower than the baseline by more than the threshold, 1 some region is,
// 2 bad options, 3 a report cannot be read or is not a valid report. Runs on
// one process: it reads files only, no MPI communication.
#include <fmt/format.h>

#include <cerrno>
#include <cmath>
#include <fstream>
#include <iostream>
#include <sstream>

#include "command.hpp"
#include "tessera/core/error.hpp"
#include "tessera/core/log.hpp"

namespace tessera::driver {
namespace {

nlohmann::json read_report(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    throw IoError("cannot open the perf report: " + errno_message(errno), path);
  }
  nlohmann::json report;
  try {
    report = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw FormatError(fmt::format("not a valid JSON perf report ({})", e.what()), path);
  }
  perf::check_report(report, path);
  return report;
}

void add_report_options(po::options_description& desc, po::positional_options_description& pos) {
  // clang-format off
  desc.add_options()
      ("help,h", po::bool_switch(), "show this help and exit")
      ("run", po::value<std::string>()->value_name("RUN.json"),
       "the report to print (also the first positional argument)")
      ("baseline", po::value<std::string>()->value_name("BASE.json"),
       "compare the run with this report; exit 1 if a region got slower")
      ("threshold", po::value<double>()->default_value(1.2)->value_name("RATIO"),
       "flag regions whose max seconds exceed the baseline's by more than this factor")
      ("min-seconds", po::value<double>()->default_value(1e-3)->value_name("SECONDS"),
       "ignore regions shorter than this in both reports (timer noise)");
  // clang-format on
  pos.add("run", 1);
}

// Reads, compares and returns the exit code; the text goes to `out`.
int report_main(const std::vector<std::string>& args, std::ostream& out) {
  po::options_description desc("tessera report RUN.json [options]");
  po::positional_options_description pos;
  add_report_options(desc, pos);
  const po::variables_map vm = cli::parse("report", desc, args, &pos);
  if (vm["help"].as<bool>()) {
    out << "Prints a --perf-report JSON file as a table and compares it with a baseline "
           "(docs/perf-report.md).\n\n"
        << desc << "\n";
    return 0;
  }
  if (vm.count("run") == 0) {
    throw UsageError("missing the report to print: tessera report RUN.json");
  }
  const double threshold = vm["threshold"].as<double>();
  if (!(threshold > 0.0) || !std::isfinite(threshold)) {
    throw UsageError(fmt::format("--threshold must be a positive ratio, got {}", threshold));
  }
  const double min_seconds = vm["min-seconds"].as<double>();
  if (!(min_seconds >= 0.0) || !std::isfinite(min_seconds)) {
    throw UsageError(fmt::format("--min-seconds must be >= 0, got {}", min_seconds));
  }

  const nlohmann::json run = read_report(vm["run"].as<std::string>());
  nlohmann::json baseline;
  if (vm.count("baseline") != 0) {
    baseline = read_report(vm["baseline"].as<std::string>());
  }
  out << perf::format_table(run);
  if (baseline.is_null()) {
    return 0;
  }
  out << "\ncompared with " << vm["baseline"].as<std::string>() << ":\n"
      << perf::format_comparison(run, baseline, threshold, min_seconds);
  const bool slower = !perf::compare_to_baseline(run, baseline, threshold, min_seconds).empty();
  return slower ? static_cast<int>(ExitCode::kItemsFailed) : 0;
}

// Works on one process; under mpiexec every rank reads the files (no
// communication) and only rank 0 prints, so the output appears once.
int run_report(const std::vector<std::string>& args) {
  const bool root = Comm::world().is_root();
  std::ostringstream out;
  try {
    const int code = report_main(args, out);
    if (root) {
      std::cout << out.str() << std::flush;
    }
    return code;
  } catch (const Error& e) {
    if (root) {
      log::error("{}", e.what());
    }
    return static_cast<int>(e.exit_code());
  }
}

const CommandRegistrar kReport(Command{
    .pipeline = "",
    .step = "report",
    .summary = "print a --perf-report JSON file; compare it with a baseline",
    .options = add_report_options,
    .run = nullptr,
    .raw = run_report,
});

}  // namespace
}  // namespace tessera::driver
