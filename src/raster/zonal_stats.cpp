// Coverage-weighted zonal statistics; see include/tessera/raster/zonal_stats.hpp.
#include "tessera/raster/zonal_stats.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

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

RowWindow covered_rows(const std::vector<const Coverage*>& zones, int width) {
  std::int64_t lo = std::numeric_limits<std::int64_t>::max(), hi = -1;
  for (const Coverage* z : zones) {
    for (const std::int64_t c : z->cell) {
      lo = std::min(lo, c);
      hi = std::max(hi, c);
    }
  }
  if (hi < 0)
    return {};
  return {lo / width, hi / width + 1};
}

void shift_to_window(Coverage& cov, const RowWindow& window, int width) {
  const std::int64_t offset = window.first * width;
  for (auto& c : cov.cell)
    c -= offset;
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

namespace tessera::raster {

namespace {

// One pass for NV variables; NV is a compile-time constant so that each
// variable's accumulators live in registers.
template <int NV>
void zone_day_stats_n(const Coverage& cov, const float* const* grids, double cell_area,
                      int swe_index, double threshold_mm, ZoneStats* out, double* snow_fraction) {
  double wsum[NV], wx[NV], lo[NV], hi[NV];
  for (int v = 0; v < NV; ++v) {
    wsum[v] = 0.0;
    wx[v] = 0.0;
    lo[v] = INFINITY;
    hi[v] = -INFINITY;
  }
  double wsnow = 0.0;
  const std::int64_t* cell = cov.cell.data();
  const double* fraction = cov.fraction.data();
  const std::size_t n = cov.cell.size();
  for (std::size_t i = 0; i < n; ++i) {
    const std::int64_t c = cell[i];
    const double f = fraction[i];
    // Fully unrolled, so that the accumulator arrays become registers.
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) {
      const float x = grids[v][c];
      if (std::isnan(x))
        continue;
      // Same expressions as zone_stats() and snow_covered_fraction().
      wsum[v] += f;
      wx[v] += f * static_cast<double>(x);
      lo[v] = std::min(lo[v], static_cast<double>(x));
      hi[v] = std::max(hi[v], static_cast<double>(x));
      if (v == swe_index && static_cast<double>(x) > threshold_mm)
        wsnow += f;
    }
  }
  for (int v = 0; v < NV; ++v) {
    ZoneStats& s = out[v];
    s = ZoneStats{};
    s.sum = wx[v];
    s.covered_area = wsum[v] * cell_area;
    if (wsum[v] > 0.0) {
      s.mean = wx[v] / wsum[v];
      s.min = lo[v];
      s.max = hi[v];
    }
  }
  // snow_covered_fraction()'s area sum is swe's wsum: the same additions.
  if (swe_index >= 0 && swe_index < NV) {
    const double w = wsum[swe_index];
    *snow_fraction = w > 0.0 ? wsnow / w : std::nan("");
  }
}

}  // namespace

void zone_day_stats(const Coverage& cov, const float* const* grids, std::size_t nvars,
                    double cell_area, int swe_index, double threshold_mm, ZoneStats* out,
                    double* snow_fraction) {
  *snow_fraction = std::nan("");
  // Groups of up to four variables (the FSM variables are four); swe_index
  // is made relative to each group.
  for (std::size_t v0 = 0; v0 < nvars; v0 += 4) {
    const std::size_t k = std::min<std::size_t>(4, nvars - v0);
    const int swe = swe_index - static_cast<int>(v0);
    const float* const* g = grids + v0;
    ZoneStats* o = out + v0;
    switch (k) {
      case 1:
        zone_day_stats_n<1>(cov, g, cell_area, swe, threshold_mm, o, snow_fraction);
        break;
      case 2:
        zone_day_stats_n<2>(cov, g, cell_area, swe, threshold_mm, o, snow_fraction);
        break;
      case 3:
        zone_day_stats_n<3>(cov, g, cell_area, swe, threshold_mm, o, snow_fraction);
        break;
      default:
        zone_day_stats_n<4>(cov, g, cell_area, swe, threshold_mm, o, snow_fraction);
        break;
    }
  }
}

}  // namespace tessera::raster
