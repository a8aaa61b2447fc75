// DEM of Difference (DoD): grid each epoch, subtract.
//
// Cell (i, j) covers [x0 + i·cell, x0 + (i+1)·cell) × [y0 + j·cell,
// y0 + (j+1)·cell) (half-open: a point on an edge belongs to one cell).
// Elevations are accumulated as the LAS integers (sum of int32 Z in int64,
// count, min, max), so partial grids from any number of ranks add up
// exactly and the result does not depend on the rank count; the mean is
// formed once at the end: mean = (Σ Z / n)·scale + offset. The median does
// not merge that way: it needs all of a cell's values in one place
// (cell_medians; the distributed step moves them to cell-row owners).
//
// Grids are stored with row 0 = north (the output GeoTIFF's order: the
// original wrote its rasters flipped), i.e. row = ny − 1 − j.
#pragma once

#include <cmath>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace tessera::tiles {

/// The DoD raster's geometry.
struct CellGrid {
  double x0 = 0, y0 = 0;  ///< south-west corner
  double cell = 1.0;
  int nx = 1, ny = 1;
  static CellGrid covering(double xmin, double ymin, double xmax, double ymax, double cell);
  /// Storage index (row 0 north) of the cell holding (x, y), or -1 outside.
  /// Inline: it runs once per point of both epochs.
  std::int64_t index_of(double x, double y) const {
    const double fi = std::floor((x - x0) / cell);
    const double fj = std::floor((y - y0) / cell);
    if (!(fi >= 0 && fi < nx && fj >= 0 && fj < ny))
      return -1;
    const auto i = static_cast<std::int64_t>(fi);
    const auto row = static_cast<std::int64_t>(ny - 1 - static_cast<int>(fj));
    return row * nx + i;
  }
  double north() const { return y0 + ny * cell; }
  std::int64_t size() const { return static_cast<std::int64_t>(nx) * ny; }
};

enum class CellAggregate { kMean, kMin, kMax, kMedian };
/// mean|min|max|median; throws UsageError naming --aggregate.
CellAggregate parse_aggregate(const std::string& name);

/// Per-cell integer accumulators of one epoch (exactly mergeable).
/// Built for one aggregate, only that statistic is kept beside the counts
/// (the others stay empty): a mean's grid is 16 bytes a cell, not 24, and
/// each point touches two arrays, not four.
struct CellAccumulator {
  std::vector<std::int64_t> sum;
  std::vector<std::int64_t> count;
  std::vector<std::int32_t> min;
  std::vector<std::int32_t> max;
  /// Every statistic (mean, min and max).
  explicit CellAccumulator(std::int64_t cells = 0);
  /// Counts and the statistic `only` needs (mean, min or max).
  CellAccumulator(std::int64_t cells, CellAggregate only);
  void add(std::int64_t cell, std::int32_t raw_z) {
    const auto c = static_cast<std::size_t>(cell);
    count[c] += 1;
    if (!sum.empty())
      sum[c] += raw_z;
    if (!min.empty() && raw_z < min[c])
      min[c] = raw_z;
    if (!max.empty() && raw_z > max[c])
      max[c] = raw_z;
  }
  /// Elevation per cell for `how` (mean, min or max: the median is not
  /// mergeable, see cell_medians) with the epoch's z scale and offset; NaN if
  /// empty. Throws std::logic_error when `how`'s statistic was not kept.
  std::vector<double> surface(CellAggregate how, double scale, double offset) const;
};

/// One point on its way to its band's owner: its cell, relative to the
/// first cell of the band (uint32: a band holds at most 2^32 cells,
/// dod_bands.hpp; the raster may hold more), and its LAS integer Z.
struct CellSample {
  std::uint32_t cell;
  std::int32_t z;
};

/// Median elevation of each cell in [first, first + cells) (indices as the
/// samples carry them: band-relative in the distributed step) from all the
/// samples of those cells (reordered): sorted integer Z, the middle value,
/// or for an even count the mean of the two middle values (numpy's and
/// PDAL's convention), then ·scale + offset. Integer Z makes it exact and
/// independent of the order the samples arrive in. NaN for empty cells.
std::vector<double> cell_medians(std::vector<CellSample>& samples, std::int64_t first,
                                 std::int64_t cells, double scale, double offset);

/// B − A per cell, NaN where either is empty.
std::vector<double> difference(const std::vector<double>& a, const std::vector<double>& b);

/// Volumes of a DoD (Σ d·cell² over non-NaN cells).
struct VolumeSummary {
  double net = 0, gain = 0, loss = 0;  ///< m³; loss is negative
  double area_changed = 0;             ///< m² of cells with |d| > threshold
  double area_compared = 0;            ///< m² of non-NaN cells
  std::int64_t cells = 0, cells_empty = 0;
  /// Adds the volumes of another part of the raster. Parts summed in one
  /// fixed order give the same doubles whichever ranks formed them.
  void merge(const VolumeSummary& part);
};
/// The volumes of `dod`, cell by cell in storage order.
VolumeSummary summarise_dod(std::span<const double> dod, double cell, double threshold);
/// The volumes of each block of `rows_per_part` rows (the last may be
/// shorter) of `rows`, a band of whole rows `width` cells wide. The distributed
/// step sums a raster as the merge of its tile rows' parts in row order: the
/// parts, and so the total, are the same at any rank count.
std::vector<VolumeSummary> summarise_dod_parts(std::span<const double> rows, int width,
                                               int rows_per_part, double cell, double threshold);

}  // namespace tessera::tiles
