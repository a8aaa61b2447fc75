// Coverage-weighted zonal statistics; see include/tessera/raster/zonal_stats.hpp.
#include "tessera/raster/zonal_stats.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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

// The statistics from the sums, as zone_stats() and snow_covered_fraction()
// derive them.
template <int NV>
void finish_stats(const double* wsum, const double* wx, const double* lo, const double* hi,
                  double wsnow, double cell_area, int swe_index, ZoneStats* out,
                  double* snow_fraction) {
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
  finish_stats<NV>(wsum, wx, lo, hi, wsnow, cell_area, swe_index, out, snow_fraction);
}

#if defined(__SSE2__)
// The four-variable pass with the variables in SIMD lanes (two doubles per
// SSE2 register, two registers). Lane v computes exactly what the scalar
// pass computes for variable v, with branch-free masking of nodata instead
// of skipping it, which changes no bit:
// - a NaN cell adds +0.0 (masked f and f·x) to the sums; wsum and wx are
//   never -0.0 (they start at +0.0 and x + (-x) rounds to +0.0), so s + 0.0
//   == s exactly;
// - _mm_min_pd(x, lo) = x < lo ? x : lo is std::min(lo, x), and
//   _mm_max_pd(x, hi) = x > hi ? x : hi is std::max(hi, x), ties included;
//   a NaN x compares false, so lo and hi are kept (Intel SDM, MINPD/MAXPD:
//   the second operand is returned when either is NaN).
void zone_day_stats_4_sse2(const Coverage& cov, const float* const* grids, double cell_area,
                           int swe_index, double threshold_mm, ZoneStats* out,
                           double* snow_fraction) {
  const __m128d inf = _mm_set1_pd(INFINITY), minus_inf = _mm_set1_pd(-INFINITY);
  __m128d wsum01 = _mm_setzero_pd(), wsum23 = _mm_setzero_pd();
  __m128d wx01 = _mm_setzero_pd(), wx23 = _mm_setzero_pd();
  __m128d lo01 = inf, lo23 = inf, hi01 = minus_inf, hi23 = minus_inf;
  const float* g0 = grids[0];
  const float* g1 = grids[1];
  const float* g2 = grids[2];
  const float* g3 = grids[3];
  // Without swe the snow sum is computed on variable 0 and not reported.
  const bool has_swe = swe_index >= 0 && swe_index < 4;
  const float* swe = grids[has_swe ? swe_index : 0];
  const __m128d threshold = _mm_set_sd(threshold_mm);
  __m128d wsnow = _mm_setzero_pd();
  const std::int64_t* cell = cov.cell.data();
  const double* fraction = cov.fraction.data();
  const std::size_t n = cov.cell.size();
  for (std::size_t i = 0; i < n; ++i) {
    const std::int64_t c = cell[i];
    const double fs = fraction[i];
    const __m128d f = _mm_set1_pd(fs);
    const __m128d x01 = _mm_set_pd(static_cast<double>(g1[c]), static_cast<double>(g0[c]));
    const __m128d x23 = _mm_set_pd(static_cast<double>(g3[c]), static_cast<double>(g2[c]));
    const __m128d ok01 = _mm_cmpord_pd(x01, x01), ok23 = _mm_cmpord_pd(x23, x23);
    const __m128d f01 = _mm_and_pd(f, ok01), f23 = _mm_and_pd(f, ok23);
    wsum01 = _mm_add_pd(wsum01, f01);
    wsum23 = _mm_add_pd(wsum23, f23);
    wx01 = _mm_add_pd(wx01, _mm_and_pd(_mm_mul_pd(f, x01), ok01));
    wx23 = _mm_add_pd(wx23, _mm_and_pd(_mm_mul_pd(f, x23), ok23));
    // NaN (nodata) as the first operand of minpd/maxpd yields the second.
    lo01 = _mm_min_pd(x01, lo01);
    lo23 = _mm_min_pd(x23, lo23);
    hi01 = _mm_max_pd(x01, hi01);
    hi23 = _mm_max_pd(x23, hi23);
    // wsnow += f if swe > threshold (never for NaN); adding +0.0 otherwise
    // changes no bit (wsnow >= +0.0).
    const __m128d snowy = _mm_cmpgt_sd(_mm_set_sd(static_cast<double>(swe[c])), threshold);
    wsnow = _mm_add_sd(wsnow, _mm_and_pd(f, snowy));
  }
  double wsum[4], wx[4], lo[4], hi[4];
  _mm_storeu_pd(wsum, wsum01);
  _mm_storeu_pd(wsum + 2, wsum23);
  _mm_storeu_pd(wx, wx01);
  _mm_storeu_pd(wx + 2, wx23);
  _mm_storeu_pd(lo, lo01);
  _mm_storeu_pd(lo + 2, lo23);
  _mm_storeu_pd(hi, hi01);
  _mm_storeu_pd(hi + 2, hi23);
  finish_stats<4>(wsum, wx, lo, hi, _mm_cvtsd_f64(wsnow), cell_area, swe_index, out, snow_fraction);
}
#endif

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
#if defined(__SSE2__)
        zone_day_stats_4_sse2(cov, g, cell_area, swe, threshold_mm, o, snow_fraction);
#else
        zone_day_stats_n<4>(cov, g, cell_area, swe, threshold_mm, o, snow_fraction);
#endif
        break;
    }
  }
}

}  // namespace tessera::raster
