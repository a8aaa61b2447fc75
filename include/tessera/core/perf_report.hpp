// Reduction of the performance figures across ranks, the report table, the
// --perf-report JSON and its comparison with a baseline.
//
// The JSON schema is documented in docs/perf-report.md and kept in
// docs/perf-report.schema.json; tests validate reports against it.
//
// In short, a report is
//   { "schema_version": 1,
//     "run":     { version, git SHA, compiler, MPI library, ranks, threads,
//                  hosts, Slurm job id, start time, command, options,
//                  input sizes, wall seconds },
//     "memory":  { "peak_rss_bytes": {min, avg, max}, "max_rank" },
//     "totals":  { items, bytes_read, bytes_written over all ranks and threads },
//     "regions": [ one object per region path, parents before children ] }
// where a region carries calls, seconds {min, avg, max} over ranks,
// imbalance (max/avg), the slowest rank, items per rank and I/O rates.
#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <vector>

#include "tessera/core/mpi.hpp"

namespace tessera::perf {

/// Run metadata recorded in every report.
struct RunInfo {
  std::string command;                              ///< "healpix balfind"
  std::map<std::string, std::string> options;       ///< effective options
  std::map<std::string, std::int64_t> input_bytes;  ///< input sizes by name
  int threads = 1;
};

/// Collective over `comm` (main thread of every rank): reduces every rank's
/// regions (perf::records()) and peak RSS to rank 0 and returns the report (a
/// JSON document following the schema) on rank 0, null elsewhere.
///
/// The regions are the union over ranks: a region entered on one rank only
/// still gets a row, with zero seconds on the others. Averages are over all
/// ranks of `comm`, so imbalance = max/avg also shows work that only some
/// ranks did. `wall_seconds` is the step's elapsed time on rank 0; the start
/// time recorded is now minus `wall_seconds`.
nlohmann::json reduce_report(const Comm& comm, const RunInfo& info, double wall_seconds);

/// Checks that `report` has the fields format_table(), format_comparison()
/// and compare_to_baseline() read, with the right types and a supported
/// schema_version. Throws FormatError naming `file` and the offending field.
/// (The full schema is stricter; tests validate against it.)
void check_report(const nlohmann::json& report, const std::string& file);

/// Human-readable table of a report: a heading line with the run metadata,
/// one row per region (indented by nesting depth) with calls, min/avg/max
/// seconds, imbalance, slowest rank, items and GB/s, then a peak-RSS line.
std::string format_table(const nlohmann::json& report);

/// One region flagged by compare_to_baseline().
struct Regression {
  std::string region;
  double baseline_seconds;
  double seconds;
  double ratio;
};

/// Regions whose max-over-ranks time exceeds the baseline's by more than
/// `threshold` (ratio > threshold). Regions shorter than `min_seconds` in both
/// runs are ignored (timer noise). Regions missing from either report are not
/// regressions. Returned in the run's region order.
std::vector<Regression> compare_to_baseline(const nlohmann::json& run,
                                            const nlohmann::json& baseline, double threshold,
                                            double min_seconds = 1e-3);

/// Comparison table of `run` against `baseline`: one row per region of either
/// report with baseline seconds, run seconds (both max over ranks), ratio and
/// a flag ("SLOWER" for a regression as compare_to_baseline() defines it,
/// "new"/"absent" for regions in one report only, "noise" below
/// `min_seconds`), then a closing line naming the regressions.
std::string format_comparison(const nlohmann::json& run, const nlohmann::json& baseline,
                              double threshold, double min_seconds = 1e-3);

/// Schema version written into reports.
inline constexpr int kSchemaVersion = 1;

}  // namespace tessera::perf
