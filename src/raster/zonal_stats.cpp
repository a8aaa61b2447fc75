// Coverage-weighted zonal statistics; see include/tessera/raster/zonal_stats.hpp.
#include "tessera/raster/zonal_stats.hpp"

#include <cmath>

namespace tessera::raster {

ZoneStats zone_stats(const Coverage& cov, const float* grid, double cell_area) {
  ZoneStats s;
  double wsum = 0.0, wx = 0.0;
  double lo = INFINITY, hi = -INFINITY;
  for (std::size_t i = 0; i < cov.cell.size(); ++i) {
    const float x = grid[cov.cell[i]];
    if (std::isnan(x))
      continue;
    const double f = cov.fraction[i];
    wsum += f;
    wx += f * static_cast<double>(x);
    lo = std::min(lo, static_cast<double>(x));
    hi = std::max(hi, static_cast<double>(x));
  }
  s.sum = wx;
  s.covered_area = wsum * cell_area;
  if (wsum > 0.0) {
    s.mean = wx / wsum;
    s.min = lo;
    s.max = hi;
  }
  return s;
}

double snow_covered_fraction(const Coverage& cov, const float* swe, double threshold_mm) {
  double wsum = 0.0, wsnow = 0.0;
  for (std::size_t i = 0; i < cov.cell.size(); ++i) {
    const float x = swe[cov.cell[i]];
    if (std::isnan(x))
      continue;
    wsum += cov.fraction[i];
    if (static_cast<double>(x) > threshold_mm)
      wsnow += cov.fraction[i];
  }
  return wsum > 0.0 ? wsnow / wsum : std::nan("");
}

}  // namespace tessera::raster
