// Command-line helpers shared by every step: the common options, INI config
// files and the mapping of parse failures to UsageError (exit 2).
//
// Config files have one section per step, named "<pipeline>.<step>"
// ("[healpix.balfind]"), plus an optional "[common]" section for the common
// options. Keys are option long names. The command line overrides the file.
#pragma once

#include <boost/program_options.hpp>

#include <string>
#include <vector>

namespace tessera::cli {

namespace po = boost::program_options;

/// Options every step accepts (design README, "Command line").
struct CommonOptions {
  int threads = 0;  ///< 0: OMP_NUM_THREADS or the OpenMP default
  std::string log_level = "info";
  std::string perf_report;  ///< path of the JSON report, empty: none
  double timeout = 0.0;     ///< seconds, 0: no limit
  bool progress = true;
  bool clobber = false;
  bool dry_run = false;
  std::string config;  ///< INI file
  bool help = false;
};

/// Adds the common options bound to `out` to `desc`.
void add_common_options(po::options_description& desc, CommonOptions& out);

/// Parses `args` (without the program and command words) against `desc`,
/// then the [common] and [`section`] sections of --config if given, then
/// notifies. Unknown options, missing required options and bad values throw
/// UsageError naming the option. Positional options are taken in order.
po::variables_map parse(const std::string& section, const po::options_description& desc,
                        const std::vector<std::string>& args,
                        const po::positional_options_description* positional = nullptr);

/// Splits "a,b,c" into trimmed non-empty parts.
std::vector<std::string> split_list(const std::string& text);

}  // namespace tessera::cli
