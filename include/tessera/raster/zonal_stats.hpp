// Coverage-weighted statistics of one day's grid over one zone (basin or
// group of basins). Pure: no files, no MPI; thread-safe.
//
// Cells whose value is NaN (nodata) are left out of every statistic. With
// coverage fraction f_i and value x_i over the remaining cells:
//   mean = Σ f_i x_i / Σ f_i       (the original's only statistic; it used
//                                   cell-centre-in-polygon, i.e. f_i ∈ {0,1},
//                                   on a half-cell shifted transform)
//   sum  = Σ f_i x_i               (exactextract's "sum")
//   min, max over cells with f_i > 0
//   covered_area = cell_area · Σ f_i  (the zone's area that has data)
// On a projected grid every cell has the same area, so coverage weights are
// area weights and a group's mean over the union of its basins is the
// area-weighted mean, not a mean of the basins' means.
#pragma once

#include <cstddef>
#include <limits>
#include <vector>

#include "tessera/raster/coverage.hpp"

namespace tessera::raster {

struct ZoneStats {
  double mean = std::numeric_limits<double>::quiet_NaN();
  double sum = 0.0;
  double min = std::numeric_limits<double>::quiet_NaN();
  double max = std::numeric_limits<double>::quiet_NaN();
  double covered_area = 0.0;
};

/// The rows [first, last) of a grid that hold every covered cell of some
/// zones. `raster stats` reads only these rows of each day: they are one
/// contiguous run of the file per day, and basins often cover a small part of
/// the domain. Empty (first == last == 0) when no zone covers any cell.
struct RowWindow {
  std::int64_t first = 0;
  std::int64_t last = 0;
  std::int64_t rows() const noexcept { return last - first; }
};
RowWindow covered_rows(const std::vector<const Coverage*>& zones, int width);

/// Re-indexes `cov`'s cells from the whole grid to `window` (cell - first ·
/// width), so that they index a buffer holding only the window's rows. Every
/// cell must lie inside the window.
void shift_to_window(Coverage& cov, const RowWindow& window, int width);

/// Statistics of `grid` (one day, row-major, the coverage's grid) over `cov`.
ZoneStats zone_stats(const Coverage& cov, const float* grid, double cell_area);

/// Share of the zone's data area whose swe exceeds `threshold_mm`
/// (NaN if the zone has no data).
double snow_covered_fraction(const Coverage& cov, const float* swe, double threshold_mm);

/// Everything `raster stats` reports for one zone and one day, in one pass
/// over the zone's cells: out[v] = zone_stats(cov, grids[v], cell_area) for
/// v < nvars and, when swe_index >= 0, *snow_fraction =
/// snow_covered_fraction(cov, grids[swe_index], threshold_mm) (NaN when
/// swe_index < 0). The results are bit-for-bit those of the separate calls:
/// every sum is accumulated in the same cell order. It is faster because the
/// cell indices and fractions are read once instead of nvars + 1 times and
/// the variables' independent sums overlap in the FPU instead of each waiting
/// on its own previous addition.
void zone_day_stats(const Coverage& cov, const float* const* grids, std::size_t nvars,
                    double cell_area, int swe_index, double threshold_mm, ZoneStats* out,
                    double* snow_fraction);

}  // namespace tessera::raster
