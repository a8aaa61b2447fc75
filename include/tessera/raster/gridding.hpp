// Gridding FSM cluster series onto the landform (cluster map) grid.
//
// value[t, y, x] = series[label[y, x]][t]: a gather with no weighting, so the
// cost is O(T·H·W), independent of the number of clusters (the original
// loops over clusters, O(N·T·H·W)). Pure: no files, no MPI.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "tessera/raster/fsm_output.hpp"

namespace tessera::raster {

/// Every cluster's daily values of every variable: a small T x N table.
struct ClusterTable {
  CivilDate start;
  std::int64_t days = 0;
  std::int64_t clusters = 0;
  /// values[var][day * clusters + cluster]: one day's row is contiguous,
  /// which is what the gather reads.
  std::array<std::vector<float>, kFsmVariableCount> values;

  const float* day_row(FsmVariable v, std::int64_t day) const {
    return values[static_cast<std::size_t>(v)].data() + day * clusters;
  }
};

/// Builds the table from per-cluster series in cluster order. Every series
/// must start on the same date and have the same length; otherwise a
/// FormatError names the first file that differs (`files[i]` names series i).
ClusterTable make_cluster_table(const std::vector<FsmSeries>& series,
                                const std::vector<std::string>& files);

/// How nodata pixels and values are written.
struct GridValueOptions {
  /// The original SnowMapper wrote 0 for nodata and rounded values to 0.1;
  /// users who diff against old outputs can ask for the same.
  bool original_compat = false;
};

/// Fills out[p] for p in [0, npix) from one day's row of cluster values.
/// labels[p] < 0 is nodata (NaN, or 0 in compat mode). Labels must have been
/// checked against the number of clusters (check_labels).
void grid_day(const float* day_row, const std::int32_t* labels, std::int64_t npix,
              const GridValueOptions& opt, float* out);

/// Checks that every label is < clusters (negative = nodata). Throws
/// FormatError naming `landform_file`, the first bad pixel (row, column), its
/// label and the number of clusters.
void check_labels(const std::vector<std::int32_t>& labels, int width, std::int64_t clusters,
                  const std::string& landform_file, const std::string& fsm_dir);

}  // namespace tessera::raster
